"""Outreach report: the one-scan query (``strategy="fast"``, GROUPING SETS on PostgreSQL,
UNION ALL elsewhere) gives exactly the figures of the one-query-per-figure reference
(``strategy="slow"``), on randomised data with fiscal-year boundaries and headcount-only rows.

Runs on SQLite by default and on PostgreSQL with ``LMS_TEST_DATABASE_URL`` (both paths differ
there: GROUPING SETS vs UNION ALL).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lms_outreach import report
from lms_outreach.districts import seed_missing
from lms_outreach.models import OutreachEvent

from lms import hookimpl
from lms.extensions import db
from lms.participation import record

BKK = ZoneInfo("Asia/Bangkok")
THIS = "tests.unit.test_outreach_report_fast"
KINDS = (
    "online_class",
    "onsite_workshop",
    "event",
    "course_enrolment",
    "course_completion",
    "radio_broadcast",
)
AUDIENCES = ("early_childhood", "youth", "general_public", "staff", "elderly", None)
DISTRICTS = ("5001", "5002", "5003", "5014", None)
#: Moments around the fiscal-year edges (Bangkok): 30 Sep 23:59(:59) and 1 Oct 00:00.
EDGES = (
    datetime(2022, 9, 30, 23, 59, tzinfo=BKK),
    datetime(2022, 10, 1, 0, 0, tzinfo=BKK),
    datetime(2023, 9, 30, 23, 59, tzinfo=BKK),
    datetime(2023, 9, 30, 23, 59, 59, tzinfo=BKK),
    datetime(2023, 10, 1, 0, 0, tzinfo=BKK),
    datetime(2023, 1, 31, 23, 59, tzinfo=BKK),  # a month edge inside the year
    datetime(2023, 2, 1, 0, 0, tzinfo=BKK),
)


@hookimpl
def lms_participation_kinds(app):
    """This test module doubles as a plugin that adds a kind."""
    return [("radio_broadcast", "Radio broadcast")]


@pytest.fixture
def app(make_app):
    app = make_app(EXTRA_PLUGINS=[f"outreach_fast_kind={THIS}"])
    with app.app_context():
        seed_missing()
        db.session.commit()
        yield app


def _random_events(rng: random.Random, people: list[int], count: int) -> None:
    start = datetime(2022, 9, 1, tzinfo=UTC)
    span = int((datetime(2023, 11, 1, tzinfo=UTC) - start).total_seconds())
    rows = []
    for i in range(count):
        kind = rng.choice(KINDS)
        when = rng.choice(EDGES) if i % 7 == 0 else start + timedelta(seconds=rng.randrange(span))
        headcount_only = rng.random() < 0.15
        rows.append(
            OutreachEvent(
                kind=kind,
                source=f"{kind}:{rng.randrange(6)}",
                title="",
                occurred_at=when,
                user_id=None if headcount_only else rng.choice(people),
                headcount=rng.randint(0, 300) if headcount_only else 1,
                audience=rng.choice(AUDIENCES),
                district=rng.choice(DISTRICTS),
            )
        )
    db.session.add_all(rows)
    # and through the hook, as the plugins record them
    record(kind="event", source="fair:x", occurred_at=EDGES[2], headcount=250, district="5001")
    record(kind="online_class", source="class:x", occurred_at=EDGES[4], user_id=people[0])
    db.session.commit()


FILTERS = (
    report.NO_FILTERS,
    report.Filters(audience="youth"),
    report.Filters(audience="unknown", district="unknown"),
    report.Filters(district="5001", kind="online_class"),
    report.Filters(kind="course_enrolment"),
    report.Filters(kind="radio_broadcast"),
    report.Filters(start=date(2023, 1, 15), end=date(2023, 3, 3)),
    report.Filters(start=date(2023, 9, 30)),  # the last day: 30 Sep 23:59 is in, 1 Oct is out
    report.Filters(end=date(2022, 10, 1)),  # the first day only
    report.Filters(audience="elderly", start=date(2023, 2, 1), end=date(2023, 2, 1)),
)


@pytest.mark.parametrize("seed", [1, 2566, 31337])
def test_fast_report_equals_slow_report_on_random_data(app, f, seed):
    rng = random.Random(seed)
    people = [f.user(name=f"P{seed}-{i}").id for i in range(12)]
    _random_events(rng, people, 400)
    compared = 0
    for fy in (2565, 2566, 2567):
        for filters in FILTERS:
            for breakdowns in (True, False):
                fast = report.build(fy, filters, breakdowns=breakdowns, strategy="fast")
                slow = report.build(fy, filters, breakdowns=breakdowns, strategy="slow")
                assert fast == slow, (fy, filters, breakdowns)
                compared += 1
    assert compared == 60
    # the data is not trivial: the comparison saw people, headcounts and breakdowns
    full = report.build(2566, strategy="fast")
    assert full["unique_participants"] > 0
    assert full["total_participants"] > full["unique_participants"]
    assert "unknown" in full["by_group"] and "unknown" in full["by_district"]
    assert sum(m["participants"] for m in full["by_month"].values()) == full["total_participants"]


def test_fast_report_boundaries_and_headcount_only(app, f):
    a, b = f.user(name="A"), f.user(name="B")
    record(kind="online_class", source="c:1", occurred_at=EDGES[3], user_id=a.id)  # 30 Sep
    record(kind="online_class", source="c:2", occurred_at=EDGES[4], user_id=b.id)  # 1 Oct
    record(kind="onsite_workshop", source="w:1", occurred_at=EDGES[1], user_id=a.id)  # 1 Oct 65
    record(kind="onsite_workshop", source="w:1", occurred_at=EDGES[1], headcount=30)
    record(kind="event", source="fair:1", occurred_at=EDGES[0], headcount=500)  # FY 2565
    record(kind="course_enrolment", source="course:1", occurred_at=EDGES[2], user_id=b.id)
    db.session.commit()
    r = report.build(2566, strategy="fast")
    assert r == report.build(2566, strategy="slow")
    assert (r["online_classes"], r["online_participants"]) == (1, 1)
    assert (r["onsite_workshops"], r["onsite_participants"]) == (1, 31)
    assert r["other_participants"] == 0
    assert r["unique_participants"] == 2  # A, and B through the course enrolment
    assert r["course_enrolments"] == 1
    assert r["by_month"]["2565-10"] == {
        "participants": 31,
        "unique_participants": 1,
        "activities": 1,
    }
    assert r["by_month"]["2566-09"] == {
        "participants": 1,
        "unique_participants": 1,
        "activities": 1,
    }
    assert r["by_group"] == {"unknown": {"participants": 32, "unique_participants": 1}}
    r67 = report.build(2567, strategy="fast")
    assert (r67["online_participants"], r67["unique_participants"]) == (1, 1)
    r65 = report.build(2565, strategy="fast")
    assert (r65["other_events"], r65["other_participants"], r65["unique_participants"]) == (
        1,
        500,
        0,
    )


def test_fast_report_is_two_event_queries(app, f, count_queries):
    _random_events(random.Random(7), [f.user(name="Q").id], 50)
    with count_queries() as q:
        report.build(2566, strategy="fast")
    assert len([s for s in q.statements if "lms_outreach_event" in s]) == 2


def test_default_strategy_per_database(app, f, count_queries):
    _random_events(random.Random(5), [f.user(name="S").id], 30)
    assert report.strategy_for("postgresql") == "fast"
    assert report.strategy_for("sqlite") == "slow"  # measured faster there
    assert report.strategy_for("mysql") == "fast"
    with count_queries() as q:
        report.build(2566)
    events = [s for s in q.statements if "lms_outreach_event" in s]
    expected = {"postgresql": 2, "sqlite": 5}[db.engine.dialect.name]
    assert len(events) == expected


def test_fast_report_with_masks_split_into_chunks(app, f, monkeypatch):
    """More values than one mask column holds (e.g. districts of several provinces)."""
    monkeypatch.setattr(report, "_MASK_BITS", 2)
    people = [f.user(name=f"C{i}").id for i in range(8)]
    _random_events(random.Random(99), people, 200)
    for filters in (report.NO_FILTERS, report.Filters(kind="event")):
        fast = report.build(2566, filters, strategy="fast")
        assert fast == report.build(2566, filters, strategy="slow")
    assert len(fast["by_district"]) >= 3
