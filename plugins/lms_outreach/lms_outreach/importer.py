"""CSV imports: historical activities and social-media reach.

Every row is parsed and checked first; each bad row is reported with its line in the file and
the reason, and nothing is stored unless every row is good. UTF-8, with or without a BOM.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.extensions import db
from lms_outreach import fiscal
from lms_outreach.kinds import audience_lookup, known_kinds
from lms_outreach.models import District, OutreachEvent, ReachPost

ACTIVITY_COLUMNS = ("kind", "title", "date", "audience", "district", "participants")
REACH_COLUMNS = ("platform", "url", "date", "reach", "impressions", "engagements")
#: Largest upload the dashboard accepts (the CLI reads any size).
MAX_BYTES = 5 * 1024 * 1024
THAI_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class ImportResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_date(text: str) -> date:
    """ISO ``2023-01-15`` or Thai Buddhist Era ``15/01/2566``."""
    text = text.strip()
    m = THAI_DATE.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
        if year < 2400:
            raise ValueError(_("the year of a dd/mm/yyyy date must be Buddhist Era (2566)"))
        return date(year - fiscal.BE_OFFSET, month, day)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            _("date %(value)s is not YYYY-MM-DD or dd/mm/yyyy (Buddhist Era)", value=text)
        ) from None


def _count(text: str, name: str) -> int:
    text = (text or "").strip().replace(",", "")
    if not text.isdigit():
        raise ValueError(_("%(column)s must be a whole number of 0 or more", column=name))
    return int(text)


def _read(data: bytes, columns: tuple[str, ...], result: ImportResult):
    """Yield ``(line, row)`` for each record; header problems go to ``result.errors``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((1, _("the file is not UTF-8 text (save it as CSV UTF-8)")))
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        result.errors.append((1, _("missing columns: %(names)s", names=", ".join(missing))))
        return
    reader.fieldnames = header
    for row in reader:
        line = reader.line_num  # the line in the file (the record's last, if it spans several)
        if None in row:
            result.errors.append((line, _("more values than columns")))
            continue
        yield line, {k: (v or "").strip() for k, v in row.items()}


def _district_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, th, en in db.session.execute(
        select(District.code, District.name_th, District.name_en)
    ):
        for name in (code, th, "อำเภอ" + th, "อ." + th, en):
            lookup[name.casefold()] = code
    return lookup


def check_activities(data: bytes) -> ImportResult:
    """Parse and validate an activities CSV; store nothing."""
    result = ImportResult()
    kinds = known_kinds()
    audiences = audience_lookup()
    districts = _district_lookup()
    for line, row in _read(data, ACTIVITY_COLUMNS, result):
        problems = []
        kind = row["kind"]
        if kind not in kinds:
            problems.append(_("unknown kind %(value)s", value=repr(kind)))
        if not row["title"]:
            problems.append(_("title is empty"))
        elif len(row["title"]) > 200:
            problems.append(_("title is longer than 200 characters"))
        try:
            day = parse_date(row["date"])
        except ValueError as exc:
            problems.append(str(exc))
            day = None
        audience = None
        if row["audience"]:
            audience = audiences.get(row["audience"].casefold())
            if audience is None:
                problems.append(_("unknown audience %(value)s", value=repr(row["audience"])))
        district = None
        if row["district"]:
            district = districts.get(row["district"].casefold())
            if district is None:
                problems.append(_("unknown district %(value)s", value=repr(row["district"])))
        try:
            headcount = _count(row["participants"], "participants")
        except ValueError as exc:
            problems.append(str(exc))
            headcount = 0
        if problems:
            result.errors.append((line, "; ".join(problems)))
            continue
        digest = hashlib.sha1(f"{kind}|{day}|{row['title']}".encode(), usedforsecurity=False)
        source = f"import:{digest.hexdigest()[:16]}"
        result.rows.append(
            {
                "kind": kind,
                "source": source,
                "title": row["title"],
                "occurred_at": fiscal.local_midnight_utc(day),
                "headcount": headcount,
                "audience": audience,
                "district": district,
            }
        )
    return result


def check_reach(data: bytes) -> ImportResult:
    """Parse and validate a reach CSV; store nothing."""
    result = ImportResult()
    for line, row in _read(data, REACH_COLUMNS, result):
        problems = []
        if not row["platform"] or len(row["platform"]) > 40:
            problems.append(_("platform must be 1 to 40 characters"))
        if not re.match(r"^https?://\S+$", row["url"]) or len(row["url"]) > 500:
            problems.append(_("url must start with http:// or https://"))
        try:
            day = parse_date(row["date"])
        except ValueError as exc:
            problems.append(str(exc))
            day = None
        numbers = {}
        for name in ("reach", "impressions", "engagements"):
            try:
                numbers[name] = _count(row[name], name)
            except ValueError as exc:
                problems.append(str(exc))
        campaign = row.get("campaign") or None  # optional column
        if campaign and len(campaign) > 100:
            problems.append(_("campaign is longer than 100 characters"))
        if problems:
            result.errors.append((line, "; ".join(problems)))
            continue
        result.rows.append(
            {
                "platform": row["platform"],
                "url": row["url"],
                "posted_on": day,
                "campaign": campaign,
                **numbers,
            }
        )
    return result


def store_activities(result: ImportResult) -> int:
    """Add the checked rows to the session (the caller commits). Refuses a result with errors."""
    if not result.ok:
        raise ValueError("refusing to import a file with bad rows")
    db.session.add_all(OutreachEvent(user_id=None, **row) for row in result.rows)
    return len(result.rows)


def store_reach(result: ImportResult) -> int:
    if not result.ok:
        raise ValueError("refusing to import a file with bad rows")
    db.session.add_all(ReachPost(**row) for row in result.rows)
    return len(result.rows)
