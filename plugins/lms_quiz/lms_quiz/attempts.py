"""Attempts: start, save, submit, grade, regrade. The whole state machine lives here.

``in_progress`` → ``submitted`` (the learner submitted) or ``overdue`` (the deadline plus
grace passed first) → ``graded`` (every response has a mark). The deadline is computed on the
server when the attempt starts; nothing the browser sends can move it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from lms import progress
from lms.extensions import db
from lms.models import Activity, User
from lms.models.base import utcnow
from lms.participation import record
from lms_quiz.models import Attempt, Question, Quiz, Response, Slot
from lms_quiz.qtypes import all_types


class AttemptError(Exception):
    """The action is refused; ``str(exc)`` says why (shown to the learner)."""


class AttemptClosed(AttemptError):
    """The attempt no longer takes answers (submitted, or past its deadline)."""


class BadSlot(AttemptError):
    """A response names a place that is not in this attempt."""


def get_quiz(activity: Activity) -> Quiz:
    quiz = db.session.get(Quiz, activity.id)
    if quiz is None:
        quiz = Quiz(activity_id=activity.id)
        db.session.add(quiz)
        db.session.flush()
    return quiz


def user_attempts(quiz: Quiz, user_id: int) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.activity_id, Attempt.user_id == user_id)
            .order_by(Attempt.number)
        )
    )


def open_attempt(quiz: Quiz, user_id: int) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.quiz_id == quiz.activity_id,
            Attempt.user_id == user_id,
            Attempt.state == "in_progress",
        )
    )


def why_closed(quiz: Quiz, at: datetime) -> Any:
    if quiz.open_at and at < quiz.open_at:
        return _l("This quiz is not open yet.")
    if quiz.close_at and at >= quiz.close_at:
        return _l("This quiz is closed.")
    return None


def _pick(quiz: Quiz, rng: random.Random) -> list[tuple[Question, float]]:
    """The question in each slot, in slot order: a fixed one, or one drawn at random from
    the slot's category among those not picked yet. Two queries whatever the number of
    slots: the fixed questions by id, and every question of the categories random slots
    draw from."""
    ids = {s.question_id for s in quiz.slots if s.question_id is not None}
    by_id = (
        {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
        if ids
        else {}
    )
    fixed: list[tuple[Slot, Question | None]] = []  # each slot and its fixed question
    for slot in quiz.slots:
        question = by_id.get(slot.question_id)
        if question is None:  # no question id (no query), or a slot not flushed yet
            question = slot.question
        fixed.append((slot, question))
    categories = {s.category_id for s, q in fixed if q is None and s.category_id is not None}
    pools: dict[int, list[Question]] = {c: [] for c in categories}
    if categories:
        for question in db.session.scalars(
            select(Question)
            .where(Question.category_id.in_(categories), Question.qtype != "description")
            .order_by(Question.id)
        ):
            pools[question.category_id].append(question)
    used: set[int] = set()
    picked: list[tuple[Question, float]] = []
    for slot, question in fixed:
        if question is None and slot.category_id is not None:
            pool = [q for q in pools[slot.category_id] if q.id not in used]
            question = rng.choice(pool) if pool else None
        if question is None:
            continue
        used.add(question.id)
        picked.append((question, slot.mark if slot.mark is not None else question.default_mark))
    return picked


def start_attempt(quiz: Quiz, user: User, at: datetime | None = None) -> Attempt:
    """The learner's attempt in progress, or a new one. Raises :class:`AttemptError`."""
    at = at or utcnow()
    existing = open_attempt(quiz, user.id)
    if existing is not None:
        process_overdue(existing, at)
        if existing.state == "in_progress":
            return existing
    reason = why_closed(quiz, at)
    if reason:
        raise AttemptError(reason)
    done = db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.quiz_id == quiz.activity_id, Attempt.user_id == user.id
        )
    )
    if quiz.attempts_allowed and done >= quiz.attempts_allowed:
        raise AttemptError(_l("You have used all your attempts at this quiz."))
    rng = random.Random()  # noqa: S311 - shuffling, not security
    picked = _pick(quiz, rng)
    if not picked:
        raise AttemptError(_l("This quiz has no questions yet."))
    if quiz.shuffle_questions:
        rng.shuffle(picked)
    types = all_types()
    layout: list[dict[str, Any]] = []
    max_marks = 0.0
    for question, mark in picked:
        qt = types.get(question.qtype)
        order = qt.shuffle(question.data, rng) if qt and quiz.shuffle_answers else None
        if qt is not None and qt.gradable:
            max_marks += mark
        else:
            mark = 0.0
        layout.append(
            {"question_id": question.id, "version": question.version, "mark": mark, "order": order}
        )
    deadline = None
    if quiz.time_limit:
        deadline = at + timedelta(seconds=quiz.time_limit)
    if quiz.close_at and (deadline is None or quiz.close_at < deadline):
        deadline = quiz.close_at
    attempt = Attempt(
        quiz_id=quiz.activity_id,
        user_id=user.id,
        number=done + 1,
        state="in_progress",
        started_at=at,
        deadline=deadline,
        layout=layout,
        max_marks=max_marks,
    )
    try:
        with db.session.begin_nested():  # the unique partial index: one open attempt
            db.session.add(attempt)
            db.session.flush()
            # One executemany for every place, not one INSERT each: the ORM sends new
            # objects one by one on SQLite (no RETURNING order it can rely on).
            db.session.execute(
                insert(Response),
                [
                    {"attempt_id": attempt.id, "slot_index": index, "question_id": s["question_id"]}
                    for index, s in enumerate(layout)
                ],
            )
        db.session.expire(attempt, ["responses"])  # loaded with their questions when used
    except IntegrityError:
        again = open_attempt(quiz, user.id)
        if again is None:
            raise
        return again
    return attempt


