"""The unread count behind the bell, kept in the shared cache so pages ask no SQL for it.

Every signed-in page shows the count. With a shared cache (Redis) it is kept per user with a
version number: a commit that adds, reads or removes someone's messages raises their version
(after the commit, so no one caches a count the database has not got yet), and a cached count
is used only while its version is still the current one. A count computed while a change was
committing is stored under the version read *before* the count, so it is never taken for the
new state. Without a shared cache every page counts in SQL, as before.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.extensions import db

log = logging.getLogger(__name__)
KEEP_SECONDS = 3600
_CHANGED = "lms_inapp_unread_changed"


def _version_key(user_id: int) -> str:
    return f"lms-inapp-unread-version:{user_id}"


def _count_key(user_id: int) -> str:
    return f"lms-inapp-unread:{user_id}"


def keys(user_id: int) -> list[str]:
    """The shared-cache keys :func:`unread_count` reads for this user."""
    return [_version_key(user_id), _count_key(user_id)]


def count_sql(user_id: int) -> int:
    from lms_notify_inapp.models import InappMessage

    return (
        db.session.scalar(
            select(func.count(InappMessage.id)).where(
                InappMessage.user_id == user_id, InappMessage.read_at.is_(None)
            )
        )
        or 0
    )


def unread_count(user_id: int) -> int:
    """The user's unread in-site messages: once per request, from the shared cache while
    their messages did not change."""
    memo = g.setdefault("lms_inapp_unread", {}) if has_request_context() else {}
    if user_id in memo:
        return memo[user_id]
    from lms.site_cache import shared_backend

    backend = shared_backend()
    version = None
    if backend is not None:
        try:
            version, entry = backend.get_many(*keys(user_id))
        except Exception:  # the cache is down: count, as without one
            log.warning("in-site unread count: the shared cache cannot be read")
            backend = None
        else:
            version = version or 0
            if isinstance(entry, tuple) and entry[0] == version:
                memo[user_id] = entry[1]
                return entry[1]
    n = count_sql(user_id)
    if backend is not None:
        try:
            backend.set(_count_key(user_id), (version, n), timeout=KEEP_SECONDS)
        except Exception:
            log.warning("in-site unread count: the shared cache cannot be written")
    memo[user_id] = n
    return n


def changed(user_ids: Any) -> None:
    """Say that these users' messages change in the current transaction."""
    pending = db.session.info.setdefault(_CHANGED, set())
    pending.update(int(u) for u in user_ids)


def _after_commit(session: Session) -> None:
    users = session.info.pop(_CHANGED, None)
    if not users:
        return
    from lms.site_cache import shared_backend

    try:
        backend = shared_backend()
    except RuntimeError:  # no application context: nothing was cached either
        return
    if backend is None:
        return
    for user_id in users:
        try:
            backend.inc(_version_key(user_id))
        except Exception:  # the cached count may be stale until it expires
            log.error("in-site unread count: could not mark user %s changed", user_id)
    if has_request_context():
        g.pop("lms_inapp_unread", None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def install() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
