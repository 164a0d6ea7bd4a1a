"""Benchmark: the outreach fiscal-year report over a million participation records.

Creates a scratch database of its own, migrates it to every head (``lms init``'s
``upgrade heads``), bulk-inserts ``BENCH_ROWS`` (default 1,000,000) participation events
(SQLAlchemy Core; on PostgreSQL ``COPY``), spread over five fiscal years (2564-2568 BE), every
kind, the five audience groups and the 25 districts (some without), about 5 % headcount-only,
about 60,000 people; then times ``report.build`` (the ``lms outreach report`` and dashboard
queries) several times and prints the median; the year is also timed with the strategy
``report.build`` does not use on that database (``"slow"``, one ``COUNT(DISTINCT)`` query per
breakdown, or ``"fast"``, two scans; docs/outreach.md) for comparison. The scratch database is
dropped at the end.

* SQLite (default): a file in a temporary folder.
* PostgreSQL: set ``LMS_DATABASE_URL`` to any database on the server (e.g.
  ``postgresql+psycopg://postgres@127.0.0.1:5432/test``); the script creates
  ``lms_outreach_bench`` (``--scratch NAME``: another name) next to it and drops it afterwards;
  the named database is not touched.

Run: ``.venv/bin/python bench/bench_outreach.py [--rows N] [--runs N]``. The markdown table is
printed and appended to ``docs/benchmarks-outreach.md`` (``--no-write``: printed only).
``--json FILE`` also writes the figures as JSON (see :func:`figures`); ``make bench``
(bench/run.py) runs it that way, with ``--no-write``.
``--keep`` leaves the scratch database; ``--measure-only`` then times it again without
inserting (SQLite: give the file as ``BENCH_SQLITE_URL=sqlite:////path/bench.db``) and drops it
unless ``--keep`` is given again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRATCH_DB = "lms_outreach_bench"
OUT = ROOT / "docs" / "benchmarks-outreach.md"
FISCAL_YEARS = (2564, 2565, 2566, 2567, 2568)
REPORT_FY = 2566
PEOPLE = 60_000
BATCH = 20_000
AUDIENCES = ("early_childhood", "youth", "general_public", "staff", "elderly", None)
AUDIENCE_WEIGHTS = (8, 30, 30, 15, 12, 5)
# kind, weight, sources per year
KINDS = (
    ("online_class", 55, 40),
    ("onsite_workshop", 10, 12),
    ("event", 5, 6),
    ("course_enrolment", 20, 80),
    ("course_completion", 10, 80),
)


def scratch_url(url: str) -> tuple[str, str | None]:
    """The scratch database URL and, for PostgreSQL, the server's admin URL (to create it)."""
    from sqlalchemy.engine import make_url

    if url.startswith("postgresql"):
        u = make_url(url)
        admin = u.set(drivername="postgresql").render_as_string(hide_password=False)
        return u.set(database=SCRATCH_DB).render_as_string(hide_password=False), admin
    folder = tempfile.mkdtemp(prefix="lms-outreach-bench-")
    return f"sqlite:///{folder}/bench.db", None


def create_scratch(admin: str | None) -> None:
    if admin is None:
        return
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH_DB}")


def drop_scratch(admin: str | None, url: str) -> None:
    if admin is None:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")


def insert_people(conn, count: int) -> list[int]:
    """``count`` user rows (Core insert), returning their ids."""
    from sqlalchemy import select

    from lms.models import User

    now = datetime.now(UTC)
    table = User.__table__
    for first in range(0, count, BATCH):
        conn.execute(
            table.insert(),
            [
                {
                    "email": f"p{i}@bench.test",
                    "name": f"P{i}",
                    "is_active_account": True,
                    "created_at": now,
                }
                for i in range(first, min(first + BATCH, count))
            ],
        )
    return list(conn.execute(select(table.c.id)).scalars())


