"""Workshop notifications (reminder the day before, a place freed from the waiting list) and
the navigation link to the workshops.

The event types are declared to the notification plugin through ``lms_notify_event_types``
(its ``EventType`` class, as docs/hooks.md shows); without that plugin there is nothing to
declare and :func:`lms.notify.notify` goes nowhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from lms.i18n import format_datetime
from lms_outreach.workshops import PROMOTED_EVENT, REMINDER_EVENT


def _when(data: dict[str, Any]) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(data.get("starts_at"))))
    except ValueError:
        return ""


def _url(data: dict[str, Any]) -> str:
    try:
        return url_for(
            "lms_outreach_workshops.detail", workshop_id=data.get("workshop_id"), _external=True
        )
    except (RuntimeError, BuildError):
        return ""


def render_reminder(data: dict[str, Any]) -> tuple[str, str, str]:
    title = data.get("title", "")
    return (
        _("Tomorrow: %(title)s", title=title),
        _(
            "Reminder: the workshop %(title)s starts at %(when)s, at %(place)s. "
            "Show the QR code of your registration at the door.",
            title=title,
            when=_when(data),
            place=data.get("place", ""),
        ),
        _url(data),
    )


def render_promoted(data: dict[str, Any]) -> tuple[str, str, str]:
    title = data.get("title", "")
    return (
        _("You have a place at %(title)s", title=title),
        _(
            "A place became free: you moved from the waiting list into the workshop %(title)s "
            "(%(when)s, %(place)s).",
            title=title,
            when=_when(data),
            place=data.get("place", ""),
        ),
        _url(data),
    )


def event_types() -> list:
    """``workshop_reminder`` and ``workshop_promoted`` for the notification plugin."""
    try:
        from lms_notify.events import EventType
    except ImportError:  # the notification plugin is not installed
        return []
    return [
        EventType(REMINDER_EVENT, _l("Workshop reminders (the day before)"), render_reminder),
        EventType(PROMOTED_EVENT, _l("A workshop place freed for you"), render_promoted),
    ]


def nav_items(user: Any) -> list:
    """ "Workshops" in the main navigation, for everyone (registration needs no account)."""
    from lms.ui import NavItem

    return [
        NavItem(
            _l("Workshops"), url_for("lms_outreach_workshops.index"), 45, "lms_outreach_workshops."
        )
    ]
