import email
import glob
import os
import re

from lms.extensions import db
from lms.models import User


def signup(client, **overrides):
    data = {
        "name": "สมหญิง ใจดี",
        "email": "somying@example.com",
        "password": "long enough pw",
        "confirm": "long enough pw",
        "consent": "y",
    }
    data.update(overrides)
    return client.post("/signup", data=data)


def test_signup_logs_in_and_hashes_the_password(client):
    r = signup(client)
    assert r.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "somying@example.com"))
    assert user.name == "สมหญิง ใจดี"
    assert user.password_hash.startswith("scrypt:")
    assert "long enough pw" not in user.password_hash
    assert user.consent_at is not None and user.consent_version == "1"
    assert user.has_role("learner")
    assert client.get("/my").status_code == 200


def test_duplicate_email_error_beside_the_field(client, f):
    f.user(email="taken@example.com")
    client.get("/lang/en")  # the assertion reads the English message (Thai is the default)
    r = signup(client, email="Taken@Example.com")
    assert r.status_code == 200
    assert re.search(r'id="email-error"[^>]*>[^<]*already exists', r.text)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_signup_requires_consent_and_matching_passwords(client):
    r = signup(client, consent="", confirm="different")
    assert 'id="consent-error"' in r.text and 'id="confirm-error"' in r.text
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_short_password_refused(client):
    r = signup(client, password="short", confirm="short")
    assert 'id="password-error"' in r.text


def test_login_wrong_password_and_logout(client, f):
    user = f.user()
    client.get("/lang/en")  # the assertion reads the English message (Thai is the default)
    r = client.post("/login", data={"email": user.email, "password": "wrong"})
    assert "not correct" in r.text
    r = client.post("/login", data={"email": user.email, "password": f.PASSWORD})
    assert r.status_code == 302
    assert client.get("/my").status_code == 200
    client.post("/logout")
    assert client.get("/my").status_code == 302


def test_inactive_account_cannot_log_in(client, f):
    user = f.user(is_active_account=False)
    r = client.post("/login", data={"email": user.email, "password": f.PASSWORD})
    assert r.status_code == 200


def test_login_redirect_only_to_local_next(client, f):
    user = f.user()
    r = client.post(
        "/login?next=https://evil.example/x", data={"email": user.email, "password": f.PASSWORD}
    )
    assert "evil.example" not in r.headers["Location"]


def _last_mail(app):
    files = sorted(
        glob.glob(os.path.join(app.config["MAIL_FOLDER"], "*.eml")), key=os.path.getmtime
    )
    assert files, "no mail was written"
    with open(files[-1], "rb") as fh:
        return email.message_from_bytes(fh.read())


def test_password_reset_by_emailed_link_works_once(app, client, f):
    user = f.user()
    r = client.post("/reset", data={"email": user.email})
    assert r.status_code == 302
    msg = _last_mail(app)
    assert msg["To"] == user.email
    link = re.search(r"http://lms\.test(/reset/\S+)", msg.get_payload(decode=True).decode())
    path = link.group(1)
    r = client.post(path, data={"password": "a brand new one", "confirm": "a brand new one"})
    assert r.status_code == 302
    assert (
        client.post("/login", data={"email": user.email, "password": "a brand new one"}).status_code
        == 302
    )
    client.post("/logout")
    r = client.get(path)  # used once: no longer valid
    assert r.status_code == 302 and "/reset" in r.headers["Location"]


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(app, client):
    r = client.post("/reset", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert r.status_code == 200
    assert not glob.glob(os.path.join(app.config["MAIL_FOLDER"], "*.eml"))


def test_login_is_rate_limited(make_app, f):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert (
            client.post("/login", data={"email": "x@example.com", "password": "x"}).status_code
            == 200
        )
    r = client.post("/login", data={"email": "x@example.com", "password": "x"})
    assert r.status_code == 429
    assert "site-header" in r.text


def test_profile_update(login, f):
    user = f.user()
    client = login(user)
    r = client.post(
        "/profile", data={"profile-name": "New Name", "profile-locale": "en", "profile-save": "1"}
    )
    assert r.status_code == 302
    db.session.refresh(user)
    assert user.name == "New Name" and user.locale == "en"


def test_change_password_needs_the_current_one(login, f):
    user = f.user()
    client = login(user)
    r = client.post(
        "/profile",
        data={
            "pw-current": "wrong",
            "pw-password": "another long one",
            "pw-confirm": "another long one",
            "pw-save": "1",
        },
    )
    assert 'id="pw-current-error"' in r.text


def test_csrf_token_is_required_on_forms(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {
        "name": "A",
        "email": "a@example.com",
        "password": "long enough pw",
        "confirm": "long enough pw",
        "consent": "y",
    }
    assert client.post("/signup", data=data).status_code == 400
    assert client.post("/signup", data={**data, "csrf_token": token}).status_code == 302
