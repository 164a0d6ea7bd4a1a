"""The sent ledger: what lets a worker mark a whole batch ``sent`` in one commit and still never
send a message twice when it is killed mid-batch.

A channel whose effect lies outside the database (email, LINE) is not undone by a rollback. The
moment the remote side accepts a message the worker records the delivery in the ledger, one fast
round trip, before it sends the next; the database learns about the whole batch in one commit at
the end. A worker killed mid-batch leaves its rows ``sending``; when their lease expires, the
next worker to claim them first asks the ledger, and marks those already accepted ``sent``
without sending them again.

With Redis (``REDIS_URL``, the only setup where a separate worker can die under a batch) the
ledger is a Redis key per delivery, named after the database and the row (id and creation time),
so two sites or a recreated test database never share entries; entries live
``NOTIFY_LEDGER_SECONDS`` (7 days) and are deleted once the batch is committed. Without Redis
(the embedded default, or Redis failing mid-batch) :class:`CommitLedger` commits each mark
itself, the old one-commit-per-message way: slower, just as safe.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
_clients: dict[str, Any] = {}


def _row_key(prefix: str, delivery_id: int, created_at: Any) -> str:
    stamp = int(created_at.timestamp() * 1_000_000) if created_at is not None else 0
    return f"{prefix}:{delivery_id}:{stamp}"


class CommitLedger:
    """No external store: each mark commits the row's ``sent`` status at once."""

    durable_outside_db = False

    def __init__(self, commit_sent: Callable[[list[int]], None]) -> None:
        self._commit_sent = commit_sent

    def already_sent(self, rows: Iterable[tuple[int, Any]]) -> set[int]:
        return set()

    def mark(self, rows: list[tuple[int, Any]]) -> bool:
        """Record the deliveries ``rows`` (id, created_at) as accepted by the remote side.
        True if the caller still has to mark them sent in its batch commit."""
        self._commit_sent([i for i, _c in rows])
        return False

    def forget(self, rows: Iterable[tuple[int, Any]]) -> None:
        return None


class RedisLedger:
    """One Redis key per accepted delivery, until the batch's commit."""

    durable_outside_db = True

    def __init__(self, client: Any, prefix: str, ttl: int, fallback: CommitLedger) -> None:
        self.client, self.prefix, self.ttl, self.fallback = client, prefix, ttl, fallback
        self.broken = False

    def already_sent(self, rows: Iterable[tuple[int, Any]]) -> set[int]:
        rows = list(rows)
        if not rows:
            return set()
        keys = [_row_key(self.prefix, i, c) for i, c in rows]
        try:
            found = self.client.mget(keys)
        except Exception as exc:  # Redis away: the lease already kept these rows from others
            log.warning("notify ledger unreadable (%s)", type(exc).__name__)
            return set()
        return {i for (i, _c), v in zip(rows, found, strict=True) if v is not None}

    def mark(self, rows: list[tuple[int, Any]]) -> bool:
        if not self.broken:
            try:
                pipe = self.client.pipeline(transaction=False)  # one round trip for all
                for i, c in rows:
                    pipe.set(_row_key(self.prefix, i, c), b"1", ex=self.ttl)
                pipe.execute()
                return True
            except Exception as exc:  # Redis went away mid-batch: commit each mark instead
                log.warning("notify ledger unwritable, committing marks (%s)", type(exc).__name__)
                self.broken = True
        return self.fallback.mark(rows)

    def forget(self, rows: Iterable[tuple[int, Any]]) -> None:
        keys = [_row_key(self.prefix, i, c) for i, c in rows]
        if keys and not self.broken:
            try:
                self.client.delete(*keys)
            except Exception:  # they expire on their own
                log.info("notify ledger: %d entries left to expire", len(keys))


def _client(url: str) -> Any:
    client = _clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        _clients[url] = client
    return client


def for_batch(commit_sent: Callable[[list[int]], None]) -> CommitLedger | RedisLedger:
    """The ledger for one batch: Redis when configured (and tasks are not eager), else commits.
    ``commit_sent(ids)`` marks rows sent and commits (the fallback)."""
    from lms.tasks import eager

    fallback = CommitLedger(commit_sent)
    url = current_app.config.get("REDIS_URL") or ""
    if not url or eager() or current_app.config.get("NOTIFY_LEDGER") == "commit":
        return fallback
    ttl = int(current_app.config.get("NOTIFY_LEDGER_SECONDS", 7 * 86400))
    return RedisLedger(_client(url), prefix(), ttl, fallback)


def prefix() -> str:
    """The Redis key prefix of this site's ledger: named after its database."""
    from lms.extensions import db

    where = db.engine.url.render_as_string(hide_password=True)
    return "lms-notify:sent:" + hashlib.sha1(where.encode()).hexdigest()[:12]  # noqa: S324
