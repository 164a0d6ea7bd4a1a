"""``make bench``: generate a site, serve it with gunicorn on PostgreSQL + Redis, load it on
loopback, compare the lesson page with the bare baseline app, then run the notification fan-out
(bench/notify_announce.py) and the outreach fiscal-year report (bench/bench_outreach.py), and
write docs/benchmarks.md: every figure on it is measured by the run that writes it.

Its settings, the BENCH_* environment variables, are listed in bench/settings.py; the page is
written by bench/report.py.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402
from bench.report import run_settings, write_report  # noqa: E402
from bench.settings import (  # noqa: E402
    ADMIN_DB,
    BIN,
    DB_NAME,
    GENERATE_SQLITE,
    MIX_RATE,
    NOTIFY_DBS,
    NOTIFY_N,
    OUTREACH_ROWS,
    OUTREACH_RUNS,
    OUTREACH_SIZES,
    PAIR_ROUNDS,
    QUIZ_GIFT,
    RATE,
    REDIS,
    ROOT,
    SECONDS,
    SECRET,
    SHARE,
    SIZE,
    SUBMIT_QUIZZES,
    SUBMIT_RATE,
    WORKERS,
)


def db_url() -> str:
    base, _, _ = ADMIN_DB.rpartition("/")
    return f"{base}/{DB_NAME}"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        LMS_DATABASE_URL=db_url(),
        LMS_REDIS_URL=REDIS,
        LMS_SECRET_KEY=SECRET,
        LMS_INSTANCE_PATH=str(ROOT / "instance" / "bench"),
        LMS_LOGIN_RATE_LIMIT="1000000 per minute",
        LMS_AUDIENCE_CHILD_LOGIN_RATE_LIMIT="1000000 per minute",
        LMS_LOG_LEVEL="WARNING",
    )
    return e


def sh(*args: str, environ: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    """Run a command with the bench's environment (or ``environ``); exit with its output if it
    fails."""
    # No terminal on stdin: `lms init` run from a terminal asks for an administrator, and with
    # its output captured the question would never show and make bench would wait for ever.
    done = subprocess.run(
        args,
        env=environ or env(),
        text=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        **kw,
    )
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def prepare_database() -> dict:
    import psycopg

    with psycopg.connect(
        ADMIN_DB.replace("postgresql+psycopg", "postgresql"), autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    sh(str(BIN / "lms"), "init")
    t0 = time.perf_counter()
    out = sh(str(BIN / "lms"), "bench", "generate", "--size", SIZE).stdout
    return {"seconds": time.perf_counter() - t0, "output": out}


def generate_sqlite() -> dict:
    """``lms bench generate --size SIZE`` into a new SQLite file (the embedded default, as
    ``make run`` uses), timed like the PostgreSQL one: the issue sets M's time on both
    databases. ``{}`` when BENCH_GENERATE_SQLITE is 0."""
    if not GENERATE_SQLITE:
        return {}
    with tempfile.TemporaryDirectory(prefix="lms-bench-sqlite-") as tmp:
        e = env()
        e.update(
            LMS_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
            LMS_INSTANCE_PATH=tmp,
            LMS_REDIS_URL="",  # the embedded defaults: no Redis
        )
        lms = str(BIN / "lms")
        sh(lms, "init", environ=e, cwd=tmp)
        t0 = time.perf_counter()
        out = sh(lms, "bench", "generate", "--size", SIZE, environ=e, cwd=tmp).stdout
        seconds = time.perf_counter() - t0
        size_mb = Path(tmp, "bench.db").stat().st_size / 1024 / 1024
    return {"seconds": seconds, "output": out, "file_mb": size_mb}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, app: str, name: str) -> None:
        self.port = free_port()
        self.name = name
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                app,
            ],
            env=env(),
            cwd=ROOT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not start")

    def peak_rss_mb(self) -> dict[str, float]:
        out = {}
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        out["master" if pid == self.proc.pid else f"worker {pid}"] = (
                            int(line.split()[1]) / 1024
                        )
            except OSError:
                continue
        return out

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _ticks(pid: int | str) -> float:
    """CPU seconds (user + system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _alternate(apps: list[str], rounds: int, measure) -> list[dict[str, float]]:
    """``measure(app)`` for each app in each of ``rounds`` rounds, the first app alternating."""
    out = []
    for n in range(rounds):
        order = apps if n % 2 == 0 else apps[::-1]
        out.append({label: measure(label) for label in order})
    return out


def _median_ratio(rounds: list[dict[str, float]]) -> float:
    """The median of the rounds' LMS / bare ratios (the higher middle one of an even count)."""
    ratios = [r["LMS"] / r["bare baseline"] for r in rounds if r["bare baseline"]]
    return statistics.median_high(ratios) if ratios else 0.0


def paired_rounds(
    users: list[dict],
    rounds: int = PAIR_ROUNDS,
    seconds: float = 6.0,
    share_rate: float | None = None,
) -> dict:
    """Lesson-page throughput of both apps, served side by side and measured in alternating
    rounds (closed loop, 8 users, ``seconds`` each; the first app alternates too). On a shared
    machine the speed drifts over minutes: one app's phase after the other's can differ by a
    fifth for that alone, while two rounds a few seconds apart see the same machine. Returns
    each round's requests/s per app and the median of the rounds' ratios; then the same rounds
    at the fixed rate (``RATE`` requests/s): each round's p95 per app and the median ratio;
    and, given ``share_rate`` (SHARE of the bare app's peak), the same at that rate."""
    apps = {"bare baseline": "bench.bare_app:create_app()", "LMS": "lms:create_app()"}
    servers = {label: Server(app, label) for label, app in apps.items()}
    try:
        sessions = {label: sessions_for(s.port, users) for label, s in servers.items()}
        for label in apps:
            load.closed(sessions[label], LESSON_ONLY, 3)  # warm-up

        def closed_rps(label: str) -> float:
            return load.closed(sessions[label][:8], LESSON_ONLY, seconds).summary()["ALL"]["rps"]

        def p95_at(rate: float):
            def fixed_p95(label: str) -> float:
                done = load.fixed_rate(sessions[label], LESSON_ONLY, rate, seconds)
                return done.summary()["ALL"]["p95_ms"]

            return fixed_p95

        per_round = _alternate(list(apps), rounds, closed_rps)
        fixed = _alternate(list(apps), rounds, p95_at(RATE))
        share = _alternate(list(apps), rounds, p95_at(share_rate)) if share_rate else []
    finally:
        for server in servers.values():
            server.stop()
    return {
        "rounds": per_round,
        "seconds": seconds,
        "median_ratio": _median_ratio(per_round),
        "median_rps": {
            label: statistics.median_high(r[label] for r in per_round) for label in apps
        },
        "rate": RATE,
        "fixed_p95": fixed,
        "median_p95_ratio": _median_ratio(fixed),
        "share_rate": share_rate,
        "share_p95": share,
        "median_share_p95_ratio": _median_ratio(share),
    }


def cpu_seconds(server: Server) -> dict[str, float]:
    """CPU seconds used so far by the app (gunicorn's master and workers), PostgreSQL's and
    Redis's processes, and this load generator."""
    out = {"app": 0.0, "PostgreSQL": 0.0, "Redis": 0.0, "load generator": _ticks("self")}
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    app_pids = {str(server.proc.pid), *(children.read_text().split() if children.exists() else [])}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
            used = _ticks(pid)
        except OSError:  # ended meanwhile
            continue
        if pid in app_pids:
            out["app"] += used
        elif cmd.startswith("postgres"):
            out["PostgreSQL"] += used
        elif "redis-server" in cmd:
            out["Redis"] += used
    return out


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request in each part, between two :func:`cpu_seconds`."""
    return {k: 1000 * (after[k] - before[k]) / max(requests, 1) for k in before}


def bench_users(n: int) -> list[dict]:
    """Learners with their enrolled courses and lesson ids, read straight from the database;
    a child's account (no password: it signs in with the child login) with its login name."""
    os.environ.update(env())
    from lms_audience.models_personal import ChildLogin
    from sqlalchemy import select

    from lms import create_app
    from lms.extensions import db
    from lms.models import Activity, Enrolment, User

    app = create_app()
    users = []
    with app.app_context():
        rows = db.session.execute(
            select(User.id, User.email)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.role == "learner")
            .group_by(User.id, User.email)
            .order_by(User.id)
            .limit(n)
        ).all()
        all_courses = [c for (c,) in db.session.execute(select(Activity.course_id).distinct())]
        child_logins = dict(
            db.session.execute(
                select(ChildLogin.user_id, ChildLogin.login_name).where(
                    ChildLogin.user_id.in_([uid for uid, _e in rows])
                )
            ).all()
        )
        for uid, email in rows:
            courses = [
                c
                for (c,) in db.session.execute(
                    select(Enrolment.course_id).where(Enrolment.user_id == uid)
                )
            ]
            lessons = [
                a
                for (a,) in db.session.execute(
                    select(Activity.id)
                    .where(Activity.course_id.in_(courses), Activity.content_type == "page")
                    .order_by(Activity.id)
                    .limit(200)
                )
            ]
            users.append(
                {
                    "email": email,
                    "courses": courses,
                    "lessons": lessons,
                    "all_courses": all_courses,
                    "child_login": child_logins.get(uid),
                }
            )
        db.engine.dispose()
    return users


