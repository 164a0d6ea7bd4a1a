"""Benchmark data: ``lms bench generate --size XS|S|M|L`` fills the configured database.

Sizes follow Moodle's test sites. Rows go in chunks (lms/bench_insert.py: COPY on PostgreSQL,
executemany elsewhere), with one shared password hash so generating ten
thousand accounts does not spend minutes in scrypt. Every learner's password is ``bench-password``
(the audience plugin then turns the children's into accounts without one, as on a real site).

The core writes users, courses, sections, lessons (every body a different Thai or English
Markdown text), enrolments and progress. Plugins add their own rows through the
``lms_bench_generate`` hook, given the :class:`BenchSite` built so far: the audience plugin puts
every learner in one of the five groups and a district, the quiz plugin adds quizzes with
finished attempts, the outreach plugin workshops with registrations and participation records.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from lms import bench_text
from lms.bench_insert import bulk
from lms.extensions import db
from lms.models import Activity, ActivityProgress, Course, Enrolment, Role, Section, User
from lms.models.user import user_roles

BENCH_PASSWORD = "bench-password"  # noqa: S105 (a published benchmark login)


@dataclass(frozen=True)
class Size:
    learners: int
    courses: int
    largest_sections: int
    largest_activities: int
    progress_rows: int
    #: Outreach participation records (the outreach plugin writes them).
    participation_rows: int


SIZES = {
    "XS": Size(
        learners=50,
        courses=3,
        largest_sections=5,
        largest_activities=10,
        progress_rows=1_000,
        participation_rows=1_000,
    ),
    "S": Size(1_000, 12, 20, 60, 100_000, 100_000),
    "M": Size(10_000, 75, 100, 200, 1_000_000, 1_000_000),
    "L": Size(50_000, 280, 100, 200, 10_000_000, 10_000_000),
}


class BenchPluginError(RuntimeError):
    """A plugin's ``lms_bench_generate`` raised: the site is not complete, nothing is kept."""


