"""Audience admin pages: rename, add, retire and reorder groups; admins only, CSRF."""

from __future__ import annotations

import re

import pytest
from lms_audience import services
from lms_audience.models import AudienceGroup

from lms.extensions import db


@pytest.fixture
def groups(app):
    services.seed_groups()
    db.session.commit()


def order() -> list[str]:
    return list(
        db.session.scalars(
            db.select(AudienceGroup.code).order_by(AudienceGroup.position, AudienceGroup.code)
        )
    )


def test_admin_pages_are_for_admins_only(groups, client, login, f):
    assert client.get("/audience/admin/groups").status_code == 302  # to the log-in page
    learner = login(f.user())
    assert learner.get("/audience/admin/groups").status_code == 403
    assert (
        learner.post("/audience/admin/groups/youth/move", data={"direction": "up"}).status_code
        == 403
    )
    assert learner.post("/audience/admin/groups/new", data={"code": "x1"}).status_code == 403
    assert order()[1] == "youth"
    educator = login(f.user("educator"))
    assert educator.get("/audience/admin/groups/youth").status_code == 403


def test_admin_sees_groups_and_the_nav_link(groups, login, f):
    admin = login(f.user("admin"))
    admin.get("/lang/en")
    page = admin.get("/audience/admin/groups").text
    assert 'href="/audience/admin/groups"' in admin.get("/").text
    for name in ("ปฐมวัย", "Early childhood", "Elderly", "ผู้สูงอายุ"):
        assert name in page
    assert 'aria-label="Move Youth up"' in page


def test_rename_in_thai_and_english(groups, login, f):
    admin = login(f.user("admin"))
    admin.get("/lang/en")
    r = admin.post(
        "/audience/admin/groups/general_public",
        data={"name_th": "ประชาชนทั่วไป", "name_en": "Everyone else"},
    )
    assert r.status_code == 302
    group = db.session.get(AudienceGroup, "general_public")
    assert (group.name_th, group.name_en, group.retired) == ("ประชาชนทั่วไป", "Everyone else", False)
    assert "Everyone else" in admin.get("/courses").text  # the catalog filter uses the new name
    r = admin.post("/audience/admin/groups/general_public", data={"name_th": "", "name_en": "X"})
    assert r.status_code == 200
    assert 'id="name_th-error"' in r.text and "This field is required." in r.text
    assert db.session.get(AudienceGroup, "general_public").name_en == "Everyone else"
    assert admin.get("/audience/admin/groups/nonexistent").status_code == 404


def test_add_a_group_with_checked_code(groups, login, f):
    admin = login(f.user("admin"))
    admin.get("/lang/en")
    r = admin.post(
        "/audience/admin/groups/new",
        data={"code": "Farmers!", "name_th": "เกษตรกร", "name_en": "Farmers"},
    )
    assert r.status_code == 200 and 'id="code-error"' in r.text
    r = admin.post(
        "/audience/admin/groups/new",
        data={"code": "youth", "name_th": "ก", "name_en": "Y"},
    )
    assert "A group with this code exists already." in r.text
    r = admin.post(
        "/audience/admin/groups/new",
        data={
            "code": "farmers",
            "name_th": "เกษตรกร",
            "name_en": "Farmers",
            "min_age": "30",
            "max_age": "20",
        },
    )
    assert 'id="max_age-error"' in r.text
    assert db.session.get(AudienceGroup, "farmers") is None
    r = admin.post(
        "/audience/admin/groups/new",
        data={"code": "farmers", "name_th": "เกษตรกร", "name_en": "Farmers"},
    )
    assert r.status_code == 302
    assert order()[-1] == "farmers"
    assert "farmers" in services.group_names()


def test_retire_hides_the_group_but_keeps_it(groups, login, f):
    teacher = f.user("educator")
    course = f.course(teacher)
    services.save_target(course, ["youth"], None, None, False)
    db.session.commit()
    admin = login(f.user("admin"))
    r = admin.post("/audience/admin/groups/youth/retire", data={"retired": "1"})
    assert r.status_code == 302
    assert db.session.get(AudienceGroup, "youth").retired
    assert "youth" not in services.group_names()
    assert 'value="youth"' not in admin.get("/courses").text  # gone from the catalog filter
    assert services.target_of(course.id).group_codes == ["youth"]  # history kept
    assert "youth" in admin.get("/audience/admin/groups").text  # still listed for admins
    admin.post("/audience/admin/groups/youth/retire", data={"retired": "0"})
    assert not db.session.get(AudienceGroup, "youth").retired


def test_reorder_up_and_down(groups, login, f):
    admin = login(f.user("admin"))
    assert order() == ["early_childhood", "youth", "general_public", "staff", "elderly"]
    admin.post("/audience/admin/groups/elderly/move", data={"direction": "up"})
    assert order() == ["early_childhood", "youth", "general_public", "elderly", "staff"]
    admin.post("/audience/admin/groups/early_childhood/move", data={"direction": "down"})
    assert order() == ["youth", "early_childhood", "general_public", "elderly", "staff"]
    admin.post("/audience/admin/groups/youth/move", data={"direction": "up"})  # already first
    assert order()[0] == "youth"
    assert (
        admin.post("/audience/admin/groups/youth/move", data={"direction": "left"}).status_code
        == 400
    )
    assert list(services.group_names()) == order()


def test_forms_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests import factories as f

        services.seed_groups()
        db.session.commit()
        admin = f.user("admin")
        client = app.test_client()
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        r = client.post(
            "/login", data={"email": admin.email, "password": f.PASSWORD, "csrf_token": token}
        )
        assert r.status_code == 302
        assert client.get("/audience/admin/groups").status_code == 200  # signed in
        r = client.post("/audience/admin/groups/elderly/move", data={"direction": "up"})
        assert r.status_code == 400
        r = client.post("/audience/admin/groups/youth", data={"name_th": "x", "name_en": "Hacked"})
        assert r.status_code == 400 and db.session.get(AudienceGroup, "youth").name_en == "Youth"
        r = client.post(
            "/audience/admin/groups/elderly/move", data={"direction": "up", "csrf_token": token}
        )
        assert r.status_code == 302 and order()[-1] == "staff"
