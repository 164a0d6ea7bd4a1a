"""The lesson page in one process: the LMS against the bare baseline, without HTTP or load.

Both apps answer ``GET /activity/<id>`` for the same logged-in learner through Flask's test
client, N times each, on the database in ``LMS_DATABASE_URL`` (made by ``lms bench generate``).
Prints, for each app: the median and p90 time per request, SQL statements per request, and
Python function calls per request (counted by cProfile: unlike timings, these do not depend on
what else the machine is doing). ``make bench`` includes these figures in docs/benchmarks.md;
run it alone while optimising:

    LMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench \\
        .venv/bin/python bench/inprocess.py [N] [--profile]

``--profile`` also prints the 40 functions with the most cumulative time in the LMS.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _pick(app) -> tuple[int, str, list[int]]:
    """A learner enrolled in a course with lessons, and some of those lessons."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models import Activity, Enrolment, User

    with app.app_context():
        uid, email, cid = db.session.execute(
            select(User.id, User.email, Enrolment.course_id)
            .join(Enrolment, Enrolment.user_id == User.id)
            .join(Activity, Activity.course_id == Enrolment.course_id)
            .where(Enrolment.role == "learner", Activity.content_type == "page")
            .order_by(User.id)
            .limit(1)
        ).one()
        lessons = list(
            db.session.scalars(
                select(Activity.id)
                .where(Activity.course_id == cid, Activity.content_type == "page")
                .order_by(Activity.id)
                .limit(20)
            )
        )
    return uid, email, lessons


class Counter:
    """SQL statements sent through an engine."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_a) -> None:
        self.n += 1


def measure(client, paths: list[str], engine, n: int, warm: int = 20) -> dict[str, float]:
    for i in range(warm):
        assert client.get(paths[i % len(paths)]).status_code == 200
    counter = Counter(engine)
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        resp = client.get(paths[i % len(paths)])
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200, resp.status_code
    queries = counter.n / n
    prof = cProfile.Profile()
    calls_n = min(n, 50)
    prof.enable()
    for i in range(calls_n):
        client.get(paths[i % len(paths)])
    prof.disable()
    stats = pstats.Stats(prof)
    times.sort()
    return {
        "n": n,
        "median_ms": 1000 * statistics.median(times),
        "p90_ms": 1000 * times[int(0.9 * (len(times) - 1))],
        "queries": queries,
        "calls": stats.total_calls / calls_n,
        "stats": stats,
    }


def lms_client():
    from lms import create_app
    from lms.extensions import db

    app = create_app({"RATELIMIT_ENABLED": True})
    uid, email, lessons = _pick(app)
    client = app.test_client()
    # The first learner may be a child (at size M, user 2 is): a child's account has no
    # password and signs in with its child login, as on a real site. Keeping that learner
    # keeps the figures comparable with earlier runs.
    from lms_audience.bench import sign_in_form
    from lms_audience.models_personal import ChildLogin

    from bench.load import CSRF_RE

    with app.app_context():
        child_login = db.session.scalar(
            db.select(ChildLogin.login_name).where(ChildLogin.user_id == uid)
        )
    path, form = sign_in_form(email, child_login)
    token = CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)
    resp = client.post(path, data={**form, "csrf_token": token})
    if resp.status_code != 302:
        raise RuntimeError(f"log-in failed: HTTP {resp.status_code}")
    return app, client, db, uid, lessons


def bare_client(uid: int):
    from bench import bare_app

    os.environ.setdefault("LMS_SECRET_KEY", "bench-inprocess")
    app = bare_app.create_app()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(uid)
    return app, client, bare_app.db


def run(n: int = 500, profile: bool = False) -> dict[str, dict[str, float]]:
    """Both apps, ``n`` lesson requests each: the figures ``make bench`` reports."""
    out = {}
    app, client, db, uid, lessons = lms_client()
    paths = [f"/activity/{a}" for a in lessons]
    with app.app_context():
        engine = db.engine
    out["LMS"] = measure(client, paths, engine, n)
    bapp, bclient, bdb = bare_client(uid)
    with bapp.app_context():
        bengine = bdb.engine
    out["bare baseline"] = measure(bclient, paths, bengine, n)
    if profile:
        out["LMS"]["stats"].sort_stats("cumulative").print_stats(40)
    for r in out.values():
        r.pop("stats")
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 500
    result = run(n, profile="--profile" in sys.argv)
    print(f"{'app':14} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'py calls':>9}")
    for name, r in result.items():
        print(
            f"{name:14} {r['median_ms']:10.2f} {r['p90_ms']:8.2f} {r['queries']:8.1f} "
            f"{r['calls']:9.0f}"
        )
    lms, bare = result["LMS"], result["bare baseline"]
    print(
        f"ratio LMS/bare: time {lms['median_ms'] / bare['median_ms']:.2f}, "
        f"calls {lms['calls'] / bare['calls']:.2f}"
    )


if __name__ == "__main__":
    main()
