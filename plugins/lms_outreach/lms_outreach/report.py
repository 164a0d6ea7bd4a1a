"""The fiscal-year report. Every figure is an SQL aggregate (GROUP BY); no loops over events.

Two strategies give the same figures (tests/unit/test_outreach_report_fast.py):
``"fast"`` (the default, :func:`_figures_fast`) reads the period's events twice, in two
queries, whatever the breakdowns; ``"slow"`` (:func:`_figures_slow`) runs one
``COUNT(DISTINCT user_id)`` query per breakdown and is kept as the tested reference.

Definitions (docs/outreach.md):

* ``*_classes`` / ``*_workshops`` / ``other_events``: distinct ``source`` values of the kind;
* ``*_participants``: the sum of headcounts (a person counts 1, a headcount-only event its total);
* ``other_*``: kind ``event`` and every kind a plugin adds;
* ``total_participants``: online + onsite + other (course enrolments/completions apart);
* ``unique_participants``: distinct people with an account, over every kind of the year.

:class:`Filters` narrow every event figure (audience group, district, kind, a date range inside
the year); reach posts have no group, district or kind, so only the date range narrows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Text,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import array as pg_array

from lms import plugins
from lms.extensions import db
from lms_outreach import fiscal
from lms_outreach.kinds import COURSE_KINDS, ONLINE, ONSITE
from lms_outreach.models import OutreachEvent, ReachPost

E = OutreachEvent
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Filters:
    """What the dashboard narrows the report to. ``None`` (or empty) means "all".

    ``audience`` / ``district``: a code, or ``"unknown"`` for events without one;
    ``kind``: a participation kind; ``start`` / ``end``: local dates, both included, clipped
    to the fiscal year.
    """

    audience: str | None = None
    district: str | None = None
    kind: str | None = None
    start: date | None = None
    end: date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as strings (for JSON and URLs)."""
        out = {}
        for key in ("audience", "district", "kind", "start", "end"):
            value = getattr(self, key)
            if value:
                out[key] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def previous_year(self) -> Filters:
        """The same filters a year earlier (for the comparison with the previous year)."""
        return replace(self, start=_year_before(self.start), end=_year_before(self.end))


