"""Guardians and children's sign-in, PDPA export and deletion, accessibility preferences and
each audience group's default interface variant (audience plugin + core account pages)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from lms_audience import guardians, prefs, services
from lms_audience.models import Profile
from lms_audience.models_personal import ChildLogin, Consent, Guardianship, Prefs
from werkzeug.security import check_password_hash

from lms import hookimpl
from lms.courses import add_enrolment
from lms.extensions import db
from lms.models import ActivityProgress, Enrolment, User
from lms.progress import complete
from tests import factories

CHILD_BIRTH = date(2022, 5, 1)


@pytest.fixture
def groups(app):
    services.seed_groups()
    prefs.seed_variants()
    db.session.commit()


def person(*roles: str, **fields) -> User:
    """A user who reads the site in English (the texts below are the English ones)."""
    fields.setdefault("locale", "en")
    return factories.user(*roles, **fields)


def body_class(html: str) -> str:
    start = html.index("<body")
    return html[start : html.index(">", start)]


def add_child(client, **over):
    data = {
        "name": "น้องมะลิ",
        "birth_date": CHILD_BIRTH.isoformat(),
        "relation": "parent",
        "login_name": "nong-mali",
        "kind": "pin",
        "pin": "2468",
        "consent": "y",
    }
    data.update(over)
    return client.post("/audience/children/new", data=data)


def child_sign_in(client, login_name="nong-mali", pin="2468", **extra):
    client.post("/logout")
    return client.post(
        "/audience/child-login", data={"login_name": login_name, "pin": pin, **extra}
    )


# --- guardians ------------------------------------------------------------------------------


def test_guardian_creates_a_child_who_signs_in_with_the_pin(app, groups, login):
    parent = person(name="Parent")
    client = login(parent)
    r = add_child(client)
    assert r.status_code == 302, r.text
    child = db.session.scalar(db.select(User).where(User.name == "น้องมะลิ"))
    assert child.email.startswith("child-") and child.email.endswith("@child.invalid")
    assert child.password_hash is None
    login_row = db.session.get(ChildLogin, child.id)
    # Stored as a salted hash that checks the PIN, never the PIN. (Not `"2468" not in hash`:
    # a random salt or digest holds those four digits about once in 600 runs.)
    assert login_row.login_name == "nong-mali"
    assert login_row.secret_hash.startswith("scrypt:") and login_row.secret_hash != "2468"
    assert check_password_hash(login_row.secret_hash, "2468")
    assert not check_password_hash(login_row.secret_hash, "2469")
    assert db.session.get(Guardianship, (parent.id, child.id)).relation == "parent"
    consent = db.session.scalar(db.select(Consent).where(Consent.user_id == child.id))
    assert consent.given_by_id == parent.id and consent.policy_version == "1"
    assert child.consent_version == "1" and child.consent_at is not None
    assert db.session.get(Profile, child.id).birth_date == CHILD_BIRTH
    # the placeholder email is never shown to the guardian
    page = client.get(f"/audience/children/{child.id}").text
    assert "child.invalid" not in page and "nong-mali" in page

    r = child_sign_in(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/my")
    assert "น้องมะลิ" in client.get("/profile").text or client.get("/my").status_code == 200
    # an account of a young child gets the early-childhood variant: pictures, big buttons
    assert "a11y-pictures" in body_class(client.get("/").text)


def test_child_signs_in_with_three_pictures(app, groups, login):
    client = login(person())
    r = add_child(
        client, kind="picture", pin="", picture_1="cat", picture_2="sun", picture_3="tree"
    )
    assert r.status_code == 302, r.text
    client.post("/logout")
    wrong = {"login_name": "nong-mali", "picture_1": "sun", "picture_2": "cat", "picture_3": "tree"}
    assert client.post("/audience/child-login", data=wrong).status_code == 200
    right = dict(wrong, picture_1="cat", picture_2="sun")
    assert client.post("/audience/child-login", data=right).status_code == 302


def test_picture_tiles_are_svg_drawings_named_in_thai_and_english(app, groups, login):
    import xml.dom.minidom

    emoji = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
    codes = [code for code, _name in guardians.PICTURES]
    assert codes[:9] == ["cat", "dog", "elephant", "fish", "flower", "sun", "star", "tree", "car"]
    assert len(codes) == len(set(codes)) == 12  # stored codes kept, three added at the end
    client = login(person(locale="th"))
    pages = {
        "guardian": client.get("/audience/children/new").text,
        "child": (client.post("/logout"), client.get("/audience/child-login"))[1].text,
    }
    for where, html in pages.items():
        assert not emoji.search(html[html.index("picture-tiles") :]), where
        tiles = re.findall(
            r'<label class="check tile"><input[^>]*value="(\w+)"[^>]*> <span>'
            r'<img class="pic" src="([^"]+)" alt="" width="64" height="64" data-picture="\w+"> '
            r'<span class="pic-name">([^<]+)</span></span></label>',
            html,
        )
        assert len(tiles) == 3 * len(codes), where  # three choices, every picture in each
        names = {code: name for code, _src, name in tiles}
        assert names["cat"] == "แมว" and names["house"] == "บ้าน" and names["moon"] == "พระจันทร์"
        for code, src, _name in tiles:
            assert src.startswith(f"/plugins/lms_audience/static/pictures/{code}.svg?v=")
    for code in codes:
        r = client.get(f"/plugins/lms_audience/static/pictures/{code}.svg")
        body = r.data
        r.close()
        assert r.status_code == 200 and r.mimetype == "image/svg+xml", code
        root = xml.dom.minidom.parseString(body).documentElement  # noqa: S318 - our own files
        assert root.tagName == "svg" and root.getAttribute("viewBox") == "0 0 64 64"
        assert b"<script" not in body and b"href" not in body  # plain drawings
    en = login(person()).get("/audience/children/new").text
    assert '<span class="pic-name">Cat</span>' in en and '<span class="pic-name">Moon</span>' in en


def test_child_signs_in_with_new_pictures(app, groups, login):
    client = login(person())
    r = add_child(
        client, kind="picture", pin="", picture_1="moon", picture_2="house", picture_3="bird"
    )
    assert r.status_code == 302, r.text
    client.post("/logout")
    right = {
        "login_name": "nong-mali",
        "picture_1": "moon",
        "picture_2": "house",
        "picture_3": "bird",
    }
    assert client.post("/audience/child-login", data=right).status_code == 302


def test_child_form_errors_beside_the_fields(app, groups, login):
    client = login(person())
    too_old = add_child(client, birth_date="2000-01-01")
    assert too_old.status_code == 200
    assert "for children under 13" in too_old.text
    bad_pin = add_child(client, pin="12")
    assert "A PIN is 4 to 8 digits." in bad_pin.text
    no_consent = add_child(client, consent="")
    assert "Please agree to the privacy notice for the child." in no_consent.text
    assert add_child(client).status_code == 302
    taken = add_child(client, name="Other")
    assert "This login name is taken." in taken.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ChildLogin)) == 1


def test_wrong_pin_is_refused(app, groups, login):
    client = login(person())
    add_child(client)
    r = child_sign_in(client, pin="1111")
    assert r.status_code == 200
    assert "ชื่อเข้าระบบ รหัส PIN หรือรูปภาพไม่ถูกต้อง" in r.text  # signed out: Thai, the default
    assert child_sign_in(client, login_name="nobody").status_code == 200
    assert client.get("/my").status_code == 302  # still signed out


def test_child_sign_in_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, AUDIENCE_CHILD_LOGIN_NAME_LIMIT="3 per hour")
    with app.app_context():
        services.seed_groups()
        parent = person()
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": parent.email, "password": factories.PASSWORD})
        assert add_child(client).status_code == 302
        client.post("/logout")
        codes = [
            client.post(
                "/audience/child-login", data={"login_name": "nong-mali", "pin": "0000"}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        # even the right PIN is refused now, for this login name
        right = client.post(
            "/audience/child-login", data={"login_name": "nong-mali", "pin": "2468"}
        )
        assert right.status_code == 429
        # another child's name is not blocked by it
        other = client.post("/audience/child-login", data={"login_name": "other", "pin": "2468"})
        assert other.status_code == 200


def test_guardian_sees_progress_and_another_guardian_cannot(app, groups, login):
    parent = person()
    client = login(parent)
    add_child(client)
    child = db.session.scalar(db.select(User).where(User.name == "น้องมะลิ"))
    course = factories.course(title="นิทานก่อนนอน", published=True)
    acts = factories.activities(course)
    add_enrolment(child, course)
    complete(child, acts[0])
    db.session.commit()
    page = client.get(f"/audience/children/{child.id}")
    assert page.status_code == 200
    assert "นิทานก่อนนอน" in page.text
    assert f'aria-valuenow="{round(100 / len(acts))}"' in page.text
    assert "นิทานก่อนนอน" in client.get("/audience/children").text
    assert "/audience/children" in client.get("/my").text  # the dashboard card

    stranger = login(person())
    for url in (
        f"/audience/children/{child.id}",
        f"/audience/children/{child.id}/data",
    ):
        assert stranger.get(url).status_code == 404
    r = stranger.post(
        f"/audience/children/{child.id}/delete",
        data={"delete-password": factories.PASSWORD, "delete-confirm": "y"},
    )
    assert r.status_code == 404
    assert db.session.get(User, child.id).is_active
    assert "น้องมะลิ" not in stranger.get("/audience/children").text


def test_guardian_changes_the_pin_and_deletes_the_child(app, groups, login):
    parent = person()
    client = login(parent)
    add_child(client)
    child = db.session.scalar(db.select(User).where(User.name == "น้องมะลิ"))
    r = client.post(
        f"/audience/children/{child.id}", data={"secret-kind": "pin", "secret-pin": "97531"}
    )
    assert r.status_code == 302
    data = json.loads(client.get(f"/audience/children/{child.id}/data").data)
    assert data["core"]["account"]["name"] == "น้องมะลิ"
    assert data["core"]["account"]["email"] is None  # the placeholder is never shown
    r = client.post(
        f"/audience/children/{child.id}/delete",
        data={"delete-password": "wrong", "delete-confirm": "y"},
    )
    assert db.session.get(User, child.id).is_active
    r = client.post(
        f"/audience/children/{child.id}/delete",
        data={"delete-password": factories.PASSWORD, "delete-confirm": "y"},
    )
    assert r.status_code == 302
    db.session.expire_all()
    gone = db.session.get(User, child.id)
    assert not gone.is_active and gone.email == f"deleted-{child.id}@deleted.invalid"
    assert db.session.get(ChildLogin, child.id) is None
    assert child_sign_in(client, pin="97531").status_code == 200


# --- PDPA: export and delete ----------------------------------------------------------------


def test_export_holds_my_data_and_not_others(app, groups, login):
    me = person(name="Somchai Export", email="somchai@example.com")
    other = person(name="Other Person", email="other@example.com")
    course = factories.course(title="Course A", published=True)
    acts = factories.activities(course)
    for u in (me, other):
        add_enrolment(u, course)
        complete(u, acts[0])
    db.session.add(Profile(user_id=me.id, birth_date=date(1950, 1, 2), district="Hot"))
    prefs.save(me.id, {"text_size": "large"})
    db.session.commit()
    r = login(me).get("/profile/data")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert "attachment" in r.headers["Content-Disposition"]
    data = json.loads(r.data)
    text = r.data.decode()
    assert data["core"]["account"]["email"] == "somchai@example.com"
    assert data["core"]["account"]["consent_version"] == "1"
    assert [e["course"] for e in data["core"]["enrolments"]] == ["Course A"]
    assert len(data["core"]["progress"]) == 1
    audience = data["plugins"]["lms_audience"]["audience"]
    assert audience["profile"]["birth_date"] == "1950-01-02"
    assert audience["preferences"]["text_size"] == "large"
    assert "other@example.com" not in text and "Other Person" not in text
    assert "password" not in text


def test_delete_needs_the_password_and_anonymises(app, groups, login):
    me = person(name="Somsri Delete", email="somsri@example.com")
    course = factories.course(published=True)
    acts = factories.activities(course)
    add_enrolment(me, course)
    complete(me, acts[0])
    db.session.add(Profile(user_id=me.id, birth_date=date(1950, 1, 2), district="Hot"))
    prefs.save(me.id, {"high_contrast": True})
    db.session.commit()
    client = login(me)
    assert client.get("/profile/delete").status_code == 200
    wrong = client.post("/profile/delete", data={"password": "nope", "confirm": "y"})
    assert "The password is not correct." in wrong.text
    unticked = client.post("/profile/delete", data={"password": factories.PASSWORD})
    assert "Tick the box to confirm." in unticked.text
    assert db.session.get(User, me.id).is_active

    r = client.post("/profile/delete", data={"password": factories.PASSWORD, "confirm": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, me.id)
    assert user.email == f"deleted-{me.id}@deleted.invalid"
    assert user.name == "—" and user.password_hash is None and not user.is_active
    assert user.consent_at is None
    # progress and enrolment counts stay for the statistics
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Enrolment).where(Enrolment.user_id == me.id)
        )
        == 1
    )
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(ActivityProgress)
            .where(ActivityProgress.user_id == me.id)
        )
        == 1
    )
    profile = db.session.get(Profile, me.id)
    assert profile.birth_date is None and profile.district == "Hot"
    assert db.session.get(Prefs, me.id) is None
    # logged out, and cannot log in again
    assert client.get("/profile").status_code == 302
    again = client.post(
        "/login", data={"email": "somsri@example.com", "password": factories.PASSWORD}
    )
    assert again.status_code == 200


def test_deleting_a_guardian_deletes_the_children_only_they_look_after(app, groups, login):
    parent = person()
    other_parent = person()
    client = login(parent)
    add_child(client, login_name="alone-kid", name="Alone")
    add_child(client, login_name="shared-kid", name="Shared")
    shared = db.session.scalar(db.select(User).where(User.name == "Shared"))
    db.session.add(Guardianship(guardian_id=other_parent.id, child_id=shared.id))
    db.session.commit()
    assert "1 child you alone look after" in client.get("/profile/delete").text
    client.post("/profile/delete", data={"password": factories.PASSWORD, "confirm": "y"})
    db.session.expire_all()
    alone = db.session.scalar(
        db.select(User).where(User.email.like("deleted-%")).where(User.id != parent.id)
    )
    assert alone is not None and not alone.is_active
    assert db.session.get(User, shared.id).is_active
    assert guardians.children_of(other_parent.id)[0][0].id == shared.id


def test_the_only_admin_cannot_delete_their_account(app, groups, login):
    admin = person("admin")
    client = login(admin)
    page = client.get("/profile/delete")
    assert "only administrator" in page.text
    client.post("/profile/delete", data={"password": factories.PASSWORD, "confirm": "y"})
    assert db.session.get(User, admin.id).is_active
    person("admin")  # with a second administrator, the first may go
    client.post("/profile/delete", data={"password": factories.PASSWORD, "confirm": "y"})
    db.session.expire_all()
    assert not db.session.get(User, admin.id).is_active


def test_profile_page_links_to_data_and_preferences(app, groups, login):
    client = login(person())
    page = client.get("/profile").text
    assert "/profile/data" in page and "/profile/delete" in page
    assert "/audience/preferences" in page and "/audience/children" in page


# --- preferences and group variants ---------------------------------------------------------


def test_preferences_change_the_body_classes(app, groups, login):
    me = person()
    client = login(me)
    assert "a11y-" not in body_class(client.get("/").text)
    r = client.post(
        "/audience/preferences",
        data={
            "text_size": "larger",
            "high_contrast": "1",
            "reduced_motion": "1",
            "simple_nav": "",
            "picture_led": "",
        },
    )
    assert r.status_code == 302
    classes = body_class(client.get("/courses").text)
    assert "a11y-text-larger" in classes and "a11y-contrast" in classes
    assert "a11y-reduced-motion" in classes and "a11y-simple" not in classes
    assert "lms_audience/static/a11y.css" in client.get("/").text


def test_elderly_get_their_variant_and_their_own_choice_wins(app, groups, login):
    grandma = person()
    db.session.add(Profile(user_id=grandma.id, birth_date=date(1950, 3, 3), district=""))
    db.session.commit()
    client = login(grandma)
    classes = body_class(client.get("/").text)
    for cls in ("a11y-text-larger", "a11y-contrast", "a11y-simple", "a11y-reduced-motion"):
        assert cls in classes
    page = client.get("/audience/preferences").text
    assert "Now: from the group Elderly." in page
    client.post(
        "/audience/preferences",
        data={"text_size": "normal", "high_contrast": "0", "reduced_motion": "", "simple_nav": ""},
    )
    classes = body_class(client.get("/").text)
    assert "a11y-text" not in classes and "a11y-contrast" not in classes
    assert "a11y-simple" in classes  # still the group's default


def test_anonymous_pages_have_no_variant_classes(app, groups, client):
    assert "a11y-" not in body_class(client.get("/").text)


def audience_statements(statements: list[str]) -> list[str]:
    """The statements reading audience tables other than the courses' targets (recommended
    courses) and the guardians ("My learning" links to the children's progress)."""
    targets = {"lms_audience_course", "lms_audience_course_group", "lms_audience_guardian"}
    return [s for s in statements if set(re.findall(r"lms_audience_\w+", s)) - targets]


def test_body_classes_cost_a_bounded_number_of_queries(app, groups, login, count_queries):
    me = person()
    prefs.save(me.id, dict.fromkeys(prefs.FIELDS))
    db.session.commit()
    client = login(me)
    client.get("/")
    with count_queries() as q:
        client.get("/")
    with count_queries() as q2:
        prefs.body_classes(me)
    # without a shared cache: preferences, profile, groups, "any organisation members?"
    assert q2.count <= 4, q2.statements
    assert q.count < 40


@pytest.fixture
def shared_cache(app):
    """The shared cache on, as with REDIS_URL (every "process" is inside this one)."""
    app.extensions["lms"].site_cache.enabled = True
    return app


def test_cached_body_classes_and_recommendations_cost_no_query(
    shared_cache, groups, login, count_queries
):
    grandma = person()
    db.session.add(Profile(user_id=grandma.id, birth_date=date(1950, 3, 3), district=""))
    db.session.commit()
    client = login(grandma)
    first = client.get("/").text  # computes the classes and groups, keeps them
    with count_queries() as q:
        page = client.get("/").text
        client.get("/my")
    assert body_class(page) == body_class(first) and "a11y-text-larger" in body_class(page)
    assert audience_statements(q.statements) == [], audience_statements(q.statements)
    with count_queries() as q2:
        assert "a11y-text-larger" in prefs.body_classes(grandma)
    assert q2.count == 0, q2.statements
    assert prefs.facts(grandma) == prefs.compute_facts(grandma)


def test_cached_classes_follow_every_change(shared_cache, groups, login, monkeypatch):
    """Each write path that changes a user's classes or groups is seen on the next read."""
    from lms_audience import rules
    from lms_audience.importer import import_csv
    from lms_audience.models_org import Organisation, OrgGroup

    me = person(email="me@example.com")
    db.session.commit()
    admin = login(person("admin"))
    client = shared_cache.test_client()  # a second browser: the learner's
    r = client.post("/login", data={"email": me.email, "password": factories.PASSWORD})
    assert r.status_code == 302

    def post(c, url: str, **values: str) -> None:
        data = {**dict.fromkeys(prefs.FIELDS, ""), **values}
        assert c.post(url, data=data).status_code == 302

    def check(expected: list[str] | None = None) -> list[str]:
        cached = prefs.facts(me)  # outside a request: from the shared cache if valid
        assert cached == prefs.compute_facts(me)
        if expected is not None:
            assert cached["classes"] == expected
        return cached["classes"]

    assert check([]) == []
    # the learner's own preferences
    post(client, "/audience/preferences", text_size="large", high_contrast="1")
    check(["a11y-text-large", "a11y-contrast"])
    post(client, "/audience/preferences")
    check([])
    # the profile: a birth date puts them in the elderly group and its variant
    r = client.post("/audience/profile", data={"birth_date": "1950-03-03", "district": ""})
    assert r.status_code == 302, r.text
    assert "a11y-text-larger" in check()
    assert "elderly" in prefs.facts(me)["groups"] and prefs.facts(me)["age"] > 70
    # the admin edits the group's variant
    post(admin, "/audience/variants/elderly", text_size="large", simple_nav="1")
    check(["a11y-text-large", "a11y-simple"])
    # the admin edits the group's age range: no longer elderly
    r = admin.post(
        "/audience/admin/groups/elderly",
        data={"name_th": "ผู้สูงอายุ", "name_en": "Elderly", "min_age": "90", "max_age": ""},
    )
    assert r.status_code == 302, r.text
    check([])
    # a birthday: the groups follow the date in the site's time zone
    monkeypatch.setattr(rules, "today_local", lambda: date(2040, 3, 3))
    check(["a11y-text-large", "a11y-simple"])
    monkeypatch.undo()
    check([])
    # an organisation whose group has a variant; members added by CSV, removed, org deleted
    org = Organisation(name="Elder club", groups=[OrgGroup(group_code="elderly")])
    db.session.add(org)
    db.session.commit()
    import_csv(f"email,name,course_id,group,organisation\nme@example.com,Me,,,{org.id}\n")
    db.session.commit()
    assert check() == ["a11y-text-large", "a11y-simple"]
    r = admin.post(f"/audience/admin/orgs/{org.id}/members/{me.id}/remove")
    assert r.status_code == 302
    check([])
    admin.post(
        f"/audience/admin/orgs/{org.id}",
        data={"name": "Elder club", "groups": ["elderly"], "members": "me@example.com"},
    )
    check(["a11y-text-large", "a11y-simple"])
    assert admin.post(f"/audience/admin/orgs/{org.id}/delete").status_code == 302
    check([])
    # a retired group no longer applies; a change rolled back changes nothing
    admin.post("/audience/admin/groups/youth/retire", data={"retired": "1"})
    check([])
    prefs.save(me.id, {"text_size": "larger"})
    db.session.rollback()
    check([])


def test_admins_edit_a_groups_interface(app, groups, login):
    grandma = person()
    db.session.add(Profile(user_id=grandma.id, birth_date=date(1950, 3, 3), district=""))
    db.session.commit()
    learner_client = login(grandma)
    assert learner_client.get("/audience/variants").status_code == 403
    assert learner_client.post("/audience/variants/elderly", data={}).status_code == 403
    admin = login(person("admin"))
    page = admin.get("/audience/variants")
    assert page.status_code == 200 and "/audience/variants/elderly" in page.text
    assert admin.get("/audience/variants/nope").status_code == 404
    r = admin.post(
        "/audience/variants/elderly",
        data={"text_size": "large", "high_contrast": "0", "reduced_motion": "", "simple_nav": ""},
    )
    assert r.status_code == 302
    classes = body_class(login(grandma).get("/").text)
    assert "a11y-text-large" in classes and "a11y-text-larger" not in classes
    assert "a11y-contrast" not in classes and "a11y-simple" not in classes


def test_privacy_notice_and_the_child_notes(app, groups, client):
    page = client.get("/privacy")
    assert page.status_code == 200 and "1" in page.text
    assert "/privacy" in client.get("/signup").text
    assert "/audience/child-login" in client.get("/login").text


def test_a_second_guardian_is_added_by_email(app, groups, login):
    first = person()
    second = person(email="second@example.com")
    client = login(first)
    add_child(client)
    child = db.session.scalar(db.select(User).where(User.name == "น้องมะลิ"))
    bad = client.post(
        f"/audience/children/{child.id}/share",
        data={"share-email": "nobody@example.com", "share-relation": "teacher"},
    )
    assert bad.status_code == 200 and "No account uses this email address." in bad.text
    ok = client.post(
        f"/audience/children/{child.id}/share",
        data={"share-email": "Second@example.com", "share-relation": "teacher"},
    )
    assert ok.status_code == 302
    assert db.session.get(Guardianship, (second.id, child.id)).relation == "teacher"
    assert login(second).get(f"/audience/children/{child.id}").status_code == 200


class SitePlugin:
    """Another plugin holding personal data: its export lands in its own section."""

    @staticmethod
    @hookimpl
    def lms_user_export(app, user):
        return ("registrations", [{"user": user.id, "phone": "081-000-0000"}])


class BrokenErasePlugin:
    @staticmethod
    @hookimpl
    def lms_user_erase(app, user):
        raise RuntimeError("boom")


def test_other_plugins_export_into_their_own_section(app, groups, login):
    app.extensions["lms"].plugins.register(SitePlugin(), "site_registrations")
    me = person()
    data = json.loads(login(me).get("/profile/data").data)
    assert data["plugins"]["site_registrations"]["registrations"] == [
        {"user": me.id, "phone": "081-000-0000"}
    ]


def test_a_failing_erase_changes_nothing(app, groups, login):
    app.extensions["lms"].plugins.register(BrokenErasePlugin(), "broken_erase")
    me = person(email="keep@example.com")
    prefs.save(me.id, {"high_contrast": True})
    db.session.commit()
    client = login(me)
    r = client.post("/profile/delete", data={"password": factories.PASSWORD, "confirm": "y"})
    assert r.status_code == 302
    db.session.expire_all()
    kept = db.session.get(User, me.id)
    assert kept.email == "keep@example.com" and kept.is_active
    assert db.session.get(Prefs, me.id) is not None
    assert "could not be deleted" in client.get("/profile").text


@pytest.mark.service
def test_two_processes_sharing_redis_see_a_preference_change(make_app, tmp_path):
    """Two apps on one database file and one Redis stand for two gunicorn workers: the one
    that kept a learner's classes sees the change the other one committed."""
    import os

    import redis

    from lms.extensions import cache
    from tests.conftest import require

    url = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        require(False, f"Redis is not reachable ({url})")  # skipped unless CI
    config = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/shared.db",
        "REDIS_URL": url,
        "CACHE_KEY_PREFIX": f"lms-test-{os.getpid()}-{id(tmp_path)}:",
    }
    first = make_app(**config)
    second_app = make_app(**config)
    with first.app_context():
        services.seed_groups()
        prefs.seed_variants()
        me = person()
        db.session.commit()
        email, user_id = me.email, me.id
    client = second_app.test_client()
    assert (
        client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code
        == 302
    )
    assert "a11y-" not in body_class(client.get("/").text)
    with second_app.app_context():
        assert second_app.extensions["cache"][cache].get(prefs._facts_key(user_id)) is not None
    assert "a11y-" not in body_class(client.get("/").text)  # from Redis
    with first.app_context():
        prefs.save(user_id, {"text_size": "larger"})
        db.session.commit()
    assert "a11y-text-larger" in body_class(client.get("/").text)


def test_groups_hook_answers_from_the_cache_and_follows_a_change(
    shared_cache, groups, count_queries
):
    """lms_audience_groups_for (the outreach plugin asks it for every participation event)
    gives the same codes as the rules, from the cached facts, and sees a new birth date."""
    from lms_audience.rules import groups_for

    from lms import plugins

    grandma = person()
    profile = Profile(user_id=grandma.id, birth_date=date(1950, 3, 3), district="")
    db.session.add(profile)
    db.session.commit()
    assert plugins.call("lms_audience_groups_for", user=grandma) == groups_for(grandma)
    assert "elderly" in groups_for(grandma)
    db.session.commit()  # a new request, as far as the memo goes
    with count_queries() as q:
        again = plugins.call("lms_audience_groups_for", user=grandma)
    assert again == groups_for(grandma)
    assert audience_statements(q.statements) == [], q.statements
    profile.birth_date = date(2008, 1, 1)  # she was entered with the wrong year
    db.session.commit()
    assert "elderly" not in plugins.call("lms_audience_groups_for", user=grandma)
    assert plugins.call("lms_audience_groups_for", user=grandma) == groups_for(grandma)
