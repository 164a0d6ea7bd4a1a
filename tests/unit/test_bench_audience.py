"""``lms bench generate``: the audience plugin's rows (lms_audience/bench.py). Every learner has
a profile that the plugin's own rules read as the group the generator meant, in a known
district; children have guardians, a login and their guardian's consent; every course is aimed
at groups, every group has courses; the facts for the plugins after it are set."""

from __future__ import annotations

from collections import Counter

import pytest
from lms_audience import rules
from lms_audience.districts import all_districts
from lms_audience.guardians import CHILD_DOMAIN, is_child, under_age
from lms_audience.models import CourseGroup, CourseTarget, Profile, ProfileGroup
from lms_audience.models_org import Organisation, OrgMember
from lms_audience.models_personal import ChildLogin, Consent, Guardianship, Prefs
from lms_audience.services import enrol_refusal
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from lms import benchmark, plugins
from lms.extensions import db
from lms.models import Course, User

FIVE = {"early_childhood", "youth", "general_public", "staff", "elderly"}


@pytest.fixture
def generated(app, monkeypatch):
    """Size XS generated into the test database: ``(site, counts)``."""
    from lms_outreach.districts import seed_missing

    seed_missing()  # create_all seeds them; PostgreSQL test runs empty the tables between tests
    db.session.commit()
    seen: dict[str, benchmark.BenchSite] = {}
    real = benchmark._plugin_rows

    def spy(site: benchmark.BenchSite) -> dict[str, int]:
        seen["site"] = site
        return real(site)

    monkeypatch.setattr(benchmark, "_plugin_rows", spy)
    counts = benchmark.generate("XS")
    return seen["site"], counts


def ages(user_ids: list[int]) -> dict[int, int]:
    today = rules.today_local()
    rows = db.session.execute(
        select(Profile.user_id, Profile.birth_date).where(Profile.user_id.in_(user_ids))
    )
    return {uid: rules.age_on(birth, today) for uid, birth in rows}


def test_the_audience_plugin_runs_before_the_others(app):
    manager = app.extensions["lms"].plugins
    impls = list(reversed(manager.pm.hook.lms_bench_generate.get_hookimpls()))
    assert impls[0].plugin_name == "lms_audience"


def test_every_learner_has_a_profile_in_one_of_the_five_groups(generated):
    site, counts = generated
    learners = set(site.learner_ids)
    assert len(learners) == 50
    assert set(db.session.scalars(select(Profile.user_id))) == learners
    assert counts["lms_audience_profile"] == 50
    audience = site.facts["audience"]
    assert set(audience) == learners
    assert set(audience.values()) == FIVE
    # Groups without an age range are chosen on the profile or come from an organisation.
    chosen = {
        u: v for u, v in db.session.execute(select(ProfileGroup.user_id, ProfileGroup.group_code))
    }
    members = set(db.session.scalars(select(OrgMember.user_id)))
    for uid, code in audience.items():
        if code in ("general_public", "staff"):
            assert chosen.get(uid) == code or uid in members
    assert counts["lms_audience_profile_group"] == len(chosen)


def test_the_rules_put_each_learner_in_the_group_meant(generated):
    site, _counts = generated
    audience = site.facts["audience"]
    users = list(db.session.scalars(select(User).where(User.id.in_(site.learner_ids))))
    (many,) = plugins.call("lms_audience_groups_for_many", users=users)
    assert many == {uid: [code] for uid, code in audience.items()}
    assert rules.groups_for_many(users) == many
    # One at a time, as a page works them out: the first five (one per group) and a sample.
    sample = users[:5] + site.rng.sample(users[5:], 10)
    assert {audience[u.id] for u in users[:5]} == FIVE
    for user in sample:
        assert plugins.call("lms_audience_groups_for", user=user) == [audience[user.id]]
        assert rules.groups_for(user) == [audience[user.id]]


def test_districts_are_codes_the_site_knows(generated):
    site, _counts = generated
    known = {str(d["code"]) for d in all_districts()}
    assert len(known) == 25  # Chiang Mai's, from the outreach plugin
    stored = {u: v for u, v in db.session.execute(select(Profile.user_id, Profile.district))}
    assert set(stored.values()) <= known
    assert site.facts["district"] == stored


