"""The audience plugin's part of ``lms bench generate`` (the ``lms_bench_generate`` hook).

Every learner gets a profile: one of the audience groups, drawn by the programme's rough mix, a
birth date that the age rule reads as that group (and as no other), and a district. The groups
without an age range (``general_public``, ``staff``) come from a chosen group on the profile,
or, for half the staff and school pupils, from an organisation (a district office, a school)
the learner is a member of, as the organisation rule reads them.

Learners under ``AUDIENCE_GUARDIAN_UNDER_AGE`` are children's accounts, as
:func:`lms_audience.guardians.create_child` makes them: no email address of their own (a
placeholder in the reserved ``child.invalid`` domain, by which the LMS tells a child's account)
and no password, a guardian (an adult learner), a child login (``kid<user id>`` with the PIN
``2566`` or the pictures cat, sun, tree; hashed once for the whole run) and the guardian's
consent for the current ``PRIVACY_POLICY_VERSION``. Adults' own consent is on their
user row (``consent_at``, the core's), as sign-up records it, so it is not repeated here. A
share of the elderly set their own accessibility preferences; every course is aimed at one or
two groups, so that every group has courses (enrolment is never restricted: the core enrolled
learners at random).

Runs first (``tryfirst``): ``site.facts["audience"]`` and ``site.facts["district"]``
(``{user_id: code}``) are for the plugins after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import random

    from flask import Flask

    from lms.benchmark import BenchSite
    from lms_audience.models import AudienceGroup

#: Share of learners in each group (groups added by an admin get :data:`OTHER_WEIGHT`).
WEIGHTS = {
    "early_childhood": 0.08,
    "youth": 0.30,
    "general_public": 0.35,
    "staff": 0.12,
    "elderly": 0.15,
}
OTHER_WEIGHT = 0.05
#: Ages drawn from, where a group's range is open-ended.
OLDEST = 95
#: Ages of adults without an age group (parents, staff): 25 to 59 with the seeded ranges.
ADULT_AGES = range(25, 60)
#: The sign-in secrets of every generated child's account.
BENCH_PIN = "2566"
BENCH_PICTURES = ("cat", "sun", "tree")
#: Shares: staff in a district office, school-age youth in a school (the organisation rule);
#: children with a second guardian; elderly with their own accessibility preferences.
STAFF_IN_ORG = 0.5
PUPILS_IN_SCHOOL = 0.5
SECOND_GUARDIAN = 0.1
ELDERLY_OWN_PREFS = 0.3


def generate(app: Flask, site: BenchSite) -> dict[str, int]:
    """Insert the audience plugin's rows for ``site`` and set ``site.facts``; the counts per
    table. The groups are the site's active ones, with their age ranges as stored."""
    from lms_audience.districts import all_districts
    from lms_audience.guardians import under_age
    from lms_audience.models import AudienceGroup
    from lms_audience.rules import active_groups
    from lms_audience.services import seed_groups

    counts: dict[str, int] = {}
    seeded = seed_groups()  # a migrated site has them; create_all (tests) does not
    if seeded:
        counts[AudienceGroup.__tablename__] = seeded
    groups = active_groups()
    if not groups:
        raise RuntimeError("no audience group is active")
    today = site.now.astimezone(ZoneInfo(app.config.get("TIMEZONE", "Asia/Bangkok"))).date()
    districts = all_districts()
    plan = _plan_learners(site, groups, districts, today)
    site.facts["audience"] = {uid: p.group for uid, p in plan.items()}
    site.facts["district"] = {uid: p.district or None for uid, p in plan.items()}
    counts.update(_insert_profiles(site, plan))
    counts.update(_insert_orgs(site, plan, districts))
    counts.update(_insert_children(app, site, plan, under_age()))
    counts.update(_insert_prefs(site, plan))
    counts.update(_insert_targets(site, [g.code for g in groups]))
    return counts


class _Learner:
    __slots__ = ("group", "age", "birth", "district", "chosen", "org")

    def __init__(self, group: str, age: int, birth: date, district: str) -> None:
        self.group, self.age, self.birth, self.district = group, age, birth, district
        self.chosen: str | None = None
        self.org: tuple[str, str] | None = None  # (kind, note): a district office or school