def event_rows(rng: random.Random, people: list[int], districts: list[str], count: int):
    """``count`` realistic rows, in batches (lists of dicts)."""
    from lms_outreach import fiscal

    kinds = [k for k, _w, _s in KINDS]
    weights = [w for _k, w, _s in KINDS]
    sources = {k: n for k, _w, n in KINDS}
    spans = {fy: fiscal.fy_bounds(fy) for fy in FISCAL_YEARS}
    district_choices = [*districts, None]
    created = datetime.now(UTC)
    batch = []
    for _ in range(count):
        fy = rng.choice(FISCAL_YEARS)
        start, end = spans[fy]
        seconds = rng.randrange(int((end - start).total_seconds()))
        kind = rng.choices(kinds, weights)[0]
        headcount_only = kind in ("event", "onsite_workshop") and rng.random() < 0.4
        batch.append(
            {
                "kind": kind,
                "source": f"{kind}:{fy}:{rng.randrange(sources[kind])}",
                "title": "",
                "occurred_at": start + timedelta(seconds=seconds),
                "user_id": None if headcount_only else rng.choice(people),
                "headcount": rng.randint(10, 300) if headcount_only else 1,
                "audience": rng.choices(AUDIENCES, AUDIENCE_WEIGHTS)[0],
                "district": rng.choice(district_choices),
                "created_at": created,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def load(rows: int) -> float:
    """Insert the people and ``rows`` events; return the seconds it took."""
    from lms_outreach.models import District, OutreachEvent
    from sqlalchemy import select

    from lms.extensions import db

    rng = random.Random(2566)
    began = time.perf_counter()
    with db.engine.begin() as conn:
        people = insert_people(conn, PEOPLE)
        districts = list(conn.execute(select(District.code)).scalars())
    table = OutreachEvent.__table__
    done = 0
    if db.engine.dialect.name == "postgresql":
        copy_events(db.engine, table, event_rows(rng, people, districts, rows))
    else:
        for batch in event_rows(rng, people, districts, rows):
            with db.engine.begin() as conn:
                conn.execute(table.insert(), batch)
            done += len(batch)
            if done % 200_000 == 0:
                print(f"  {done:,} rows", flush=True)
    # PostgreSQL: VACUUM sets the visibility map, so the report's scans are index-only.
    analyse = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(analyse)
    return time.perf_counter() - began


def copy_events(engine, table, batches) -> None:
    """PostgreSQL: the rows through ``COPY ... FROM STDIN`` (psycopg), one transaction per
    batch: ten million rows load in minutes instead of an hour of INSERTs."""
    done = 0
    for batch in batches:
        columns = list(batch[0])
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cur, cur.copy(sql) as copy:
                for row in batch:
                    copy.write_row([row[c] for c in columns])
        done += len(batch)
        if done % 1_000_000 == 0:
            print(f"  {done:,} rows", flush=True)


def timed(fn, runs: int) -> list[float]:
    fn()  # warm the caches once, as an officer's second look would
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def measure(runs: int) -> list[tuple[str, str, list[float]]]:
    """(key, description, milliseconds of each run) per query; the keys: ``year`` (the whole
    fiscal year, the figure of the target), ``other`` (the same with the other strategy),
    ``filtered`` and ``dashboard``."""
    from datetime import date

    from lms_outreach import dashboard, report

    from lms.extensions import db

    def full():
        report.build(REPORT_FY)
        db.session.rollback()

    default = report.strategy_for(db.engine.dialect.name)
    other = "slow" if default == "fast" else "fast"

    def other_strategy():
        report.build(REPORT_FY, strategy=other)
        db.session.rollback()

    def filtered():
        report.build(
            REPORT_FY,
            report.Filters(
                audience="youth", district="5001", start=date(2023, 1, 1), end=date(2023, 6, 30)
            ),
        )
        db.session.rollback()

    def dash():
        dashboard.dashboard_data(REPORT_FY, report.NO_FILTERS)
        db.session.rollback()

    return [
        (
            "year",
            f"report.build({REPORT_FY}) (`lms outreach report --fy {REPORT_FY}`)",
            timed(full, runs),
        ),
        (
            "other",
            f"report.build({REPORT_FY}, strategy={other!r}) (the other strategy; the default "
            f"here is {default!r})",
            timed(other_strategy, runs),
        ),
        ("filtered", "report with filters (group, district, 6 months)", timed(filtered, runs)),
        ("dashboard", "dashboard data (report + previous year + targets)", timed(dash, runs)),
    ]


def markdown(dialect: str, server: str, rows: int, load_s: float, results, runs: int) -> str:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    lines = [
        "",
        f"### {dialect}, {rows:,} participation records ({stamp})",
        "",
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when measured, "
        f"Python {platform.python_version()}, {server}. "
        + (
            f"Insert ({'COPY' if dialect == 'PostgreSQL' else 'SQLAlchemy Core'}, batches of "
            f"{BATCH:,}) and (VACUUM) ANALYZE: {load_s:.1f} s. "
            if load_s is not None
            else "Measured again on the database of an earlier run. "
        )
        + f"Median of {runs} runs after one warm-up run.",
        "",
        "| query | median ms | min ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for _key, name, times in results:
        lines.append(
            f"| {name} | {statistics.median(times):.0f} | {min(times):.0f} | {max(times):.0f} |"
        )
    return "\n".join(lines) + "\n"


def figures(
    dialect: str, server: str, rows: int, load_s: float | None, results, runs: int, load: float
) -> dict:
    """The run as a dict (``--json``): ``load`` is the 1-minute load average before timing."""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "dialect": dialect,
        "server": server,
        "rows": rows,
        "insert_seconds": load_s,
        "insert_method": "COPY" if dialect == "PostgreSQL" else "SQLAlchemy Core",
        "batch": BATCH,
        "runs": runs,
        "fiscal_year": REPORT_FY,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load": load,
        "queries": [
            {
                "key": key,
                "query": name,
                "median_ms": statistics.median(times),
                "min_ms": min(times),
                "max_ms": max(times),
                "times_ms": times,
            }
            for key, name, times in results
        ],
    }


def _server_version() -> str:
    from lms.extensions import db

    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            return "PostgreSQL " + conn.exec_driver_sql("SHOW server_version").scalar()
        return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()


def main() -> None:
    global SCRATCH_DB
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", 1_000_000)))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="only print the table")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--scratch", default=SCRATCH_DB, help=f"the scratch database's name ({SCRATCH_DB})"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="time the report on the scratch database a --keep run left (no insert)",
    )
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.scratch):
        parser.error(f"--scratch {args.scratch!r}: lower-case letters, digits and _ only")
    SCRATCH_DB = args.scratch

    url, admin = scratch_url(os.environ.get("LMS_DATABASE_URL", ""))
    if args.measure_only:
        url = os.environ.get("BENCH_SQLITE_URL", url) if admin is None else url
    else:
        create_scratch(admin)
    os.environ["LMS_DATABASE_URL"] = url
    from lms import create_app
    from lms.cli import init_database
    from lms.extensions import db

    app = create_app({"DATABASE_URL": url, "TESTING": False})
    try:
        with app.app_context():
            dialect = db.engine.dialect.name
            server = _server_version()
            load_s = None
            if args.measure_only:
                from lms_outreach.models import OutreachEvent

                args.rows = db.session.scalar(db.select(db.func.count(OutreachEvent.id)))
            else:
                init_database()
                print(f"Inserting {args.rows:,} events into {db.engine.url!r} ...", flush=True)
                load_s = load(args.rows)
                print(f"  done in {load_s:.1f} s", flush=True)
            load_avg = os.getloadavg()[0]
            results = measure(args.runs)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not args.keep:
            drop_scratch(admin, url)
    name = "PostgreSQL" if dialect == "postgresql" else "SQLite"
    table = markdown(name, server, args.rows, load_s, results, args.runs)
    print(table)
    if args.json:
        data = figures(name, server, args.rows, load_s, results, args.runs, load_avg)
        Path(args.json).write_text(json.dumps(data, indent=2))
    if not args.no_write:
        if not OUT.exists():
            OUT.write_text(
                "## Outreach: the fiscal-year report over a million records\n\n"
                "Written by `bench/bench_outreach.py` (see its docstring). Target: under 1 s.\n",
                encoding="utf-8",
            )
        with OUT.open("a", encoding="utf-8") as fh:
            fh.write(table)
        print(f"appended to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
