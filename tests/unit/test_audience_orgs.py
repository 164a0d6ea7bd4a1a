"""The organisation membership rule (a school enrols its class), its admin pages, and the
reasons shown to admins on a user's audience page."""

from __future__ import annotations

from datetime import date

import pytest
from lms_audience import rules, services
from lms_audience.models import Profile
from lms_audience.models_org import Organisation, OrgGroup, OrgMember

from lms.extensions import db


@pytest.fixture
def groups(app):
    services.seed_groups()
    seed_districts()
    db.session.commit()


def seed_districts() -> None:
    """The outreach plugin's districts (create_all seeds them; PostgreSQL test runs empty the
    tables between tests)."""
    from lms_outreach.districts import seed_missing

    seed_missing()


def school(name: str = "โรงเรียนบ้านแม่ริม", codes: tuple[str, ...] = ("youth",)) -> Organisation:
    org = Organisation(name=name, groups=[OrgGroup(group_code=c) for c in codes])
    db.session.add(org)
    db.session.flush()
    return org


def test_members_are_in_the_organisations_groups_with_a_reason(groups, f):
    org = school(codes=("youth", "general_public"))
    office = school("อบต. แม่แรม", ("staff",))
    pupil, teacher, outsider = f.user(), f.user(), f.user()
    db.session.add_all(
        [
            OrgMember(org_id=org.id, user_id=pupil.id, note="ป.5/2"),
            OrgMember(org_id=org.id, user_id=teacher.id),
            OrgMember(org_id=office.id, user_id=teacher.id),
        ]
    )
    db.session.commit()
    today = date(2026, 11, 25)
    assert rules.groups_for(pupil, today) == ["general_public", "youth"]
    assert rules.groups_for(teacher, today) == ["general_public", "staff", "youth"]
    assert rules.groups_for(outsider, today) == []
    why = rules.explain(teacher, None, today)
    assert why["staff"] == ["สมาชิกของ อบต. แม่แรม"]
    assert rules.explain(pupil, None, today)["youth"] == ["สมาชิกของ โรงเรียนบ้านแม่ริม (ป.5/2)"]
    db.session.delete(db.session.get(OrgMember, (org.id, pupil.id)))
    db.session.commit()
    assert rules.groups_for(pupil, today) == []


def test_admin_creates_a_school_and_enrols_a_class_all_or_nothing(groups, login, f):
    pupils = [f.user(email=f"pupil{i}@school.example") for i in range(3)]
    admin = login(f.user("admin"))
    admin.get("/lang/en")
    r = admin.post(
        "/audience/admin/orgs/new",
        data={
            "name": "Ban Mae Rim School",
            "groups": ["youth"],
            "members": "pupil0@school.example\nnobody@school.example\n\nPUPIL1@school.example\nnot-an-email",
            "note": "Grade 5/2",
        },
    )
    assert r.status_code == 200
    assert 'id="members-error"' in r.text
    assert "line 2: no account with the email nobody@school.example" in r.text
    assert "line 5: no account with the email not-an-email" in r.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0
    r = admin.post(
        "/audience/admin/orgs/new",
        data={
            "name": "Ban Mae Rim School",
            "groups": ["youth"],
            "members": "pupil0@school.example\nPUPIL1@school.example\npupil0@school.example",
            "note": "Grade 5/2",
        },
    )
    assert r.status_code == 302
    org = db.session.scalars(db.select(Organisation)).one()
    assert org.group_codes == ["youth"]
    members = set(
        db.session.scalars(db.select(OrgMember.user_id).where(OrgMember.org_id == org.id))
    )
    assert members == {pupils[0].id, pupils[1].id}
    assert rules.groups_for(pupils[1], date(2026, 11, 25)) == ["youth"]
    assert rules.groups_for(pupils[2], date(2026, 11, 25)) == []
    page = admin.get(f"/audience/admin/orgs/{org.id}").text
    assert "Grade 5/2" in page and pupils[0].name in page
    assert "2 members" in admin.get("/audience/admin/orgs").text
    r = admin.post(f"/audience/admin/orgs/{org.id}/members/{pupils[0].id}/remove")
    assert r.status_code == 302
    assert rules.groups_for(pupils[0], date(2026, 11, 25)) == []
    assert (
        admin.post(f"/audience/admin/orgs/{org.id}/members/{pupils[2].id}/remove").status_code
        == 404
    )
    org_id = org.id
    admin.post(f"/audience/admin/orgs/{org_id}/delete")
    db.session.expire_all()
    assert db.session.get(Organisation, org_id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(OrgMember)) == 0


def test_org_pages_are_for_admins_only(groups, login, f):
    org = school()
    db.session.commit()
    client = login(f.user("educator"))
    for url in ("/audience/admin/orgs", f"/audience/admin/orgs/{org.id}", "/audience/admin/users"):
        assert client.get(url).status_code == 403
    assert client.post(f"/audience/admin/orgs/{org.id}/delete").status_code == 403
    assert db.session.get(Organisation, org.id) is not None


