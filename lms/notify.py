"""Raising notification events. The notification plugin stores them in its outbox, in the
caller's transaction, and delivers them later; with no such plugin they go nowhere."""

from __future__ import annotations

from typing import Any

from lms import plugins


def notify(event: str, recipients: list[int], data: dict[str, Any] | None = None) -> None:
    """Raise notification ``event`` (``"enrolled"``) for the users ``recipients`` (ids)."""
    if recipients:
        plugins.call("lms_notify_event", event=event, recipients=list(recipients), data=data or {})