def add_quizzes(users: list[dict]) -> None:
    """A ten-question quiz (all on one page, unlimited attempts) in each bench user's first
    course; ``user["quiz"]`` is its activity id. The generator makes none of its own."""
    os.environ.update(env())
    from lms_quiz.testing import make_quiz

    from lms import create_app
    from lms.extensions import db
    from lms.models import Course

    app = create_app()
    quizzes: dict[int, int] = {}
    with app.app_context():
        for u in users:
            course_id = u["courses"][0]
            if course_id not in quizzes:
                course = db.session.get(Course, course_id)
                activity, _quiz, _qs = make_quiz(
                    course, QUIZ_GIFT, title="แบบทดสอบท้ายบท", questions_per_page=0
                )
                quizzes[course_id] = activity.id
            u["quiz"] = quizzes[course_id]
        # The submit phase: each of the first 16 users opens one attempt in each of these
        # quizzes beforehand (one open attempt per quiz and learner), then only submits.
        extra: dict[int, list[int]] = {}
        for u in users[:16]:
            course_id = u["courses"][0]
            if course_id not in extra:
                course = db.session.get(Course, course_id)
                extra[course_id] = [
                    make_quiz(course, QUIZ_GIFT, title=f"แบบฝึกหัด {n}", questions_per_page=0)[0].id
                    for n in range(SUBMIT_QUIZZES)
                ]
            u["submit_quizzes"] = extra[course_id]
        db.engine.dispose()


