"""Asking again for consent when PRIVACY_POLICY_VERSION changes (lms/auth/consent.py)."""

from lms.extensions import db
from lms.models import User


def test_an_old_consent_sends_page_views_to_the_consent_page_until_agreed(app, f, login):
    learner = f.user()
    client = login(learner)
    app.config["PRIVACY_POLICY_VERSION"] = "2"  # the notice changed after they agreed to "1"
    r = client.get("/my")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/privacy/consent?next=/my")
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    assert "ฉบับที่ 1" in page.text and "ฉบับที่ 2" in page.text  # Thai first
    assert client.get("/lang/en").status_code == 302  # choosing a language stays open
    page = client.get("/privacy/consent?next=/my")
    assert "version 1" in page.text and "version 2" in page.text
    # Not ticking the box: an error beside the field, nothing recorded.
    refused = client.post("/privacy/consent?next=/my", data={})
    assert refused.status_code == 200
    assert "Please agree to the privacy notice to go on." in refused.text
    assert db.session.get(User, learner.id).consent_version == "1"
    agreed = client.post("/privacy/consent?next=/my", data={"consent": "y"})
    assert agreed.status_code == 302 and agreed.headers["Location"] == "/my"
    db.session.expire_all()
    assert db.session.get(User, learner.id).consent_version == "2"
    assert client.get("/my").status_code == 200


def test_posts_and_the_way_out_are_never_blocked(app, f, login):
    learner = f.user()
    client = login(learner)
    app.config["PRIVACY_POLICY_VERSION"] = "2"
    assert client.get("/privacy").status_code == 200
    assert client.get("/profile/data").status_code == 200  # take the data and leave
    assert client.get("/profile/delete").status_code == 200
    # A POST in flight (an autosave, a heartbeat, a form) is not turned into a redirect: it
    # reaches its view (here a 404 for an activity that does not exist, not a 302).
    assert client.post("/activity/999999/complete").status_code == 404
    assert client.get("/my", headers={"Accept": "application/json"}).status_code != 302


def test_current_consent_and_accounts_without_their_own_are_not_asked(app, f, login):
    learner = f.user()
    assert login(learner).get("/my").status_code == 200  # agreed to the current version
    imported = f.user()
    imported.consent_version = None  # imported by an administrator: no consent of their own
    db.session.commit()
    app.config["PRIVACY_POLICY_VERSION"] = "2"
    assert login(imported).get("/my").status_code == 200


def test_the_next_address_cannot_lead_off_the_site(app, f, login):
    client = login(f.user())
    app.config["PRIVACY_POLICY_VERSION"] = "2"
    for target in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/"):
        r = client.post("/privacy/consent", query_string={"next": target}, data={"consent": "y"})
        assert r.status_code == 302
        assert "evil" not in r.headers["Location"]
