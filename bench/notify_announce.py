"""Benchmark: an announcement to N learners (default 10,000) end to end into an SMTP sink.

Real Redis (LMS_TEST_REDIS_URL or redis://127.0.0.1:6379/15), one `lms worker` (solo pool),
aiosmtpd on loopback, a SQLite file (or BENCH_DATABASE_URL, e.g. a PostgreSQL database of
its own: the run drops and creates every table there). Only the email channel is measured
(the in-site channel is disabled for the run). Prints the time from `lms notify announce`
to the last accepted message.

    .venv/bin/python bench/notify_announce.py [N]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
BIN = Path(sys.executable).parent


class Count:
    n = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        Count.n += 1
        return "250 OK"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(Count(), hostname="127.0.0.1", port=port)
    ctl.start()
    queue = f"lms-bench-{uuid.uuid4().hex[:8]}"
    settings = {
        "SECRET_KEY": "bench",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db",
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "DISABLED_PLUGINS": ["lms_notify_inapp"],
        "LOG_LEVEL": "WARNING",
    }
    if settings["DATABASE_URL"].startswith("sqlite"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 60}}
    (tmp / "lms.cfg").write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["LMS_INSTANCE_PATH"] = str(tmp)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["LMS_INSTANCE_PATH"] = str(tmp)
    from lms import create_app
    from lms.extensions import db
    from lms.models import User

    app = create_app()
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(
            User.__table__.insert(),
            [
                {
                    "name": f"L{i}",
                    "email": f"l{i}@example.com",
                    "is_active_account": True,
                    "created_at": now,
                }
                for i in range(N)
            ],
        )
        db.session.commit()
    worker = subprocess.Popen(
        [
            str(BIN / "lms"),
            "worker",
            "-P",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    start = time.monotonic()
    subprocess.run(
        [str(BIN / "lms"), "notify", "announce", "--all", "--subject", "Bench", "--body", "Hello"],
        env=env,
        check=True,
    )
    deadline = start + 1800
    while Count.n < N and time.monotonic() < deadline:
        time.sleep(0.2)
    took = time.monotonic() - start
    worker.terminate()
    worker.wait()
    ctl.stop()
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(match=f"*{queue}*"):
        r.delete(key)
    print(f"{Count.n} of {N} emails delivered in {took:.1f} s: {Count.n / took:.0f} per second")


if __name__ == "__main__":
    main()