LOGINS: dict[str, tuple[dict, str]] = {}  # email -> (cookies, csrf token)


def log_in_all(users: list[dict]) -> None:
    """Log every bench user in once through the LMS; the bare app accepts the same cookie. A
    child's account signs in with its child login and the generator's secrets."""
    from lms_audience.bench import sign_in_form

    server = Server("lms:create_app()", "login")
    try:
        for u in users:
            s = load.Session("127.0.0.1", server.port)
            s.sign_in(*sign_in_form(u["email"], u.get("child_login")))
            LOGINS[u["email"]] = (dict(s.cookies), s.csrf)
    finally:
        server.stop()


def sessions_for(port: int, users: list[dict]) -> list[load.Session]:
    out = []
    for u in users:
        s = load.Session("127.0.0.1", port)
        cookies, csrf = LOGINS[u["email"]]
        s.cookies, s.csrf = dict(cookies), csrf
        s.user = u  # type: ignore[attr-defined]
        out.append(s)
    return out


def ok(status: int) -> bool:
    return status < 400


def lesson(s, rng):
    return ok(s.request("GET", f"/activity/{rng.choice(s.user['lessons'])}")[0])


def progress_save(s, rng):
    return ok(s.request("POST", f"/activity/{rng.choice(s.user['lessons'])}/complete", {})[0])


