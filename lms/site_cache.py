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
            backend = request_view(self.backend)  # in a request: with the page's keys
            token = backend.get(TOKEN_KEY)
            if token is None:  # never set, or the cache was emptied: start a generation
                # add: unless another process just did
                backend.add(TOKEN_KEY, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
                token = backend.get(TOKEN_KEY)
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


class RequestView:
    """The shared cache as one request sees it: its first read fetches, in the same round trip,
    every key a page is known to read (the generation token, and the keys plugins name in
    ``lms_shared_cache_keys`` for the signed-in user), and later reads of those keys are
    answered from that. Writes go to the cache and drop the key's fetched value, so a read
    after a write asks the cache again. Everything else is the backend's own."""

    def __init__(self, backend: Any, keys: Callable[[], list[str]]) -> None:
        self.backend = backend
        self._keys = keys
        self._fetched: dict[str, Any] | None = None

    def _prefetch(self, wanted: tuple[str, ...]) -> dict[str, Any]:
        if self._fetched is None:
            keys = list(dict.fromkeys([*wanted, *self._keys()]))
            self._fetched = dict(zip(keys, self.backend.get_many(*keys), strict=True))
        return self._fetched

    def get_many(self, *keys: str) -> list[Any]:
        fetched = self._prefetch(keys)
        missing = [k for k in keys if k not in fetched]
        if missing:
            fetched.update(zip(missing, self.backend.get_many(*missing), strict=True))
        return [fetched[k] for k in keys]

    def get(self, key: str) -> Any:
        return self.get_many(key)[0]

    def _written(self, key: str) -> None:
        if self._fetched is not None:
            self._fetched.pop(key, None)

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        self._written(key)
        return self.backend.set(key, value, timeout=timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        self._written(key)
        return self.backend.add(key, value, timeout=timeout)

    def inc(self, key: str, delta: int = 1) -> Any:
        self._written(key)
        return self.backend.inc(key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        self._written(key)
        return self.backend.dec(key, delta)

    def delete(self, key: str) -> Any:
        self._written(key)
        return self.backend.delete(key)

    def delete_many(self, *keys: str) -> Any:
        for key in keys:
            self._written(key)
        return self.backend.delete_many(*keys)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)


def _page_keys() -> list[str]:
    """The keys a page of the signed-in user reads: the token and the plugins' keys."""
    from flask import current_app, session

    keys = [TOKEN_KEY]
    user_id = session.get("_user_id")  # Flask-Login's: the id given to the user loader
    if isinstance(user_id, str) and user_id.isdigit():
        # Not plugins.call: that asks which plugins are off, which reads the token (this).
        state = current_app.extensions["lms"]
        for _name, found in state.plugins.results(
            "lms_shared_cache_keys", app=current_app._get_current_object(), user_id=int(user_id)
        ):
            keys.extend(found)
    return keys


def shared_backend() -> Any:
    """The cache every process of the site shares (Redis, with ``REDIS_URL``), or ``None`` when
    processes share none: a value kept per process could then go stale in the others. For
    plugins that keep a per-user value of their own (see docs/plugins.md). In a request it is
    the request's :class:`RequestView` of it: one round trip for the keys every page reads."""
    from flask import current_app

    site_cache = getattr(current_app.extensions.get("lms"), "site_cache", None)
    enabled = site_cache.enabled if site_cache is not None else current_app.config.get("REDIS_URL")
    if not enabled:
        return None
    return request_view(current_app.extensions["cache"][cache])


def request_view(backend: Any) -> Any:
    """``backend`` as the current request sees it (:class:`RequestView`); outside a request,
    ``backend`` itself."""
    from flask import has_request_context

    if not has_request_context():
        return backend
    view = g.get("lms_shared_cache")
    if view is None or view.backend is not backend:
        view = g.lms_shared_cache = RequestView(backend, _page_keys)
    return view