def pages(quiz: Quiz, attempt: Attempt) -> list[list[int]]:
    """Slot indexes on each page (``questions_per_page`` 0: everything on one page)."""
    per_page = quiz.questions_per_page or len(attempt.layout) or 1
    return [
        list(range(i, min(i + per_page, len(attempt.layout))))
        for i in range(0, len(attempt.layout), per_page)
    ] or [[]]


def limit(attempt: Attempt, quiz: Quiz) -> datetime | None:
    """The last moment an answer is accepted: the deadline plus the grace period."""
    return attempt.deadline + timedelta(seconds=quiz.grace_seconds) if attempt.deadline else None


def process_overdue(attempt: Attempt, at: datetime | None = None) -> None:
    """Apply the quiz's overdue rule to an attempt still open after deadline + grace."""
    at = at or utcnow()
    end = limit(attempt, attempt.quiz)
    if attempt.state != "in_progress" or end is None or at <= end:
        return
    attempt.state = "overdue"
    attempt.submitted_at = end
    if attempt.quiz.overdue_rule == "autosubmit":
        grade_attempt(attempt)


def close_overdue(at: datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Apply each quiz's overdue rule to every attempt still in progress after its deadline
    plus grace (the periodic task and ``lms quiz close-overdue``). Commits every ``batch``
    attempts; on PostgreSQL rows another transaction holds (a learner saving right now) are
    skipped and caught on the next run. Returns counts by outcome."""
    at = at or utcnow()
    counts = {"graded": 0, "submitted": 0, "abandoned": 0}
    done: set[int] = set()
    while True:
        rows = list(
            db.session.scalars(
                select(Attempt)
                .where(
                    Attempt.state == "in_progress",
                    Attempt.deadline.is_not(None),
                    Attempt.deadline < at,
                    Attempt.id.not_in(done) if done else True,
                )
                .order_by(Attempt.id)
                .limit(batch)
                .with_for_update(skip_locked=True, of=Attempt)
            )
        )
        if not rows:
            break
        for attempt in rows:
            done.add(attempt.id)
            process_overdue(attempt, at)
            if attempt.state == "graded":
                counts["graded"] += 1
            elif attempt.state == "overdue" and attempt.quiz.overdue_rule == "autosubmit":
                counts["submitted"] += 1  # graded but for an essay waiting for a teacher
            elif attempt.state == "overdue":
                counts["abandoned"] += 1
        db.session.commit()
    return counts


def save_responses(
    attempt: Attempt, form: Any, slot_indexes: list[int], at: datetime | None = None
) -> list[int]:
    """Store the responses for ``slot_indexes`` read from ``form``. Returns what was saved."""
    at = at or utcnow()
    process_overdue(attempt, at)
    if attempt.state != "in_progress":
        raise AttemptClosed(_l("This attempt no longer accepts answers."))
    if any(not 0 <= i < len(attempt.layout) for i in slot_indexes):
        raise BadSlot(_l("An answer names a question that is not in this attempt."))
    types = all_types()
    responses = {r.slot_index: r for r in attempt.responses}
    for index in slot_indexes:
        row = responses[index]
        qt = types.get(row.question.qtype)
        if qt is None or not qt.gradable or attempt.layout[index].get("checked"):
            continue  # no answer, or an answer already checked: it cannot change any more
        value = qt.parse_response(f"q{index}", form)
        if value != row.response:
            row.response = value
            row.saved_at = at
    return slot_indexes


def immediate(quiz: Quiz) -> bool:
    """Whether the quiz shows marks, feedback or right answers during the attempt (review
    option ``during``): learners then check each answer, which locks it."""
    return "during" in (quiz.review_marks, quiz.review_feedback, quiz.review_correct)


def can_check(qt: Any) -> bool:
    return qt is not None and qt.gradable and not qt.manual


def check(attempt: Attempt, index: int, at: datetime | None = None) -> Response:
    """Lock the answer in place ``index`` so the learner may see how it did straight away.
    Only on quizzes with a review option ``during``; the answer can no longer change."""
    at = at or utcnow()
    process_overdue(attempt, at)
    if attempt.state != "in_progress":
        raise AttemptClosed(_l("This attempt no longer accepts answers."))
    if not 0 <= index < len(attempt.layout):
        raise BadSlot(_l("An answer names a question that is not in this attempt."))
    if not immediate(attempt.quiz):
        raise AttemptError(_l("This quiz does not check answers during the attempt."))
    row = next(r for r in attempt.responses if r.slot_index == index)
    if not can_check(all_types().get(row.question.qtype)):
        raise AttemptError(_l("This question cannot be checked before you submit."))
    if row.response is None:
        raise AttemptError(_l("Answer the question before you check it."))
    layout = [dict(s) for s in attempt.layout]
    layout[index]["checked"] = True
    attempt.layout = layout
    return row


def submit(attempt: Attempt, at: datetime | None = None) -> Attempt:
    """Finish the attempt and grade it. Submitting twice does nothing the second time."""
    at = at or utcnow()
    process_overdue(attempt, at)
    if attempt.state != "in_progress":
        return attempt
    # The responses are loaded before the attempt changes: loading them after would flush the
    # change, and grading flushes the attempt again (two UPDATEs, not one).
    attempt.responses  # noqa: B018
    attempt.state = "submitted"
    attempt.submitted_at = at
    grade_attempt(attempt)
    return attempt


def grade_attempt(attempt: Attempt) -> None:
    """Mark every response automatically; essays wait in the grading queue."""
    types = all_types()
    for row in attempt.responses:
        if row.needs_grading is False and row.graded_by_id is not None:
            continue  # a person's mark stands
        _grade_response(types, attempt, row)
    _finish_if_complete(attempt)


def _grade_response(types, attempt: Attempt, row: Response) -> None:
    qt = types.get(row.question.qtype)
    mark = attempt.layout[row.slot_index]["mark"]
    if qt is None or not qt.gradable:
        row.fraction, row.mark, row.needs_grading = None, None, False
        return
    fraction = qt.grade(row.question.data, row.response)
    if fraction is None:
        row.fraction, row.mark, row.needs_grading = None, None, True
    else:
        row.fraction = max(0.0, min(1.0, fraction))
        row.mark = round(row.fraction * mark, 7)
        row.needs_grading = False


def _finish_if_complete(attempt: Attempt) -> None:
    if any(r.needs_grading for r in attempt.responses):
        return
    quiz = attempt.quiz
    attempt.sum_marks = round(sum(r.mark or 0.0 for r in attempt.responses), 7)
    attempt.grade = (
        round(attempt.sum_marks / attempt.max_marks * quiz.grade_max, 5)
        if attempt.max_marks
        else 0.0
    )
    first_time = attempt.state != "graded"
    attempt.state = "graded"
    attempt.graded_at = attempt.graded_at or utcnow()
    db.session.flush()
    if first_time:
        record(
            kind="quiz_attempt",
            source=f"quiz:{quiz.activity_id}",
            user_id=attempt.user_id,
            occurred_at=attempt.graded_at,
            extra={"grade": attempt.grade, "grade_max": quiz.grade_max},
        )
    _check_completion(attempt)


def _check_completion(attempt: Attempt) -> None:
    activity = db.session.get(Activity, attempt.quiz_id)
    if activity is None or activity.completion != "auto":
        return
    quiz = attempt.quiz
    best = quiz_grade(quiz, attempt.user_id)
    if best is None:
        return
    if quiz.pass_percent is None or best >= quiz.grade_max * quiz.pass_percent / 100 - 1e-9:
        user = db.session.get(User, attempt.user_id)
        progress.complete(user, activity)


def manual_grade(row: Response, mark: float, comment: str, grader: User) -> None:
    """A teacher's mark for one response (essays). Finishes the attempt when it was the last."""
    slot_mark = row.attempt.layout[row.slot_index]["mark"]
    if not 0 <= mark <= slot_mark:
        raise AttemptError(_l("The mark must be between 0 and %(max)s.", max=f"{slot_mark:g}"))
    row.mark = mark
    row.fraction = mark / slot_mark if slot_mark else 0.0
    row.comment = comment
    row.needs_grading = False
    row.graded_by_id = grader.id
    if row.attempt.state in ("submitted", "overdue", "graded"):
        _finish_if_complete(row.attempt)


def regrade_question(question: Question) -> int:
    """Regrade every finished response to ``question`` (after it was edited). Returns how
    many attempts changed."""
    types = all_types()
    rows = list(
        db.session.scalars(
            select(Response)
            .join(Attempt, Attempt.id == Response.attempt_id)
            .where(
                Response.question_id == question.id,
                Attempt.state.in_(("submitted", "overdue", "graded")),
            )
        )
    )
    touched = {}
    for row in rows:
        attempt = row.attempt
        if attempt.state == "overdue" and attempt.quiz.overdue_rule != "autosubmit":
            continue
        if row.graded_by_id is None:
            _grade_response(types, attempt, row)
        layout = list(attempt.layout)
        layout[row.slot_index] = {**layout[row.slot_index], "version": question.version}
        attempt.layout = layout
        touched[attempt.id] = attempt
    for attempt in touched.values():
        _finish_if_complete(attempt)
    return len(touched)


def quiz_grade(quiz: Quiz, user_id: int) -> float | None:
    """The learner's grade for the quiz by its grading method (None: nothing graded yet)."""
    graded = [
        a for a in user_attempts(quiz, user_id) if a.state == "graded" and a.grade is not None
    ]
    return aggregate(quiz.grade_method, [a.grade for a in graded])


def aggregate(method: str, grades: list[float]) -> float | None:
    if not grades:
        return None
    if method == "average":
        return round(sum(grades) / len(grades), 5)
    if method == "first":
        return grades[0]
    if method == "last":
        return grades[-1]
    return max(grades)
