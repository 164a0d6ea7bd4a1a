"""Helpers to build quizzes in tests (ours and third-party question-type packages')."""

from __future__ import annotations

from typing import Any

from flask import current_app

from lms.extensions import db
from lms.models import Activity, Course, Section
from lms.teach import services
from lms_quiz import bank, gift
from lms_quiz.models import Question, Quiz, Slot


def make_quiz(
    course: Course,
    gift_text: str,
    title: str = "Quiz",
    completion: str = "auto",
    **settings: Any,
) -> tuple[Activity, Quiz, list[Question]]:
    """A quiz activity in the course's first section holding every question of ``gift_text``
    in order. ``settings`` are :class:`~lms_quiz.models.Quiz` columns. Commits."""
    section = db.session.get(Section, course.sections[0].id)
    activity = services.add_activity(section, "quiz", title=title, completion=completion)
    current_app.extensions["lms"].content.get("quiz")._apply(activity, settings)
    quiz = db.session.get(Quiz, activity.id)
    before = {q.id for q in bank.bank_questions(course.id)}
    bank.store(course.id, gift.parse(gift_text))
    questions = [q for q in bank.bank_questions(course.id) if q.id not in before]
    questions.sort(key=lambda q: q.id)
    for i, q in enumerate(questions):
        quiz.slots.append(Slot(question_id=q.id, position=i))
    db.session.commit()
    return activity, quiz, questions