def catalog(s, rng):
    return ok(s.request("GET", rng.choice(["/courses", "/courses?q=ทักษะ", "/courses?page=2"]))[0])


def course_page(s, rng):
    return ok(s.request("GET", f"/courses/{rng.choice(s.user['courses'])}")[0])


def enrol(s, rng):
    return ok(s.request("POST", f"/courses/{rng.choice(s.user['all_courses'])}/enrol", {})[0])


def dashboard(s, rng):
    return ok(s.request("GET", "/my")[0])


def login_page(s, rng):
    return ok(s.request("GET", "/login")[0])


def notifications(s, rng):
    return ok(s.request("GET", "/notify/inbox/")[0])


SLOT_RE = re.compile(r'name="slots" value="(\d+)"')
CHOICE_RE = re.compile(r'name="q(\d+)" value="(\d+)"')


def open_attempt(s) -> tuple[str, dict] | None:
    """The session's quiz attempt in progress and the answers to save into it. Starting one
    (start + the quiz page) is real traffic but untimed: the scenarios time only the autosave
    or the submit."""
    if getattr(s, "quiz_attempt", None) is None:
        t0 = time.perf_counter()
        status, _ = s.request("POST", f"/quiz/{s.user['quiz']}/start", {})
        match = re.search(r"/quiz/attempt/(\d+)", s.location)
        if status != 302 or not match:
            s.untimed += time.perf_counter() - t0
            return None
        attempt = match.group(1)
        status, page = s.request("GET", f"/quiz/attempt/{attempt}")
        answers: dict = {"slots": SLOT_RE.findall(page)}
        for slot, value in CHOICE_RE.findall(page):
            answers.setdefault(f"q{slot}", value)
        s.quiz_attempt = (attempt, answers)
        s.untimed += time.perf_counter() - t0
    return s.quiz_attempt


def quiz_autosave(s, rng):
    attempt = open_attempt(s)
    if attempt is None:
        return False
    number, answers = attempt
    form = {
        **answers,
        "q8": "เมืองเชียงใหม่",
        "q9": rng.choice(["ฉันชอบเรียนออนไลน์", "Learning at home", "ทดสอบ"]),
    }
    return s.request("POST", f"/quiz/attempt/{number}/autosave", form)[0] == 200


def quiz_submit(s, rng):
    attempt = open_attempt(s)
    if attempt is None:
        return False
    s.quiz_attempt = None  # the next quiz scenario starts a new attempt
    return s.request("POST", f"/quiz/attempt/{attempt[0]}/submit", {})[0] == 302


