"""Thai government fiscal years in the Buddhist Era (BE = CE + 543).

Fiscal year N (BE) runs from 1 October of CE year N-1-543, 00:00 Asia/Bangkok, up to (not
including) 1 October of CE year N-543, 00:00 Asia/Bangkok: FY 2566 = 1 Oct 2022 - 30 Sep 2023.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BE_OFFSET = 543
#: A year from this one on is read as Buddhist Era (the CE calendar stays below it for long).
BE_FROM = 2400
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
BANGKOK = ZoneInfo("Asia/Bangkok")
TH_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def check_fy(fy: int) -> int:
    """A plausible BE fiscal year, or ValueError (a CE year like 2023 is refused)."""
    if not 2400 <= int(fy) <= 2800:
        raise ValueError(f"fiscal year {fy} is not a Buddhist Era year (e.g. 2566)")
    return int(fy)


def parse_local_date(text: str) -> date:
    """``YYYY-MM-DD`` with a Christian Era or a Buddhist Era year (from 2400 on): ``2023-01-15``
    and ``2566-01-15`` are the same day. ValueError when it is not a real date (29 February
    is checked in the CE year: ``2567-02-29`` is 29 Feb 2024, ``2564-02-29`` is refused).

    The one date parser of the dashboard's date fields (``forms.LocalDateField``) and the
    ``lms outreach report --from/--to`` options.
    """
    m = ISO_DATE.match((text or "").strip())
    if not m:
        raise ValueError(f"{text!r} is not YYYY-MM-DD")
    year, month, day = (int(g) for g in m.groups())
    if year >= BE_FROM:
        year -= BE_OFFSET
    return date(year, month, day)


def fy_dates(fy: int) -> tuple[date, date]:
    """First day of the fiscal year and the first day after it (local dates)."""
    fy = check_fy(fy)
    return date(fy - BE_OFFSET - 1, 10, 1), date(fy - BE_OFFSET, 10, 1)


def fy_bounds(fy: int) -> tuple[datetime, datetime]:
    """``[start, end)`` of fiscal year ``fy`` as timezone-aware UTC datetimes."""
    first, after = fy_dates(fy)
    return local_midnight_utc(first), local_midnight_utc(after)


def local_midnight_utc(day: date) -> datetime:
    """00:00 Asia/Bangkok on ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=BANGKOK).astimezone(UTC)


def fiscal_year_of(moment: datetime) -> int:
    """The BE fiscal year a moment (aware, or naive UTC) falls in."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BANGKOK)
    return local.year + BE_OFFSET + (1 if local.month >= 10 else 0)


def fy_months(fy: int) -> list[tuple[int, int]]:
    """The 12 ``(CE year, month)`` of the fiscal year, October first."""
    first, _after = fy_dates(fy)
    months = []
    year, month = first.year, first.month
    for _ in range(12):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_starts_utc(fy: int) -> list[datetime]:
    """13 UTC instants: the start of each month of the year (Bangkok time) and the year's end."""
    starts = [local_midnight_utc(date(y, m, 1)) for y, m in fy_months(fy)]
    return [*starts, fy_bounds(fy)[1]]


def month_label(year: int, month: int) -> str:
    """The report's month key: BE year and month, ``2565-10`` for October 2022."""
    return f"{year + BE_OFFSET}-{month:02d}"


def month_label_th(year: int, month: int) -> str:
    """A month for Thai readers: ``ต.ค. 2565``."""
    return f"{TH_MONTHS_ABBR[month - 1]} {year + BE_OFFSET}"
