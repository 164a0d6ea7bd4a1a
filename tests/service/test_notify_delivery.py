"""Notification delivery against the real Redis, a real Celery worker (a subprocess, with its
embedded beat running the sweep) and a real SMTP server on loopback (aiosmtpd).

Test and worker share a database: a PostgreSQL database of the test's own when
``LMS_TEST_DATABASE_URL`` names a PostgreSQL server (created and dropped on that server), else
a SQLite file. Each test uses its own Celery queue on the shared Redis; the test that stops
Redis runs a redis-server of its own on another port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import create_app
from lms.extensions import db
from tests.conftest import require

pytestmark = pytest.mark.service
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
LMS_BIN = str(Path(sys.executable).parent / "lms")


def redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


class Sink:
    """An aiosmtpd handler: records accepted messages; can answer 451 or hang on DATA."""

    def __init__(self):
        self.accepted: list[dict] = []
        self.refuse_first = 0
        self.hang_at: int | None = None  # hang from the Nth DATA (1-based) until released
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.data_calls = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes
        from email.policy import default

        self.data_calls += 1
        if self.refuse_first > 0:
            self.refuse_first -= 1
            return "451 4.3.0 Try again later"
        hang = self.hang_at is not None and self.data_calls >= self.hang_at
        if hang and not self.release.is_set():  # until released; later calls go through
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Aborted"
        msg = message_from_bytes(envelope.content, policy=default)
        self.accepted.append({"to": envelope.rcpt_tos, "id": msg["Message-ID"], "msg": msg})
        return "250 OK"


@pytest.fixture
def sink():
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Sink()
    handler.port = port
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler
    handler.release.set()
    controller.stop()


class Env:
    def __init__(self, tmp_path: Path, sink: Sink, db_url: str, redis_url: str = REDIS_URL):
        self.instance = tmp_path / "instance"
        self.instance.mkdir()
        self.queue = f"lms-test-{uuid.uuid4().hex[:10]}"
        self.db_url = db_url
        self.redis_url = redis_url
        settings = {
            "SECRET_KEY": "service-test",
            "DATABASE_URL": self.db_url,
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": self.queue,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": sink.port,
            "SERVER_NAME": "lms.test",
            "NOTIFY_SWEEP_SECONDS": 1,
            "NOTIFY_SWEEP_GRACE_SECONDS": 1,
            "NOTIFY_LEASE_SECONDS": 3,
            "NOTIFY_RETRY_BASE_SECONDS": 0.5,
            "NOTIFY_BATCH_SIZE": 10,
            # No site-wide quiet hours, so the result does not depend on the time of day; the
            # quiet-hours test sets the user's own window.
            "NOTIFY_QUIET_HOURS": ("00:00", "00:00"),
            # A consumer stuck after Redis comes back restarts within seconds, not a minute.
            "WORKER_WATCHDOG_SECONDS": 5,
        }
        if db_url.startswith("sqlite"):
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
        (self.instance / "lms.cfg").write_text(
            "".join(f"{k} = {v!r}\n" for k, v in settings.items())
        )
        self.workers: list[subprocess.Popen] = []
        self.app = self.make_app()
        with self.app.app_context():
            db.create_all()

    def make_app(self, **overrides):
        return create_app({"INSTANCE_PATH": str(self.instance), "TESTING": True, **overrides})

    def start_worker(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_") or k == "LMS_TEST_X"}
        env["LMS_INSTANCE_PATH"] = str(self.instance)
        log = open(self.instance / f"worker{len(self.workers)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                LMS_BIN,
                "worker",
                "-P",
                "solo",
                "-B",
                "-s",
                str(self.instance / "beat"),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the embedded beat is a child
        )
        log.close()
        self.workers.append(proc)
        return proc

    def close(self):
        # Shown by pytest only when the test fails: what the workers (and embedded beat) said.
        for log in sorted(self.instance.glob("worker*.log")):
            lines = log.read_text(errors="replace").splitlines()
            print(f"--- {log.name}, last {min(len(lines), 80)} of {len(lines)} lines")
            print("\n".join(lines[-80:]))
        for p in self.workers:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(15)
            with contextlib.suppress(ProcessLookupError):  # beat child, or a stuck worker
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        import redis

        r = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2)
        with contextlib.suppress(redis.ConnectionError):
            for key in r.scan_iter(match=f"*{self.queue}*"):  # this test's queue only
                r.delete(key)
        r.close()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def db_url(request, tmp_path):
    """A PostgreSQL database of this test's own under LMS_TEST_DATABASE_URL=postgresql...,
    else a SQLite file."""
    if os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"):
        return request.getfixturevalue("empty_pg_database")
    return f"sqlite:///{tmp_path}/notify.db"


@pytest.fixture
def env(tmp_path, sink, db_url):
    require(redis_up(), f"Redis at {REDIS_URL}")
    e = Env(tmp_path, sink, db_url)
    yield e
    e.close()


def wait_for(condition, what: str, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def statuses(app, channel: str, event: str = "announcement") -> list[str]:
    from lms_notify.models import Delivery

    with app.app_context():
        return list(
            db.session.scalars(
                select(Delivery.status).where(Delivery.channel == channel, Delivery.event == event)
            )
        )


def ledger_entries(app) -> int:
    """Deliveries this site's worker recorded as accepted and has not committed yet."""
    import redis
    from lms_notify import ledger

    with app.app_context():
        prefix = ledger.prefix()
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return sum(1 for _ in client.scan_iter(match=prefix + ":*"))
    finally:
        client.close()


