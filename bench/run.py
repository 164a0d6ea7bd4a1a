"""``make bench``: generate a site, serve it with gunicorn on PostgreSQL + Redis, load it on
loopback, compare the lesson page with the bare baseline app, and write docs/benchmarks.md.

Environment: BENCH_SIZE (XS|S|M|L, default M), BENCH_DB (an admin URL of a PostgreSQL server,
default postgresql://postgres@127.0.0.1:5432/test; the run creates and drops ``lms_bench``),
BENCH_REDIS (default redis://127.0.0.1:6379/14), BENCH_SECONDS (fixed-rate phase, default 20),
BENCH_RATE (the lesson's fixed rate in requests/s, default 150), BENCH_SHARE (the second fixed
lesson phase's rate as a share of the bare app's peak, default 0.6), BENCH_MIX_RATE (the traffic
mix's, default 100), BENCH_SUBMIT_RATE (quiz submits alone, default 100), BENCH_WORKERS
(gunicorn workers, default 4), BENCH_LEARNERS (the quiz scenario's learners, default 200),
BENCH_DB_NAME (default lms_bench) and BENCH_OUTPUT (default docs/benchmarks.md; a smoke run at
size XS should write elsewhere).
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
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

BIN = Path(sys.executable).parent
SIZE = os.environ.get("BENCH_SIZE", "M")
ADMIN_DB = os.environ.get("BENCH_DB", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RATE = float(os.environ.get("BENCH_RATE", "150"))
# The traffic mix costs more per request than the lesson alone: its fixed rate stays under the
# LMS's capacity, so runs compare service times rather than queue lengths.
MIX_RATE = float(os.environ.get("BENCH_MIX_RATE", "100"))
#: The second fixed-rate lesson phase runs at this share of the bare app's measured peak: a
#: rate both apps can serve on any machine, so their p95 compare service, not queueing.
SHARE = float(os.environ.get("BENCH_SHARE", "0.6"))
SUBMIT_RATE = float(os.environ.get("BENCH_SUBMIT_RATE", "100"))
SUBMIT_QUIZZES = 50  # attempts opened per session before the submit phase
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
DB_NAME = os.environ.get("BENCH_DB_NAME", "lms_bench")
OUTPUT = Path(os.environ.get("BENCH_OUTPUT") or ROOT / "docs" / "benchmarks.md")
#: Other benchmarks' reports (written by their own scripts), appended when they exist.
EXTRA_REPORTS = ("benchmarks-extra.md", "benchmarks-notify.md", "benchmarks-outreach.md")
QUIZ_GIFT = "\n\n".join(
    [f"::Q{n}::ข้อ {n}: เมืองหลวงของไทยคือ? {{=กรุงเทพฯ ~เชียงใหม่ ~ลำปาง ~น่าน}}" for n in range(8)]
    + ["::S::Which district? {=Mueang Chiang Mai =เมืองเชียงใหม่}", "::E::Write a sentence. {}"]
)
SECRET = "bench-secret-key-not-for-production"


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
        LMS_LOG_LEVEL="WARNING",
    )
    return e


def sh(*args: str, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env(), text=True, capture_output=True, **kw)
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


def bench_users(n: int) -> list[dict]:
    """Learners with their enrolled courses and lesson ids, read straight from the database."""
    os.environ.update(env())
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
                    select(Activity.id).where(Activity.course_id.in_(courses)).limit(200)
                )
            ]
            users.append(
                {"email": email, "courses": courses, "lessons": lessons, "all_courses": all_courses}
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
    """Log every bench user in once through the LMS; the bare app accepts the same cookie."""
    server = Server("lms:create_app()", "login")
    try:
        for u in users:
            s = load.Session("127.0.0.1", server.port)
            s.login(u["email"], "bench-password")
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
        client.post("/login", data={"email": user["email"], "password": "bench-password"})
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


def row(name: str, s: dict) -> str:
    return (
        f"| {name} | {s['requests']:,} | {s['rps']:.1f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | "
        f"{s['p99_ms']:.1f} | {s['errors']} |"
    )


HEAD = "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|---:|---:|"


def main() -> None:
    report: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": SIZE,
        "machine": machine(),
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
                ramp[label][n] = load.closed(more[:n], LESSON_ONLY, 8).summary()["ALL"]
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
    report["queries"] = query_counts(users[0])
    print("== in-process lesson page", flush=True)
    report["inprocess"] = inprocess_figures()
    print("== instructions per lesson request (callgrind)", flush=True)
    report["icount"] = icount_figures()
    print("== quiz: learners start the same quiz at once", flush=True)
    from bench import bench_quiz

    report["quiz"] = bench_quiz.scenario()
    write_report(report, results, ramp, memory)


def inprocess_section(figures: dict) -> list[str]:
    lms, bare = figures["LMS"], figures["bare baseline"]
    return [
        "In one process, without HTTP (bench/inprocess.py: Flask's test client, the same learner",
        f"and lessons, {lms['n']} requests each; Python function calls counted by cProfile do not",
        "depend on the machine's load):",
        "",
        "| app | median ms | p90 ms | SQL queries | Python calls |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {name} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} | {r['queries']:.0f} | {r['calls']:,.0f} |"
            for name, r in figures.items()
        ],
        "",
        f"- Time per request LMS / bare: **{lms['median_ms'] / bare['median_ms']:.2f}**; Python calls "
        f"LMS / bare: **{lms['calls'] / bare['calls']:.2f}**",
        "",
    ]


def icount_section(counts: dict) -> list[str]:
    if not counts:
        return ["Instructions per request: valgrind is not installed, not counted.", ""]
    lms, bare = counts["LMS"], counts["bare baseline"]
    return [
        "Instructions per lesson request in the app's Python process (bench/icount.py: callgrind",
        "counts them, so the figure repeats within about 1 % whatever the machine is doing; it",
        "leaves out PostgreSQL, Redis and the kernel). Compare this line between commits:",
        "",
        f"- LMS **{lms / 1e6:.2f} M**, bare baseline {bare / 1e6:.2f} M: ratio **{lms / bare:.2f}**",
        "",
    ]


def quiz_section(quiz: dict) -> list[str]:
    together, alone = quiz["together"], quiz["alone"]
    submit = together.get("4 submit", {})
    return [
        f"## Quiz: {quiz['learners']} learners start the same quiz at once",
        "",
        f"bench/bench_quiz.py on its own database: {quiz['learners']} learners, each on its own "
        "connection, start the same timed quiz",
        "(7 questions, all on one page) at the same moment, load the quiz page, autosave twice and "
        f"submit twice (the second submit is a double click); gunicorn {quiz['workers']} sync workers.",
        f"Wall time {quiz['wall']:.2f} s.",
        "",
        HEAD,
        *[row(k, v) for k, v in together.items()],
        "",
        "One learner alone afterwards (service time, no queue):",
        "",
        HEAD,
        *[row(k, v) for k, v in alone.items()],
        "",
        f"- Quiz submit under the burst: p99 **{submit.get('p99_ms', 0):.0f} ms** "
        "(target: ≥ 100 submits/s with p99 < 500 ms)",
        "",
    ]


def write_report(report: dict, results: dict, ramp: dict, memory: dict) -> None:
    m = report["machine"]
    bare = results[("bare baseline", "lesson fixed")]["ALL"]
    ours = results[("LMS", "lesson fixed")]["ALL"]
    share_rate = report["share_rate"]
    bare_share = results[("bare baseline", "lesson share")]["ALL"]
    ours_share = results[("LMS", "lesson share")]["ALL"]
    bare_max = max(r["rps"] for r in ramp["bare baseline"].values())
    ours_max = max(r["rps"] for r in ramp["LMS"].values())
    best_n = max(ramp["LMS"], key=lambda n: ramp["LMS"][n]["rps"])
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {report['when']}. Size **{report['size']}**. Everything runs on one machine:",
        "the load generator (bench/load.py, standard-library threads on loopback) shares the cores with the",
        "servers, so the figures are a floor for a dedicated server.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in m.items()],
        "",
        "## Data generation",
        "",
        f"`lms bench generate --size {report['size']}` into PostgreSQL took **{report['generate']['seconds']:.1f} s**:",
        "",
        "```",
        report["generate"]["output"].strip(),
        "```",
        "",
        "## Lesson page: the LMS against the bare baseline",
        "",
        "The bare baseline (bench/bare_app.py) is Flask + SQLAlchemy with no hooks, no plugins and no theme",
        "chain, rendering the same lesson from the same database with the same markup.",
        f"Fixed rate {RATE:.0f} requests/s for {SECONDS:.0f} s (latency from the scheduled send time):",
        "",
        HEAD,
        row("bare baseline: lesson", bare),
        row("LMS: lesson", ours),
        "",
        "Saturation (closed loop, concurrent users → throughput, p95):",
        "",
        "| users | bare req/s | bare p95 ms | LMS req/s | LMS p95 ms |",
        "|---:|---:|---:|---:|---:|",
        *[
            f"| {n} | {ramp['bare baseline'][n]['rps']:.1f} | {ramp['bare baseline'][n]['p95_ms']:.1f} | "
            f"{ramp['LMS'][n]['rps']:.1f} | {ramp['LMS'][n]['p95_ms']:.1f} |"
            for n in ramp["LMS"]
        ],
        "",
        f"- Peak throughput ratio LMS / bare: **{ours_max / bare_max:.2f}** ({ours_max:.0f} vs {bare_max:.0f} req/s; "
        "target ≥ 0.8)",
        f"- p95 ratio at the fixed rate LMS / bare: **{ours['p95_ms'] / max(bare['p95_ms'], 0.001):.2f}** (target ≤ 1.25)",
        "",
        f"A fixed rate both apps can serve on this machine: {share_rate:.0f} requests/s "
        f"({SHARE:.0%} of the bare app's peak) for {SECONDS:.0f} s:",
        "",
        HEAD,
        row("bare baseline: lesson", bare_share),
        row("LMS: lesson", ours_share),
        "",
        f"- p95 ratio at {share_rate:.0f} requests/s LMS / bare: "
        f"**{ours_share['p95_ms'] / max(bare_share['p95_ms'], 0.001):.2f}** (target ≤ 1.25); "
        f"p50 ratio {ours_share['p50_ms'] / max(bare_share['p50_ms'], 0.001):.2f}",
        f"- LMS lesson page peak: **{ours_max:.0f} req/s** with {best_n} users, p95 "
        f"{ramp['LMS'][best_n]['p95_ms']:.0f} ms (target ≥ 300 req/s, p95 < 100 ms; Moodle 4.3: 36 req/s, p95 254 ms)",
        "",
        *inprocess_section(report["inprocess"]),
        *icount_section(report.get("icount") or {}),
        "## Learner traffic mix (LMS)",
        "",
        MIX_TEXT,
        "",
        f"Fixed rate {MIX_RATE:.0f} requests/s for {SECONDS:.0f} s:",
        "",
        HEAD,
        *[row(k, v) for k, v in results[("LMS", "mix fixed")].items()],
        "",
        "Closed loop, 8 users:",
        "",
        HEAD,
        *[row(k, v) for k, v in results[("LMS", "mix closed 8")].items()],
        "",
        f"Quiz submits alone at a fixed {SUBMIT_RATE:.0f} per second, spread over 16 learners, into",
        f"attempts each learner opened beforehand (one in each of {SUBMIT_QUIZZES} quizzes, untimed):",
        "",
        HEAD,
        *[row(k, v) for k, v in results[("LMS", "submit fixed")].items() if k != "ALL"],
        "",
        f"- Quiz submit at {SUBMIT_RATE:.0f}/s: p99 "
        f"**{results[('LMS', 'submit fixed')]['ALL']['p99_ms']:.0f} ms**, "
        f"{results[('LMS', 'submit fixed')]['ALL']['errors']} errors "
        "(target: ≥ 100 submits/s with p99 < 500 ms)",
        "",
        "## SQL queries per request",
        "",
        "| page | queries |",
        "|---|---:|",
        *[f"| {k} | {v} |" for k, v in report["queries"].items()],
        "",
        "Tests assert that these counts do not grow with the data (tests/unit/test_learning.py:",
        "catalog, course, lesson, dashboard; tests/unit/test_queries.py: the quiz pages).",
        "",
        *quiz_section(report["quiz"]),
        "## Peak memory per process (VmHWM)",
        "",
        "| server | process | MiB |",
        "|---|---|---:|",
        *[
            f"| {srv} | {proc} | {mb:.0f} |"
            for srv, procs in memory.items()
            for proc, mb in procs.items()
        ],
        "",
    ]
    for name in EXTRA_REPORTS:
        extra = ROOT / "docs" / name
        if extra.exists():
            lines += ["", extra.read_text().strip(), ""]
    out = OUTPUT
    out.write_text("\n".join(lines))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "last.json").write_text(
        json.dumps({"report": report, "ramp": ramp, "memory": memory}, indent=2, default=str)
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    if not shutil.which("psql"):
        sys.exit("make bench needs PostgreSQL (BENCH_DB) and Redis (BENCH_REDIS) on this machine")
    random.seed(1)
    main()
