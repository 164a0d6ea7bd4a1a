"""Preferences: the mode per user, event and channel, and quiet hours (Asia/Bangkok)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms_notify.models import Preference, QuietHours

DEFAULT_QUIET = ("21:00", "07:00")


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Bangkok")


def _hm(value: str) -> time:
    h, _, m = value.partition(":")
    return time(int(h), int(m or 0))


def quiet_until(now: datetime, start: str, end: str, zone: ZoneInfo) -> datetime | None:
    """If ``now`` (aware) falls in the quiet hours ``start``-``end`` (local ``HH:MM``, may wrap
    past midnight), the UTC moment they end; otherwise ``None``."""
    local = now.astimezone(zone)
    s, e = _hm(start), _hm(end)
    if s == e:
        return None
    t = local.time().replace(tzinfo=None)
    if s < e:
        inside = s <= t < e
        end_day = local.date()
    else:  # wraps midnight, 21:00-07:00
        inside = t >= s or t < e
        end_day = local.date() + timedelta(days=1) if t >= s else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, e, tzinfo=zone).astimezone(now.tzinfo)


def modes_for(user_ids: list[int]) -> dict[tuple[int, str, str], str]:
    """Stored preferences of ``user_ids``: ``(user, event, channel) -> mode``."""
    rows = db.session.execute(
        select(Preference.user_id, Preference.event, Preference.channel, Preference.mode).where(
            Preference.user_id.in_(user_ids)
        )
    )
    return {(u, e, c): m for u, e, c, m in rows}


def quiet_for(user_ids: list[int]) -> dict[int, tuple[str, str] | None]:
    """Quiet hours per user: their own, or the site default (``NOTIFY_QUIET_HOURS``)."""
    default = tuple(current_app.config.get("NOTIFY_QUIET_HOURS") or DEFAULT_QUIET)
    out: dict[int, tuple[str, str] | None] = {u: default for u in user_ids}  # type: ignore[misc]
    rows = db.session.scalars(select(QuietHours).where(QuietHours.user_id.in_(user_ids)))
    for q in rows:
        out[q.user_id] = (q.start, q.end) if q.enabled else None
    return out


def set_mode(user_id: int, event: str, channel: str, mode: str) -> None:
    pref = db.session.get(Preference, (user_id, event, channel))
    if pref is None:
        db.session.add(Preference(user_id=user_id, event=event, channel=channel, mode=mode))
    else:
        pref.mode = mode


def set_quiet(user_id: int, enabled: bool, start: str = "21:00", end: str = "07:00") -> None:
    q = db.session.get(QuietHours, user_id) or QuietHours(user_id=user_id)
    q.enabled, q.start, q.end = enabled, start, end
    db.session.add(q)
