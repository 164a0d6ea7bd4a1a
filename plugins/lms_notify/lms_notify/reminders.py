"""Scheduled reminders: live classes 24 h and 1 h before, workshops the day before.

The beat task ``lms_notify.reminders`` runs every ``NOTIFY_REMINDER_SECONDS`` (300) and calls
:func:`run` with the current time. For each *offset* it asks the plugins, through the hook
``lms_notify_reminders(app, start, end)``, for the things starting in the offset's window and
raises each reminder whose event takes that offset (``NOTIFY_REMINDER_OFFSETS``). The
idempotency key is the reminder's ``key`` plus the offset, so overlapping windows, a beat that
runs twice, or a restarted worker never remind anyone twice.

Offsets: ``24h`` and ``1h`` ask for ``[now + offset - lookback, now + offset + interval)``
(``lookback`` = ``NOTIFY_REMINDER_LOOKBACK_SECONDS``, default three intervals, so a short beat
outage misses nothing); ``day`` asks, from ``NOTIFY_REMINDER_DAY_BEFORE_AT`` (09:00 site time)
on, for everything starting on the next calendar day (Asia/Bangkok).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app

from lms import plugins
from lms_notify import prefs

log = logging.getLogger(__name__)

DEFAULT_OFFSETS: dict[str, list[str]] = {
    "live_class_reminder": ["24h", "1h"],
    "workshop_reminder": ["day"],
}
FIXED = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}


def offsets() -> dict[str, list[str]]:
    """Which offsets each reminder event takes (events not listed: ``24h``)."""
    return {**DEFAULT_OFFSETS, **(current_app.config.get("NOTIFY_REMINDER_OFFSETS") or {})}


def windows(now: datetime) -> list[tuple[str, datetime, datetime]]:
    """``(offset, start, end)`` windows to ask for at ``now`` (aware UTC)."""
    interval = timedelta(seconds=float(current_app.config.get("NOTIFY_REMINDER_SECONDS", 300)))
    lookback = timedelta(
        seconds=float(
            current_app.config.get("NOTIFY_REMINDER_LOOKBACK_SECONDS", 3 * interval.seconds)
        )
    )
    out = [(name, now + d - lookback, now + d + interval) for name, d in FIXED.items()]
    zone = prefs.site_zone()
    local = now.astimezone(zone)
    h, _, m = str(current_app.config.get("NOTIFY_REMINDER_DAY_BEFORE_AT", "09:00")).partition(":")
    if local.time() >= time(int(h), int(m or 0)):
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
        day_after = datetime.combine(local.date() + timedelta(days=2), time(0), tzinfo=zone)
        out.append(("day", tomorrow.astimezone(now.tzinfo), day_after.astimezone(now.tzinfo)))
    return out


def _aware(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value if isinstance(value, datetime) else None


def run(now: datetime) -> int:
    """Raise the reminders due at ``now`` (aware UTC) and commit. Returns how many were
    raised (already-raised ones write nothing new and still count)."""
    from lms.extensions import db
    from lms.notify import notify

    takes = offsets()
    raised = 0
    for offset, start, end in windows(now):
        for r in plugins.call("lms_notify_reminders", start=start, end=end):
            if not isinstance(r, dict):  # a plugin returning None: nothing to remind
                continue
            event = r.get("event")
            at = _aware(r.get("at"))
            if not event or not r.get("key") or offset not in takes.get(event, ["24h"]):
                continue
            if at is not None and at <= now:  # already started: too late to remind
                continue
            data = dict(r.get("data") or {})
            data["key"] = f"{r['key']}:{offset}"
            data.setdefault("offset", offset)
            if at is not None:
                data.setdefault("starts_at", at.isoformat())
            recipients = [int(u) for u in r.get("recipients") or []]
            if recipients:
                notify(event, recipients, data)
                raised += 1
    db.session.commit()
    log.info("reminders: %d raised at %s", raised, now.isoformat())
    return raised