def _candidate_ages(groups: list[AudienceGroup]) -> dict[str, list[int]]:
    """Per group, the ages at which the age rule puts someone in that group alone (a group
    without a range: in no group at all)."""
    ranged = [g for g in groups if g.min_age is not None or g.max_age is not None]

    def by_age(age: int) -> set[str]:
        return {
            g.code
            for g in ranged
            if (g.min_age is None or age >= g.min_age) and (g.max_age is None or age <= g.max_age)
        }

    out: dict[str, list[int]] = {}
    for g in groups:
        has_range = g.min_age is not None or g.max_age is not None
        want = {g.code} if has_range else set()
        ages = [a for a in range(OLDEST + 1) if by_age(a) == want]
        if not has_range:  # adults of working age first; else whatever is left
            ages = [a for a in ages if a in ADULT_AGES] or ages
        if not ages:  # ranges overlap everywhere: the group's own range, or working age
            low, high = g.min_age or 0, g.max_age if g.max_age is not None else OLDEST
            ages = list(range(low, high + 1)) if has_range else list(ADULT_AGES)
        out[g.code] = ages
    return out


def _age_weight(age: int) -> float:
    """Fewer learners among the very old, babies and primary-school children."""
    if age < 2:
        return 0.3
    if age > 70:
        return max(0.1, 1 - (age - 70) / 20)
    if 6 <= age <= 12:
        return 0.6
    return 1.0


def _district_weights(districts: list[dict]) -> list[float]:
    """The provincial capital's district (geocode ending ``01``) has the most people."""
    return [4.0 if str(d["code"]).endswith("01") else 1.0 for d in districts]


def _birth_date(rng: random.Random, today: date, age: int) -> date:
    """A birth date giving ``age`` on ``today``, at least a week from a birthday either way
    (the site's date, a run near midnight or a test a day later read the same age)."""
    try:
        anchor = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        anchor = today.replace(year=today.year - age, day=28)
    return anchor - timedelta(days=rng.randint(7, 358))


def _plan_learners(
    site: BenchSite, groups: list[AudienceGroup], districts: list[dict], today: date
) -> dict[int, _Learner]:
    rng = site.rng
    codes = [g.code for g in groups]
    weights = [WEIGHTS.get(c, OTHER_WEIGHT) for c in codes]
    ages = _candidate_ages(groups)
    age_cum = {c: list(accumulate(_age_weight(a) for a in ages[c])) for c in codes}
    district_codes = [str(d["code"]) for d in districts]
    district_weights = _district_weights(districts)
    ranged = {g.code for g in groups if g.min_age is not None or g.max_age is not None}

    learner_ids = list(site.learner_ids)
    drawn = rng.choices(codes, weights, k=len(learner_ids))
    drawn[: len(codes)] = codes[: len(learner_ids)]  # every group at least once (size XS)
    homes = (
        rng.choices(district_codes, district_weights, k=len(learner_ids))
        if district_codes
        else [""] * len(learner_ids)
    )
    plan: dict[int, _Learner] = {}
    for uid, code, home in zip(learner_ids, drawn, homes, strict=True):
        age = rng.choices(ages[code], cum_weights=age_cum[code])[0]
        learner = _Learner(code, age, _birth_date(rng, today, age), home)
        if code == "staff" and rng.random() < STAFF_IN_ORG:
            learner.org = ("office", "")
        elif code == "youth" and 6 <= age <= 17 and rng.random() < PUPILS_IN_SCHOOL:
            grade = f"ป.{age - 5}" if age <= 11 else f"ม.{age - 11}"
            learner.org = ("school", f"{grade}/{rng.randint(1, 4)}")
        if code not in ranged and learner.org is None:
            learner.chosen = code
        plan[uid] = learner
    return plan


def _insert_profiles(site: BenchSite, plan: dict[int, _Learner]) -> dict[str, int]:
    from lms_audience.models import Profile, ProfileGroup

    profiles = (
        {"user_id": uid, "birth_date": p.birth, "district": p.district} for uid, p in plan.items()
    )
    chosen = (
        {"user_id": uid, "group_code": p.chosen} for uid, p in plan.items() if p.chosen is not None
    )
    return {
        Profile.__tablename__: site.bulk(Profile, profiles),
        ProfileGroup.__tablename__: site.bulk(ProfileGroup, chosen),
    }