def test_children_have_adult_guardians_a_login_and_their_consent(app, generated):
    site, counts = generated
    age = ages(site.learner_ids)
    children = {uid for uid, a in age.items() if a < under_age()}
    assert {u for u in children if site.facts["audience"][u] == "early_childhood"}
    links = list(db.session.scalars(select(Guardianship)))
    assert {g.child_id for g in links} == children
    assert all(age[g.guardian_id] >= 18 for g in links)
    assert {g.relation for g in links} <= {"parent", "guardian", "teacher"}
    logins = list(db.session.scalars(select(ChildLogin)))
    assert {c.user_id for c in logins} == children
    assert len({c.login_name for c in logins}) == len(logins)
    login = logins[0]
    secret = "2566" if login.secret_kind == "pin" else "cat-sun-tree"
    assert check_password_hash(login.secret_hash, secret)
    consents = list(db.session.scalars(select(Consent)))
    assert {c.user_id for c in consents} == children
    guardians = {(g.guardian_id, g.child_id) for g in links}
    version = str(app.config.get("PRIVACY_POLICY_VERSION", "1"))
    for consent in consents:
        assert (consent.given_by_id, consent.user_id) in guardians
        assert consent.policy_version == version
    assert counts["lms_audience_guardian"] == len(links)
    assert counts["lms_audience_consent"] == len(consents)


def test_childrens_accounts_have_no_address_or_password_and_sign_in_as_children(app, generated):
    site, _counts = generated
    age = ages(site.learner_ids)
    users = db.session.scalars(select(User).where(User.id.in_(site.learner_ids))).all()
    children = [u for u in users if age[u.id] < under_age()]
    adults = [u for u in users if age[u.id] >= under_age()]
    assert children and adults
    # as create_child makes them: a placeholder address, no password
    assert all(is_child(u) and u.password_hash is None for u in children)
    assert all(u.email.endswith("@" + CHILD_DOMAIN) for u in children)
    assert len({u.email for u in children}) == len(children)
    assert not any(is_child(u) or u.password_hash is None for u in adults)
    kid = children[0]
    login = db.session.scalar(select(ChildLogin).where(ChildLogin.user_id == kid.id))
    assert login.login_name == f"kid{kid.id}"
    db.session.commit()
    client = app.test_client()
    wrong = client.post(
        "/audience/child-login", data={"login_name": login.login_name, "pin": "0000"}
    )
    assert wrong.status_code == 200  # the form again, with its error
    signed_in = client.post(
        "/audience/child-login",
        data={
            "login_name": login.login_name,
            "pin": "2566",
            "picture_1": "cat",
            "picture_2": "sun",
            "picture_3": "tree",
        },
    )
    assert signed_in.status_code == 302
    with client.session_transaction() as session:
        assert session["_user_id"] == str(kid.id)


def test_only_the_elderly_set_their_own_preferences(generated):
    site, _counts = generated
    for prefs in db.session.scalars(select(Prefs)):
        assert site.facts["audience"][prefs.user_id] == "elderly"
        assert prefs.text_size in ("large", "larger")


def test_every_course_is_aimed_at_groups_and_every_group_has_courses(generated):
    site, counts = generated
    targets = {t.course_id: t for t in db.session.scalars(select(CourseTarget))}
    assert set(targets) == set(site.course_ids)
    assert not any(t.restrict_enrolment for t in targets.values())
    per_course = Counter(db.session.scalars(select(CourseGroup.course_id)))
    assert all(1 <= per_course[c] <= 3 for c in site.course_ids)
    assert set(db.session.scalars(select(CourseGroup.group_code))) == FIVE
    assert counts["lms_audience_course_group"] == sum(per_course.values())
    # The core's random enrolments stay valid.
    user_id, course_id, _done = site.enrolments[0]
    user, course = db.session.get(User, user_id), db.session.get(Course, course_id)
    assert enrol_refusal(user, course) is None


def test_a_second_run_gives_the_same_audiences_and_reuses_the_organisations(generated):
    site, _counts = generated
    first = [site.facts["audience"][uid] for uid in site.learner_ids]
    orgs = db.session.scalar(select(func.count()).select_from(Organisation))
    last = db.session.scalar(select(func.max(User.id)))
    again = benchmark.generate("XS")  # a second site in the same database, the same seed
    assert again["lms_audience_profile"] == 50
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == orgs
    users = list(
        db.session.scalars(select(User).where(User.id > last + 1).order_by(User.id))
    )  # the new learners (the first new user is the teacher)
    groups = rules.groups_for_many(users)
    assert [groups[u.id] for u in users] == [[code] for code in first]
