"""The learner's side of a quiz: start, answer page by page, autosave, submit, review."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from lms import courses
from lms.extensions import db
from lms.models import Activity, Course, Enrolment, User
from lms.models.base import utcnow
from lms_quiz import attempts as svc
from lms_quiz import grades
from lms_quiz.models import Attempt, Quiz
from lms_quiz.qtypes import all_types
from lms_quiz.qtypes.base import rich

bp = Blueprint("quiz", __name__, url_prefix="/quiz")
REVIEW_OPTIONS = ("marks", "feedback", "correct")


def state_label(state: str) -> str:
    return {
        "in_progress": _("In progress"),
        "submitted": _("Submitted, waiting for grading"),
        "overdue": _("Overdue"),
        "graded": _("Graded"),
    }.get(state, state)


def _activity(activity_id: int) -> tuple[Activity, Quiz, bool]:
    """The quiz activity if the current user may open it; ``staff`` for teachers."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.content_type != "quiz":
        abort(404)
    course = courses.get_course_or_404(activity.course_id, current_user)
    enrolment = courses.enrolment_of(current_user, course)
    staff = courses.is_teacher(current_user, course, enrolment)
    if not staff and (enrolment is None or not activity.is_visible):
        abort(403)
    return activity, svc.get_quiz(activity), staff


def _own_attempt(attempt_id: int) -> Attempt:
    """An attempt only its learner may change: anybody else gets 403.

    A POST locks the attempt's row (PostgreSQL) until the request commits, so two submits
    sent at the same instant, or a submit racing the overdue sweep, run one after the other:
    the second sees the attempt already finished and does nothing."""
    return _own_attempt_in_course(attempt_id)[0]


# The attempt, its quiz, activity and course, and the user's enrolment: one round trip.
_OWN_ATTEMPT = (
    select(Attempt, Quiz, Activity, Course, Enrolment)
    .join(Quiz, Quiz.activity_id == Attempt.quiz_id)
    .join(Activity, Activity.id == Attempt.quiz_id)
    .join(Course, Course.id == Activity.course_id)
    .outerjoin(
        Enrolment,
        and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")),
    )
    .where(Attempt.id == bindparam("attempt_id"))
)


def _own_attempt_in_course(attempt_id: int) -> tuple[Attempt, Activity, Course]:
    """:func:`_own_attempt` with the quiz's activity and course. While the caller holds them,
    the session's identity map keeps them (and the quiz), so grading and completion find them
    without SQL."""
    stmt = _OWN_ATTEMPT
    if request.method == "POST":
        stmt = stmt.with_for_update(of=Attempt)
    row = db.session.execute(stmt, {"user_id": current_user.id, "attempt_id": attempt_id}).first()
    if row is None:
        abort(404)
    attempt, quiz, activity, course, enrolment = row
    if attempt.user_id != current_user.id:
        abort(403)
    # Not enrolled (any more): only an admin may go on (a teacher is enrolled); the attempt
    # is frozen for everyone else. courses.is_teacher would look the enrolment up again.
    if enrolment is None and not current_user.is_admin:
        abort(403)
    set_committed_value(attempt, "quiz", quiz)
    return attempt, activity, course


def review_allowed(quiz: Quiz, attempt: Attempt, option: str, staff: bool) -> bool:
    if staff:
        return True
    when = getattr(quiz, option)
    if when == "never":
        return False
    if attempt.state == "in_progress":
        return when == "during"  # only for answers the learner checked (see the attempt page)
    if when == "after_close":
        return quiz.close_at is not None and utcnow() >= quiz.close_at
    return True


def summary_context(quiz: Quiz, user: User) -> dict[str, Any]:
    activity = db.session.get(Activity, quiz.activity_id)
    course = db.session.get(Course, activity.course_id)
    staff = courses.is_teacher(user, course)
    mine = svc.user_attempts(quiz, user.id)
    for attempt in mine:
        svc.process_overdue(attempt)
    db.session.flush()
    current = next((a for a in mine if a.state == "in_progress"), None)
    reason = svc.why_closed(quiz, utcnow())
    used_up = bool(quiz.attempts_allowed and len(mine) >= quiz.attempts_allowed)
    return {
        "quiz": quiz,
        "activity": activity,
        "attempts": mine,
        "current": current,
        "reason": reason,
        "used_up": used_up,
        "staff": staff,
        "grade": svc.quiz_grade(quiz, user.id),
        "state_label": state_label,
        "intro": rich(quiz.intro, "markdown") if quiz.intro else "",
        "questions": len(quiz.slots),
        "show_marks": lambda a: review_allowed(quiz, a, "review_marks", staff),
    }


