"""``lms_audience_groups_for_many``: the same groups as the per-user hook, in a constant number
of queries however many users are asked about."""

from __future__ import annotations

from datetime import date

import pytest
from lms_audience import rules, services
from lms_audience.models import Profile, ProfileGroup
from lms_audience.models_org import Organisation, OrgGroup, OrgMember

from lms import plugins
from lms.extensions import db
from lms.models import User

TODAY = date(2026, 11, 25)


@pytest.fixture
def groups(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIENCE_STAFF_DOMAINS", ["cmpao.go.th"])
    services.seed_groups()
    db.session.commit()


def profile(user, birth: date | None = None, chosen: tuple[str, ...] = ()) -> None:
    p = Profile(user_id=user.id, birth_date=birth, district="")
    p.chosen = [ProfileGroup(group_code=c) for c in chosen]
    db.session.add(p)


def population(f) -> list[User]:
    """Users on both sides of every age boundary (5/6, 24/25, 59/60 on TODAY), with chosen
    groups, a staff email domain (and a look-alike) and organisation memberships."""
    school = Organisation(name="โรงเรียนบ้านแม่ริม", groups=[OrgGroup(group_code="youth")])
    office = Organisation(name="อบต. แม่แรม", groups=[OrgGroup(group_code="staff")])
    db.session.add_all([school, office])
    db.session.flush()
    births = [
        date(2021, 11, 25),  # 5 today: early childhood
        date(2021, 11, 26),  # 4, turns 5 tomorrow
        date(2020, 11, 25),  # 6 today: youth
        date(2020, 11, 26),  # still 5
        date(2002, 11, 25),  # 24 today: youth
        date(2001, 11, 25),  # 25 today: no age group
        date(2001, 11, 26),  # still 24
        date(1966, 11, 25),  # 60 today: elderly
        date(1966, 11, 26),  # still 59
        date(1960, 2, 29),  # leap day
        date(2030, 1, 1),  # in the future: no age
    ]
    users = []
    for i, birth in enumerate(births):
        u = f.user(email=f"learner{i}@example.com")
        profile(u, birth, chosen=("general_public",) if i % 3 == 0 else ())
        users.append(u)
    staff = f.user(email="somchai@school.cmpao.go.th")
    profile(staff, date(1980, 1, 1), chosen=("staff",))
    fake = f.user(email="x@notcmpao.go.th")
    pupil, teacher, nobody = f.user(), f.user(), f.user()  # no profile at all
    profile(teacher, chosen=("elderly",))
    db.session.add_all(
        [
            OrgMember(org_id=school.id, user_id=pupil.id, note="ป.5/2"),
            OrgMember(org_id=school.id, user_id=teacher.id),
            OrgMember(org_id=office.id, user_id=teacher.id),
            OrgMember(org_id=office.id, user_id=users[0].id),
        ]
    )
    db.session.commit()
    return [*users, staff, fake, pupil, teacher, nobody]


def test_bulk_equals_per_user(groups, f):
    users = population(f)
    one_by_one = {u.id: rules.groups_for(u, TODAY) for u in users}
    assert rules.groups_for_many(users, TODAY) == one_by_one
    # the population really covers the boundaries (so the comparison means something)
    assert one_by_one[users[0].id] == ["early_childhood", "general_public", "staff"]
    assert one_by_one[users[2].id] == ["youth"]
    assert one_by_one[users[3].id] == ["early_childhood", "general_public"]
    assert one_by_one[users[5].id] == []
    assert one_by_one[users[6].id] == ["general_public", "youth"]
    assert one_by_one[users[7].id] == ["elderly"]
    assert one_by_one[users[8].id] == []
    assert one_by_one[users[-5].id] == ["staff"]  # domain and chosen
    assert one_by_one[users[-4].id] == []  # notcmpao.go.th is not cmpao.go.th
    assert one_by_one[users[-2].id] == ["elderly", "staff", "youth"]


def test_the_hooks_agree(groups, f):
    users = population(f)
    many = plugins.call("lms_audience_groups_for_many", users=users)
    assert len(many) == 1  # only this plugin answers
    assert many[0] == {u.id: plugins.call("lms_audience_groups_for", user=u) for u in users}


def test_constant_number_of_queries(groups, f, count_queries):
    users = population(f)
    more = users + [f.user() for _ in range(12)]
    for u in more[-12:]:
        profile(u, date(1990, 1, 1))
    db.session.commit()
    small_ids, big_ids = [u.id for u in users], [u.id for u in more]
    db.session.expunge_all()  # nothing already loaded: every user costs what it really costs
    small = db.session.query(User).filter(User.id.in_(small_ids)).all()
    with count_queries() as q_small:
        rules.groups_for_many(small, TODAY)
    db.session.expunge_all()
    big = db.session.query(User).filter(User.id.in_(big_ids)).all()
    with count_queries() as q_big:
        rules.groups_for_many(big, TODAY)
    assert len(big) == len(small) + 12
    assert q_big.count == q_small.count <= 6


def test_anonymous_and_empty(groups):
    from flask_login import AnonymousUserMixin

    assert rules.groups_for_many([]) == {}
    assert rules.groups_for_many([AnonymousUserMixin()]) == {}
