"""Benchmark: 200 learners start the same timed quiz at once, then autosave and submit.

Serves the LMS with gunicorn (4 sync workers) on its own PostgreSQL database
``lms_quiz_bench`` (created and dropped here; never the shared ``test`` database), then runs
200 threads, one per learner, each on its own keep-alive connection: start the attempt,
load the quiz page, autosave twice, submit. Prints p50 / p95 / p99 per step.

Run: ``.venv/bin/python bench/bench_quiz.py`` (BENCH_DB: admin URL of the PostgreSQL server;
BENCH_LEARNERS: how many learners, default 200). ``make bench`` runs it too (:func:`scenario`)
and puts the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_WORKERS", "4")

from bench import load, run  # noqa: E402

QUIZ_DB = "lms_quiz_bench"
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "200"))
PASSWORD = "bench password 123"
GIFT = "\n\n".join(
    [f"::Q{n}::เมืองหลวงของไทย ({n})? {{=กรุงเทพฯ ~เชียงใหม่ ~ลำปาง ~น่าน}}" for n in range(5)]
    + ["::S::Which district? {=Mueang Chiang Mai}", "::E::Write a sentence. {}"]
)


def prepare() -> int:
    import psycopg

    admin = run.ADMIN_DB.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {run.DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {run.DB_NAME}")
    os.environ.update(run.env())
    from lms import create_app
    from lms.auth.services import create_user
    from lms.cli import init_database
    from lms.courses import add_enrolment
    from lms.extensions import db
    from lms.teach.services import create_course, set_published

    app = create_app()
    with app.app_context():
        init_database()
        from lms_quiz.testing import make_quiz

        teacher = create_user("T", "t@bench.test", PASSWORD, roles=("educator",), consent=True)
        course = create_course(teacher, title="Bench quiz course")
        set_published(course, True)
        for i in range(LEARNERS + 1):  # the last one measures alone afterwards
            u = create_user(f"L{i}", f"l{i}@bench.test", PASSWORD, consent=True)
            add_enrolment(u, course)
        db.session.commit()
        activity, _q, _qs = make_quiz(
            course, GIFT, time_limit=1800, questions_per_page=0, shuffle_answers=True
        )
        activity_id = activity.id
        db.engine.dispose()
    return activity_id


class QuizSession(load.Session):
    """load.Session that also remembers the last redirect's Location."""

    def request(self, method, path, form=None, ajax=False):
        headers = {"Accept-Language": "th"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form if ajax else {**form, "csrf_token": self.csrf}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if ajax:
            headers["X-CSRFToken"] = self.csrf
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        self.location = resp.getheader("Location", "")
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        match = load.CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1)
        return resp.status, text


LOGINS = threading.Semaphore(8)


def learner(i, port, activity_id, results, gate):
    s = QuizSession("127.0.0.1", port)
    s.conn.timeout = 300
    with LOGINS:  # password hashing is slow on purpose: log in a few at a time, untimed
        s.login(f"l{i}@bench.test", PASSWORD)
        s.request("GET", f"/activity/{activity_id}")  # a CSRF token for the start form
    gate.wait()  # then everybody starts at the same moment

    def timed(name, method, path, form=None, ok=(200, 302), ajax=False):
        t0 = time.perf_counter()
        status, text = s.request(method, path, form, ajax=ajax)
        results.add(name, time.perf_counter() - t0, status in ok)
        return status, text

    timed("1 start", "POST", f"/quiz/{activity_id}/start", {})
    attempt = s.location.rstrip("/").rsplit("/", 1)[-1]
    _status, page = timed("2 quiz page", "GET", f"/quiz/attempt/{attempt}")
    slots = re.findall(r'name="slots" value="(\d+)"', page)
    first = re.search(r'name="q0" value="(\d+)"', page)
    answers = {"slots": slots, "q0": first.group(1) if first else "0", "q5": "Mueang Chiang Mai"}
    timed("3 autosave", "POST", f"/quiz/attempt/{attempt}/autosave", answers, ok=(200,), ajax=True)
    answers["q6"] = "หมู่บ้านของฉัน"
    timed("3 autosave", "POST", f"/quiz/attempt/{attempt}/autosave", answers, ok=(200,), ajax=True)
    timed("4 submit", "POST", f"/quiz/attempt/{attempt}/submit", {})
    timed("4 submit", "POST", f"/quiz/attempt/{attempt}/submit", {})  # double submit


def solo(i, port, activity_id, results):
    """One learner with the server to themselves: 30 page loads and 30 autosaves."""
    s = QuizSession("127.0.0.1", port)
    s.login(f"l{i}@bench.test", PASSWORD)
    s.request("GET", f"/activity/{activity_id}")
    s.request("POST", f"/quiz/{activity_id}/start", {})
    attempt = s.location.rstrip("/").rsplit("/", 1)[-1]
    for n in range(30):
        t0 = time.perf_counter()
        status, page = s.request("GET", f"/quiz/attempt/{attempt}")
        results.add("2 quiz page", time.perf_counter() - t0, status == 200)
        slots = re.findall(r'name="slots" value="(\d+)"', page)
        form = {"slots": slots, "q0": str(n % 4), "q6": f"text {n}"}
        t0 = time.perf_counter()
        status, _ = s.request("POST", f"/quiz/attempt/{attempt}/autosave", form, ajax=True)
        results.add("3 autosave", time.perf_counter() - t0, status == 200)
    t0 = time.perf_counter()
    status, _ = s.request("POST", f"/quiz/attempt/{attempt}/submit", {})
    results.add("4 submit", time.perf_counter() - t0, status == 302)


def scenario() -> dict:
    """Run the whole scenario on its own database; returns the figures for the report."""
    saved = run.DB_NAME
    run.DB_NAME = QUIZ_DB  # run.env() and run.Server use this database meanwhile
    try:
        return _scenario()
    finally:
        run.DB_NAME = saved


def _scenario() -> dict:
    activity_id = prepare()
    server = run.Server("lms:create_app()", "lms")
    results = load.Results()
    gate = threading.Barrier(LEARNERS + 1)
    threads = [
        threading.Thread(target=learner, args=(i, server.port, activity_id, results, gate))
        for i in range(LEARNERS)
    ]
    try:
        for t in threads:
            t.start()
        gate.wait()
        results.started = time.perf_counter()
        for t in threads:
            t.join()
        results.finished = time.perf_counter()
        alone = load.Results()
        alone.started = time.perf_counter()
        solo(LEARNERS, server.port, activity_id, alone)
        alone.finished = time.perf_counter()
    finally:
        server.stop()
        import psycopg

        admin = run.ADMIN_DB.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {run.DB_NAME} WITH (FORCE)")
    return {
        "learners": LEARNERS,
        "workers": os.environ["BENCH_WORKERS"],
        "together": results.summary(),
        "wall": results.duration,
        "alone": alone.summary(),
    }


def main() -> None:
    figures = scenario()
    results_summary, alone_summary = figures["together"], figures["alone"]
    workers = figures["workers"]
    print(f"{LEARNERS} learners at once, gunicorn {workers} sync workers, PostgreSQL")
    for name, row in results_summary.items():
        print(
            f"{name:12} n={row['requests']:4}  p50 {row['p50_ms']:7.1f} ms  "
            f"p95 {row['p95_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  errors {row['errors']}"
        )
    print(f"wall time {figures['wall']:.2f} s")
    print("one learner alone (service time, no queue):")
    for name, row in alone_summary.items():
        p50, p95 = row["p50_ms"], row["p95_ms"]
        print(f"{name:12} n={row['requests']:4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