def open_submit_attempts(sessions) -> int:
    """Before the submit phase (untimed): each session opens an attempt in each of its
    submit quizzes, in parallel. Returns how many attempts are open."""
    import threading

    def open_all(s) -> None:
        s.prepared = []
        for quiz_id in s.user["submit_quizzes"]:
            status, _ = s.request("POST", f"/quiz/{quiz_id}/start", {})
            match = re.search(r"/quiz/attempt/(\d+)", s.location)
            if status == 302 and match:
                s.prepared.append(match.group(1))

    threads = [threading.Thread(target=open_all, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(len(s.prepared) for s in sessions)


def submit_prepared(s, rng):
    if not s.prepared:
        return False  # this session ran out of open attempts: counted as an error
    return s.request("POST", f"/quiz/attempt/{s.prepared.pop()}/submit", {})[0] == 302


MIX = [
    ("lesson view", 40, lesson),
    ("progress save", 20, progress_save),
    ("catalog", 8, catalog),
    ("course page", 7, course_page),
    ("quiz autosave", 10, quiz_autosave),
    ("quiz submit", 5, quiz_submit),
    ("enrolment", 3, enrol),
    ("dashboard", 2, dashboard),
    ("notifications", 2, notifications),
    ("log-in page", 3, login_page),
]
MIX_TEXT = (
    "Lesson views 40 %, progress saves 20 %, catalog 8 %, course pages 7 %, quiz autosave 10 %, "
    "quiz submit 5 %, enrolment 3 %, dashboard 2 %, notifications 2 %, log-in page 3 %. "
    "A quiz scenario without an attempt in progress first starts one and loads the quiz page "
    "(served, but not timed); quiz submit times the submit alone."
)
LESSON_ONLY = [("lesson view", 1, lesson)]


def query_counts(user: dict) -> dict[str, int]:
    """SQL statements per page, counted in-process against the bench database."""
    os.environ.update(env())
    from sqlalchemy import event, select

    from lms import create_app
    from lms.extensions import db
    from lms.models import Activity

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    counts: dict[str, int] = {}
    with app.app_context():
        cid = user["courses"][0]
        aid = db.session.scalar(
            select(Activity.id)
            .where(Activity.course_id == cid, Activity.content_type == "page")
            .limit(1)
        )
        client = app.test_client()
        from lms_audience.bench import sign_in_form

        path, form = sign_in_form(user["email"], user.get("child_login"))
        signed_in = client.post(path, data=form)
        if signed_in.status_code != 302:
            raise RuntimeError(f"query counts: sign-in failed, HTTP {signed_in.status_code}")
        statements: list[str] = []

        def listen(conn, cursor, statement, *a):
            statements.append(statement)

        def count(name: str, method: str, path: str, data: dict | None = None):
            statements.clear()
            resp = client.open(path, method=method, data=data)
            counts[name] = len(statements)
            return resp

        event.listen(db.engine, "before_cursor_execute", listen)
        client.get(f"/activity/{aid}")  # the first view writes the progress row
        for name, path in [
            ("home", "/"),
            ("catalog", "/courses"),
            ("course page", f"/courses/{cid}"),
            ("lesson view", f"/activity/{aid}"),
            ("dashboard (my learning)", "/my"),
            ("notifications", "/notify/inbox/"),
        ]:
            count(name, "GET", path)
        start = count("quiz: start", "POST", f"/quiz/{user['quiz']}/start")
        attempt = start.headers.get("Location", "").rstrip("/").rsplit("/", 1)[-1]
        page = count("quiz page (10 questions)", "GET", f"/quiz/attempt/{attempt}")
        slots = SLOT_RE.findall(page.get_data(as_text=True))
        form = {"slots": slots, "q0": "0", "q8": "เมืองเชียงใหม่", "q9": "ทดสอบ"}
        count("quiz autosave", "POST", f"/quiz/attempt/{attempt}/autosave", form)
        count("quiz submit", "POST", f"/quiz/attempt/{attempt}/submit")
        event.remove(db.engine, "before_cursor_execute", listen)
        db.engine.dispose()
    return counts


def inprocess_figures() -> dict:
    """The lesson page in one process, LMS and bare baseline (bench/inprocess.py)."""
    os.environ.update(env())
    from bench import inprocess

    return inprocess.run(int(os.environ.get("BENCH_INPROCESS_N", "500")))


def icount_figures() -> dict:
    """Instructions per lesson request under callgrind (bench/icount.py); {} without valgrind."""
    os.environ.update(env())
    from bench import icount

    return icount.run(int(os.environ.get("BENCH_ICOUNT_N", "40")))


def script_env(**extra: str) -> dict[str, str]:
    """The environment of a standalone bench script: this process's without the ``LMS_*``
    settings the phases above put there (each script makes its own instance and database)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    e.update(extra)
    return e


def run_script(args: list[str], environ: dict[str, str]):
    """``python ARGS --json FILE`` (its output goes to the console): the JSON it wrote, or
    ``{"error": ...}`` if it failed, so that one failure does not lose the run's other figures."""
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        out = Path(tmp) / "result.json"
        environ = {"LMS_INSTANCE_PATH": tmp, **environ}
        done = subprocess.run([sys.executable, *args, "--json", str(out)], env=environ, cwd=ROOT)
        if done.returncode or not out.exists():
            print(f"{' '.join(args)} failed (exit status {done.returncode})", flush=True)
            return {"error": f"`{' '.join(args)}` failed, exit status {done.returncode}"}
        return json.loads(out.read_text())


def notify_figures() -> dict:
    """The announcement to NOTIFY_N users end to end (bench/notify_announce.py); {} if skipped."""
    if not NOTIFY_N or not NOTIFY_DBS:
        return {}
    runs = run_script(
        ["bench/notify_announce.py", str(NOTIFY_N), "--db", ",".join(NOTIFY_DBS), "--no-write"],
        script_env(
            BENCH_PG_ADMIN_DSN=ADMIN_DB.replace("postgresql+psycopg", "postgresql"),
            LMS_TEST_REDIS_URL=REDIS,
        ),
    )
    return {"n": NOTIFY_N, "dbs": NOTIFY_DBS, "redis": REDIS, "runs": runs}


def outreach_figures() -> dict:
    """The fiscal-year report at each of OUTREACH_ROWS (bench/bench_outreach.py, PostgreSQL);
    {} if skipped."""
    if not OUTREACH_ROWS:
        return {}
    server = "postgresql+psycopg://" + ADMIN_DB.split("://", 1)[1]
    sizes = []
    for rows in OUTREACH_ROWS:
        label = f" (size {OUTREACH_SIZES[rows]})" if rows in OUTREACH_SIZES else ""
        print(f"== outreach: the fiscal-year report over {rows:,} records{label}", flush=True)
        figures = run_script(
            [
                "bench/bench_outreach.py",
                "--rows",
                str(rows),
                "--runs",
                str(OUTREACH_RUNS),
                "--scratch",
                f"{DB_NAME}_outreach",
                "--no-write",
            ],
            script_env(LMS_DATABASE_URL=server),
        )
        sizes.append({"rows": rows, **figures})
    return {"runs": OUTREACH_RUNS, "scratch": f"{DB_NAME}_outreach", "sizes": sizes}


SPEED_LOOP = 2_000_000


def speed_probe(rounds: int = 3) -> float:
    """Millions of iterations per second of a fixed pure-Python loop, the best of ``rounds``: a
    yardstick of how fast this machine runs Python at the moment. On a shared VM it drifts
    between runs (and within one), and every throughput on the page drifts with it; the
    callgrind counts do not."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        total = 0
        for i in range(SPEED_LOOP):
            total += i
        best = min(best, time.perf_counter() - t0)
    return SPEED_LOOP / best / 1e6


def machine() -> dict[str, str]:
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )

    def version(cmd: list[str]) -> str:
        try:
            return (
                subprocess.run(cmd, capture_output=True, text=True, timeout=10)
                .stdout.strip()
                .splitlines()[0]
            )
        except Exception:
            return "?"

    return {
        "cores": str(os.cpu_count()),
        "memory": f"{int(mem) / 1024 / 1024:.1f} GiB",
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.machine(),
        ),
        "python": platform.python_version(),
        "postgresql": version(["psql", "--version"]),
        "redis": version(["redis-server", "--version"]),
        "gunicorn": f"{WORKERS} sync workers",
    }


def main() -> None:
    started = time.monotonic()
    report: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": SIZE,
        "machine": machine(),
        "settings": run_settings(),
        "speed": {"start": speed_probe()},
    }
    print(f"== generating size {SIZE} on PostgreSQL", flush=True)
    report["generate"] = prepare_database()
    users = bench_users(32)
    add_quizzes(users)
    log_in_all(users)
    results: dict = {}
    ramp: dict = {}
    memory: dict = {}
    for label, app in (
        ("bare baseline", "bench.bare_app:create_app()"),
        ("LMS", "lms:create_app()"),
    ):
        print(f"== {label}", flush=True)
        server = Server(app, label)
        try:
            sessions = sessions_for(server.port, users[:16])
            load.closed(sessions, LESSON_ONLY, 5)  # warm-up
            results[(label, "lesson fixed")] = load.fixed_rate(
                sessions, LESSON_ONLY, RATE, SECONDS
            ).summary()
            ramp[label] = {}
            for n in (4, 8, 16, 32):
                more = (
                    sessions
                    if n <= len(sessions)
                    else sessions + sessions_for(server.port, users[16:n])
                )
                before = cpu_seconds(server)
                ramp[label][n] = load.closed(more[:n], LESSON_ONLY, 8).summary()["ALL"]
                if n == 8:  # CPU per request at a load both apps serve near their peak
                    report.setdefault("cpu", {})[label] = cpu_per_request(
                        before, cpu_seconds(server), ramp[label][n]["requests"]
                    )
            share_rate = SHARE * max(r["rps"] for r in ramp["bare baseline"].values())
            results[(label, "lesson share")] = load.fixed_rate(
                sessions, LESSON_ONLY, share_rate, SECONDS
            ).summary()
            report["share_rate"] = share_rate
            if label == "LMS":
                results[(label, "mix fixed")] = load.fixed_rate(
                    sessions, MIX, MIX_RATE, SECONDS
                ).summary()
                # Quiz submits alone at the target rate, into attempts opened first.
                opened = open_submit_attempts(sessions)
                results[(label, "submit fixed")] = load.fixed_rate(
                    sessions,
                    [("quiz submit", 1, submit_prepared)],
                    SUBMIT_RATE,
                    min(SECONDS, 0.9 * opened / SUBMIT_RATE),
                ).summary()
                results[(label, "mix closed 8")] = load.closed(sessions[:8], MIX, SECONDS).summary()
            memory[label] = server.peak_rss_mb()
        finally:
            server.stop()
    print("== lesson page: the two apps in alternating rounds", flush=True)
    report["paired"] = paired_rounds(users[:16], share_rate=report["share_rate"])
    report["speed"]["lesson page done"] = speed_probe()
    report["queries"] = query_counts(users[0])
    print("== in-process lesson page", flush=True)
    report["inprocess"] = inprocess_figures()
    print("== instructions per lesson request (callgrind)", flush=True)
    report["icount"] = icount_figures()
    print("== quiz: learners start the same quiz at once", flush=True)
    from bench import bench_quiz

    report["quiz"] = bench_quiz.scenario()
    if NOTIFY_N and NOTIFY_DBS:
        print(f"== notifications: an announcement to {NOTIFY_N:,} users", flush=True)
    report["notify"] = notify_figures()
    report["outreach"] = outreach_figures()
    if GENERATE_SQLITE:
        print(f"== generating size {SIZE} on SQLite", flush=True)
    report["generate_sqlite"] = generate_sqlite()
    report["mix"] = MIX_TEXT
    report["speed"]["end"] = speed_probe()
    report["seconds"] = time.monotonic() - started
    write_report(report, results, ramp, memory)


if __name__ == "__main__":
    if not shutil.which("psql"):
        sys.exit("make bench needs PostgreSQL (BENCH_DB) and Redis (BENCH_REDIS) on this machine")
    if unknown := set(NOTIFY_DBS) - {"sqlite", "postgresql"}:
        sys.exit(f"BENCH_NOTIFY_DB: unknown {', '.join(sorted(unknown))} (sqlite, postgresql)")
    random.seed(1)
    main()
