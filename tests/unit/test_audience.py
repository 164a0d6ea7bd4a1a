"""Audience plugin: rules (ages recomputed from the birth date), several groups at once, the
profile page, course targeting, the catalog filter and the restricted-enrolment message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lms_audience import rules, services
from lms_audience.models import AudienceGroup, Profile, ProfileGroup

from lms import hookimpl, plugins
from lms.extensions import db
from lms.models import Enrolment


@pytest.fixture
def groups(app):
    """The five seed groups (tests build tables with create_all, not the migration)."""
    assert services.seed_groups() == 5
    db.session.commit()


def with_profile(user, birth: date | None = None, chosen: tuple[str, ...] = ()) -> Profile:
    profile = Profile(user_id=user.id, birth_date=birth, district="")
    profile.chosen = [ProfileGroup(group_code=c) for c in chosen]
    db.session.add(profile)
    db.session.commit()
    return profile


def test_age_on_counts_whole_years_and_leap_days():
    assert rules.age_on(date(2001, 6, 15), date(2026, 6, 14)) == 24
    assert rules.age_on(date(2001, 6, 15), date(2026, 6, 15)) == 25
    assert rules.age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert rules.age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


@pytest.mark.parametrize(
    ("birth", "before", "after"),
    [
        # the day before the birthday, then the birthday itself
        (date(2020, 1, 10), ["early_childhood"], ["youth"]),  # turns 6
        (date(2001, 6, 15), ["youth"], []),  # turns 25: no longer youth
        (date(1966, 3, 1), [], ["elderly"]),  # turns 60
    ],
)
def test_birthday_moves_a_learner_across_an_age_boundary(groups, f, birth, before, after):
    learner = f.user()
    with_profile(learner, birth)
    birthday = birth.replace(year=2026)
    eve = date.fromordinal(birthday.toordinal() - 1)
    assert rules.groups_for(learner, eve) == before
    assert rules.groups_for(learner, birthday) == after


def test_today_is_the_date_in_bangkok(groups, f, monkeypatch):
    learner = f.user()
    with_profile(learner, date(1966, 3, 1))

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # 28 Feb 17:30 UTC is already 1 March 00:30 in Bangkok
            return datetime(2026, 2, 28, 17, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(rules, "datetime", Clock)
    assert rules.today_local() == date(2026, 3, 1)
    assert plugins.call("lms_audience_groups_for", user=learner) == ["elderly"]


def test_several_groups_with_reasons(make_app, tmp_path):
    app = make_app(AUDIENCE_STAFF_DOMAINS=["cmpao.go.th"])
    with app.app_context():
        from tests import factories as f

        services.seed_groups()
        teacher = f.user(email="somchai@school.cmpao.go.th")
        with_profile(teacher, date(2003, 5, 1), chosen=("general_public",))
        today = date(2026, 11, 25)
        assert rules.groups_for(teacher, today) == ["general_public", "staff", "youth"]
        why = rules.explain(teacher, db.session.get(Profile, teacher.id), today)
        # outside a request the reasons are in the default language, Thai
        assert why["youth"] == ["อายุ 23 ปี"]
        assert why["staff"] == ["อีเมลที่ cmpao.go.th"]
        assert why["general_public"] == ["เลือกไว้ในโปรไฟล์"]
        outsider = f.user(email="someone@notcmpao.go.th")
        assert rules.groups_for(outsider, today) == []


def test_retired_groups_are_left_out(groups, f):
    learner = f.user()
    with_profile(learner, date(2010, 1, 1), chosen=("general_public",))
    db.session.get(AudienceGroup, "youth").retired = True
    db.session.commit()
    assert rules.groups_for(learner, date(2026, 11, 25)) == ["general_public"]


def test_profile_page_saves_and_explains(groups, login, f):
    from lms_outreach.districts import seed_missing  # districts come from lms_districts

    seed_missing()
    learner = f.user()
    client = login(learner)
    client.get("/lang/en")
    page = client.get("/profile")
    assert 'href="/audience/profile"' in page.text
    r = client.post(
        "/audience/profile",
        data={"birth_date": "2511-04-13", "groups": ["general_public"], "district": "5007"},
    )
    assert r.status_code == 302, r.text
    profile = db.session.get(Profile, learner.id)
    assert profile.birth_date == date(1968, 4, 13)  # typed in the Buddhist Era
    assert profile.group_codes == ["general_public"] and profile.district == "5007"
    text = client.get("/audience/profile").text
    assert "General public" in text and "chosen on the profile" in text
    assert "District: Mae Rim" in text  # the code is stored, the name is shown
    r = client.post("/audience/profile", data={"groups": ["no_such_group"]})
    assert r.status_code == 200 and 'class="error"' in r.text
    assert db.session.get(Profile, learner.id).group_codes == ["general_public"]


def test_course_targeting_is_for_the_course_teachers_only(groups, login, f):
    teacher = f.user("educator")
    course = f.course(teacher)
    client = login(f.user())
    assert client.get(f"/audience/course/{course.id}").status_code == 403
    client = login(teacher)
    assert f"/audience/course/{course.id}" in client.get(f"/courses/{course.id}").text
    r = client.post(
        f"/audience/course/{course.id}",
        data={"groups": ["elderly", "general_public"], "min_age": "50", "max_age": "40"},
    )
    assert r.status_code == 200 and services.target_of(course.id) is None  # max below min
    r = client.post(
        f"/audience/course/{course.id}",
        data={"groups": ["elderly"], "restrict_enrolment": "y"},
    )
    assert r.status_code == 302
    target = services.target_of(course.id)
    assert target.group_codes == ["elderly"] and target.restrict_enrolment


def test_catalog_filters_by_group(groups, client, f):
    teacher = f.user("educator")
    for_elderly = f.course(teacher, title="Smartphone basics")
    for_youth = f.course(teacher, title="Coding club")
    f.course(teacher, title="For everyone")
    services.save_target(for_elderly, ["elderly"], None, None, False)
    services.save_target(for_youth, ["youth", "general_public"], None, None, False)
    db.session.commit()
    page = client.get("/courses").text
    assert '<select id="audience" name="audience">' in page
    assert "For everyone" in page and "Coding club" in page
    page = client.get("/courses?audience=elderly").text
    assert "Smartphone basics" in page
    assert "Coding club" not in page and "For everyone" not in page
    page = client.get("/courses?audience=general_public").text
    assert "Coding club" in page and "Smartphone basics" not in page
    assert "For everyone" in client.get("/courses?audience=bogus").text  # unknown: no filter


def test_restricted_enrolment_explains_why(groups, login, f):
    course = f.course(title="Health after sixty")
    services.save_target(course, ["elderly"], None, None, True)
    db.session.commit()
    young = f.user()
    with_profile(young, date(1995, 1, 1))
    client = login(young)
    client.get("/lang/en")
    r = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert "This course is for Elderly only." in r.text
    assert (
        db.session.scalar(
            db.select(db.func.count(Enrolment.id)).where(
                Enrolment.course_id == course.id, Enrolment.role == "learner"
            )
        )
        == 0
    )
    grandmother = f.user()
    with_profile(grandmother, date(1950, 1, 1))
    client = login(grandmother)
    client.post(f"/courses/{course.id}/enrol")
    assert (
        db.session.scalar(
            db.select(Enrolment).where(
                Enrolment.user_id == grandmother.id, Enrolment.course_id == course.id
            )
        )
        is not None
    )


def test_restricted_enrolment_message_in_thai(groups, login, f):
    course = f.course()
    services.save_target(course, ["elderly"], None, None, True)
    db.session.commit()
    client = login(f.user())
    r = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert "หลักสูตรนี้สำหรับผู้สูงอายุเท่านั้น" in r.text


def test_age_range_restriction_without_groups(groups, login, f):
    course = f.course()
    services.save_target(course, [], 6, 24, True)
    db.session.commit()
    learner = f.user()
    client = login(learner)
    client.get("/lang/en")
    r = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert "This course is for ages 6 to 24 only. Add your birth date" in r.text
    with_profile(learner, date(2012, 1, 1))
    client.post(f"/courses/{course.id}/enrol")
    assert db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == learner.id))


def test_unrestricted_target_does_not_block(groups, login, f):
    course = f.course()
    services.save_target(course, ["elderly"], None, None, False)
    db.session.commit()
    learner = f.user()
    login(learner).post(f"/courses/{course.id}/enrol")
    assert db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == learner.id))


class SchoolRule:
    """A site's own rule, from another plugin, in the ``evaluate`` form."""

    code = "school"
    label = "School class"

    def evaluate(self, user, profile, today):
        return [("youth", "class 5/2")] if user.email.startswith("pupil") else []


class OldStyleRule:
    code = "old"
    label = "Old style"

    def groups_for(self, user):
        return ["general_public"]


class BrokenRule:
    code = "broken"
    label = "Broken"

    def evaluate(self, user, profile, today):
        raise RuntimeError("boom")


class RulePlugin:
    @staticmethod
    @hookimpl
    def lms_audience_rules(app):
        return [SchoolRule(), OldStyleRule(), BrokenRule(), SchoolRule()]


def test_rules_from_other_plugins_are_unioned(groups, app, f):
    app.extensions["lms"].plugins.register(RulePlugin(), "site_rules")
    pupil = f.user(email="pupil7@example.com")
    assert rules.groups_for(pupil, date(2026, 11, 25)) == ["general_public", "youth"]
    why = rules.explain(pupil, None, date(2026, 11, 25))
    assert why["youth"] == ["class 5/2", "class 5/2"]
    assert why["general_public"] == ["Old style"]
