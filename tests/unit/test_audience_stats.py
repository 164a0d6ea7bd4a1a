"""The statistics feed ``lms_report_stats``: enrolments, completions and active learners by
group, district and (Bangkok-time, Buddhist Era) month, with data crossing month ends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lms_audience import services
from lms_audience.models import Profile, ProfileGroup
from lms_audience.stats import month_edges, report_rows

from lms import plugins
from lms.extensions import db
from lms.models import ActivityProgress, Enrolment

# 1 January 2023 00:00 and 1 March 2023 00:00 in Bangkok (UTC+7).
START = datetime(2022, 12, 31, 17, 0, tzinfo=UTC)
END = datetime(2023, 2, 28, 17, 0, tzinfo=UTC)


@pytest.fixture
def groups(app):
    services.seed_groups()
    db.session.commit()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def person(f, birth: date | None, district: str, chosen: tuple[str, ...] = ()):
    user = f.user()
    profile = Profile(user_id=user.id, birth_date=birth, district=district)
    profile.chosen = [ProfileGroup(group_code=c) for c in chosen]
    db.session.add(profile)
    return user


def enrol(user, course, at: datetime, completed: datetime | None = None) -> None:
    db.session.add(
        Enrolment(
            user_id=user.id,
            course_id=course.id,
            role="learner",
            enrolled_at=at,
            completed_at=completed,
        )
    )


def viewed(user, activity, at: datetime, completed: datetime | None = None) -> None:
    db.session.add(
        ActivityProgress(
            user_id=user.id,
            activity_id=activity.id,
            course_id=activity.section.course_id,
            first_viewed_at=at,
            completed_at=completed,
        )
    )


def table(rows: list[dict], metric: str) -> dict[tuple, int]:
    return {
        (r.get("month"), r["audience"], r["district"]): r["value"]
        for r in rows
        if r["metric"] == metric
    }


def test_month_edges_follow_bangkok_months(app):
    edges, labels = month_edges(START, END)
    assert labels == ["2566-01", "2566-02"]
    assert edges == [START, utc(2023, 1, 31, 17, 0), END]


def test_feed_counts_by_group_district_and_month(groups, f):
    c1, c2, c3 = f.course(lessons=1), f.course(lessons=1), f.course(lessons=1)
    a1 = f.activities(c1)[0]
    grandma = person(f, date(1950, 5, 1), "5007")  # elderly, Mae Rim
    pupil = person(f, date(2010, 5, 1), "5018")  # youth, Omkoi
    teacher = person(f, date(2000, 1, 1), "", chosen=("staff",))  # youth and staff
    late = person(f, None, "5001")
    # 20:00 UTC on 31 January is 03:00 on 1 February in Bangkok: February
    enrol(grandma, c1, utc(2023, 1, 31, 20, 0), completed=utc(2023, 2, 10, 3, 0))
    enrol(grandma, c2, utc(2023, 1, 15, 9, 0))
    # 16:59 UTC on 31 January is 23:59 the same day in Bangkok: still January
    enrol(pupil, c1, utc(2023, 1, 31, 16, 59))
    enrol(pupil, c2, utc(2022, 12, 31, 16, 59))  # 23:59 on 31 Dec in Bangkok: before the period
    enrol(teacher, c3, utc(2023, 2, 2, 2, 0), completed=utc(2023, 3, 1, 1, 0))  # done after END
    enrol(late, c1, utc(2023, 2, 28, 17, 0))  # 1 March in Bangkok: after the period
    viewed(grandma, a1, utc(2023, 1, 20, 1, 0), completed=utc(2023, 2, 5, 1, 0))
    viewed(pupil, a1, utc(2023, 2, 1, 1, 0))
    viewed(late, a1, utc(2023, 3, 2, 1, 0))
    db.session.commit()

    rows = report_rows(START, END)
    assert table(rows, "enrolments") == {
        ("2566-01", "elderly", "5007"): 1,
        ("2566-02", "elderly", "5007"): 1,
        ("2566-01", "youth", "5018"): 1,
        ("2566-02", "youth", None): 1,  # the teacher: youth comes before staff in the order
    }
    assert table(rows, "completions") == {("2566-02", "elderly", "5007"): 1}
    assert table(rows, "monthly_active_learners") == {
        ("2566-01", "elderly", "5007"): 1,
        ("2566-02", "elderly", "5007"): 1,
        ("2566-02", "youth", "5018"): 1,
    }
    # distinct learners in the whole period: grandma once although active in two months
    assert table(rows, "active_learners") == {
        (None, "elderly", "5007"): 1,
        (None, "youth", "5018"): 1,
    }
    assert all("month" not in r for r in rows if r["metric"] == "active_learners")
    # the rows add up: every event once
    assert sum(r["value"] for r in rows if r["metric"] == "enrolments") == 4
    # through the hook, as the outreach report asks for them
    hooked = [
        r for r in plugins.call("lms_report_stats", start=START, end=END) if isinstance(r, dict)
    ]
    assert [r for r in hooked if r["metric"] in ("enrolments", "completions")] == [
        r for r in rows if r["metric"] in ("enrolments", "completions")
    ]


def test_feed_with_open_period_and_no_data(groups, f):
    assert report_rows(None, None) == []
    learner = person(f, None, "5007", chosen=("general_public",))
    enrol(learner, f.course(lessons=0), utc(2024, 6, 1, 5, 0))
    db.session.commit()
    rows = report_rows(None, None)
    assert table(rows, "enrolments") == {("2567-06", "general_public", "5007"): 1}
    assert report_rows(END, START) == []
