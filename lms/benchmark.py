"""Benchmark data: ``lms bench generate --size XS|S|M|L`` fills the configured database.

Sizes follow Moodle's test sites. Rows go in with SQLAlchemy Core bulk inserts (executemany in
chunks; on PostgreSQL psycopg pipelines them), with one shared password hash so generating ten
thousand accounts does not spend minutes in scrypt. Every learner's password is ``bench-password``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from lms.extensions import db
from lms.models import Activity, ActivityProgress, Course, Enrolment, Role, Section, User
from lms.models.user import user_roles

BENCH_PASSWORD = "bench-password"  # noqa: S105 (a published benchmark login)
CHUNK = 5_000


@dataclass(frozen=True)
class Size:
    learners: int
    courses: int
    largest_sections: int
    largest_activities: int
    progress_rows: int


SIZES = {
    "XS": Size(
        learners=50, courses=3, largest_sections=5, largest_activities=10, progress_rows=1_000
    ),
    "S": Size(1_000, 12, 20, 60, 100_000),
    "M": Size(10_000, 75, 100, 200, 1_000_000),
    "L": Size(50_000, 280, 100, 200, 10_000_000),
}

TH_WORDS = [
    "การใช้สมาร์ตโฟน",
    "ภาษาอังกฤษ",
    "เกษตรอินทรีย์",
    "สุขภาพผู้สูงอายุ",
    "การเงินครัวเรือน",
    "ทักษะดิจิทัล",
    "ทำอาหารพื้นเมือง",
    "ผ้าทอมือ",
    "การท่องเที่ยวชุมชน",
    "ปฐมพยาบาล",
    "ดนตรีล้านนา",
    "คณิตศาสตร์",
]
EN_WORDS = [
    "Digital skills",
    "Household finance",
    "Organic farming",
    "First aid",
    "Spoken English",
    "Local cooking",
    "Community tourism",
    "Handwoven textiles",
    "Lanna music",
    "Everyday maths",
]


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _bulk(table, rows: Iterator[dict], progress: Callable[[int], None]) -> int:
    count = 0
    for batch in _chunks(rows):
        db.session.execute(insert(table), batch)
        count += len(batch)
        progress(len(batch))
    return count


def _course_shapes(size: Size, rng: random.Random) -> list[tuple[int, int]]:
    """(sections, activities) per course: one largest course, the rest smaller."""
    shapes = [(size.largest_sections, size.largest_activities)]
    for _ in range(size.courses - 1):
        activities = rng.randint(
            max(4, size.largest_activities // 20), size.largest_activities // 2
        )
        shapes.append((max(1, activities // 4), activities))
    return shapes


def generate(
    size_name: str, seed: int = 2566, progress: Callable[[int], None] = lambda n: None
) -> dict[str, int]:
    """Insert a site of ``size_name`` and return the row counts per table."""
    size = SIZES[size_name]
    rng = random.Random(seed)
    now = datetime.now(UTC)
    password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
    counts: dict[str, int] = {}

    learner_role = Role.get_or_create("learner")
    educator_role = Role.get_or_create("educator")
    db.session.flush()

    first_user = _next_id(User)
    teacher_id = first_user
    run = f"{int(time.time())}"
    users = (
        {
            "id": first_user + i,
            "email": f"bench{run}-{i}@example.com",
            "name": (f"ผู้เรียน {i}" if i % 2 else f"Learner {i}") if i else "ครูผู้สอน Bench",
            "password_hash": password_hash,
            "locale": "th" if i % 3 else "en",
            "is_active_account": True,
            "created_at": now - timedelta(days=rng.randint(0, 720)),
        }
        for i in range(size.learners + 1)
    )
    counts["user"] = _bulk(User.__table__, users, progress)
    roles = (
        {"user_id": first_user + i, "role_id": learner_role.id} for i in range(1, size.learners + 1)
    )
    _bulk(user_roles, roles, progress)
    db.session.execute(insert(user_roles), [{"user_id": teacher_id, "role_id": educator_role.id}])

    shapes = _course_shapes(size, rng)
    course_id, section_id, activity_id = _next_id(Course), _next_id(Section), _next_id(Activity)
    courses, sections, activities, pages = [], [], [], []
    course_activities: dict[int, list[int]] = {}
    for c, (n_sections, n_activities) in enumerate(shapes):
        thai = c % 3 != 2
        words = TH_WORDS if thai else EN_WORDS
        title = f"{rng.choice(words)} {c + 1}"
        courses.append(
            {
                "id": course_id + c,
                "title": title,
                "summary": ("คอร์สตัวอย่างสำหรับวัดประสิทธิภาพ " if thai else "A benchmark course. ") * 3,
                "language": "th" if thai else "en",
                "is_published": True,
                "self_enrol": True,
                "created_by_id": teacher_id,
                "created_at": now - timedelta(days=c),
                "updated_at": now,
            }
        )
        ids = []
        per_section = max(1, n_activities // n_sections)
        for s in range(n_sections):
            sid = section_id
            section_id += 1
            sections.append(
                {
                    "id": sid,
                    "course_id": course_id + c,
                    "position": s,
                    "title": f"หน่วยที่ {s + 1}",
                    "summary": "",
                }
            )
            for a in range(per_section):
                if len(ids) >= n_activities:
                    break
                ids.append(activity_id)
                activities.append(
                    {
                        "id": activity_id,
                        "course_id": course_id + c,
                        "section_id": sid,
                        "position": a,
                        "content_type": "page",
                        "title": f"บทเรียนที่ {len(ids)} / Lesson {len(ids)}",
                        "is_visible": True,
                        "completion": "manual",
                        "created_at": now,
                    }
                )
                pages.append(
                    {
                        "activity_id": activity_id,
                        "format": "markdown",
                        "body": "## เนื้อหา\n\nบทเรียนนี้อธิบาย **ทักษะ** ที่ใช้ได้จริงในชีวิตประจำวัน\n\n"
                        "- ข้อที่หนึ่ง\n- ข้อที่สอง\n\nThis lesson explains a practical skill.",
                    }
                )
                activity_id += 1
        course_activities[course_id + c] = ids
    counts["course"] = _bulk(Course.__table__, iter(courses), progress)
    counts["section"] = _bulk(Section.__table__, iter(sections), progress)
    counts["activity"] = _bulk(Activity.__table__, iter(activities), progress)
    counts["lms_page_page"] = _insert_pages(pages, progress)

    enrolment_id = _next_id(Enrolment)
    teacher_rows = [
        {
            "id": enrolment_id + i,
            "user_id": teacher_id,
            "course_id": cid,
            "role": "teacher",
            "enrolled_at": now,
        }
        for i, cid in enumerate(course_activities)
    ]
    enrolment_id += len(teacher_rows)
    avg_activities = sum(len(v) for v in course_activities.values()) / len(course_activities)
    per_enrolment = max(1.0, avg_activities * 0.5)
    n_enrolments = max(size.learners, int(size.progress_rows / per_enrolment))
    per_learner = max(1, min(len(course_activities), round(n_enrolments / size.learners)))
    course_ids = list(course_activities)

    enrolments: list[dict] = []
    progress_plan: list[tuple[int, int, int]] = []  # user, course, activities done
    for i in range(1, size.learners + 1):
        for cid in rng.sample(course_ids, per_learner):
            enrolments.append(
                {
                    "id": enrolment_id,
                    "user_id": first_user + i,
                    "course_id": cid,
                    "role": "learner",
                    "enrolled_at": now - timedelta(days=rng.randint(0, 365)),
                }
            )
            enrolment_id += 1
            progress_plan.append((first_user + i, cid, rng.randint(0, len(course_activities[cid]))))
    counts["enrolment"] = _bulk(Enrolment.__table__, iter(teacher_rows + enrolments), progress)

    scale = size.progress_rows / max(1, sum(done for _u, _c, done in progress_plan))
    progress_id = _next_id(ActivityProgress)

    def progress_rows() -> Iterator[dict]:
        nonlocal progress_id
        budget = size.progress_rows
        for user_id, cid, done in progress_plan:
            take = min(len(course_activities[cid]), max(0, round(done * scale)), budget)
            budget -= take
            for aid in course_activities[cid][:take]:
                yield {
                    "id": progress_id,
                    "user_id": user_id,
                    "activity_id": aid,
                    "course_id": cid,
                    "first_viewed_at": now,
                    "completed_at": now,
                }
                progress_id += 1

    counts["activity_progress"] = _bulk(ActivityProgress.__table__, progress_rows(), progress)
    _reset_sequences()
    db.session.commit()
    _analyze()
    return counts


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the new rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (User, Role, Course, Section, Activity, Enrolment, ActivityProgress):
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )
        )


def _insert_pages(pages: list[dict], progress: Callable[[int], None]) -> int:
    from sqlalchemy import Table

    table = db.metadata.tables.get("lms_page_page")
    if not isinstance(table, Table):  # the page plugin is not installed: lessons have no body
        return 0
    return _bulk(table, iter(pages), progress)


def _analyze() -> None:
    """Fresh planner statistics so the first measured queries use the indexes."""
    if db.engine.dialect.name in ("postgresql", "sqlite"):
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def _estimate(size: Size) -> int:
    return size.learners * 3 + size.progress_rows + size.courses * 60


def register_cli(app) -> None:
    import click
    from flask.cli import with_appcontext

    @click.group("bench")
    def bench_group() -> None:
        """Benchmark data and helpers (see docs/benchmarks.md)."""

    @bench_group.command("generate")
    @click.option(
        "--size", "size_name", type=click.Choice(list(SIZES)), default="S", show_default=True
    )
    @click.option("--seed", default=2566, show_default=True)
    @with_appcontext
    def generate_command(size_name: str, seed: int) -> None:
        """Fill the configured database with a site of the given size."""
        size = SIZES[size_name]
        started = time.perf_counter()
        with click.progressbar(length=_estimate(size), label=f"Generating {size_name}") as bar:
            counts = generate(size_name, seed, progress=bar.update)
        elapsed = time.perf_counter() - started
        for table, n in counts.items():
            click.echo(f"  {table:<20} {n:>12,}")
        click.echo(f"Done in {elapsed:.1f} s. Learner password: {BENCH_PASSWORD}")

    app.cli.add_command(bench_group)