@bp.route("/<int:activity_id>/start", methods=["POST"])
@login_required
def start(activity_id: int):
    activity, quiz, _staff = _activity(activity_id)
    try:
        attempt = svc.start_attempt(quiz, current_user)
    except svc.AttemptError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("learn.activity", activity_id=activity.id))
    db.session.commit()
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


def _page_arg(pages: list[list[int]]) -> int:
    try:
        page = int(request.values.get("page", 0))
    except ValueError:
        page = 0
    return min(max(page, 0), len(pages) - 1)


@bp.route("/attempt/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    quiz = attempt.quiz
    svc.process_overdue(attempt)
    if attempt.state != "in_progress":
        db.session.commit()
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    pages = svc.pages(quiz, attempt)
    page = _page_arg(pages)
    types = all_types()
    rows = {r.slot_index: r for r in attempt.responses}
    numbers, n = {}, 0
    for index in sorted(rows):
        qt = types.get(rows[index].question.qtype)
        if qt is not None and qt.gradable:
            n += 1
            numbers[index] = n
    immediate = svc.immediate(quiz)
    now = {o: review_allowed(quiz, attempt, "review_" + o, False) for o in REVIEW_OPTIONS}
    items = []
    for index in pages[page]:
        row = rows[index]
        question, slot = row.question, attempt.layout[index]
        qt = types.get(question.qtype)
        checked = bool(slot.get("checked"))
        item = {
            "index": index,
            "number": numbers.get(index),
            "gradable": bool(qt and qt.gradable),
            "question": question,
            "mark": slot["mark"],
            "text": rich(question.text, question.text_format),
            "inputs": qt.render(question.data, f"q{index}", row.response, slot["order"], checked)
            if qt
            else "",
            "checked": checked,
            "can_check": immediate and not checked and svc.can_check(qt),
        }
        if checked and qt is not None:
            fraction = max(0.0, min(1.0, qt.grade(question.data, row.response) or 0.0))
            item.update(
                show=now,
                got=round(fraction * slot["mark"], 7),
                feedback=rich(qt.feedback(question.data, row.response)),
                general=rich(question.general_feedback, question.text_format),
                correct=qt.correct_answer(question.data),
            )
        items.append(item)
    seconds_left = None
    if attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - utcnow()).total_seconds()))
    last_saved = max((r.saved_at for r in attempt.responses), default=attempt.started_at)
    activity = db.session.get(Activity, quiz.activity_id)
    # Nothing was written (an overdue attempt redirected above): no commit, so the objects
    # the page shows are not expired and reloaded one by one while it renders.
    return render_template(
        "lms_quiz/attempt.html",
        attempt=attempt,
        quiz=quiz,
        activity=activity,
        items=items,
        page=page,
        pages=pages,
        seconds_left=seconds_left,
        last_saved_ms=int(last_saved.timestamp() * 1000),
    )


def _slots_from_request() -> list[int]:
    try:
        return [int(v) for v in request.form.getlist("slots")]
    except ValueError:
        abort(400)


