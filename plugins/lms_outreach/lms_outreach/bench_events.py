"""The participation records of the outreach plugin's benchmark site (bench.py): check-ins,
course enrolments and completions, headcount-only activities, events and online classes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms_outreach import fiscal
from lms_outreach.bench_plan import (
    AUDIENCE_CODES,
    EVENT,
    EVENT_SHARE,
    HEADCOUNT_KINDS,
    LEARNERS_PER_HEADCOUNT,
    MIN_HEADCOUNT_ACTIVITIES,
    _Checkin,
    _Plan,
)
from lms_outreach.bench_words import (
    CLASS_TOPICS,
    EVENT_TITLES,
    WORKSHOP_TOPICS,
)
from lms_outreach.kinds import ONLINE, ONSITE
from lms_outreach.models import OutreachEvent


@dataclass
class _Item:
    """One activity's participation rows: ``people`` is a list of ``(user_id, headcount,
    audience, district)``, or a number of learners to draw when the rows are written."""

    at: datetime
    kind: str
    source: str
    title: str
    people: list[tuple[int | None, int, str | None, str | None]] | int
    created: datetime | None = None


def events(plan: _Plan, site: Any, checkins: list[_Checkin], total: int) -> Iterator[dict]:
    """Exactly ``total`` participation rows, oldest first."""
    rng, now = plan.rng, plan.now
    items: list[_Item] = []
    for c in checkins:  # check_in(): at the workshop's start, the registration's group
        w = c.workshop
        items.append(
            _Item(
                w["starts_at"],
                ONSITE,
                f"workshop:{w['id']}",
                w["title"],
                [(c.user_id, 1, c.audience, c.district)],
            )
        )
    room = total - len(checkins)
    if room < 0:
        raise ValueError(f"{len(checkins)} check-ins do not fit in {total} participation rows")

    # courses: every learner enrolment (lms.courses.add_enrolment) and completed course
    # (lms.progress), at most 60 % of the rows
    enrolled_at = _enrolment_times(site)
    enrolments = [(u, c) for u, c, _done in site.enrolments]
    completions = [
        (u, c) for u, c, done in site.enrolments if 0 < len(site.course_activities[c]) <= done
    ]
    budget = int(room * 0.6)
    if len(enrolments) + len(completions) > budget:
        keep = budget / (len(enrolments) + len(completions))
        completions = rng.sample(
            completions, min(len(completions), max(1, round(len(completions) * keep)))
        )
        enrolments = rng.sample(enrolments, min(len(enrolments), budget - len(completions)))
    for u, c in enrolments:
        at = enrolled_at.get((u, c)) or plan.moment()
        items.append(
            _Item(max(at, plan.start), "course_enrolment", f"course:{c}", "", [_person(plan, u)])
        )
    for u, c in completions:
        began = max(enrolled_at.get((u, c)) or plan.start, plan.start)
        items.append(
            _Item(
                plan.moment(began, now), "course_completion", f"course:{c}", "", [_person(plan, u)]
            )
        )
    rest = room - len(enrolments) - len(completions)

    # headcount-only activities (the headcount page): one row per group given and the rest
    activities = max(MIN_HEADCOUNT_ACTIVITIES, len(plan.learners) // LEARNERS_PER_HEADCOUNT)
    headcount_rows = min(rest // 10, 3 * activities)  # 1 to 5 rows each
    rest -= headcount_rows
    event_rows = min(rest, max(1, round(rest * EVENT_SHARE)))
    online_rows = rest - event_rows
    base = site.next_id(OutreachEvent)  # sources numbered past earlier runs' rows
    number = 0
    while headcount_rows:
        number += 1
        kind = (
            (EVENT, ONSITE, ONLINE)[number - 1]
            if number <= 3
            else rng.choices([k for k, _w in HEADCOUNT_KINDS], [w for _k, w in HEADCOUNT_KINDS])[0]
        )
        parts = min(headcount_rows, rng.randint(1, 5))
        headcount_rows -= parts
        people = _headcount_split(rng, kind, parts)
        district = (
            rng.choice(plan.districts)["code"] if plan.districts and rng.random() < 0.9 else None
        )
        day = plan.moment().astimezone(fiscal.BANGKOK).date()
        at = fiscal.local_midnight_utc(day)
        title = rng.choice(
            EVENT_TITLES if kind == EVENT else WORKSHOP_TOPICS if kind == ONSITE else CLASS_TOPICS
        )
        items.append(
            _Item(
                at,
                kind,
                f"headcount:{rng.getrandbits(64):016x}",
                title,
                [(None, n, audience, district) for audience, n in people],
                created=min(now, at + timedelta(days=rng.randint(1, 10))),
            )
        )

    # events and online classes of learners, on the hour over the period; a class's rows
    # have no title, as the live plugin records attendance (``extra`` without one)
    crowd = max(1, len(set(_tickets(plan))) // 2)  # a small site's classes are not everyone
    for kind, rows, low, high, titles, prefix in (
        (EVENT, event_rows, 30, 300, EVENT_TITLES, "event"),
        (ONLINE, online_rows, 50, 500, None, "class"),
    ):
        number = 0
        while rows:
            number += 1
            size = min(rows, crowd, rng.randint(low, high))
            rows -= size
            at = plan.moment().replace(minute=0, second=0, microsecond=0)
            title = f"{rng.choice(titles)} ครั้งที่ {number}" if titles else ""
            items.append(_Item(max(at, plan.start), kind, f"{prefix}:{base + number}", title, size))

    items.sort(key=lambda item: item.at)
    return _event_rows(plan, items, base)


#: How often learners take part in classes and events: (share of learners, weight). A quarter
#: never do (they only follow courses), a few take part in almost everything.
ACTIVITY = ((0.25, 0), (0.45, 1), (0.15, 2), (0.10, 4), (0.05, 8))


def _tickets(plan: _Plan) -> list[int]:
    """Each active learner's id, once per unit of their weight (:data:`ACTIVITY`), drawn once."""
    if plan.tickets is None:
        shares = [share for share, _w in ACTIVITY]
        weights = [w for _s, w in ACTIVITY]
        plan.tickets = [
            uid for uid in plan.learners for _ in range(plan.rng.choices(weights, shares)[0])
        ] or list(plan.learners)
    return plan.tickets