def make_users(app, n: int, course: bool = False):
    from lms.models import User

    with app.app_context():  # no password hashing: these users never log in
        users = [
            User(name=f"L{i}", email=f"svc{i}-{uuid.uuid4().hex[:6]}@example.com") for i in range(n)
        ]
        db.session.add_all(users)
        db.session.commit()
        return [u.id for u in users], [u.email for u in users]


def test_enrolment_produces_exactly_one_email(env, sink):
    from lms.courses import add_enrolment
    from lms.models import Course, User
    from tests import factories

    env.start_worker()
    with env.app.app_context():
        learner = factories.user(email="enrol@example.com")
        course = factories.course(title="Weaving")
        add_enrolment(db.session.get(User, learner.id), db.session.get(Course, course.id))
        db.session.commit()
    wait_for(lambda: len(sink.accepted) >= 1, "the enrolment email")
    wait_for(lambda: statuses(env.app, "email", "enrolled") == ["sent"], "the delivery marked sent")
    time.sleep(1.5)  # let the sweep run again: nothing more may arrive
    assert len(sink.accepted) == 1
    assert sink.accepted[0]["to"] == ["enrol@example.com"]
    assert "Weaving" in sink.accepted[0]["msg"]["Subject"]


def test_smtp_451_then_250_delivers_once_after_retry(env, sink):
    from lms_notify.models import Delivery

    from lms.notify import notify

    sink.refuse_first = 1
    env.start_worker()
    ids, _emails = make_users(env.app, 1)
    with env.app.app_context():
        notify("announcement", ids, {"subject": "Retry me", "body": "B"})
        db.session.commit()
    wait_for(lambda: statuses(env.app, "email") == ["sent"], "the retried delivery")
    assert sink.data_calls == 2
    assert len(sink.accepted) == 1
    with env.app.app_context():
        row = db.session.scalars(
            select(Delivery).where(Delivery.channel == "email", Delivery.event == "announcement")
        ).one()
        assert row.attempts == 2


def test_worker_killed_mid_batch_delivers_each_message_once(env, sink):
    from lms.notify import notify

    ids, emails = make_users(env.app, 30)
    sink.hang_at = 8
    worker = env.start_worker()
    with env.app.app_context():
        notify("announcement", ids, {"subject": "Once only", "body": "B"})
        db.session.commit()
    assert sink.hanging.wait(90), "the worker never reached the 8th message"
    accepted = len(sink.accepted)  # 7: messages 8... hang on their own connections
    assert accepted == 7
    # The batch is not committed yet; wait until the worker has put what the server accepted
    # in the sent ledger (it does so before it goes on), so the kill lands mid-batch after it.
    wait_for(lambda: ledger_entries(env.app) >= accepted, "the accepted messages in the ledger")
    os.killpg(worker.pid, signal.SIGKILL)  # mid-send (the SMTP server has not answered);
    # the whole process group dies, as in a crashed container: worker and embedded beat
    worker.wait()
    sink.release.set()
    # Seven accepted, none marked sent: the batch's outcome is one commit that never happened.
    assert statuses(env.app, "email").count("sent") == 0
    env.start_worker()
    wait_for(lambda: statuses(env.app, "email").count("sent") == 30, "every email after restart")
    time.sleep(1.5)
    got = [a["to"][0] for a in sink.accepted]
    assert sorted(got) == sorted(emails)  # every recipient exactly once
    assert len({a["id"] for a in sink.accepted}) == 30


def test_redis_down_loses_nothing(env, sink):
    from lms.notify import notify

    ids, emails = make_users(env.app, 5)
    dead = env.make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    with dead.app_context():
        notify("announcement", ids, {"subject": "Waiting", "body": "B"})
        db.session.commit()  # enqueueing fails; the rows wait in the outbox
        db.engine.dispose()
    assert set(statuses(env.app, "email")) == {"pending"}
    env.start_worker()  # Redis is back: the beat sweep finds the waiting rows
    wait_for(lambda: statuses(env.app, "email").count("sent") == 5, "the waiting emails")
    assert sorted(a["to"][0] for a in sink.accepted) == sorted(emails)


