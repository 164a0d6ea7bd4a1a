"""The gradebook, the attempts overview and per-question statistics."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from statistics import mean, pstdev
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.models import Activity, Course, Enrolment, User
from lms_quiz.attempts import aggregate
from lms_quiz.models import Attempt, Quiz, Response
from lms_quiz.qtypes import all_types


def course_quizzes(course_id: int) -> list[tuple[Activity, Quiz]]:
    rows = db.session.execute(
        select(Activity, Quiz)
        .join(Quiz, Quiz.activity_id == Activity.id)
        .where(Activity.course_id == course_id)
        .order_by(Activity.section_id, Activity.position, Activity.id)
    ).all()
    return [(a, q) for a, q in rows]


def gradebook(course: Course, user_ids: list[int] | None = None) -> dict[str, Any]:
    """Learners × quizzes with each quiz's grade (by its grading method) and a course total.

    ``user_ids`` limits the rows (a learner sees only their own). Three queries in all."""
    quizzes = course_quizzes(course.id)
    stmt = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course.id, Enrolment.role == "learner")
        .order_by(User.name, User.id)
    )
    if user_ids is not None:
        stmt = stmt.where(User.id.in_(user_ids))
    users = list(db.session.scalars(stmt))
    graded: dict[tuple[int, int], list[float]] = defaultdict(list)
    if quizzes and users:
        for a in db.session.scalars(
            select(Attempt)
            .where(
                Attempt.quiz_id.in_([q.activity_id for _a, q in quizzes]),
                Attempt.user_id.in_([u.id for u in users]),
                Attempt.state == "graded",
            )
            .order_by(Attempt.number)
        ):
            if a.grade is not None:
                graded[(a.user_id, a.quiz_id)].append(a.grade)
    total_max = sum(q.grade_max for _a, q in quizzes)
    rows = []
    for user in users:
        cells = [
            aggregate(q.grade_method, graded.get((user.id, q.activity_id), [])) for _a, q in quizzes
        ]
        total = sum(c for c in cells if c is not None)
        rows.append(
            {
                "user": user,
                "grades": cells,
                "total": round(total, 2),
                "percent": round(100 * total / total_max, 1) if total_max else 0.0,
            }
        )
    return {"quizzes": quizzes, "rows": rows, "total_max": total_max}


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def gradebook_table(book: dict[str, Any]) -> list[list[Any]]:
    header = ["Name", "Email"]
    header += [f"{a.title} (/{q.grade_max:g})" for a, q in book["quizzes"]]
    header += [f"Course total (/{book['total_max']:g})", "Percent"]
    table: list[list[Any]] = [header]
    for row in book["rows"]:
        table.append(
            [row["user"].name, row["user"].email, *row["grades"], row["total"], row["percent"]]
        )
    return table


def _safe_cell(value: Any) -> Any:
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def gradebook_csv(book: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in gradebook_table(book):
        writer.writerow(
            [_safe_cell(_fmt(c) if isinstance(c, float) or c is None else c) for c in row]
        )
    return "\ufeff" + out.getvalue()  # BOM: Excel opens Thai text correctly


def gradebook_xlsx(book: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Grades"
    for row in gradebook_table(book):
        ws.append([_safe_cell(c) for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def attempts_overview(quiz: Quiz) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Attempt, User)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.quiz_id == quiz.activity_id)
        .order_by(User.name, Attempt.number)
    ).all()
    return [{"attempt": a, "user": u} for a, u in rows]


def question_stats(quiz: Quiz) -> list[dict[str, Any]]:
    """Per question over graded attempts: facility index (mean score, %), discrimination index
    (correlation of the question's score with the rest of the attempt, %), and how often each
    response was given."""
    attempts = list(
        db.session.scalars(
            select(Attempt)
            .options(selectinload(Attempt.responses).selectinload(Response.question))
            .where(Attempt.quiz_id == quiz.activity_id, Attempt.state == "graded")
        )
    )
    types = all_types()
    per_q: dict[int, dict[str, Any]] = {}
    for attempt in attempts:
        total = attempt.sum_marks or 0.0
        for row in attempt.responses:
            q = row.question
            qt = types.get(q.qtype)
            if qt is None or not qt.gradable:
                continue
            entry = per_q.setdefault(
                q.id, {"question": q, "scores": [], "rest": [], "answers": Counter()}
            )
            entry["scores"].append(row.fraction or 0.0)
            entry["rest"].append(total - (row.mark or 0.0))
            entry["answers"][qt.summarise(q.data, row.response) or "—"] += 1
    out = []
    for entry in per_q.values():
        scores, rest = entry["scores"], entry["rest"]
        out.append(
            {
                "question": entry["question"],
                "count": len(scores),
                "facility": round(100 * mean(scores), 1) if scores else None,
                "discrimination": _correlation(scores, rest),
                "answers": entry["answers"].most_common(),
            }
        )
    return sorted(out, key=lambda e: e["question"].id)


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    sx, sy = pstdev(xs), pstdev(ys)
    if sx == 0 or sy == 0:
        return None
    mx, my = mean(xs), mean(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)
    return round(100 * cov / (sx * sy), 1)
