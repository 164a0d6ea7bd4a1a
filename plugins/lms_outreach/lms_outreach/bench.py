"""The outreach plugin's part of ``lms bench generate``: workshops with registrations,
participation records, social-media reach and this year's targets.

Everything goes in with SQLAlchemy Core bulk inserts (``site.bulk``, explicit ids from
``site.next_id``), one plan in memory per workshop, class or activity and the rows streamed
from generators: no ORM object and no query per row. The rows look like what the plugin's own
code stores:

* **Workshops** over the previous and the current fiscal year (BE, relative to ``site.now``),
  about one per 150 learners, in the districts of ``lms_outreach_district``; the past ones held,
  the rest upcoming. Registrations as :func:`lms_outreach.workshops.register` writes them
  (``confirmed`` while there is room, then ``waitlist``; a few cancelled, the first person
  waiting promoted into the place; PDPA consent; a ``new_token()`` each), walk-ins at the door,
  and for held workshops most confirmed people checked in (:func:`lms_outreach.checkin.check_in`).
* **Participation records** (``lms_outreach_event``), exactly ``site.size.participation_rows``:
  each check-in as ``onsite_workshop`` (``workshop:<id>``, at the workshop's start, with the
  registration's group, as the check-in records it); every learner enrolment as
  ``course_enrolment`` (``course:<id>``, at ``enrolled_at``) and every completed course as
  ``course_completion``; one headcount-only activity per 40 learners (``headcount:<hex>``, no
  person, one row per audience group and one for the rest, as the headcount page stores them);
  learners' ``event`` participations (``event:<n>``) and ``online_class`` attendances
  (``class:<n>``) fill the rest. A learner's group and district come from ``site.facts`` (the
  audience plugin's); without them a learner has no group and a district drawn here. Times
  spread from the start of the previous fiscal year up to now.
* **Reach posts**: a few a month on the usual platforms, over the same period.
* **Targets** for the current fiscal year, one per dashboard KPI: the previous year's figure
  plus 5-20 %, rounded.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms_outreach import fiscal
from lms_outreach.bench_events import events as _events
from lms_outreach.bench_plan import (
    AUDIENCE_CODES,
    CAPACITIES,
    LEARNERS_PER_WORKSHOP,
    _Checkin,
    _naive_utc,
    _Plan,
    _random_audience,
    _same,
    _Tally,
)
from lms_outreach.bench_words import (
    CAMPAIGNS,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES,
    PLATFORMS,
    WORKSHOP_TOPICS,
)
from lms_outreach.kinds import COURSE_KINDS, ONLINE, ONSITE
from lms_outreach.models import District, OutreachEvent, ReachPost, Target
from lms_outreach.workshop_models import (
    CANCELLED,
    CONFIRMED,
    WAITLIST,
    Workshop,
    WorkshopRegistration,
)
from lms_outreach.workshops import new_token


def generate(site: Any) -> dict[str, int]:
    """Insert the outreach rows of the benchmark site ``site`` (an ``lms.benchmark.BenchSite``);
    ``{table name: rows inserted}``. The caller commits."""
    rng = random.Random(site.rng.getrandbits(64))  # our draws do not shift other plugins'
    now = site.now.astimezone(UTC)
    fy = fiscal.fiscal_year_of(now)
    districts = _districts()
    codes = [d["code"] for d in districts]
    facts_audience = site.facts.get("audience") or {}
    facts_district = site.facts.get("district")
    if facts_district is None:  # no audience plugin: each learner lives somewhere of our choice
        facts_district = {uid: rng.choice(codes) if codes else None for uid in site.learner_ids}
    sqlite = db.engine.dialect.name == "sqlite"
    plan = _Plan(
        rng=rng,
        now=now,
        start=fiscal.fy_bounds(fy - 1)[0],
        fy=fy,
        learners=list(site.learner_ids),
        audience={uid: facts_audience.get(uid) for uid in site.learner_ids},
        district={uid: facts_district.get(uid) for uid in site.learner_ids},
        districts=districts,
        # SQLite stores naive UTC: converting once per plan saves a conversion per row
        stamp=_naive_utc if sqlite else _same,
    )
    counts: dict[str, int] = {}
    workshops, registrations, checkins = _workshops(plan, site.teacher_id)
    first = site.next_id(Workshop)
    for i, workshop in enumerate(workshops):
        workshop["id"] = first + i
    counts[Workshop.__tablename__] = site.bulk(Workshop, workshops)
    names = _names(registrations)
    first = site.next_id(WorkshopRegistration)
    for i, reg in enumerate(registrations):
        reg["id"] = first + i
        reg["workshop_id"] = workshops[reg["workshop_id"]]["id"]
        if reg["name"] is None:
            reg["name"] = names.get(reg["user_id"], "-")[:200]
    counts[WorkshopRegistration.__tablename__] = site.bulk(WorkshopRegistration, registrations)
    for checkin in checkins:
        checkin.workshop = workshops[checkin.workshop]
    counts[OutreachEvent.__tablename__] = site.bulk(
        OutreachEvent, _events(plan, site, checkins, site.size.participation_rows)
    )
    counts[ReachPost.__tablename__] = site.bulk(ReachPost, _reach_posts(plan, site))
    counts[Target.__tablename__] = site.bulk(Target, _targets(plan))
    return counts


def _districts() -> list[dict[str, str]]:
    """The district table (workshops point into it), in code order."""
    rows = db.session.execute(select(District.code, District.name_th).order_by(District.code))
    return [{"code": code, "name_th": name} for code, name in rows]


def _names(registrations: list[dict]) -> dict[int, str]:
    """The account names of the registrants with an account (one query)."""
    from lms.models import User

    ids = [r["user_id"] for r in registrations if r["user_id"] is not None]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.between(min(ids), max(ids))))
    return {uid: name for uid, name in rows}


# -- workshops -------------------------------------------------------------------------------


def _workshops(plan: _Plan, staff_id: int) -> tuple[list[dict], list[dict], list[_Checkin]]:
    """Workshops (no ids yet), their registrations in creation order (``workshop_id``: the
    workshop's index, ``name`` None for account holders) and the held workshops' check-ins."""
    rng, now = plan.rng, plan.now
    if not plan.districts or not plan.learners:
        return [], [], []
    n = max(4, round(len(plan.learners) / LEARNERS_PER_WORKSHOP))
    fy_end = fiscal.fy_bounds(plan.fy)[1]
    # held ones over the period so far, upcoming ones up to the end of the current year
    ahead = (fy_end - now) / (fy_end - plan.start)
    upcoming = min(n - 1, round(n * ahead)) if fy_end - now > timedelta(days=3) else 0
    days: list[date] = []
    for i in range(n):
        if i < upcoming:
            lo, hi = now + timedelta(days=1), fy_end - timedelta(days=1)
        else:
            lo, hi = plan.start, now - timedelta(days=1)
        days.append(plan.moment(lo, hi).astimezone(fiscal.BANGKOK).date())
    days.sort()
    by_district: dict[str | None, list[int]] = {}
    for uid in plan.learners:
        by_district.setdefault(plan.district[uid], []).append(uid)

    workshops: list[dict] = []
    registrations: list[dict] = []
    checkins: list[_Checkin] = []
    # phone numbers of people without an account, none twice
    phones = iter(rng.sample(range(10_000_000, 100_000_000), 100 * n))
    for index, day in enumerate(days):
        d = rng.choice(plan.districts)
        starts = fiscal.local_midnight_utc(day) + timedelta(hours=rng.choice((9, 9, 10, 13)))
        ends = starts + timedelta(hours=rng.choice((3, 3, 4, 6)))
        created = starts - timedelta(days=rng.randint(14, 60))
        if created >= now:  # far ahead: announced some weeks ago, registration open since
            created = now - timedelta(days=rng.randint(1, 60))
        capacity = rng.choice(CAPACITIES)
        topic = rng.choice(WORKSHOP_TOPICS)
        workshops.append(
            {
                "title": f"{topic} รุ่นที่ {index // len(WORKSHOP_TOPICS) + 1}",
                "place": rng.choice(PLACES).format(d=d["name_th"]),
                "district": d["code"],
                "starts_at": starts,
                "ends_at": ends,
                "capacity": capacity,
                "audiences": ",".join(sorted(rng.sample(AUDIENCE_CODES, rng.randint(1, 2)))),
                "description": f"<p>อบรมเชิงปฏิบัติการ{topic} ณ อำเภอ{d['name_th']} "
                "ไม่มีค่าใช้จ่าย กรุณานำโทรศัพท์มือถือมาด้วย</p>",
                "created_by": staff_id,
                "created_at": created,
                "updated_at": created,
            }
        )
        held = starts <= now
        # people register from the day it is announced until it starts (or until now)
        open_until = min(starts, now)
        wanted = round(capacity * rng.uniform(0.6, 1.35))
        if not held:  # fewer so far, the further away it is
            wanted = round(wanted * (open_until - created) / (starts - created))
        local = by_district.get(d["code"], [])
        people = _registrants(rng, wanted, local, plan.learners)
        regs = [
            _registration(
                plan, index, uid, next(phones), d["code"], plan.moment(created, open_until)
            )
            for uid in people
        ]
        regs.sort(key=lambda r: r["created_at"])
        confirmed = 0
        for reg in regs:  # register(): a place while there is room, else the waiting list
            reg["status"] = CONFIRMED if confirmed < capacity else WAITLIST
            confirmed += reg["status"] == CONFIRMED
        for reg in regs:  # cancel(): a few before the day; the first one waiting moves up
            if rng.random() < 0.05:
                was_confirmed = reg["status"] == CONFIRMED
                reg["status"] = CANCELLED
                waiting = [r for r in regs if r["status"] == WAITLIST]
                if was_confirmed and waiting:
                    waiting[0]["status"] = CONFIRMED
        if held:
            present = [r for r in regs if r["status"] == CONFIRMED and rng.random() < 0.85]
            for reg in present:
                reg["checked_in_at"] = min(now, starts + timedelta(minutes=rng.randint(-30, 30)))
            taken = {r["user_id"] for r in regs}
            spare = [u for u in local if u not in taken]
            rng.shuffle(spare)
            for _ in range(rng.randint(0, max(1, capacity // 8))):  # walk-ins, at the door
                at = min(now, starts + timedelta(minutes=rng.randint(-20, 40)))
                uid = spare.pop() if spare and rng.random() < 0.5 else None
                reg = _registration(plan, index, uid, next(phones), d["code"], at)
                reg.update(walk_in=True, checked_in_at=at)
                regs.append(reg)
                present.append(reg)
            for reg in present:
                reg["checked_in_by"] = staff_id
                checkins.append(
                    _Checkin(index, reg["user_id"], reg["audience"], reg["district"] or d["code"])
                )
        registrations.extend(regs)
    registrations.sort(key=lambda r: r["created_at"])  # ids in the order people registered
    return workshops, registrations, checkins


def _registrants(
    rng: random.Random, wanted: int, local: list[int], everyone: list[int]
) -> list[int | None]:
    """``wanted`` people: most from the workshop's district, some from elsewhere, about one in
    six without an account (``None``: name and phone only). No one twice."""
    wanted = max(0, wanted)
    accounts = min(len(everyone), round(wanted * 5 / 6))
    chosen = set(rng.sample(local, min(len(local), round(accounts * 0.7))))
    while len(chosen) < accounts:
        chosen.add(rng.choice(everyone))
    people: list[int | None] = sorted(chosen)
    people += [None] * (wanted - len(people))
    rng.shuffle(people)
    return people


def _registration(
    plan: _Plan, workshop: int, uid: int | None, phone: int, district: str, at: datetime
) -> dict:
    """A registration as ``workshops.register`` stores it (``confirmed``; the caller decides).
    The form asks for a group and a district: a learner's own, else what the person picks."""
    rng = plan.rng
    if uid is not None:
        audience = plan.audience.get(uid) or _random_audience(rng)
        lives = plan.district.get(uid) or district
        name = None  # the account's name (filled in once the names are read)
        phone_text = f"08{uid % 100_000_000:08d}"
    else:
        audience = _random_audience(rng)
        lives = district if rng.random() < 0.7 else rng.choice(plan.districts)["code"]
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        phone_text = f"09{phone:08d}"
    return {
        "workshop_id": workshop,
        "user_id": uid,
        "name": name,
        "phone": phone_text,
        "audience": audience,
        "district": lives,
        "status": CONFIRMED,
        "walk_in": False,
        "token": new_token(),
        "consent_at": at,
        "checked_in_at": None,
        "checked_in_by": None,
        "created_at": at,
    }


# -- reach and targets -----------------------------------------------------------------------


def _reach_posts(plan: _Plan, site: Any) -> Iterator[dict]:
    """A few posts a month (more for a larger programme) from the period's start to today."""
    rng, now = plan.rng, plan.now
    first = site.next_id(ReachPost)
    today = now.astimezone(fiscal.BANGKOK).date()
    month = plan.start.astimezone(fiscal.BANGKOK).date().replace(day=1)
    platforms = [p for p, _w, _u in PLATFORMS]
    weights = [w for _p, w, _u in PLATFORMS]
    urls = dict((p, u) for p, _w, u in PLATFORMS)
    number = 0
    while month <= today:
        after = (month + timedelta(days=32)).replace(day=1)
        last = min(today, after - timedelta(days=1))
        for _ in range(rng.randint(6, 12) + len(plan.learners) // 2_000):
            posted = month + timedelta(days=rng.randint(0, (last - month).days))
            platform = rng.choices(platforms, weights)[0]
            reach = int(rng.lognormvariate(7, 1.1)) + 20
            impressions = int(reach * rng.uniform(1.2, 2.6))
            tally = plan.tally(fiscal.local_midnight_utc(posted))
            tally.reach += reach
            tally.impressions += impressions
            created = min(
                now, fiscal.local_midnight_utc(posted) + timedelta(days=rng.randint(1, 20))
            )
            yield {
                "id": first + number,
                "platform": platform,
                "url": f"{urls[platform]}{rng.getrandbits(48):012x}",
                "posted_on": posted,
                "reach": reach,
                "impressions": impressions,
                "engagements": int(reach * rng.uniform(0.01, 0.12)),
                "campaign": rng.choice(CAMPAIGNS) if rng.random() < 0.6 else None,
                "created_at": created,
            }
            number += 1
        month = after


def _targets(plan: _Plan) -> list[dict]:
    """This year's target for each dashboard KPI: the previous year's figure plus 5-20 %,
    rounded up to two significant digits. KPIs that already have a target keep it."""
    from lms_outreach.dashboard import KPI_KEYS

    existing = set(db.session.scalars(select(Target.kpi).where(Target.fiscal_year == plan.fy)))
    last = plan.tallies.get(plan.fy - 1, _Tally())
    p, s = last.participants, last.sources
    other = [k for k in s if k not in (ONLINE, ONSITE, *COURSE_KINDS)]
    figures = {
        "online_classes": len(s.get(ONLINE, ())),
        "online_participants": p.get(ONLINE, 0),
        "onsite_workshops": len(s.get(ONSITE, ())),
        "onsite_participants": p.get(ONSITE, 0),
        "other_events": sum(len(s[k]) for k in other),
        "other_participants": sum(p[k] for k in other),
        "unique_participants": len(last.people),
        "reach": last.reach,
        "impressions": last.impressions,
    }
    figures["total_participants"] = (
        figures["online_participants"]
        + figures["onsite_participants"]
        + figures["other_participants"]
    )
    rows = []
    for kpi in KPI_KEYS:
        value = figures.get(kpi, 0)
        if kpi in existing or not value:
            continue
        rows.append(
            {
                "fiscal_year": plan.fy,
                "kpi": kpi,
                "value": _round_up(value * plan.rng.uniform(1.05, 1.2)),
                "updated_at": plan.now,
            }
        )
    return rows


def _round_up(value: float) -> int:
    """Up to two significant digits: 1,234 -> 1,300; 57.2 -> 58."""
    whole = int(-(-value // 1))
    step = 10 ** max(0, len(str(whole)) - 2)
    return -(-whole // step) * step
