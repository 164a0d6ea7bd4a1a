"""Event types: what each notification event is called and how it reads, in Thai and English.

Plugins declare theirs through the ``lms_notify_event_types`` hook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from lms import plugins

Renderer = Callable[[dict[str, Any]], tuple[str, str, str]]


@dataclass
class EventType:
    """``render(data)`` returns ``(subject, text, url)``; it runs under the recipient's locale.

    ``defaults`` maps a channel key to a default mode (``immediate``, ``daily``, ``weekly``,
    ``never``); channels not named get ``default_mode``. ``user_choice`` False hides it from
    the preferences page (always immediate: password reset, digests).
    """

    code: str
    label: Any
    render: Renderer
    defaults: dict[str, str] = field(default_factory=dict)
    default_mode: str = "immediate"
    user_choice: bool = True

    def mode_for(self, channel: str) -> str:
        return self.defaults.get(channel, self.default_mode)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL, or "" where none can be built (a worker without ``SERVER_NAME``)."""
    try:
        return url_for(endpoint, _external=True, **values)
    except (RuntimeError, BuildError):
        return ""


def _course_url(data: dict[str, Any]) -> str:
    cid = data.get("course_id")
    return external_url("catalog.course", course_id=cid) if cid else ""


def _enrolled(data):
    title = data.get("course_title", "")
    return (
        _("You are enrolled in %(title)s", title=title),
        _("Welcome to %(title)s. You can start learning now.", title=title),
        _course_url(data),
    )


def _completed(data):
    title = data.get("course_title", "")
    return (
        _("You completed %(title)s", title=title),
        _("Congratulations: you finished every required activity of %(title)s.", title=title),
        _course_url(data),
    )


def _published(data):
    title = data.get("course_title", "")
    return (
        _("New course: %(title)s", title=title),
        _("A new course is open for enrolment: %(title)s.", title=title),
        _course_url(data),
    )


def _announcement(data):
    return str(data.get("subject", "")), str(data.get("body", "")), _course_url(data)


def _nudge(data):
    title = data.get("course_title", "")
    return (
        _("We miss you in %(title)s", title=title),
        _(
            "You have not visited %(title)s for %(days)s days. Pick up where you left off.",
            title=title,
            days=data.get("days", ""),
        ),
        _course_url(data),
    )


def _when(data) -> str:
    from lms.i18n import format_datetime

    raw = data.get("starts_at")
    try:
        return format_datetime(datetime.fromisoformat(raw)) if raw else ""
    except (TypeError, ValueError):
        return ""


def _live_reminder(data):
    title = data.get("title", "")
    if data.get("offset") == "1h":
        subject = _("Live class in an hour: %(title)s", title=title)
    else:
        subject = _("Live class tomorrow: %(title)s", title=title)
    text = _(
        "The live class %(title)s of %(course)s starts at %(when)s. "
        "The join button opens shortly before the start.",
        title=title,
        course=data.get("course_title", ""),
        when=_when(data),
    )
    aid = data.get("activity_id")
    url = external_url("learn.activity", activity_id=aid) if aid else _course_url(data)
    return subject, text, url


def _digest(data):
    items = data.get("items") or []
    kind = _("Daily summary") if data.get("kind") == "daily" else _("Weekly summary")
    lines = [f"- {i.get('subject', '')}" for i in items]
    return (
        _("%(kind)s: %(n)s notifications", kind=kind, n=len(items)),
        "\n".join(lines),
        external_url("lms_notify.preferences"),
    )


def _generic(data):
    return str(data.get("subject", "")), str(data.get("body", "")), str(data.get("url", ""))


BUILTIN = [
    EventType("enrolled", _l("You were enrolled in a course"), _enrolled),
    EventType("course_completed", _l("You completed a course"), _completed),
    EventType(
        "course_published",
        _l("A new course was published"),
        _published,
        default_mode="weekly",
        defaults={"inapp": "immediate"},
    ),
    EventType("announcement", _l("Announcements"), _announcement),
    EventType("inactive_nudge", _l("Reminders when you have not visited a course"), _nudge),
    EventType(
        "live_class_reminder",
        _l("Live class reminders (a day and an hour before)"),
        _live_reminder,
    ),
    EventType("digest", _l("Summaries"), _digest, user_choice=False),
]


def registry() -> dict[str, EventType]:
    types = {t.code: t for t in BUILTIN}
    for t in plugins.call("lms_notify_event_types"):
        types.setdefault(t.code, t)
    return types


def render(
    event: str, data: dict[str, Any], locale: str, types: dict[str, EventType] | None = None
) -> tuple[str, str, str]:
    """Render ``event`` in ``locale``; pass ``types`` (:func:`registry`) when rendering many."""
    et = (types if types is not None else registry()).get(event)
    with force_locale(locale):
        subject, text, url = (et.render if et else _generic)(data)
        return str(subject), str(text), str(url)
