"""Districts (อำเภอ) as data: the union of what plugins return from ``lms_districts`` (the
outreach plugin ships Chiang Mai's 25). The profile stores a district's ``code``."""

from __future__ import annotations

from flask import g, has_request_context

from lms import plugins
from lms_audience.services import locale_code


def all_districts() -> list[dict]:
    """Every district once (the first plugin to name a code wins), in the plugins' order.
    Asked once per request."""
    if has_request_context() and "lms_audience_districts" in g:
        return g.lms_audience_districts
    seen: dict[str, dict] = {}
    for row in plugins.call("lms_districts"):
        if isinstance(row, dict) and row.get("code") and str(row["code"]) not in seen:
            seen[str(row["code"])] = row
    rows = list(seen.values())
    if has_request_context():
        g.lms_audience_districts = rows
    return rows


def district_label(row: dict, locale: str | None = None) -> str:
    loc = locale or locale_code()
    name = row.get("name_th") if loc.startswith("th") else row.get("name_en")
    return str(name or row.get("name_th") or row.get("name_en") or row["code"])


def district_name(code: str | None, locale: str | None = None) -> str:
    """The district's name in the reader's language; an unknown code (or old free text) as is."""
    if not code:
        return ""
    for row in all_districts():
        if str(row["code"]) == code:
            return district_label(row, locale)
    return code


def district_choices(current: str | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` pairs for a select, with an empty first choice. A stored value that is
    not a known code (free text from before districts were data) is kept as a choice."""
    loc = locale_code()
    choices = [(str(r["code"]), district_label(r, loc)) for r in all_districts()]
    if current and current not in {c for c, _n in choices}:
        choices.insert(0, (current, current))
    return [("", "—"), *choices]