def _insert_orgs(
    site: BenchSite, plan: dict[int, _Learner], districts: list[dict]
) -> dict[str, int]:
    """A district office (staff) and a school (youth) per district that has members; those
    of an earlier run (the same name, only that group) are used again."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms_audience.models_org import Organisation, OrgGroup, OrgMember

    org_groups: dict[int, set[str]] = {}
    for org_id, code in db.session.execute(select(OrgGroup.org_id, OrgGroup.group_code)):
        org_groups.setdefault(org_id, set()).add(code)
    existing = {
        (name, frozenset(org_groups.get(org_id, ()))): org_id
        for org_id, name in db.session.execute(select(Organisation.id, Organisation.name))
    }
    names = {
        str(d["code"]): str(d.get("name_th") or d.get("name_en") or d["code"]) for d in districts
    }
    kinds = {"office": ("staff", "ที่ว่าการอำเภอ{}"), "school": ("youth", "โรงเรียน{}วิทยาคม")}
    next_id = site.next_id(Organisation)
    org_ids: dict[tuple[str, str], int] = {}
    orgs: list[dict] = []
    links: list[dict] = []
    members: list[dict] = []
    for uid, p in plan.items():
        if p.org is None:
            continue
        kind, note = p.org
        group, pattern = kinds[kind]
        key = (kind, p.district)
        if key not in org_ids:
            name = pattern.format(names.get(p.district, "เชียงใหม่"))
            earlier = existing.get((name, frozenset((group,))))
            if earlier is not None:
                org_ids[key] = earlier
            else:
                org_ids[key] = next_id
                orgs.append({"id": next_id, "name": name})
                links.append({"org_id": next_id, "group_code": group})
                next_id += 1
        members.append(
            {
                "org_id": org_ids[key],
                "user_id": uid,
                "note": note,
                "added_at": site.now - timedelta(days=site.rng.randint(0, 365)),
            }
        )
    return {
        Organisation.__tablename__: site.bulk(Organisation, orgs),
        OrgGroup.__tablename__: site.bulk(OrgGroup, links),
        OrgMember.__tablename__: site.bulk(OrgMember, members),
    }


def _insert_children(
    app: Flask, site: BenchSite, plan: dict[int, _Learner], under: int
) -> dict[str, int]:
    """Guardianships, child logins and the guardians' consents for learners younger than
    ``under`` (``AUDIENCE_GUARDIAN_UNDER_AGE``): their accounts are children's accounts."""
    from lms_audience.guardians import _hash, picture_secret
    from lms_audience.models_personal import ChildLogin, Consent, Guardianship

    rng = site.rng
    children = [uid for uid, p in plan.items() if p.age < under]
    parents = [uid for uid, p in plan.items() if p.group in ("general_public", "staff")]
    parents = parents or [uid for uid, p in plan.items() if p.age >= 18]
    grandparents = [uid for uid, p in plan.items() if p.group == "elderly"] or parents
    teachers = [uid for uid, p in plan.items() if p.group == "staff"] or parents
    if not children or not parents:
        return {}
    created = _created_at(children)
    pin_hash, picture_hash = _hash(BENCH_PIN), _hash(picture_secret(list(BENCH_PICTURES)))
    version = str(app.config.get("PRIVACY_POLICY_VERSION", "1"))

    links: list[dict] = []
    logins: list[dict] = []
    consents: list[dict] = []
    consent_id = site.next_id(Consent)
    for child in children:
        when = created.get(child, site.now)
        roll = rng.random()
        if roll < 0.8:
            first = (rng.choice(parents), "parent")
        elif roll < 0.92:
            first = (rng.choice(grandparents), "guardian")
        else:
            first = (rng.choice(teachers), "teacher")
        pairs = [first]
        if rng.random() < SECOND_GUARDIAN:
            other = rng.choice(parents)
            if other != first[0]:
                pairs.append((other, "parent"))
        for guardian, relation in pairs:
            if guardian == child:
                continue
            links.append(
                {
                    "guardian_id": guardian,
                    "child_id": child,
                    "relation": relation,
                    "created_at": when,
                }
            )
        pictures = rng.random() < (0.7 if plan[child].group == "early_childhood" else 0.2)
        logins.append(
            {
                "user_id": child,
                "login_name": f"kid{child}",
                "secret_kind": "picture" if pictures else "pin",
                "secret_hash": picture_hash if pictures else pin_hash,
            }
        )
        consents.append(
            {
                "id": consent_id,
                "user_id": child,
                "given_by_id": first[0],
                "policy_version": version,
                "consented_at": when,
            }
        )
        consent_id += 1
    _make_childrens_accounts(children)
    return {
        Guardianship.__tablename__: site.bulk(Guardianship, links),
        ChildLogin.__tablename__: site.bulk(ChildLogin, logins),
        Consent.__tablename__: site.bulk(Consent, consents),
    }


