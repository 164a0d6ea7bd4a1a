"""The dashboard's report as tables: CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl).

Both are built from :func:`tables`, so they hold the same figures as the page. Labels are in the
request's language; the views render exports in Thai (``force_locale("th")``).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask_babel import gettext as _

Table = tuple[str, list[str], list[list[Any]]]  # (title, header, rows)


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def title(data: dict[str, Any]) -> str:
    return _("Outreach report, fiscal year %(fy)s", fy=data["fy"])


def period_text(data: dict[str, Any]) -> str:
    from datetime import date, timedelta

    from lms.i18n import format_date

    p = data["report"]["period"]
    first = date.fromisoformat(p["start"])
    last = date.fromisoformat(p["end_exclusive"]) - timedelta(days=1)
    return _(
        "%(first)s to %(last)s (Asia/Bangkok)",
        first=format_date(first, long=True),
        last=format_date(last, long=True),
    )


def filter_text(data: dict[str, Any], names: dict[str, dict[str, str]]) -> list[str]:
    """The filters that are set, as ``label: value`` lines."""
    f = data["filters"]
    lines = []
    if f.audience:
        lines.append(_("Audience group") + ": " + names["groups"].get(f.audience, f.audience))
    if f.district:
        lines.append(_("District") + ": " + names["districts"].get(f.district, f.district))
    if f.kind:
        lines.append(_("Activity kind") + ": " + names["kinds"].get(f.kind, f.kind))
    return lines


def tables(data: dict[str, Any]) -> list[Table]:
    """Summary, kinds, groups, districts and months as (title, header, rows)."""
    r = data["report"]
    fy = data["fy"]
    summary = [
        [
            t.label,
            t.value,
            t.previous,
            t.target if t.target is not None else "",
            t.progress if t.progress is not None else "",
        ]
        for t in data["tiles"]
    ]
    summary += [
        [_("Course enrolments"), r["course_enrolments"], data["previous"]["course_enrolments"]],
        [_("Course completions"), r["course_completions"], data["previous"]["course_completions"]],
        [_("Engagements"), r["engagements"], data["previous"]["engagements"]],
        [_("Social-media posts"), r["reach_posts"], data["previous"]["reach_posts"]],
    ]
    people = [_("Participants"), _("Distinct people")]
    return [
        (
            _("Summary of results"),
            [
                _("Indicator"),
                _("FY %(fy)s", fy=fy),
                _("FY %(fy)s", fy=fy - 1),
                _("Target"),
                _("Percent of target"),
            ],
            summary,
        ),
        (
            _("By activity kind"),
            [_("Activity kind"), _("Activities"), *people],
            [
                [k["label"], k["activities"], k["participants"], k["unique_participants"]]
                for k in data["kinds"]
            ],
        ),
        (
            _("By audience group"),
            [_("Audience group"), *people],
            [[g["label"], g["participants"], g["unique_participants"]] for g in data["groups"]],
        ),
        (
            _("By district"),
            [_("District"), *people],
            [[d["label"], d["participants"], d["unique_participants"]] for d in data["districts"]],
        ),
        (
            _("By month"),
            [_("Month"), _("Activities"), *people],
            [
                [m["label"], m["activities"], m["participants"], m["unique_participants"]]
                for m in data["months"]
            ],
        ),
    ]


def to_csv(data: dict[str, Any]) -> str:
    """One CSV: a title block, then each table under its own title, blank lines between."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([_safe(title(data))])
    w.writerow([_safe(period_text(data))])
    for name, header, rows in tables(data):
        w.writerow([])
        w.writerow([_safe(name)])
        w.writerow([_safe(h) for h in header])
        for row in rows:
            w.writerow([_safe(c) for c in row])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens Thai text correctly


def to_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet per table, Thai headers in bold, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, header, rows in tables(data):
        ws = wb.create_sheet(_sheet_name(name))
        ws.append([_safe(title(data))])
        ws.append([_safe(period_text(data))])
        ws.append([])
        ws.append([_safe(h) for h in header])
        for cell in ws[4]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([_safe(c) for c in row])
        ws.column_dimensions["A"].width = 36
        for col in "BCDE":
            ws.column_dimensions[col].width = 16
        ws.freeze_panes = "A5"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(name: str) -> str:
    """Excel refuses ``[]:*?/\\`` and more than 31 characters in a sheet name."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]


def filename(data: dict[str, Any], ext: str) -> str:
    return f"outreach-fy{data['fy']}.{ext}"
