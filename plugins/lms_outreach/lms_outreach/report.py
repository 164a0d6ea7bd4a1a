"""The fiscal-year report. Every figure is one SQL aggregate (GROUP BY); no loops over events.

Definitions (docs/outreach.md):

* ``*_classes`` / ``*_workshops`` / ``other_events``: distinct ``source`` values of the kind;
* ``*_participants``: the sum of headcounts (a person counts 1, a headcount-only event its total);
* ``other_*``: kind ``event`` and every kind a plugin adds;
* ``total_participants``: online + onsite + other (course enrolments/completions apart);
* ``unique_participants``: distinct people with an account, over every kind of the year.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from lms import plugins
from lms.extensions import db
from lms_outreach import fiscal
from lms_outreach.kinds import COURSE_KINDS, ONLINE, ONSITE
from lms_outreach.models import OutreachEvent, ReachPost

E = OutreachEvent
UNKNOWN = "unknown"


def _in_year(start, end):
    return (E.occurred_at >= start, E.occurred_at < end)


def _activities(start, end):
    """Filters for the activity events (not course enrolment/completion) of the period."""
    return (*_in_year(start, end), E.kind.not_in(COURSE_KINDS))


def _breakdown(column, start, end) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        select(column, func.sum(E.headcount), func.count(func.distinct(E.user_id)))
        .where(*_activities(start, end))
        .group_by(column)
    )
    return {
        (key or UNKNOWN): {"participants": int(total or 0), "unique_participants": int(people)}
        for key, total, people in rows
    }


def _by_month(fy: int, start, end) -> dict[str, dict[str, int]]:
    edges = fiscal.month_starts_utc(fy)
    bucket = case(*[(E.occurred_at < edge, i) for i, edge in enumerate(edges[1:])], else_=11)
    rows = dict(
        (int(i), (int(total or 0), int(people), int(sources)))
        for i, total, people, sources in db.session.execute(
            select(
                bucket,
                func.sum(E.headcount),
                func.count(func.distinct(E.user_id)),
                func.count(func.distinct(E.kind + ":" + E.source)),
            )
            .where(*_activities(start, end))
            .group_by(bucket)
        )
    )
    result = {}
    for i, (year, month) in enumerate(fiscal.fy_months(fy)):
        total, people, sources = rows.get(i, (0, 0, 0))
        result[fiscal.month_label(year, month)] = {
            "participants": total,
            "unique_participants": people,
            "activities": sources,
        }
    return result


def build(fy: int) -> dict[str, Any]:
    """The report for BE fiscal year ``fy`` as a JSON-able dict."""
    start, end = fiscal.fy_bounds(fy)
    by_kind = {
        kind: (int(sources), int(total or 0), int(people))
        for kind, sources, total, people in db.session.execute(
            select(
                E.kind,
                func.count(func.distinct(E.source)),
                func.sum(E.headcount),
                func.count(func.distinct(E.user_id)),
            )
            .where(*_in_year(start, end))
            .group_by(E.kind)
        )
    }
    other = [v for k, v in by_kind.items() if k not in (ONLINE, ONSITE, *COURSE_KINDS)]
    online = by_kind.get(ONLINE, (0, 0, 0))
    onsite = by_kind.get(ONSITE, (0, 0, 0))
    unique = db.session.scalar(
        select(func.count(func.distinct(E.user_id))).where(*_in_year(start, end))
    )
    first, after = fiscal.fy_dates(fy)
    reach = db.session.execute(
        select(
            func.count(ReachPost.id),
            func.coalesce(func.sum(ReachPost.reach), 0),
            func.coalesce(func.sum(ReachPost.impressions), 0),
            func.coalesce(func.sum(ReachPost.engagements), 0),
        ).where(ReachPost.posted_on >= first, ReachPost.posted_on < after)
    ).one()
    other_participants = sum(v[1] for v in other)
    report: dict[str, Any] = {
        "fiscal_year": fy,
        "period": {
            "start": first.isoformat(),
            "end_exclusive": after.isoformat(),
            "timezone": "Asia/Bangkok",
        },
        "online_classes": online[0],
        "online_participants": online[1],
        "onsite_workshops": onsite[0],
        "onsite_participants": onsite[1],
        "other_events": sum(v[0] for v in other),
        "other_participants": other_participants,
        "total_participants": online[1] + onsite[1] + other_participants,
        "unique_participants": int(unique or 0),
        "course_enrolments": by_kind.get("course_enrolment", (0, 0, 0))[1],
        "course_completions": by_kind.get("course_completion", (0, 0, 0))[1],
        "reach_posts": int(reach[0]),
        "reach": int(reach[1]),
        "impressions": int(reach[2]),
        "engagements": int(reach[3]),
        "by_kind": {
            k: {"activities": v[0], "participants": v[1], "unique_participants": v[2]}
            for k, v in sorted(by_kind.items())
        },
        "by_group": _breakdown(E.audience, start, end),
        "by_district": _breakdown(E.district, start, end),
        "by_month": _by_month(fy, start, end),
        "plugin_stats": _plugin_stats(start, end),
    }
    return report


def _plugin_stats(start, end) -> dict[str, float]:
    """``lms_report_stats`` rows from other plugins, added up per metric."""
    totals: dict[str, float] = {}
    for row in plugins.call("lms_report_stats", start=start, end=end):
        if isinstance(row, dict) and "metric" in row:
            totals[str(row["metric"])] = totals.get(str(row["metric"]), 0) + row.get("value", 0)
    return totals
