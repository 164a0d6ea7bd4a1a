"""A watchdog for ``lms worker``: restarts a worker whose consumer has stopped taking tasks.

Celery's Redis transport has a long history of workers that reconnect after Redis restarts and
then never take another task ("worker stops consuming after Redis restart", celery#8030,
#9054, #10205). The outbox keeps every notification, but nothing goes out until someone
restarts the worker. This thread notices instead: every ``WORKER_WATCHDOG_SECONDS`` (default
60; 0 turns it off) it looks at the worker's queues in Redis. When tasks are waiting there at
two checks in a row, the worker is idle, and it has received nothing in between, the consumer is
stuck: the watchdog logs it and restarts the worker in place, the way Celery's own SIGHUP restart
does (warm shutdown, then the same command again under the same process id). If the warm
shutdown itself hangs, the process replaces itself after another period.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue as one list per priority step (0, 3, 6, 9).
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
_started: list[threading.Thread] = []


@dataclass
class Watch:
    """What the watchdog knows between checks (kept apart from Celery to test the rule)."""

    received: int = 0  # tasks this worker has received so far
    running: int = 0  # tasks running now
    strikes: int = 0
    _seen: int = field(default=0, repr=False)

    def check(self, waiting: int) -> bool:
        """One check, given the number of messages waiting in the worker's queues. True when
        the consumer looks stuck for the second check in a row."""
        idle_with_work = waiting > 0 and self.running == 0 and self.received == self._seen
        self._seen = self.received
        self.strikes = self.strikes + 1 if idle_with_work else 0
        return self.strikes >= 2


def waiting_messages(client: Any, queues: list[str]) -> int:
    """Messages waiting in ``queues`` on the Redis broker ``client``."""
    pipe = client.pipeline(transaction=False)
    for name in queues:
        for suffix in PRIORITY_SUFFIXES:
            pipe.llen(name + suffix)
    return sum(int(n or 0) for n in pipe.execute())


def _reexec() -> None:
    """Replace this process with the same worker command (after stopping the embedded beat)."""
    try:
        from billiard import active_children

        for child in active_children():
            child.terminate()
    except Exception:  # nothing to stop, or it is gone already
        log.debug("watchdog: no child processes to stop")
    os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 (our own command again)


def restart_worker() -> None:
    """Ask the worker for a warm shutdown that ends in the same command again (as SIGHUP)."""
    import atexit

    from celery.platforms import EX_OK
    from celery.worker import state

    atexit.register(_reexec)
    state.should_stop = EX_OK


def start(consumer: Any, interval: float) -> threading.Thread | None:
    """Watch ``consumer`` (the ``worker_ready`` sender) every ``interval`` seconds."""
    from celery import signals

    app = consumer.app
    url = app.conf.broker_url or ""
    if _started or interval <= 0 or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    watch = Watch()

    def on_received(**_kw: Any) -> None:
        watch.received += 1

    def on_prerun(**_kw: Any) -> None:
        watch.running += 1

    def on_postrun(**_kw: Any) -> None:
        watch.running = max(0, watch.running - 1)

    signals.task_received.connect(on_received, weak=False)
    signals.task_prerun.connect(on_prerun, weak=False)
    signals.task_postrun.connect(on_postrun, weak=False)

    def queues() -> list[str]:
        task_consumer = getattr(consumer, "task_consumer", None)
        names = [q.name for q in getattr(task_consumer, "queues", None) or []]
        return names or [app.conf.task_default_queue]

    def run() -> None:
        while True:
            time.sleep(interval)
            try:
                waiting = waiting_messages(client, queues())
            except Exception as exc:  # Redis away: the consumer is reconnecting on its own
                log.info("watchdog: broker not readable (%s)", type(exc).__name__)
                watch.strikes = 0
                continue
            if watch.check(waiting):
                log.error(
                    "watchdog: %d tasks waiting and none received for %.0f s; restarting the"
                    " worker",
                    waiting,
                    2 * interval,
                )
                restart_worker()
                time.sleep(max(interval, 30.0))
                log.error("watchdog: the warm shutdown did not finish; replacing the process")
                _reexec()

    thread = threading.Thread(target=run, name="lms-worker-watchdog", daemon=True)
    thread.start()
    _started.append(thread)
    return thread