@dataclass
class BenchSite:
    """The benchmark site being generated, handed to each plugin's ``lms_bench_generate``.

    Ids are the rows' real primary keys. ``enrolments`` lists every learner enrolment as
    ``(user_id, course_id, lessons_done)``: the learner completed the first ``lessons_done``
    lessons of the course (``course_activities[course_id]``, in outline order). ``facts`` is
    for plugins to share what they decided (the audience plugin sets ``facts["audience"]``
    and ``facts["district"]``, each ``{user_id: code}``, before the others run).
    """

    size_name: str
    size: Size
    rng: random.Random
    now: datetime
    teacher_id: int
    learner_ids: list[int]
    course_ids: list[int]
    course_language: dict[int, str]
    course_sections: dict[int, list[int]]
    course_activities: dict[int, list[int]]
    enrolments: list[tuple[int, int, int]]
    facts: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[int], None] = lambda n: None

    def bulk(self, table: Any, rows: Iterable[dict]) -> int:
        """Insert ``rows`` into ``table`` (a Table or a model) in chunks; the number inserted."""
        return bulk(getattr(table, "__table__", table), iter(rows), self.progress)

    def next_id(self, table: Any) -> int:
        """The first free ``id`` of ``table`` (a Table or a model): give rows explicit ids from
        here, the generator moves PostgreSQL's sequence past them afterwards."""
        table = getattr(table, "__table__", table)
        return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


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
    """Insert a site of ``size_name`` and return the row counts per table (plugins' included).

    Raises :class:`BenchPluginError` when a plugin's ``lms_bench_generate`` fails; the caller
    rolls back."""
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
    run = str(first_user)  # unique per run: a second run starts after the first one's ids
    policy = str(current_app.config.get("PRIVACY_POLICY_VERSION", "1"))

    def user_rows() -> Iterator[dict]:
        for i in range(size.learners + 1):
            created = now - timedelta(days=rng.randint(0, 720))
            yield {
                "id": first_user + i,
                "email": f"bench{run}-{i}@example.com",
                "name": (f"ผู้เรียน {i}" if i % 2 else f"Learner {i}") if i else "ครูผู้สอน Bench",
                "password_hash": password_hash,
                "locale": "th" if i % 3 else "en",
                "is_active_account": True,
                "created_at": created,
                # PDPA: each agreed to the current privacy notice when signing up.
                "consent_at": created,
                "consent_version": policy,
            }

    counts["user"] = bulk(User.__table__, user_rows(), progress)
    roles = (
        {"user_id": first_user + i, "role_id": learner_role.id} for i in range(1, size.learners + 1)
    )
    bulk(user_roles, roles, progress)
    db.session.execute(insert(user_roles), [{"user_id": teacher_id, "role_id": educator_role.id}])

    shapes = _course_shapes(size, rng)
    course_id, section_id, activity_id = _next_id(Course), _next_id(Section), _next_id(Activity)
    courses, sections, activities, pages = [], [], [], []
    course_activities: dict[int, list[int]] = {}
    course_sections: dict[int, list[int]] = {}
    course_language: dict[int, str] = {}
    for c, (n_sections, n_activities) in enumerate(shapes):
        thai = c % 3 != 2
        title = bench_text.course_title(rng, thai, c + 1)
        course_language[course_id + c] = "th" if thai else "en"
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
        ids: list[int] = []
        course_sections[course_id + c] = []
        per_section = max(1, n_activities // n_sections)
        for s in range(n_sections):
            sid = section_id
            section_id += 1
            course_sections[course_id + c].append(sid)
            sections.append(
                {
                    "id": sid,
                    "course_id": course_id + c,
                    "position": s,
                    "title": f"หน่วยที่ {s + 1}" if thai else f"Unit {s + 1}",
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
                        "body": bench_text.lesson_body(rng, thai, len(ids), title),
                    }
                )
                activity_id += 1
        course_activities[course_id + c] = ids
    counts["course"] = bulk(Course.__table__, iter(courses), progress)
    counts["section"] = bulk(Section.__table__, iter(sections), progress)
    counts["activity"] = bulk(Activity.__table__, iter(activities), progress)
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
    counts["enrolment"] = bulk(Enrolment.__table__, iter(teacher_rows + enrolments), progress)

    scale = size.progress_rows / max(1, sum(done for _u, _c, done in progress_plan))
    progress_id = _next_id(ActivityProgress)
    done_plan: list[tuple[int, int, int]] = []  # what progress_rows() wrote, for plugins

    def progress_rows() -> Iterator[dict]:
        nonlocal progress_id
        budget = size.progress_rows
        for user_id, cid, done in progress_plan:
            take = min(len(course_activities[cid]), max(0, round(done * scale)), budget)
            budget -= take
            done_plan.append((user_id, cid, take))
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

    counts["activity_progress"] = bulk(ActivityProgress.__table__, progress_rows(), progress)
    site = BenchSite(
        size_name=size_name,
        size=size,
        rng=rng,
        now=now,
        teacher_id=teacher_id,
        learner_ids=list(range(first_user + 1, first_user + size.learners + 1)),
        course_ids=course_ids,
        course_language=course_language,
        course_sections=course_sections,
        course_activities=course_activities,
        enrolments=done_plan,
        progress=progress,
    )
    for table, n in _plugin_rows(site).items():  # a plugin may add to a core table (activity)
        counts[table] = counts.get(table, 0) + n
    _reset_sequences(counts)
    db.session.commit()
    _analyze()
    return counts


def _plugin_rows(site: BenchSite) -> dict[str, int]:
    """Each plugin's ``lms_bench_generate`` rows. A failing plugin stops the whole run: a
    benchmark of a site with a plugin's data silently missing would mislead."""
    manager = current_app.extensions["lms"].plugins
    before = {name: len(info.errors) for name, info in manager.infos.items()}
    results = manager.results("lms_bench_generate", app=current_app, site=site)
    for name, info in manager.infos.items():
        if len(info.errors) > before.get(name, 0):
            raise BenchPluginError(f"plugin {name} failed to add its rows: {info.errors[-1]}")
    counts: dict[str, int] = {}
    for _plugin, result in results:
        for table, n in dict(result).items():
            counts[table] = counts.get(table, 0) + int(n)
    return counts


def _reset_sequences(counts: dict[str, int]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the new rows, in every
    table the run filled that has an integer ``id`` (plugins' tables too)."""
    if db.engine.dialect.name != "postgresql":
        return
    for name in ["role", *counts]:
        table = db.metadata.tables.get(name)
        if table is None or "id" not in table.c or not table.c.id.autoincrement:
            continue
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "  # noqa: S608
                f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
            )
        )


def _insert_pages(pages: list[dict], progress: Callable[[int], None]) -> int:
    from sqlalchemy import Table

    table = db.metadata.tables.get("lms_page_page")
    if not isinstance(table, Table):  # the page plugin is not installed: lessons have no body
        return 0
    return bulk(table, iter(pages), progress)


def _analyze() -> None:
    """Fresh planner statistics so the first measured queries use the indexes."""
    if db.engine.dialect.name in ("postgresql", "sqlite"):
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def _estimate(size: Size) -> int:
    """Rows the progress bar expects: the core's and, roughly, the plugins'."""
    return size.learners * 5 + size.progress_rows * 6 // 5 + size.participation_rows


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
            try:
                counts = generate(size_name, seed, progress=bar.update)
            except BenchPluginError as exc:
                db.session.rollback()
                raise click.ClickException(f"{exc}. Nothing was kept.") from None
        elapsed = time.perf_counter() - started
        for table, n in counts.items():
            click.echo(f"  {table:<28} {n:>12,}")
        click.echo(
            f"Done in {elapsed:.1f} s. Learner password: {BENCH_PASSWORD} "
            "(children's accounts sign in otherwise: docs/benchmarks.md)"
        )

    app.cli.add_command(bench_group)