def child_login_form(login_name: str) -> dict[str, str]:
    """The child sign-in form (``/audience/child-login``) filled in for a generated child: both
    secrets, the PIN and the pictures, as the page reads the one the child's login uses."""
    form = {"login_name": login_name, "pin": BENCH_PIN}
    form.update({f"picture_{n}": p for n, p in enumerate(BENCH_PICTURES, start=1)})
    return form


def sign_in_form(email: str, child_login: str | None) -> tuple[str, dict[str, str]]:
    """Where and with what a generated learner signs in: a child's account (it has a child
    login) at ``/audience/child-login`` with :func:`child_login_form`, any other at ``/login``
    with the generator's password. Without the CSRF token: the caller adds it."""
    from lms.benchmark import BENCH_PASSWORD

    if child_login:
        return "/audience/child-login", child_login_form(child_login)
    return "/login", {"email": email, "password": BENCH_PASSWORD}


def _make_childrens_accounts(children: list[int]) -> None:
    """The core made every learner with an email address and a password; a child's account
    has neither (:func:`lms_audience.guardians.create_child`): a placeholder address in
    ``CHILD_DOMAIN``, from the user id (the real ones are random), so the LMS treats it as a
    child's account, and sign-in only through the child login."""
    from sqlalchemy import bindparam

    from lms.extensions import db
    from lms.models import User
    from lms_audience.guardians import CHILD_DOMAIN

    table = User.__table__
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("child"))
        .values(email=bindparam("placeholder"), password_hash=None),
        [{"child": c, "placeholder": f"child-{c:016x}@{CHILD_DOMAIN}"} for c in children],
    )


def _created_at(ids: list[int]) -> dict[int, datetime]:
    """When the accounts ``ids`` were made (one range query)."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models import User

    rows = db.session.execute(
        select(User.id, User.created_at).where(User.id.between(min(ids), max(ids)))
    )
    wanted = set(ids)
    return {uid: at for uid, at in rows if uid in wanted and at is not None}


def _insert_prefs(site: BenchSite, plan: dict[int, _Learner]) -> dict[str, int]:
    from lms_audience.models_personal import Prefs

    rng = site.rng

    def rows() -> Iterator[dict]:
        for uid, p in plan.items():
            if p.group != "elderly" or rng.random() >= ELDERLY_OWN_PREFS:
                continue
            yield {
                "user_id": uid,
                "text_size": rng.choice(("large", "larger", "larger")),
                "high_contrast": rng.random() < 0.6,
                "reduced_motion": None,
                "simple_nav": None,
                "picture_led": None,
            }

    return {Prefs.__tablename__: site.bulk(Prefs, rows())}


def _insert_targets(site: BenchSite, codes: list[str]) -> dict[str, int]:
    """One or two groups per course (often with the general public), every group covered."""
    from lms_audience.models import CourseGroup, CourseTarget

    rng = site.rng
    order = list(codes)
    rng.shuffle(order)
    aimed: dict[int, list[str]] = {}
    for i, course_id in enumerate(site.course_ids):
        first = order[i % len(order)]
        chosen = [first]
        if rng.random() < 0.4 and len(order) > 1:
            others = [c for c in order if c != first]
            second = "general_public" if "general_public" in others and rng.random() < 0.5 else None
            chosen.append(second or rng.choice(others))
        aimed[course_id] = chosen
    covered = {c for chosen in aimed.values() for c in chosen}
    missing = [c for c in order if c not in covered]
    singles = [cid for cid, chosen in aimed.items() if len(chosen) == 1]
    for course_id, code in zip(singles, missing, strict=False):  # more courses than groups
        aimed[course_id].append(code)
    for i, code in enumerate(missing[len(singles) :]):  # fewer: a third group somewhere
        aimed[site.course_ids[i % len(site.course_ids)]].append(code)
    targets = (
        {"course_id": cid, "min_age": None, "max_age": None, "restrict_enrolment": False}
        for cid in aimed
    )
    links = ({"course_id": cid, "group_code": c} for cid, chosen in aimed.items() for c in chosen)
    return {
        CourseTarget.__tablename__: site.bulk(CourseTarget, targets),
        CourseGroup.__tablename__: site.bulk(CourseGroup, links),
    }
