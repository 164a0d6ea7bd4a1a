"""Benchmark: parse and store a 500-question mixed GIFT file (process start-up not counted).

Run: ``.venv/bin/python bench/bench_gift.py`` (``--db URL`` to use PostgreSQL). Target < 0.15 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KINDS = [
    "::MC {n}::[html]<p>ข้อ {n}: เมืองหลวงของประเทศไทยคือ?</p>{{\n  =กรุงเทพฯ#ถูกต้อง\n"
    "  ~เชียงใหม่#ไม่ใช่\n  ~%-50%ภูเก็ต\n  ####ทั่วไป\n}}",
    "::TF {n}::The sun rises in the east ({n}).{{T#Think again#Yes}}",
    "::SA {n}::Who is buried in Grant's tomb ({n})?{{=Grant =Ulysses S. Grant =%50%Ulysses}}",
    "::NUM {n}::What is pi ({n})?{{#\n  =3.14:0.005#close\n  =%50%3.1:0.05\n}}",
    "::MATCH {n}::จับคู่ ({n}){{\n  =แมว -> cat\n  =หมา -> dog\n  =นก -> bird\n}}",
    "::MW {n}::Moodle costs {{~lots of money =nothing ~a small amount}} to download ({n}).",
    "::ES {n}::[markdown]Write about **district {n}**.{{}}",
    "::MULTI {n}::Which are provinces ({n})?{{~%50%Chiang Mai ~%50%Lamphun ~%-100%Vientiane}}",
    "::DESC {n}::A description \\{{ with escapes \\}} and \\: colons ({n}).",
    "::RANGE {n}::Between 1 and 5 ({n}){{#1..5}}",
]


def make_gift(count: int = 500) -> str:
    out = ["// generated benchmark file", "$CATEGORY: bench"]
    for n in range(count):
        out.append(KINDS[n % len(KINDS)].format(n=n))
    return "\n\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db", default=None, help="database URL (default: a temporary SQLite file)"
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from lms_quiz import bank, gift
    from lms_quiz.models import Question

    from lms import create_app
    from lms.extensions import db

    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{tmp.name}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": tmp.name, "REDIS_URL": ""})  # fmt: skip
    source = make_gift(500)
    timings, parse_only = [], []
    with app.app_context():
        db.drop_all()
        db.create_all()
        from lms.auth.services import create_user
        from lms.teach.services import create_course

        teacher = create_user(
            "T", "t@example.com", "a long password", roles=("educator",), consent=True
        )
        course = create_course(teacher, title="Bench")
        db.session.commit()
        bank.store(course.id, gift.parse(source))  # warm-up: imports, caches, table pages
        db.session.rollback()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            parsed = gift.parse(source)
            t1 = time.perf_counter()
            counts = bank.store(course.id, parsed)
            db.session.commit()
            timings.append(time.perf_counter() - t0)
            parse_only.append(t1 - t0)
        total = db.session.scalar(db.select(db.func.count(Question.id)))
        db.drop_all()
    print(f"questions per run: {sum(counts.values())} ({dict(sorted(counts.items()))})")
    print(f"stored in all runs: {total}")
    print(f"parse only:     median {statistics.median(parse_only) * 1000:.1f} ms")
    print(
        f"parse + store:  median {statistics.median(timings) * 1000:.1f} ms, "
        f"best {min(timings) * 1000:.1f} ms over {args.runs} runs (target < 150 ms)"
    )


if __name__ == "__main__":
    main()
