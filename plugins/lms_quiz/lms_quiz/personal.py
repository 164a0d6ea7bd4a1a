"""Personal data the quiz plugin holds: a learner's attempts and answers (PDPA access and
erasure, through the core's ``lms_user_export`` and ``lms_user_erase`` hooks)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms_quiz.models import Attempt, Response


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_attempts(user_id: int) -> list[dict[str, Any]]:
    """Every attempt of ``user_id`` with the quiz's activity, state, times, grade and answers."""
    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id)
        .options(selectinload(Attempt.responses), selectinload(Attempt.quiz))
        .order_by(Attempt.id)
    )
    return [
        {
            "activity_id": attempt.quiz.activity_id,
            "number": attempt.number,
            "state": attempt.state,
            "started_at": _iso(attempt.started_at),
            "submitted_at": _iso(attempt.submitted_at),
            "grade": attempt.grade,
            "answers": [
                {
                    "question": response.question.name,
                    "response": response.response,
                    "mark": response.mark,
                    "comment": response.comment,
                }
                for response in attempt.responses
            ],
        }
        for attempt in attempts
    ]


def erase_free_text(user_id: int) -> None:
    """Blank the written answers (essays, short answers) and the graders' comments on them; the
    marks and grades stay for the gradebook's statistics."""
    attempt_ids = select(Attempt.id).where(Attempt.user_id == user_id)
    for response in db.session.scalars(
        select(Response).where(Response.attempt_id.in_(attempt_ids))
    ):
        if isinstance(response.response, str) or response.question.qtype == "essay":
            response.response = None
        response.comment = ""