@bp.route("/attempt/<int:attempt_id>/page", methods=["POST"])
@login_required
def save_page(attempt_id: int):
    """The page's answers, saved when the learner moves to another page or finishes."""
    attempt = _own_attempt(attempt_id)
    try:
        svc.save_responses(attempt, request.form, _slots_from_request())
    except svc.BadSlot:
        db.session.rollback()
        abort(400)
    except svc.AttemptClosed:
        db.session.commit()  # the overdue rule may have graded the attempt
        flash(_("The time is up: answers sent after the deadline were not saved."), "error")
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    goto = request.form.get("goto", "")
    check = request.form.get("check", "")
    if check and goto != "finish":  # the learner's "Check" button (immediate feedback)
        try:
            index = int(check)
            if index not in _slots_from_request():
                raise svc.BadSlot(check)
            svc.check(attempt, index)
        except (ValueError, svc.BadSlot):
            db.session.rollback()
            abort(400)
        except svc.AttemptError as exc:
            flash(str(exc), "error")
        db.session.commit()
        page = request.form.get("page", "0")
        return redirect(
            url_for(
                "quiz.attempt",
                attempt_id=attempt.id,
                page=int(page) if page.isdigit() else 0,
                _anchor=f"question-{check}",
            )
        )
    if goto == "finish":
        svc.submit(attempt)
        db.session.commit()
        flash(_("Your attempt was submitted."), "success")
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    db.session.commit()
    page = int(goto) if goto.isdigit() else 0
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id, page=page))


@bp.route("/attempt/<int:attempt_id>/autosave", methods=["POST"])
@login_required
def autosave(attempt_id: int):
    """Background save while the learner types or clicks (quiz.js). JSON in and out."""
    attempt = _own_attempt(attempt_id)
    try:
        saved = svc.save_responses(attempt, request.form, _slots_from_request())
    except svc.BadSlot:
        db.session.rollback()
        return jsonify(ok=False, error="bad slot"), 400
    except svc.AttemptClosed:
        db.session.commit()
        return jsonify(ok=False, error="closed", state=attempt.state), 409
    db.session.commit()
    seconds_left = (
        max(0, int((attempt.deadline - utcnow()).total_seconds())) if attempt.deadline else None
    )
    return jsonify(ok=True, saved=saved, seconds_left=seconds_left)


@bp.route("/attempt/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int):
    attempt, _activity, _course = _own_attempt_in_course(attempt_id)
    svc.submit(attempt)
    db.session.commit()
    # attempt_id, not attempt.id: the commit expired the attempt, reading it would load it again
    return redirect(url_for("quiz.review", attempt_id=attempt_id))


@bp.route("/attempt/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    activity = db.session.get(Activity, attempt.quiz_id)
    course = db.session.get(Course, activity.course_id)
    staff = courses.is_teacher(current_user, course)
    if attempt.user_id != current_user.id and not staff:
        abort(403)
    quiz = attempt.quiz
    svc.process_overdue(attempt)
    db.session.commit()
    if attempt.state == "in_progress" and not staff:
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id))
    show = {o: review_allowed(quiz, attempt, "review_" + o, staff) for o in REVIEW_OPTIONS}
    types = all_types()
    items = []
    for row in attempt.responses:
        q, qt = row.question, types.get(row.question.qtype)
        slot = attempt.layout[row.slot_index]
        items.append(
            {
                "row": row,
                "question": q,
                "mark": slot["mark"],
                "gradable": bool(qt and qt.gradable),
                "text": rich(q.text, q.text_format),
                "inputs": qt.render(q.data, f"q{row.slot_index}", row.response, slot["order"], True)
                if qt
                else "",
                "feedback": rich(qt.feedback(q.data, row.response)) if qt else "",
                "general": rich(q.general_feedback, q.text_format),
                "correct": qt.correct_answer(q.data) if qt else "",
            }
        )
    return render_template(
        "lms_quiz/review.html",
        attempt=attempt,
        quiz=quiz,
        activity=activity,
        course=course,
        items=items,
        show=show,
        staff=staff,
        state_label=state_label,
        learner=db.session.get(User, attempt.user_id),
    )


@bp.route("/course/<int:course_id>/my-grades")
@login_required
def my_grades(course_id: int):
    """A learner's own grades in a course: nobody else's are ever on this page."""
    course = courses.get_course_or_404(course_id, current_user)
    if courses.enrolment_of(current_user, course) is None:
        abort(403)
    book = grades.gradebook(course, user_ids=[current_user.id])
    return render_template("lms_quiz/my_grades.html", course=course, book=book)


def quiz_activities(course_id: int) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.course_id == course_id, Activity.content_type == "quiz")
            .order_by(Activity.section_id, Activity.position)
        )
    )