def _draw(rng: random.Random, tickets: list[int], size: int) -> list[int]:
    """``size`` different people, the more active the likelier (``size`` is at most the
    number of different people in ``tickets``)."""
    chosen: dict[int, None] = {}
    tries = 0
    while len(chosen) < size and tries < 20 * size:
        chosen[tickets[int(rng.random() * len(tickets))]] = None
        tries += 1
    if len(chosen) < size:  # unlucky draws: the rest from whoever is left
        left = sorted(set(tickets) - set(chosen))
        chosen.update(dict.fromkeys(rng.sample(left, size - len(chosen))))
    return list(chosen)


def _person(plan: _Plan, uid: int) -> tuple[int, int, str | None, str | None]:
    return (uid, 1, plan.audience.get(uid), plan.district.get(uid))


def _headcount_split(rng: random.Random, kind: str, parts: int) -> list[tuple[str | None, int]]:
    """A headcount-only activity's total split over ``parts`` rows: some groups (distinct)
    and, mostly, a row without a group for the rest."""
    low, high = {EVENT: (50, 800), ONSITE: (15, 80), ONLINE: (40, 2_000)}[kind]
    total = rng.randint(max(low, parts), high)
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    rest = parts > 1 and rng.random() < 0.7 or parts == 1 and rng.random() < 0.6
    groups = rng.sample(AUDIENCE_CODES, parts - 1 if rest else parts)
    return list(zip([*groups, None] if rest else groups, counts, strict=True))


def _enrolment_times(site: Any) -> dict[tuple[int, int], datetime]:
    """``(user, course) -> enrolled_at`` of the site's learner enrolments (one query)."""
    from lms.models import Enrolment

    if not site.learner_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.user_id, Enrolment.course_id, Enrolment.enrolled_at).where(
            Enrolment.user_id.between(min(site.learner_ids), max(site.learner_ids)),
            Enrolment.role == "learner",
        )
    )
    return {(u, c): at for u, c, at in rows}


def _event_rows(plan: _Plan, items: list[_Item], first_id: int) -> Iterator[dict]:
    """The rows of ``items`` (sorted by time), ids from ``first_id``; tallies each year's
    figures for the targets on the way."""
    rng, audience, district = plan.rng, plan.audience, plan.district
    tickets, stamp = _tickets(plan), plan.stamp
    next_id = first_id
    for item in items:
        at = stamp(item.at)
        created = stamp(item.created) if item.created else at
        tally = plan.tally(item.at)
        kind, source, title = item.kind, item.source, item.title
        people = item.people
        if isinstance(people, int):  # that many learners, drawn by how much each takes part
            people = [(u, 1, audience[u], district[u]) for u in _draw(rng, tickets, people)]
        for uid, headcount, group, where in people:
            tally.add(kind, source, headcount)
            if uid is not None:
                tally.people.add(uid)
            yield {
                "id": next_id,
                "kind": kind,
                "source": source,
                "title": title,
                "occurred_at": at,
                "user_id": uid,
                "headcount": headcount,
                "audience": group,
                "district": where,
                "created_at": created,
            }
            next_id += 1
