"""Site-wide state that every request reads, kept in each process until somebody changes it.

Every request needs to know which plugins an admin switched off (table ``plugin_state``) and
the site's theme choices (``plugin_setting``). Rather than read both tables on every request,
each process keeps what it read together with a *generation token* from the shared cache
(Redis), and per request reads only that token (one Redis ``GET``). Any committed write to
either table, through the ORM, SQLAlchemy Core or plain SQL on the app's engine, replaces the
token once the commit is done, so every web and worker process reads the tables again on its
next request: switching a plugin off still takes effect everywhere without a restart.

The token is read before the tables and replaced after the commit, so a process can never
keep an old answer under a new token. Without a shared cache (no ``REDIS_URL``) processes
cannot tell each other, so the tables are read on every request as before.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, g
from sqlalchemy import event

from lms.extensions import cache, db

log = logging.getLogger(__name__)

TOKEN_KEY = "site-generation"  # noqa: S105 (a cache key, not a secret)
WATCHED_TABLES = ("plugin_state", "plugin_setting")
_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCA", "DROP T", "ALTER ")
_CHANGED = "lms_site_changed"
_COMMITTED = "lms_site_committed"
#: A token lasts a day; the next one only makes every process read the tables once more.
TOKEN_SECONDS = 24 * 3600


class SiteCache:
    """Values computed from the watched tables, valid while the generation token stays."""

    def __init__(self, backend: Any, enabled: bool) -> None:
        self.backend = backend  # the app's Flask-Caching backend (Redis with REDIS_URL)
        self.enabled = enabled
        self._token: str | None = None
        self._values: dict[str, Any] = {}

    def get(self, name: str, load: Callable[[], Any]) -> Any:
        """The value ``name``: this process's copy if the site did not change since, else
        ``load()`` (kept for the next requests). Treat the answer as read-only."""
        token = self._request_token() if self.enabled else None
        if token is None:
            return load()
        if token != self._token:
            self._values = {}
            self._token = token
        if name not in self._values:
            self._values[name] = load()
        return self._values[name]

    def _request_token(self) -> str | None:
        """The generation token, read once per request (or task); ``None``: do not cache."""
        if "lms_site_token" in g:
            return g.lms_site_token
        try:
            token = self.backend.get(TOKEN_KEY)
            if token is None:  # never set, or the cache was emptied: start a generation
                # add: unless another process just did
                self.backend.add(TOKEN_KEY, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
                token = self.backend.get(TOKEN_KEY)
        except Exception:  # the cache is down: read the tables, as without one
            log.warning("site cache: the shared cache cannot be read", exc_info=True)
            token = None
        g.lms_site_token = token
        return token

    def changed(self) -> None:
        """The watched tables changed (after a commit): every process reads them again."""
        self._token = None
        self._values = {}
        if not self.enabled:
            return
        try:
            self.backend.set(TOKEN_KEY, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
        except Exception:
            log.error("site cache: could not tell the other processes of a change", exc_info=True)


def _writes_watched(statement: str) -> bool:
    head = statement.lstrip()[:6].upper()
    return head in _WRITES and any(t in statement for t in WATCHED_TABLES)


def init_app(app: Flask) -> SiteCache:
    """Create the app's site cache and watch its engine for writes to the watched tables.

    On by default when ``REDIS_URL`` is set; ``app.extensions["lms"].site_cache.enabled``
    can be set otherwise by tests that run every "process" inside one."""
    backend = app.extensions["cache"][cache]
    site_cache = SiteCache(backend, enabled=bool(app.config.get("REDIS_URL")))
    with app.app_context():
        engine = db.engine  # creating the engine does not connect

    @event.listens_for(engine, "after_cursor_execute")
    def _seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if _writes_watched(statement):
            conn.info[_CHANGED] = True

    # The "commit" event comes just before the database commits: note it there, and tell the
    # other processes once the connection is back in the pool, after the commit.
    @event.listens_for(engine, "commit")
    def _committing(conn) -> None:
        if conn.info.pop(_CHANGED, False):
            conn.info[_COMMITTED] = True

    @event.listens_for(engine, "rollback")
    def _rolled_back(conn) -> None:
        conn.info.pop(_CHANGED, None)

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, record) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            site_cache.changed()

    return site_cache


def shared_backend() -> Any:
    """The cache every process of the site shares (Redis, with ``REDIS_URL``), or ``None`` when
    processes share none: a value kept per process could then go stale in the others. For
    plugins that keep a per-user value of their own (see docs/plugins.md)."""
    from flask import current_app

    site_cache = getattr(current_app.extensions.get("lms"), "site_cache", None)
    enabled = site_cache.enabled if site_cache is not None else current_app.config.get("REDIS_URL")
    return current_app.extensions["cache"][cache] if enabled else None
