"""Benchmark: an announcement to N learners (default 10,000) end to end into an SMTP sink.

Real Redis (LMS_TEST_REDIS_URL or redis://127.0.0.1:6379/15), one `lms worker` (solo pool),
aiosmtpd on loopback in this process, and each database asked for: a SQLite file, and a
PostgreSQL database of its own (created on the server of ``BENCH_PG_ADMIN_DSN``, default
``host=127.0.0.1 port=5432 dbname=test user=postgres``, and dropped afterwards). Only the email
channel is measured (the in-site channel is disabled for the run). Measures the time from
`lms notify announce --all` to the last accepted message, checks that every message arrived
exactly once (distinct Message-IDs), and writes the table to docs/benchmarks-notify.md
(``--no-write``: printed only). ``--json FILE`` also writes the results as JSON (a list of
runs, see :func:`run`); ``make bench`` (bench/run.py) runs it that way, with ``--no-write``.

    .venv/bin/python bench/notify_announce.py [N] [--db sqlite,postgresql] [--set KEY=VALUE]
        [--append] [--no-write] [--json FILE]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
PG_ADMIN_DSN = os.environ.get(
    "BENCH_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres"
)
BIN = Path(sys.executable).parent
OUT = ROOT / "docs" / "benchmarks-notify.md"
MESSAGE_ID = re.compile(rb"^Message-ID: (\S+)", re.M)


class Sink:
    """Counts accepted messages and distinct Message-IDs."""

    def __init__(self) -> None:
        self.n = 0
        self.ids: set[bytes] = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.n += 1
        found = MESSAGE_ID.search(envelope.content)
        if found:
            self.ids.add(found.group(1))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_users(database_url: str, instance: Path, n: int) -> None:
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from datetime import UTC, datetime
from lms import create_app
from lms.extensions import db
from lms.models import User
app = create_app({{"INSTANCE_PATH": {str(instance)!r}}})
now = datetime.now(UTC)
with app.app_context():
    db.drop_all()
    db.create_all()
    db.session.execute(User.__table__.insert(), [
        {{"name": f"L{{i}}", "email": f"l{{i}}@example.com", "is_active_account": True,
          "created_at": now}} for i in range({n})])
    db.session.commit()
"""
    env = run_env(instance)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def run_env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["LMS_INSTANCE_PATH"] = str(instance)
    return env


def run_once(kind: str, database_url: str, n: int, extra: dict | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"lms-bench-{kind}-"))
    sink = Sink()
    port = free_port()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    queue = f"lms-bench-{uuid.uuid4().hex[:8]}"
    settings = {
        "SECRET_KEY": "bench",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "DISABLED_PLUGINS": ["lms_notify_inapp"],
        "LOG_LEVEL": "WARNING",
        # No site-wide quiet hours: at night (Bangkok) the emails would wait until 07:00.
        "NOTIFY_QUIET_HOURS": ("00:00", "00:00"),
        **(extra or {}),
    }
    if database_url.startswith("sqlite"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 60}}
    (tmp / "lms.cfg").write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
    env = run_env(tmp)
    make_users(database_url, tmp, n)
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
        stderr=open(tmp / "worker.log", "wb"),  # noqa: SIM115
    )
    try:
        time.sleep(4)
        load = os.getloadavg()[0]
        when = datetime.now(UTC).isoformat(timespec="seconds")
        start = time.monotonic()
        subprocess.run(
            [
                str(BIN / "lms"),
                "notify",
                "announce",
                "--all",
                "--subject",
                "Bench",
                "--body",
                "Hello",
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        deadline = start + 1800
        while sink.n < n and time.monotonic() < deadline:
            time.sleep(0.05)
        took = time.monotonic() - start
        time.sleep(2)  # anything more arriving would be a duplicate
    finally:
        worker.terminate()
        worker.wait()
        ctl.stop()
        import redis

        r = redis.Redis.from_url(REDIS_URL)
        for key in r.scan_iter(match=f"*{queue}*"):
            r.delete(key)
    return {
        "db": kind,
        "variant": variant(extra),
        "n": n,
        "got": sink.n,
        "distinct": len(sink.ids),
        "seconds": took,
        "load": load,
        "when": when,
    }


def variant(extra: dict | None) -> str:
    if not extra:
        return "defaults"
    return ", ".join(f"`{k} = {v!r}`" for k, v in extra.items())


def pg_database():
    import psycopg

    conn = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    name = f"lms_bench_notify_{secrets.token_hex(3)}"
    conn.execute(f'CREATE DATABASE "{name}"')
    host = conn.info.host
    port = conn.info.port
    url = f"postgresql+psycopg://{conn.info.user}@{host}:{port}/{name}"
    return conn, name, url


def write(results: list[dict], append: bool = False) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark: an announcement end to end into an SMTP sink",
        "",
        f"`bench/notify_announce.py`, last run {when}, on {platform.node() or 'the machine'} "
        f"({os.cpu_count()} cores, shared): `lms notify announce --all` to N users, one "
        "`lms worker -P solo`, real Redis, aiosmtpd on loopback, email channel only. "
        "Time from the command to the last message accepted by the sink; rate = messages / "
        'time; "exactly once" compares messages received with distinct Message-IDs.',
        "",
        "| database | settings | recipients | messages received | distinct Message-IDs | time "
        "| rate | load avg at start |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if append and OUT.exists():  # keep the rows of earlier runs
        old = OUT.read_text().splitlines()
        lines += [
            x for x in old if x.startswith("| ") and not x.startswith(("| database", "| ---"))
        ]
    for r in results:
        lines.append(
            f"| {r['db']} | {r['variant']} | {r['n']:,} | {r['got']:,} | {r['distinct']:,} | "
            f"{r['seconds']:.1f} s | {r['got'] / r['seconds']:.0f} / s | {r['load']:.1f} |"
        )
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


def run(n: int, dbs: list[str], extra: dict | None = None) -> list[dict]:
    """The announcement to ``n`` users on each database of ``dbs`` ("sqlite", "postgresql"),
    one after the other. One dict per run: ``db``, ``variant`` (the extra settings), ``n``,
    ``got`` (messages received), ``distinct`` (distinct Message-IDs), ``seconds`` (command to
    the last message), ``load`` (1-minute load average at the start) and ``when`` (UTC)."""
    results = []
    for kind in dbs:
        if kind == "sqlite":
            tmp = Path(tempfile.mkdtemp(prefix="lms-bench-db-"))
            results.append(run_once("SQLite file", f"sqlite:///{tmp}/bench.db", n, extra))
        elif kind == "postgresql":
            conn, name, url = pg_database()
            try:
                results.append(run_once("PostgreSQL (127.0.0.1)", url, n, extra))
            finally:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.close()
        else:
            raise SystemExit(f"unknown database {kind!r}")
        r = results[-1]
        print(
            f"{r['db']}: {r['got']} of {r['n']} emails ({r['distinct']} distinct) in "
            f"{r['seconds']:.1f} s: {r['got'] / r['seconds']:.0f} per second",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--append", action="store_true", help="add rows to the existing table")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=PYTHON",
        help="an extra setting for the run, e.g. --set 'NOTIFY_AUDIENCE_DEFAULTS={}'",
    )
    args = parser.parse_args()
    extra = {}
    for item in args.set:
        key, _, value = item.partition("=")
        extra[key] = ast.literal_eval(value)
    results = run(args.n, [d.strip() for d in args.db.split(",") if d.strip()], extra)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if not args.no_write:
        write(results, append=args.append)


if __name__ == "__main__":
    main()