def test_quiet_hours_hold_email_but_not_inapp(env, sink):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from lms_notify import prefs

    from lms.notify import notify

    ids, _emails = make_users(env.app, 1)
    now = datetime.now(ZoneInfo("Asia/Bangkok"))
    with env.app.app_context():
        prefs.set_quiet(
            ids[0],
            True,
            (now - timedelta(hours=1)).strftime("%H:%M"),
            (now + timedelta(hours=2)).strftime("%H:%M"),
        )
        db.session.commit()
    env.start_worker()
    with env.app.app_context():
        notify("announcement", ids, {"subject": "Night", "body": "B"})
        db.session.commit()
    wait_for(lambda: statuses(env.app, "inapp") == ["sent"], "the in-site notification")
    time.sleep(2.5)  # several sweeps run meanwhile
    assert statuses(env.app, "email") == ["pending"]
    assert sink.accepted == []


class OwnRedis:
    """A redis-server of the test's own on a free loopback port (no persistence), so stopping
    it never touches the machine's Redis."""

    def __init__(self, tmp_path: Path) -> None:
        import shutil
        import socket

        self.binary = shutil.which("redis-server")
        require(self.binary is not None, "redis-server on PATH")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(up, "our redis-server", 20)
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    r = OwnRedis(tmp_path)
    r.start()
    yield r
    r.stop()


def test_redis_stopped_and_restarted_loses_nothing(tmp_path, sink, db_url, own_redis):
    from lms.notify import notify

    env = Env(tmp_path, sink, db_url, redis_url=own_redis.url)
    try:
        ids, emails = make_users(env.app, 6)
        env.start_worker()
        with env.app.app_context():
            notify("announcement", ids[:3], {"subject": "Before", "body": "B"})
            db.session.commit()
        wait_for(lambda: len(sink.accepted) == 3, "the emails sent before Redis stops")
        own_redis.stop()  # the queue, and anything in it, is gone with it
        with env.app.app_context():
            notify("announcement", ids[3:], {"subject": "While down", "body": "B"})
            db.session.commit()  # enqueueing fails fast; the rows wait in the outbox
        assert statuses(env.app, "email").count("pending") == 3
        time.sleep(2)
        own_redis.start()  # worker and beat reconnect; the sweep finds the waiting rows
        wait_for(lambda: statuses(env.app, "email").count("sent") == 6, "every email", 120)
        time.sleep(1.5)
        assert sorted(a["to"][0] for a in sink.accepted) == sorted(emails)
        assert len({a["id"] for a in sink.accepted}) == 6
    finally:
        env.close()


def test_redis_stopped_while_a_delivery_is_in_flight(tmp_path, sink, db_url, own_redis):
    """Redis goes away while the worker holds a delivery it has not acknowledged yet (tasks
    acknowledge late): the same worker reconnects when Redis is back, and every email arrives
    once. Celery 5.7.0's worker exits here instead: after a lost connection it collects the
    connection and then closes it, and closing restores the unacknowledged message through the
    collected transport (AttributeError: 'NoneType' object has no attribute 'hostname'). So
    setup.cfg keeps celery below 5.7."""
    from lms.notify import notify

    env = Env(tmp_path, sink, db_url, redis_url=own_redis.url)
    try:
        ids, emails = make_users(env.app, 3)
        sink.hang_at = 1  # the first DATA waits until released, then answers 451
        worker = env.start_worker()
        with env.app.app_context():
            notify("announcement", ids, {"subject": "In flight", "body": "B"})
            db.session.commit()
        wait_for(sink.hanging.is_set, "a delivery in flight")
        own_redis.stop()
        time.sleep(1)
        sink.release.set()  # that attempt fails (451); its acknowledgement cannot reach Redis
        log = env.instance / "worker0.log"
        # The task ends, its acknowledgement fails, and the consumer notices the lost broker.
        wait_for(lambda: "Connection to broker lost" in log.read_text(errors="replace"), "it")
        time.sleep(1)
        assert worker.poll() is None, "the worker exited when Redis went away"
        own_redis.start()
        wait_for(lambda: statuses(env.app, "email").count("sent") == 3, "every email", 120)
        time.sleep(1.5)
        assert worker.poll() is None
        assert sorted(a["to"][0] for a in sink.accepted) == sorted(emails)
        assert len({a["id"] for a in sink.accepted}) == 3
    finally:
        env.close()
