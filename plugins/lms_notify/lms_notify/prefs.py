"""Preferences: the mode per user, event and channel, and quiet hours (Asia/Bangkok)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from lms.extensions import db
from lms_notify.models import MODES, Preference, QuietHours

DEFAULT_QUIET = ("21:00", "07:00")

#: Default modes per audience group, for users without a stored preference (data, not code:
#: ``NOTIFY_AUDIENCE_DEFAULTS`` replaces it). Group code -> event code (``*``: every event)
#: -> channel -> mode. A user in several groups gets the first group listed here; channels
#: a group does not name keep the event type's default.
AUDIENCE_DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    # LINE is their everyday app; in the site too; no email, so no email digests either.
    "elderly": {"*": {"line": "immediate", "inapp": "immediate", "email": "never"}},
    # Guardians sign up for the youngest: LINE right away, email once a day.
    "early_childhood": {"*": {"line": "immediate", "inapp": "immediate", "email": "daily"}},
    # Staff keep records by email: everything by email right away.
    "staff": {"*": {"email": "immediate", "inapp": "immediate"}},
    # Phones first: LINE and the bell right away, email as a weekly summary.
    "youth": {"*": {"line": "immediate", "inapp": "immediate", "email": "weekly"}},
}


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


def audience_table() -> dict[str, dict[str, dict[str, str]]]:
    table = current_app.config.get("NOTIFY_AUDIENCE_DEFAULTS")
    return AUDIENCE_DEFAULTS if table is None else table


def _cache() -> dict[int, tuple[float, str | None]]:
    return current_app.extensions.setdefault("lms_notify_groups", {})


def _first_listed(groups: set[str]) -> str | None:
    return next((c for c in audience_table() if c in groups), None)


def _remember(codes: dict[int, str | None]) -> None:
    ttl = float(current_app.config.get("NOTIFY_AUDIENCE_CACHE_SECONDS", 3600))
    if ttl <= 0:
        return
    cache = _cache()
    if len(cache) + len(codes) > 200_000:
        cache.clear()
    until = monotonic() + ttl
    cache.update((uid, (until, code)) for uid, code in codes.items())


def audience_groups(users: list) -> dict[int, set[str]]:
    """Audience groups of ``users``, the union of every enabled plugin's answer: one call of
    ``lms_audience_groups_for_many`` for the list, then ``lms_audience_groups_for`` per user
    only of the plugins that do not implement the bulk hook (or answered ``None``)."""
    app = current_app._get_current_object()
    state = app.extensions["lms"]
    manager = state.plugins
    skip = set(state.disabled_now())
    out: dict[int, set[str]] = {u.id: set() for u in users}
    answered: set[str] = set()
    for name, answer in manager.results(
        "lms_audience_groups_for_many", app=app, skip=skip, users=users
    ):
        if not isinstance(answer, dict):
            continue
        answered.add(name)
        for uid, codes in answer.items():
            if uid in out and codes:
                out[uid].update(str(c) for c in codes if c)
    skip |= answered
    singles = manager.pm.hook.lms_audience_groups_for.get_hookimpls()
    if any(impl.plugin_name not in skip for impl in singles):
        for user in users:
            for _name, codes in manager.results(
                "lms_audience_groups_for", app=app, skip=skip, user=user
            ):
                codes = codes if isinstance(codes, list | tuple | set) else [codes]
                out[user.id].update(str(c) for c in codes if c)
    return out


def _group_codes(users: list) -> dict[int, str | None]:
    """The first listed audience group of each of ``users`` (``None``: no listed group),
    asked for the whole list at once through the hooks (see :func:`audience_groups`).
    Remembered in this process for ``NOTIFY_AUDIENCE_CACHE_SECONDS`` (3600)."""
    cache, now = _cache(), monotonic()
    out: dict[int, str | None] = {}
    missing = []
    for user in users:
        hit = cache.get(user.id)
        if hit is not None and hit[0] > now:
            out[user.id] = hit[1]
        else:
            missing.append(user)
    if missing:
        found = {uid: _first_listed(groups) for uid, groups in audience_groups(missing).items()}
        _remember(found)
        out.update(found)
    return out


def _group_code(user) -> str | None:
    """The first listed audience group ``user`` belongs to (see :func:`_group_codes`)."""
    return _group_codes([user]).get(user.id)


def _group_spec(user) -> dict[str, dict[str, str]] | None:
    code = _group_code(user)
    return audience_table().get(code) if code else None


def _modes(spec: dict[str, dict[str, str]], event: str) -> dict[str, str]:
    modes = {**spec.get("*", {}), **spec.get(event, {})}
    return {c: m for c, m in modes.items() if m in MODES}


def audience_modes(
    user_ids: list[int], event: str, defaults: dict[str, str] | None = None
) -> dict[int, dict[str, str]]:
    """Default modes for ``event`` per user from their audience group: ``user -> channel ->
    mode``. Users in no listed group are left out. With ``defaults`` (channel -> the event
    type's mode) nobody is looked up when no group would change any of them."""
    from lms.models import User

    table = audience_table()
    if not table or not user_ids:
        return {}
    if defaults is not None and all(
        defaults.get(c, m) == m for spec in table.values() for c, m in _modes(spec, event).items()
    ):
        return {}
    users = list(db.session.scalars(select(User).where(User.id.in_(user_ids))))
    out: dict[int, dict[str, str]] = {}
    for uid, code in _group_codes(users).items():  # the whole batch at once
        spec = table.get(code) if code else None
        if spec is not None:
            out[uid] = _modes(spec, event)
    return out


def audience_defaults(user, events: list[str]) -> dict[tuple[str, str], str]:
    """``(event, channel) -> mode`` defaults of one user's audience group (preferences page)."""
    spec = _group_spec(user) if audience_table() else None
    if spec is None:
        return {}
    return {(e, c): m for e in events for c, m in _modes(spec, e).items()}


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
