"""What the officer's dashboard shows: the report, the previous year, the targets, the tables.

Figures come from :mod:`lms_outreach.report` (SQL aggregates); this module only arranges them
(labels, progress against targets, change against the previous fiscal year) for the page and
the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from lms.extensions import db
from lms_outreach import fiscal, report
from lms_outreach.kinds import AUDIENCES, known_kinds
from lms_outreach.models import District, ReachPost, Target

#: The KPIs on the tiles, in order: report key -> label. Targets are set per KPI and year.
KPIS = (
    ("online_classes", _l("Online classes")),
    ("online_participants", _l("Online participants")),
    ("onsite_workshops", _l("Onsite workshops")),
    ("onsite_participants", _l("Onsite participants")),
    ("other_events", _l("Other events")),
    ("other_participants", _l("Other event participants")),
    ("total_participants", _l("Total participants")),
    ("unique_participants", _l("Distinct people")),
    ("reach", _l("Reach")),
    ("impressions", _l("Impressions")),
)
KPI_KEYS = tuple(k for k, _label in KPIS)


@dataclass
class Tile:
    key: str
    label: str
    value: int
    previous: int
    target: int | None

    @property
    def change(self) -> int:
        return self.value - self.previous

    @property
    def change_percent(self) -> int | None:
        """Change against the previous year in whole percent (None when it had nothing)."""
        if not self.previous:
            return None
        return round(100 * (self.value - self.previous) / self.previous)

    @property
    def progress(self) -> int | None:
        """Percent of the target reached (None without a target); may pass 100."""
        if not self.target:
            return None
        return round(100 * self.value / self.target)


def current_fy(today: date | None = None) -> int:
    """The fiscal year (BE) today falls in, Bangkok time."""
    from datetime import UTC, datetime

    if today is None:
        return fiscal.fiscal_year_of(datetime.now(UTC))
    return today.year + fiscal.BE_OFFSET + (1 if today.month >= 10 else 0)


def targets_for(fy: int) -> dict[str, int]:
    """KPI -> target for the fiscal year."""
    rows = db.session.execute(
        select(Target.kpi, Target.value).where(Target.fiscal_year == fy)
    ).all()
    return {kpi: int(value) for kpi, value in rows}


def save_targets(fy: int, values: dict[str, int | None]) -> None:
    """Replace the year's targets (empty values remove a target). The caller commits."""
    fiscal.check_fy(fy)
    db.session.execute(delete(Target).where(Target.fiscal_year == fy))
    for kpi in KPI_KEYS:
        value = values.get(kpi)
        if value is not None:
            db.session.add(Target(fiscal_year=fy, kpi=kpi, value=int(value)))
    db.session.flush()


def group_names() -> dict[str, str]:
    """Audience code -> name in the page's language (``unknown`` -> "Not given")."""
    from flask_babel import get_locale

    thai = str(get_locale() or "th").startswith("th")
    names = {code: (th if thai else en) for code, th, en in AUDIENCES}
    names[report.UNKNOWN] = str(_l("Not given"))
    return names


def district_names() -> dict[str, str]:
    """District code -> name in the page's language, in code order."""
    from flask import g, has_request_context
    from flask_babel import get_locale

    thai = str(get_locale() or "th").startswith("th")
    cached = g.get("outreach_districts") if has_request_context() else None
    if cached is None:
        cached = db.session.execute(
            select(District.code, District.name_th, District.name_en).order_by(District.code)
        ).all()
        if has_request_context():
            g.outreach_districts = cached
    names = {code: (th if thai else en) for code, th, en in cached}
    names[report.UNKNOWN] = str(_l("Not given"))
    return names


def filter_codes() -> dict[str, list[str]]:
    """The codes each filter accepts: the dashboard's choices, which the report CLI checks too
    (``audience`` and ``district`` take ``unknown`` for "not given")."""
    return {
        "audience": list(group_names()),
        "district": list(district_names()),
        "kind": list(known_kinds()),
    }


def month_name(key: str) -> str:
    """``2565-10`` -> ``ต.ค. 2565`` in Thai, ``Oct 2022`` in English."""
    from flask_babel import get_locale

    year_be, month = (int(x) for x in key.split("-"))
    if str(get_locale() or "th").startswith("th"):
        return fiscal.month_label_th(year_be - fiscal.BE_OFFSET, month)
    return date(year_be - fiscal.BE_OFFSET, month, 1).strftime("%b %Y")


def breakdown_rows(data: dict[str, dict[str, int]], names: dict[str, str]) -> list[dict]:
    """Rows for a table or chart, in the order of ``names``, then unknown codes."""
    order = {code: i for i, code in enumerate(names)}
    rows = [
        {
            "code": code,
            "label": names.get(code, code),
            "participants": v["participants"],
            "unique_participants": v["unique_participants"],
        }
        for code, v in data.items()
    ]
    rows.sort(key=lambda r: (order.get(r["code"], len(order)), r["code"]))
    return rows


def kind_rows(by_kind: dict[str, dict[str, int]]) -> list[dict]:
    labels = known_kinds()
    return [
        {"code": code, "label": labels.get(code, code), **values}
        for code, values in by_kind.items()
    ]


def dashboard_data(fy: int, filters: report.Filters) -> dict[str, Any]:
    """Everything the dashboard and the exports show for the year and filters."""
    current = report.build(fy, filters)
    previous = report.build(fy - 1, filters.previous_year(), breakdowns=False)
    targets = targets_for(fy)
    tiles = [
        Tile(key, str(label), int(current[key]), int(previous[key]), targets.get(key))
        for key, label in KPIS
    ]
    return {
        "fy": fy,
        "filters": filters,
        "report": current,
        "previous": previous,
        "tiles": tiles,
        "months": [
            {"key": key, "label": month_name(key), **values}
            for key, values in current["by_month"].items()
        ],
        "groups": breakdown_rows(current["by_group"], group_names()),
        "districts": breakdown_rows(current["by_district"], district_names()),
        "kinds": kind_rows(current["by_kind"]),
    }


def reach_totals(fy: int) -> dict[str, list[dict[str, Any]]]:
    """Reach posts of the year added up per campaign and per platform (SQL GROUP BY)."""
    first, after = fiscal.fy_dates(fy)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, column in (("campaigns", ReachPost.campaign), ("platforms", ReachPost.platform)):
        rows = db.session.execute(
            select(
                column,
                func.count(ReachPost.id),
                func.sum(ReachPost.reach),
                func.sum(ReachPost.impressions),
                func.sum(ReachPost.engagements),
            )
            .where(ReachPost.posted_on >= first, ReachPost.posted_on < after)
            .group_by(column)
            .order_by(func.sum(ReachPost.reach).desc())
        )
        out[name] = [
            {
                "name": key or "",
                "posts": int(posts),
                "reach": int(reach or 0),
                "impressions": int(impressions or 0),
                "engagements": int(engagements or 0),
            }
            for key, posts, reach, impressions, engagements in rows
        ]
    return out