def _year_before(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


NO_FILTERS = Filters()


def period(fy: int, filters: Filters = NO_FILTERS) -> tuple[date, date]:
    """Local dates ``[first, after)`` of the year narrowed by the filters' date range."""
    first, after = fiscal.fy_dates(fy)
    if filters.start and filters.start > first:
        first = min(filters.start, after)
    if filters.end and filters.end + timedelta(days=1) < after:
        after = max(filters.end + timedelta(days=1), first)
    return first, after


def _column_is(column, value: str):
    return column.is_(None) if value == UNKNOWN else column == value


def _event_filters(filters: Filters) -> tuple:
    where = []
    if filters.audience:
        where.append(_column_is(E.audience, filters.audience))
    if filters.district:
        where.append(_column_is(E.district, filters.district))
    if filters.kind:
        where.append(E.kind == filters.kind)
    return tuple(where)


def _in_year(start, end, filters: Filters = NO_FILTERS):
    return (E.occurred_at >= start, E.occurred_at < end, *_event_filters(filters))


def _activities(start, end, filters: Filters = NO_FILTERS):
    """Filters for the activity events (not course enrolment/completion) of the period."""
    return (*_in_year(start, end, filters), E.kind.not_in(COURSE_KINDS))


def _grouped(key, where, activities: bool = False) -> dict[Any, tuple[int, ...]]:
    """``key value -> (sum of headcounts, distinct people[, distinct activities])``: one
    GROUP BY query, one index-only range scan (a GROUP BY (key, person) subquery instead of
    ``COUNT(DISTINCT user_id)`` was measured slower on SQLite and no faster on PostgreSQL)."""
    columns = [func.sum(E.headcount), func.count(func.distinct(E.user_id))]
    if activities:
        columns.append(func.count(func.distinct(E.kind + ":" + E.source)))
    rows = db.session.execute(select(key, *columns).where(*where).group_by(key))
    return {k: tuple(int(v or 0) for v in values) for k, *values in rows}


def _breakdown(rows: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    return {
        key: {"participants": total, "unique_participants": people}
        for key, (total, people) in rows.items()
    }


def _by_month(fy: int, rows: dict[int, tuple[int, int, int]]) -> dict[str, dict[str, int]]:
    result = {}
    for i, (year, month) in enumerate(fiscal.fy_months(fy)):
        total, people, sources = rows.get(i, (0, 0, 0))
        result[fiscal.month_label(year, month)] = {
            "participants": total,
            "unique_participants": people,
            "activities": sources,
        }
    return result


@dataclass
class _Figures:
    """The event figures of one period: what :func:`build` arranges into the report."""

    by_kind: dict[str, tuple[int, int, int]]  # kind -> (activities, participants, people)
    unique: int
    by_group: dict[str, tuple[int, int]] | None = None  # code -> (participants, people)
    by_district: dict[str, tuple[int, int]] | None = None
    by_month: dict[int, tuple[int, int, int]] | None = None  # 0..11 -> (part., people, act.)


def _month_bucket(fy: int):
    """The fiscal-year month (0 = October .. 11 = September) of an event, as SQL."""
    edges = fiscal.month_starts_utc(fy)
    return case(*[(E.occurred_at < edge, i) for i, edge in enumerate(edges[1:])], else_=11)


def _figures_slow(fy: int, start, end, filters: Filters, breakdowns: bool) -> _Figures:
    """One GROUP BY query per figure (five ``COUNT(DISTINCT user_id)`` sorts): the plain
    reference the fast path is tested against (``build(..., strategy="slow")``)."""
    where = _in_year(start, end, filters)
    by_kind = {
        kind: (sources, total, people)
        for kind, (total, people, sources) in _grouped(E.kind, where, activities=True).items()
    }
    unique = db.session.scalar(select(func.count(func.distinct(E.user_id))).where(*where))
    figures = _Figures(by_kind=by_kind, unique=int(unique or 0))
    if breakdowns:
        activities = _activities(start, end, filters)
        figures.by_group = {(k or UNKNOWN): v for k, v in _grouped(E.audience, activities).items()}
        figures.by_district = {
            (k or UNKNOWN): v for k, v in _grouped(E.district, activities).items()
        }
        figures.by_month = _grouped(_month_bucket(fy), activities, activities=True)
    return figures


#: The grouping sets of the sums query, by name: the columns each groups by. None has the
#: person in it, so every hash table stays small (activities x months, groups, districts).
_SETS = {
    "kind_sources": ("kind", "source"),
    "month_sources": ("act", "month", "kind", "source"),
    "group": ("act", "audience"),
    "district": ("act", "district"),
}
_SET_COLUMNS = ("kind", "act", "audience", "district", "month", "source")
#: Bits per mask column of the people query (a BIGINT holds 63).
_MASK_BITS = 60


def _period_rows(fy: int, start, end, filters: Filters, breakdowns: bool):
    """The period's events (index-only range scan) with the keys the report groups by."""
    return (
        select(
            E.kind.label("kind"),
            E.kind.not_in(COURSE_KINDS).label("act"),
            E.audience.label("audience"),
            E.district.label("district"),
            (_month_bucket(fy) if breakdowns else literal(0)).label("month"),
            E.user_id.label("user_id"),
            E.source.label("source"),
            E.headcount.label("headcount"),
        )
        .where(*_in_year(start, end, filters))
        .subquery("e")
    )


def _sums(base, names: list[str]) -> dict[str, dict]:
    """Headcount sums and activity counts per key, every key from one scan: ``GROUP BY
    GROUPING SETS`` on PostgreSQL, the same sets as ``UNION ALL`` of GROUP BYs elsewhere.
    ``name -> {key tuple of the set minus source: (sum of headcounts, distinct sources)}``."""
    c = base.c
    hc = func.sum(c.headcount).label("hc")
    if db.engine.dialect.name == "postgresql":
        used = [n for n in _SET_COLUMNS if any(n in _SETS[name] for name in names)]
        gid = func.grouping(*[c[n] for n in used]).label("gid")
        sets = func.grouping_sets(*[tuple_(*[c[n] for n in _SETS[name]]) for name in names])
        cols = [(c[n] if n in used else null()).label(n) for n in _SET_COLUMNS]
        inner = select(gid, *cols, hc).group_by(sets)
        # GROUPING(a, b, ..): a bit for each column the row is NOT grouped by, a = highest
        ids = {
            sum(1 << (len(used) - 1 - i) for i, n in enumerate(used) if n not in _SETS[name]): name
            for name in names
        }
    else:
        parts = []
        ids = {}
        for i, name in enumerate(names):
            cols = [(c[n] if n in _SETS[name] else null()).label(n) for n in _SET_COLUMNS]
            keys = [c[n] for n in _SETS[name]]
            parts.append(select(literal(i).label("gid"), *cols, hc).group_by(*keys))
            ids[i] = name
        inner = union_all(*parts)
    g = inner.subquery("g")
    keys = [g.c[n] for n in _SET_COLUMNS if n != "source"]
    rows = db.session.execute(
        select(g.c.gid, *keys, func.sum(g.c.hc), func.count()).group_by(g.c.gid, *keys)
    )
    out: dict[str, dict] = {name: {} for name in names}
    for gid, *key, total, sources in rows:
        name = ids[gid]
        values = dict(zip([n for n in _SET_COLUMNS if n != "source"], key, strict=True))
        out[name][tuple(values[n] for n in _SETS[name] if n != "source")] = (
            int(total or 0),
            int(sources or 0),
        )
    return out


def _bit_or(expr):
    """OR of the rows' values (each a power of two or 0): ``bit_or`` on PostgreSQL; elsewhere
    the sum of the distinct values, which is the same number."""
    if db.engine.dialect.name == "postgresql":
        return func.bit_or(expr)
    return func.sum(expr.distinct())


def _masks(column, values: list, only=None) -> list[tuple[Any, list]]:
    """``(mask column, the values of its bits)`` chunks: one bit per value of ``column``
    (``None`` included), set when the row has that value (and ``only`` holds)."""
    chunks = []
    for first in range(0, len(values), _MASK_BITS):
        part = values[first : first + _MASK_BITS]
        if db.engine.dialect.name == "postgresql":
            # one array_position() call per row instead of a CASE branch per value
            position = func.array_position(
                pg_array([None if v is None else str(v) for v in part], type_=Text),
                cast(column, Text),
            )
            expr = literal_column("1::bigint").op("<<")(position - 1)
        else:
            whens = [
                (column.is_(None) if v is None else column == v, literal_column(str(1 << i)))
                for i, v in enumerate(part)
            ]
            expr = case(*whens, else_=literal_column("0"))
        if only is not None:
            expr = case((only, expr), else_=literal_column("0"))
        chunks.append((expr, part))
    return chunks


def _people(base, kinds: list, breakdowns: bool, audiences: list, districts: list) -> dict:
    """Distinct people per kind, in total and per group, district and month, from ONE scan.

    The inner query folds each person's events into bit masks (``GROUP BY user_id``: one hash
    table of people, no per-key sorts): bit *i* of the kind mask is set when the person took
    part in kind *i*, and so on. The outer query counts, per bit, the people who have it set,
    which is exactly ``COUNT(DISTINCT user_id)`` of that key. Headcount-only rows (no person)
    are left out, as ``COUNT(DISTINCT)`` leaves them out.
    """
    out: dict[str, dict] = {"people": {}, "kind": {}, "group": {}, "district": {}, "month": {}}
    if not kinds:  # no event in the period (the sums query saw every kind there is)
        return out
    c = base.c
    dims = [("kind", _masks(c.kind, kinds))]
    if breakdowns:
        dims += [
            ("group", _masks(c.audience, audiences, c.act)),
            ("district", _masks(c.district, districts, c.act)),
            # the month is already a bit number (0..11)
            (
                "month",
                [
                    (
                        case((c.act, literal_column("1").op("<<")(c.month)), else_=0),
                        list(range(12)),
                    )
                ],
            ),
        ]
    inner_cols, spec = [], []
    for dim, chunks in dims:
        for expr, part in chunks:
            label = f"m{len(inner_cols)}"
            inner_cols.append(func.coalesce(_bit_or(expr), 0).label(label))
            spec.append((dim, label, part))
    inner = (
        select(c.user_id, *inner_cols)
        .where(c.user_id.is_not(None))
        .group_by(c.user_id)
        .subquery("p")
    )
    labels = [label for _dim, label, _part in spec]
    if db.engine.dialect.name == "postgresql":
        # Count people per distinct mask first (one GROUPING SETS pass over the people; a
        # few thousand mask values), then the bits of those few rows.
        masks = (
            select(*[inner.c[label] for label in labels], func.count().label("n"))
            .group_by(func.grouping_sets(*[tuple_(inner.c[label]) for label in labels]))
            .subquery("m")
        )
        source, weight = masks, masks.c.n
        people = func.sum(case((masks.c[labels[0]].is_not(None), weight), else_=0))
    else:
        source, weight = inner, literal_column("1")
        people = func.count()
    outer_cols, keys = [people], [("people", None)]
    for dim, label, part in spec:
        mask = source.c[label]
        for i, value in enumerate(part):
            bit = literal_column(str(1 << i))
            outer_cols.append(func.sum(case((mask.op("&")(bit) != 0, weight), else_=0)))
            keys.append((dim, value))
    row = db.session.execute(select(*outer_cols).select_from(source)).one()
    for (dim, value), count in zip(keys, row, strict=True):
        out[dim][value] = int(count or 0)
    return out


def _figures_fast(fy: int, start, end, filters: Filters, breakdowns: bool) -> _Figures:
    """Every figure from two range scans of the covering index, whatever the breakdowns:

    1. :func:`_sums`: headcount sums and distinct activities per kind, group, district and
       month (small groups: the year's activities, not its people);
    2. :func:`_people`: distinct people per kind, in total and per group, district and month
       (one ``GROUP BY user_id`` into bit masks, then one count per bit).

    Both are exact: the same numbers as :func:`_figures_slow` (tested on random data).
    """
    base = _period_rows(fy, start, end, filters, breakdowns)
    names = ["kind_sources"]
    if breakdowns:
        names += ["month_sources", "group", "district"]
    sums = _sums(base, names)
    kinds = sorted({kind for (kind,) in sums["kind_sources"]})
    audiences = sorted({a for (act, a) in sums.get("group", {}) if act}, key=str)
    districts = sorted({d for (act, d) in sums.get("district", {}) if act}, key=str)
    people = _people(base, kinds, breakdowns, audiences, districts)
    figures = _Figures(
        by_kind={
            kind: (sources, total, people["kind"].get(kind, 0))
            for (kind,), (total, sources) in sums["kind_sources"].items()
        },
        unique=people["people"].get(None, 0),
    )
    if breakdowns:
        figures.by_group = {
            (a or UNKNOWN): (total, people["group"].get(a, 0))
            for (act, a), (total, _n) in sums["group"].items()
            if act
        }
        figures.by_district = {
            (d or UNKNOWN): (total, people["district"].get(d, 0))
            for (act, d), (total, _n) in sums["district"].items()
            if act
        }
        months: dict[int, list[int]] = {}
        for (act, month, _kind), (total, sources) in sums["month_sources"].items():
            if act:
                entry = months.setdefault(int(month), [0, 0])
                entry[0] += total
                entry[1] += sources
        figures.by_month = {
            month: (total, people["month"].get(month, 0), sources)
            for month, (total, sources) in months.items()
        }
    return figures


#: PostgreSQL ``work_mem`` for the report's queries (the default 4MB makes the planner sort a
#: year's rows on disk instead of hashing them in memory). Set for those queries only.
WORK_MEM = "32MB"


@contextmanager
def _work_mem() -> Iterator[None]:
    """Raise ``work_mem`` for the queries inside (PostgreSQL), then put it back."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    before = db.session.scalar(text("SELECT current_setting('work_mem')"))
    db.session.execute(text("SELECT set_config('work_mem', :v, true)"), {"v": WORK_MEM})
    yield
    # not on an error: the setting is local to the transaction, which then rolls back anyway
    db.session.execute(text("SELECT set_config('work_mem', :v, true)"), {"v": before})


#: ``build``'s strategy per database: ``"fast"`` (:func:`_figures_fast`, two scans) or
#: ``"slow"`` (:func:`_figures_slow`). SQLite keeps the slow one: it runs each ``UNION ALL``
#: branch of the fast sums as its own sorted scan, which measured slower there
#: (docs/benchmarks-outreach.md). Other databases: :data:`DEFAULT_STRATEGY`.
STRATEGY = {"postgresql": "fast", "sqlite": "slow"}
DEFAULT_STRATEGY = "fast"


def strategy_for(dialect: str) -> str:
    """The strategy :func:`build` uses on a database (``db.engine.dialect.name``)."""
    return STRATEGY.get(dialect, DEFAULT_STRATEGY)


def build(
    fy: int, filters: Filters = NO_FILTERS, breakdowns: bool = True, strategy: str | None = None
) -> dict[str, Any]:
    """The report for BE fiscal year ``fy`` as a JSON-able dict.

    ``breakdowns=False`` leaves out ``by_group``, ``by_district``, ``by_month`` and
    ``plugin_stats`` (the dashboard's previous-year comparison needs only the totals).
    ``strategy``: ``"fast"`` or ``"slow"`` (default: :func:`strategy_for` the database); both
    give the same figures (tests/unit/test_outreach_report_fast.py).
    """
    first, after = period(fiscal.check_fy(fy), filters)
    start, end = fiscal.local_midnight_utc(first), fiscal.local_midnight_utc(after)
    strategy = strategy or strategy_for(db.engine.dialect.name)
    compute = _figures_slow if strategy == "slow" else _figures_fast
    with _work_mem():
        figures = compute(fy, start, end, filters, breakdowns)
    by_kind = figures.by_kind
    other = [v for k, v in by_kind.items() if k not in (ONLINE, ONSITE, *COURSE_KINDS)]
    online = by_kind.get(ONLINE, (0, 0, 0))
    onsite = by_kind.get(ONSITE, (0, 0, 0))
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
        "filters": filters.as_dict(),
        "online_classes": online[0],
        "online_participants": online[1],
        "onsite_workshops": onsite[0],
        "onsite_participants": onsite[1],
        "other_events": sum(v[0] for v in other),
        "other_participants": other_participants,
        "total_participants": online[1] + onsite[1] + other_participants,
        "unique_participants": figures.unique,
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
    }
    if breakdowns:
        report["by_group"] = _breakdown(figures.by_group)
        report["by_district"] = _breakdown(figures.by_district)
        report["by_month"] = _by_month(fy, figures.by_month)
        report["plugin_stats"] = _plugin_stats(start, end)
    return report


def _plugin_stats(start, end) -> dict[str, float]:
    """``lms_report_stats`` rows from other plugins, added up per metric."""
    totals: dict[str, float] = {}
    for row in plugins.call("lms_report_stats", start=start, end=end):
        if isinstance(row, dict) and "metric" in row:
            totals[str(row["metric"])] = totals.get(str(row["metric"]), 0) + row.get("value", 0)
    return totals
