"""The statistics feed (``lms_report_stats``): enrolments, completions and active learners by
audience group, district and month, counted in SQL.

Every row is one cell, so the outreach report can add rows up by any key without counting a
learner or an event twice:

* ``enrolments`` / ``completions``: learner enrolments made / courses completed, per ``month``,
  ``audience`` and ``district``;
* ``monthly_active_learners``: distinct learners who opened or completed an activity that month;
* ``active_learners``: distinct learners active at any time in the period (no ``month`` key).

``month`` is the Bangkok-time month as the outreach report writes it, Buddhist Era:
``"2566-01"``. ``audience`` is the learner's first group in the groups' order (their position),
by the rules on the last day of the period, or ``None``; ``district`` is the profile's district
code, or ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, func, select

from lms.extensions import db
from lms.models import ActivityProgress, Enrolment, User
from lms_audience.models import Profile
from lms_audience.rules import active_groups, all_rules, explain, today_local

BE_OFFSET = 543


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Bangkok"))


def month_edges(start: datetime, end: datetime) -> tuple[list[datetime], list[str]]:
    """UTC instants where the local months of ``[start, end)`` begin (and ``end``), and each
    month's label (``"2566-01"``)."""
    tz = _tz()
    local = start.astimezone(tz)
    year, month = local.year, local.month
    edges, labels = [start], []
    while True:
        labels.append(f"{year + BE_OFFSET}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        nxt = datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
        if nxt >= end:
            edges.append(end)
            return edges, labels
        edges.append(nxt)


def _bucket(column: Any, edges: list[datetime], labels: list[str]) -> Any:
    """A SQL ``CASE`` giving the month label of ``column`` (which lies in the period)."""
    whens = [(column < edge, label) for edge, label in zip(edges[1:], labels, strict=True)]
    return case(*whens, else_=labels[-1])


def _first_moment() -> datetime | None:
    firsts = [
        db.session.scalar(select(func.min(Enrolment.enrolled_at))),
        db.session.scalar(select(func.min(ActivityProgress.first_viewed_at))),
    ]
    firsts = [f if f.tzinfo else f.replace(tzinfo=UTC) for f in firsts if f is not None]
    return min(firsts) if firsts else None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def report_rows(start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    """The rows for ``[start, end)`` (UTC; ``None``: from the first record / until now)."""
    now = datetime.now(UTC)
    end = _as_utc(end) if end is not None else now
    start = _as_utc(start) if start is not None else _first_moment()
    if start is None or start >= end:
        return []
    edges, labels = month_edges(start, end)

    def in_period(column: Any) -> list[Any]:
        return [column.isnot(None), column >= start, column < end]

    counts: dict[str, Counter] = {"enrolments": Counter(), "completions": Counter()}
    per_user: dict[str, list[tuple[int, str, int]]] = {}
    learner = Enrolment.role == "learner"
    for metric, column in (
        ("enrolments", Enrolment.enrolled_at),
        ("completions", Enrolment.completed_at),
    ):
        month = _bucket(column, edges, labels)
        per_user[metric] = [
            (int(user_id), str(label), int(n))
            for user_id, label, n in db.session.execute(
                select(Enrolment.user_id, month, func.count(Enrolment.id))
                .where(learner, *in_period(column))
                .group_by(Enrolment.user_id, month)
            )
        ]
    active: set[tuple[int, str]] = set()
    for column in (ActivityProgress.first_viewed_at, ActivityProgress.completed_at):
        month = _bucket(column, edges, labels)
        active.update(
            (int(user_id), str(label))
            for user_id, label in db.session.execute(
                select(ActivityProgress.user_id, month).where(*in_period(column)).distinct()
            )
        )
    user_ids = {u for rows in per_user.values() for u, _m, _n in rows} | {u for u, _m in active}
    on = min(today_local(), (end - timedelta(microseconds=1)).astimezone(_tz()).date())
    where = audience_and_district(user_ids, on)

    for metric, rows in per_user.items():
        for user_id, label, n in rows:
            counts[metric][(label, *where[user_id])] += n
    counts["monthly_active_learners"] = Counter(
        (label, *where[user_id]) for user_id, label in active
    )
    counts["active_learners"] = Counter((None, *where[u]) for u in {u for u, _m in active})
    out = []
    for metric, counter in counts.items():
        for (label, audience, district), value in sorted(counter.items(), key=_sort_key):
            row = {"metric": metric, "value": value, "audience": audience, "district": district}
            if label is not None:
                row["month"] = label
            out.append(row)
    return out


def _sort_key(item: tuple[tuple, int]) -> tuple:
    return tuple("" if v is None else str(v) for v in item[0])


def audience_and_district(
    user_ids: Iterable[int], on: date
) -> dict[int, tuple[str | None, str | None]]:
    """User id → (first audience group by the rules on ``on``, district code)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    groups = active_groups()
    order = [g.code for g in groups]
    active = set(order)
    rules = all_rules()
    out: dict[int, tuple[str | None, str | None]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        profiles = {
            p.user_id: p
            for p in db.session.scalars(select(Profile).where(Profile.user_id.in_(chunk)))
        }
        for rule in rules:  # rules that can load many users at once (the organisation rule)
            if hasattr(rule, "prefetch"):
                rule.prefetch(chunk)
        for user in db.session.scalars(select(User).where(User.id.in_(chunk))):
            profile = profiles.get(user.id)
            mine = explain(user, profile, on, rules, active)
            first = next((code for code in order if code in mine), None)
            district = (profile.district or None) if profile is not None else None
            out[user.id] = (first, district)
    for user_id in ids:  # accounts deleted since: counted, with no group or district
        out.setdefault(user_id, (None, None))
    return out
