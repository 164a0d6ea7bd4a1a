"""Participation events: "this person (or this headcount) took part in this, on this date".

The core and plugins call :func:`record`; whichever plugin implements
``lms_participation_record`` (the outreach plugin) stores them. With no such plugin installed
the events go nowhere, by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lms import plugins
from lms.models.base import utcnow

CORE_KINDS = ("online_class", "onsite_workshop", "event", "course_enrolment", "course_completion")


@dataclass
class ParticipationEvent:
    kind: str
    source: str  # what the person took part in, e.g. "course:12" or "workshop:4"
    occurred_at: datetime = field(default_factory=utcnow)
    user_id: int | None = None
    headcount: int = 1
    audience: str | None = None
    district: str | None = None
    extra: dict = field(default_factory=dict)


def record(**kwargs) -> ParticipationEvent:
    """Report a participation event to every plugin that stores them."""
    event = ParticipationEvent(**kwargs)
    plugins.call("lms_participation_record", event=event)
    return event