def test_admin_sees_why_a_user_is_in_each_group(make_app):
    app = make_app(AUDIENCE_STAFF_DOMAINS=["cmpao.go.th"])
    with app.app_context():
        from tests import factories as f

        services.seed_groups()
        seed_districts()
        person = f.user(email="kru.nok@cmpao.go.th")
        db.session.add(Profile(user_id=person.id, birth_date=date(1950, 1, 1), district="5009"))
        org = school("โรงเรียนบ้านแม่ริม", ("general_public",))
        db.session.add(OrgMember(org_id=org.id, user_id=person.id, note="ครูประจำชั้น"))
        admin = f.user("admin")
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": f.PASSWORD})
        client.get("/lang/en")
        r = client.get(f"/audience/admin/users?email={person.email.upper()}")
        assert r.status_code == 302 and r.location.endswith(f"/audience/admin/users/{person.id}")
        page = client.get(f"/audience/admin/users/{person.id}").text
        assert "<strong>Elderly</strong>: age 76" in page
        assert "<strong>Education and local-government staff</strong>: email at cmpao.go.th" in page
        assert "member of โรงเรียนบ้านแม่ริม (ครูประจำชั้น)" in page
        assert "District: Fang" in page
        r = client.get("/audience/admin/users?email=nobody@example.com")
        assert 'id="email-error"' in r.text and "No account has this email address." in r.text
        assert client.get("/audience/admin/users/99999").status_code == 404
        # The core's page for the user links here through the admin_user slot.
        core_page = client.get(f"/admin/users/{person.id}").text
        assert f'href="/audience/admin/users/{person.id}"' in core_page
        assert "Audience groups, and why this person is in them" in core_page


def test_districts_come_from_the_lms_districts_hook(groups, login, f):
    from lms_audience.districts import all_districts, district_name

    rows = all_districts()
    assert len([r for r in rows if r["province"] == "50"]) == 25
    assert {
        "code": "5025",
        "name_th": "กัลยาณิวัฒนา",
        "name_en": "Galyani Vadhana",
        "province": "50",
    } in rows
    assert district_name("5018", "th") == "อมก๋อย" and district_name("5018", "en") == "Omkoi"
    learner = f.user()
    db.session.add(Profile(user_id=learner.id, district="บ้านเก่า"))  # free text from before
    db.session.commit()
    client = login(learner)
    page = client.get("/audience/profile").text
    assert '<option value="5007">แม่ริม</option>' in page
    assert '<option selected value="บ้านเก่า">บ้านเก่า</option>' in page  # kept, not lost
    r = client.post("/audience/profile", data={"district": "9999"})
    assert r.status_code == 200 and 'id="district-error"' in r.text
    r = client.post("/audience/profile", data={"district": "5018"})
    assert r.status_code == 302
    assert db.session.get(Profile, learner.id).district == "5018"
    assert "อำเภอ: อมก๋อย" in client.get("/audience/profile").text


def test_audience_list_counts_organisation_members(groups, app, f):
    org = school(codes=("youth", "staff"))
    for _ in range(3):
        db.session.add(OrgMember(org_id=org.id, user_id=f.user().id))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audience", "list"])
    counts = {line.split("\t")[0]: int(line.split("\t")[1]) for line in result.output.splitlines()}
    assert counts["youth"] == 3 and counts["staff"] == 3 and counts["elderly"] == 0


def test_csv_import_can_enrol_a_class_into_an_organisation(groups, app, f, tmp_path):
    from lms_audience.importer import ImportErrors, import_csv

    org = school("โรงเรียนบ้านแม่ริม", ("youth",))
    db.session.commit()
    with pytest.raises(ImportErrors) as exc:
        import_csv(
            "email,name,course_id,group,organisation\n"
            "a@example.com,A,,,โรงเรียนบ้านแม่ริม\n"
            "b@example.com,B,,,No such school\n"
            "c@example.com,C,,,\n"
        )
    assert exc.value.errors == [
        "line 3: unknown organisation 'No such school'",
        "line 4: give a course_id, a group or an organisation",
    ]
    csv_file = tmp_path / "class.csv"
    csv_file.write_text(
        "email,name,course_id,group,organisation\n"
        "a@example.com,เด็กชายเอ,,,โรงเรียนบ้านแม่ริม\n"
        f"b@example.com,เด็กหญิงบี,,,{org.id}\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["audience", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "accounts created: 2" in result.output and "memberships added: 2" in result.output
    from lms.auth.services import find_by_email

    pupil = find_by_email("b@example.com")
    assert rules.groups_for(pupil, date(2026, 11, 25)) == ["youth"]
    again = app.test_cli_runner().invoke(args=["audience", "import", str(csv_file)])
    assert "memberships added" not in again.output  # nothing new


def test_prefetch_answers_many_users_in_one_query(groups, f, count_queries):
    org = school(codes=("youth",))
    users = [f.user() for _ in range(5)]
    for user in users[:3]:
        db.session.add(OrgMember(org_id=org.id, user_id=user.id, note="ป.5/2"))
    db.session.commit()
    rule = rules.OrganisationRule()
    assert all(u.id for u in users)  # loaded again after the commit, before counting
    with count_queries() as counted:
        rule.prefetch(u.id for u in users)
        found = [rule.evaluate(u, None, date(2026, 11, 25)) for u in users]
    assert counted.count == 1
    assert found[:3] == [[("youth", "สมาชิกของ โรงเรียนบ้านแม่ริม (ป.5/2)")]] * 3
    assert found[3:] == [[], []]
