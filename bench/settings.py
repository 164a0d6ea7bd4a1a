"""The settings of ``make bench`` (bench/run.py) and its report (bench/report.py), read from
the environment.

Environment: BENCH_SIZE (XS|S|M|L, default M), BENCH_DB (an admin URL of a PostgreSQL server,
default postgresql://postgres@127.0.0.1:5432/test; the run creates and drops ``lms_bench``),
BENCH_REDIS (default redis://127.0.0.1:6379/14), BENCH_SECONDS (fixed-rate phase, default 20),
BENCH_RATE (the lesson's fixed rate in requests/s, default 150), BENCH_SHARE (the second fixed
lesson phase's rate as a share of the bare app's peak, default 0.6), BENCH_MIX_RATE (the traffic
mix's, default 100), BENCH_SUBMIT_RATE (quiz submits alone, default 100), BENCH_WORKERS
(gunicorn workers, default 4), BENCH_PAIR_ROUNDS (alternating lesson-page rounds of the two
apps, default 5), BENCH_LEARNERS (the quiz scenario's learners, default 200),
BENCH_DB_NAME (default lms_bench), BENCH_GENERATE_SQLITE (default 1: also time the generator
into a new SQLite file, the embedded default, since the issue sets its time on both databases;
0 skips it) and BENCH_OUTPUT (default docs/benchmarks.md; a smoke run at
size XS should write elsewhere).

The fan-out: BENCH_NOTIFY_N (recipients, default 10000; 0 or empty skips it) and
BENCH_NOTIFY_DB (default ``postgresql``; ``sqlite,postgresql`` runs both, one after the other),
on a database of its own per run (``lms_bench_notify_<random>`` on the BENCH_DB server) and
BENCH_REDIS. The fiscal-year report: BENCH_OUTREACH_ROWS (participation records, one run per
comma-separated size, default ``1000000,10000000``: sizes M and L; empty skips it) and
BENCH_OUTREACH_RUNS (timed runs per query, default 7), on PostgreSQL in a scratch database
``<BENCH_DB_NAME>_outreach``. Both scripts run as subprocesses with ``--no-write --json FILE``:
their history pages (docs/benchmarks-notify.md, docs/benchmarks-outreach.md) are written only
when they are run by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIZE = os.environ.get("BENCH_SIZE", "M")
ADMIN_DB = os.environ.get("BENCH_DB", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RATE = float(os.environ.get("BENCH_RATE", "150"))
# The traffic mix costs more per request than the lesson alone: its fixed rate is meant to stay
# under the LMS's capacity, so runs compare service times rather than queue lengths. On the
# 2-core machines of 2026-12-07 the mix's closed loop served 143 req/s (speed probe 27), and
# 115-121 req/s while the machine slowed (probe 16-19); at 100 req/s the fixed phase then
# queued (p50 191-1,151 ms against 38). Read its latencies beside the speed probe. The rate
# stays fixed so that runs compare.
MIX_RATE = float(os.environ.get("BENCH_MIX_RATE", "100"))
#: The second fixed-rate lesson phase runs at this share of the bare app's measured peak: a
#: rate both apps can serve on any machine, so their p95 compare service, not queueing.
SHARE = float(os.environ.get("BENCH_SHARE", "0.6"))
SUBMIT_RATE = float(os.environ.get("BENCH_SUBMIT_RATE", "100"))
SUBMIT_QUIZZES = 50  # attempts opened per session before the submit phase
#: Alternating rounds of the lesson page, one app then the other (bench/run.py paired_rounds).
PAIR_ROUNDS = int(os.environ.get("BENCH_PAIR_ROUNDS", "5"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
DB_NAME = os.environ.get("BENCH_DB_NAME", "lms_bench")
GENERATE_SQLITE = os.environ.get("BENCH_GENERATE_SQLITE", "1").strip().lower() not in (
    "",
    "0",
    "no",
)
OUTPUT = Path(os.environ.get("BENCH_OUTPUT") or ROOT / "docs" / "benchmarks.md")
NOTIFY_N = int(os.environ.get("BENCH_NOTIFY_N", "10000") or 0)
NOTIFY_DBS = [d.strip() for d in os.environ.get("BENCH_NOTIFY_DB", "postgresql").split(",")]
NOTIFY_DBS = [d for d in NOTIFY_DBS if d]
OUTREACH_ROWS = [
    int(n.replace("_", ""))
    for n in os.environ.get("BENCH_OUTREACH_ROWS", "1000000,10000000").split(",")
    if n.strip()
]
OUTREACH_RUNS = int(os.environ.get("BENCH_OUTREACH_RUNS", "7"))
#: The issue's sizes of the fiscal-year report, by number of participation records.
OUTREACH_SIZES = {1_000_000: "M", 10_000_000: "L"}
QUIZ_GIFT = "\n\n".join(
    [f"::Q{n}::ข้อ {n}: เมืองหลวงของไทยคือ? {{=กรุงเทพฯ ~เชียงใหม่ ~ลำปาง ~น่าน}}" for n in range(8)]
    + ["::S::Which district? {=Mueang Chiang Mai =เมืองเชียงใหม่}", "::E::Write a sentence. {}"]
)
SECRET = "bench-secret-key-not-for-production"
