"""``lms bench generate``: the outreach plugin's part (lms_outreach/bench.py) at size XS.

Workshops with valid registrations, exactly ``participation_rows`` participation records of
every kind, consistent with the workshops' check-ins and the site's enrolments, and figures
the plugin's own report and the officer's dashboard agree with.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from lms_outreach import dashboard, fiscal, report
from lms_outreach.districts import seed_missing
from lms_outreach.kinds import COURSE_KINDS
from lms_outreach.models import District, OutreachEvent, ReachPost, Target
from lms_outreach.workshop_models import (
    CONFIRMED,
    STATUSES,
    WAITLIST,
    Workshop,
    WorkshopRegistration,
)
from sqlalchemy import func, select

from lms import benchmark
from lms.extensions import db
from lms.models import Enrolment
from lms.participation import CORE_KINDS

E = OutreachEvent
R = WorkshopRegistration
XS = benchmark.SIZES["XS"]


@pytest.fixture
def counts(app):
    """An XS site in the test database; the row counts ``generate`` returned."""
    seed_missing()  # PostgreSQL test runs empty every table between tests, districts too
    db.session.commit()
    return benchmark.generate("XS")


def _scalar(stmt) -> int:
    return int(db.session.scalar(stmt) or 0)


def test_exactly_the_participation_rows_every_kind(counts):
    assert counts["lms_outreach_event"] == XS.participation_rows
    assert _scalar(select(func.count(E.id))) == XS.participation_rows
    kinds = dict(db.session.execute(select(E.kind, func.count(E.id)).group_by(E.kind)).all())
    assert set(kinds) == set(CORE_KINDS)
    # every learner enrolment is a course_enrolment of its course, by its learner
    enrolments = Counter(
        f"course:{c}:{u}"
        for u, c in db.session.execute(
            select(Enrolment.user_id, Enrolment.course_id).where(Enrolment.role == "learner")
        )
    )
    recorded = Counter(
        f"{s}:{u}"
        for s, u in db.session.execute(
            select(E.source, E.user_id).where(E.kind == "course_enrolment")
        )
    )
    assert recorded == enrolments
    # headcount-only activities: no person, a total
    assert _scalar(select(func.count(E.id)).where(E.user_id.is_(None), E.headcount > 1)) > 0
    # within the previous and the current fiscal year, not in the future
    start = fiscal.fy_bounds(fiscal.fiscal_year_of(datetime.now(UTC)) - 1)[0]
    first, last = db.session.execute(select(func.min(E.occurred_at), func.max(E.occurred_at))).one()
    assert start <= first and last <= datetime.now(UTC)
    known = set(db.session.scalars(select(District.code)))
    assert set(db.session.scalars(select(E.district).distinct())) - {None} <= known
    assert counts["lms_outreach_reach_post"] == _scalar(select(func.count(ReachPost.id))) > 0


def test_workshops_registrations_and_check_ins(counts):
    workshops = list(db.session.scalars(select(Workshop)))
    assert len(workshops) == counts["lms_outreach_workshop"] >= 4
    regs = list(db.session.scalars(select(R)))
    assert len(regs) == counts["lms_outreach_registration"] > 0
    assert {r.status for r in regs} <= set(STATUSES)
    assert WAITLIST in {r.status for r in regs}
    tokens = [r.token for r in regs]
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 32 for t in tokens)
    assert all(r.consent_at and r.name and r.phone.isdigit() for r in regs)
    now = datetime.now(UTC)
    held = 0
    for w in workshops:
        mine = [r for r in regs if r.workshop_id == w.id]
        confirmed = [r for r in mine if r.status == CONFIRMED]
        if any(r.status == WAITLIST for r in mine):  # nobody waits while there is room
            assert len(confirmed) >= w.capacity
        checked = [r for r in mine if r.checked_in_at is not None]
        assert all(r.status == CONFIRMED for r in checked)
        assert not checked or w.starts_at <= now
        people = {r.user_id for r in mine if r.user_id and r.status != "cancelled"}
        assert len(people) == len([r for r in mine if r.user_id and r.status != "cancelled"])
        # each check-in recorded one onsite_workshop event at the workshop's start
        events = db.session.execute(
            select(E.user_id, E.occurred_at).where(E.source == f"workshop:{w.id}")
        ).all()
        assert sorted(u or 0 for u, _at in events) == sorted(r.user_id or 0 for r in checked)
        assert all(at == w.starts_at for _u, at in events)
        held += bool(checked)
    assert held >= 1
    # most confirmed people of held workshops came
    past = [r for r in regs if r.status == CONFIRMED and r.workshop.starts_at <= now]
    assert sum(r.checked_in_at is not None for r in past) > len(past) / 2


def test_report_and_targets_agree_with_the_rows(counts):
    fy = dashboard.current_fy()
    start, end = fiscal.fy_bounds(fy)
    in_year = (E.occurred_at >= start, E.occurred_at < end)
    built = report.build(fy)
    activities = _scalar(select(func.sum(E.headcount)).where(*in_year, E.kind.not_in(COURSE_KINDS)))
    assert built["total_participants"] == activities > 0
    assert built["unique_participants"] == _scalar(
        select(func.count(func.distinct(E.user_id))).where(*in_year)
    )
    assert built["course_enrolments"] == _scalar(
        select(func.count(E.id)).where(*in_year, E.kind == "course_enrolment")
    )
    assert built["onsite_workshops"] == _scalar(
        select(func.count(func.distinct(E.source))).where(*in_year, E.kind == "onsite_workshop")
    )
    assert sum(m["participants"] for m in built["by_month"].values()) == activities
    assert sum(g["participants"] for g in built["by_group"].values()) == activities
    previous = report.build(fy - 1, breakdowns=False)
    assert previous["total_participants"] > 0 and previous["reach"] > 0
    # this year's targets: dashboard KPIs, above last year's figures
    targets = dashboard.targets_for(fy)
    assert counts["lms_outreach_target"] == len(targets) > 0
    assert set(targets) <= set(dashboard.KPI_KEYS)
    for kpi, value in targets.items():
        assert value >= previous[kpi] > 0
    assert _scalar(select(func.count()).select_from(Target)) == len(targets)


def test_the_officer_dashboard_shows_the_site(counts, f, login):
    fy = dashboard.current_fy()
    start, end = fiscal.fy_bounds(fy)
    total = _scalar(
        select(func.sum(E.headcount)).where(
            E.occurred_at >= start, E.occurred_at < end, E.kind.not_in(COURSE_KINDS)
        )
    )
    client = login(f.user("programme_officer"))
    r = client.get("/outreach/dashboard")
    assert r.status_code == 200
    m = re.search(r'id="kpi-total_participants".*?data-value="(\d+)"', r.text, re.S)
    assert m and int(m.group(1)) == total
    assert client.get(f"/outreach/dashboard?fy={fy - 1}").status_code == 200
    # the workshop pages read the generated rows too
    assert client.get("/outreach/workshops/manage").status_code == 200
    reg = db.session.scalars(select(R).where(R.checked_in_at.is_not(None)).limit(1)).one()
    page = client.get(f"/outreach/workshops/manage/{reg.workshop_id}")
    assert page.status_code == 200 and reg.name in page.text
    assert client.get(f"/outreach/workshops/r/{reg.token}").status_code == 200
    assert client.get("/outreach/workshops/").status_code == 200
