"""What the outreach plugin's benchmark generator (bench.py) decided, shared by its steps:
the plan, the per-year tallies the targets come from, and the constants of the site's shape."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lms_outreach import fiscal
from lms_outreach.kinds import AUDIENCES, ONLINE, ONSITE

EVENT = "event"
LEARNERS_PER_WORKSHOP = 150
AUDIENCE_CODES = tuple(code for code, _th, _en in AUDIENCES)
#: Weights of the groups among people without a group from the audience plugin
#: (bench/bench_outreach.py's, without its "none").
AUDIENCE_WEIGHTS = (8, 30, 30, 15, 12)
#: Headcount-only activities (fairs, village sessions, live streams: a total, no names) over
#: the period: one per this many learners, at least ``MIN_HEADCOUNT_ACTIVITIES``.
LEARNERS_PER_HEADCOUNT = 40
MIN_HEADCOUNT_ACTIVITIES = 5
#: Share of the rows left after workshops, courses and headcounts that are ``event`` rows of
#: people; the rest are online class attendances (bench_outreach.py: online 55, event 5).
EVENT_SHARE = 0.06
#: Headcount-only activities by kind (fairs and exhibitions, village workshops, live streams).
HEADCOUNT_KINDS = ((EVENT, 6), (ONSITE, 3), (ONLINE, 1))
CAPACITIES = (20, 25, 30, 30, 40, 50, 60)


@dataclass
class _Tally:
    """Figures of one fiscal year as the dashboard's KPIs count them (for the targets)."""

    sources: dict[str, set[str]] = field(default_factory=dict)  # kind -> activity sources
    participants: dict[str, int] = field(default_factory=dict)  # kind -> sum of headcounts
    people: set[int] = field(default_factory=set)
    reach: int = 0
    impressions: int = 0

    def add(self, kind: str, source: str, headcount: int) -> None:
        self.sources.setdefault(kind, set()).add(source)
        self.participants[kind] = self.participants.get(kind, 0) + headcount


@dataclass
class _Plan:
    """What the generator decided, shared by its steps."""

    rng: random.Random
    now: datetime
    start: datetime  # the previous fiscal year's first moment: nothing happens before
    fy: int  # the current fiscal year (BE)
    learners: list[int]
    audience: dict[int, str | None]
    district: dict[int, str | None]
    districts: list[dict[str, str]]
    stamp: Callable[[datetime], datetime]
    tallies: dict[int, _Tally] = field(default_factory=dict)
    tickets: list[int] | None = None

    def tally(self, moment: datetime) -> _Tally:
        return self.tallies.setdefault(fiscal.fiscal_year_of(moment), _Tally())

    def moment(self, start: datetime | None = None, end: datetime | None = None) -> datetime:
        """A random moment in ``[start, end)`` (default: the whole period up to now)."""
        start, end = start or self.start, end or self.now
        return start + timedelta(
            seconds=self.rng.randrange(max(1, int((end - start).total_seconds())))
        )


@dataclass
class _Checkin:
    """A check-in at a held workshop: the participation event ``check_in`` records."""

    workshop: Any  # the workshop's index, then its row
    user_id: int | None
    audience: str | None
    district: str | None


def _random_audience(rng: random.Random) -> str:
    return rng.choices(AUDIENCE_CODES, AUDIENCE_WEIGHTS)[0]


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _same(moment: datetime) -> datetime:
    return moment
