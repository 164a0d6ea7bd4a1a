"""``lms worker`` restarts itself when its consumer stops taking tasks (lms/worker_watchdog.py).

A consumer stuck after a Redis restart (celery#8030, #10205) cannot be produced on demand, so
the test stops it the way an operator could: ``cancel_consumer`` on the worker's own queue.
From then on tasks wait in Redis and the worker receives none, which is exactly what a stuck
consumer looks like from outside.
"""

from __future__ import annotations

import pytest

from lms.extensions import db
from tests.conftest import require
from tests.service.test_notify_delivery import (  # noqa: F401  (fixtures)
    Env,
    db_url,
    make_users,
    redis_up,
    sink,
    statuses,
    wait_for,
)

pytestmark = pytest.mark.service


def test_a_worker_whose_consumer_stops_restarts_and_delivers(tmp_path, sink, db_url):  # noqa: F811
    from lms.notify import notify

    require(redis_up(), "Redis for the worker")
    env = Env(tmp_path, sink, db_url)
    cfg = env.instance / "lms.cfg"
    cfg.write_text(cfg.read_text() + "WORKER_WATCHDOG_SECONDS = 1.5\n")
    env.app = env.make_app()
    try:
        ids, emails = make_users(env.app, 4)
        worker = env.start_worker()
        with env.app.app_context():
            notify("announcement", ids[:2], {"subject": "First", "body": "B"})
            db.session.commit()
        wait_for(lambda: statuses(env.app, "email").count("sent") == 2, "the first emails")
        control = env.app.extensions["celery"].control
        replies = control.cancel_consumer(env.queue, reply=True, timeout=10)
        assert replies, "the worker did not answer the cancel_consumer command"
        with env.app.app_context():
            notify("announcement", ids[2:], {"subject": "Second", "body": "B"})
            db.session.commit()
        wait_for(lambda: statuses(env.app, "email").count("sent") == 4, "every email", 90)
        log = (env.instance / "worker0.log").read_text(errors="replace")
        assert "watchdog:" in log and "restarting the worker" in log
        assert worker.poll() is None  # the same process, restarted in place
        assert sorted(a["to"][0] for a in sink.accepted) == sorted(emails)
    finally:
        env.close()
