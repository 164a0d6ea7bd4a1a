"""The educator's side: question bank, import/export, quiz questions, grading, reports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms import courses
from lms.extensions import db
from lms.models import Activity, Course, User
from lms_quiz import attempts as svc
from lms_quiz import bank, editor, grades
from lms_quiz.gift import ImportErrors
from lms_quiz.models import Attempt, Category, Question, Slot
from lms_quiz.models import Response as QResponse
from lms_quiz.qtypes import all_types, formkit
from lms_quiz.qtypes.base import rich
from lms_quiz.views import state_label

bp = Blueprint("quiz_teach", __name__, url_prefix="/teach/quiz")


def _course(course_id: int) -> Course:
    return courses.get_taught_course_or_403(course_id, current_user)


def _quiz_activity(activity_id: int):
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.content_type != "quiz":
        abort(404)
    course = _course(activity.course_id)
    return activity, svc.get_quiz(activity), course


def _question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    _course(question.course_id)
    return question


def _check_post() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/course/<int:course_id>/bank")
@login_required
def bank_view(course_id: int):
    course = _course(course_id)
    return render_template(
        "lms_quiz/bank.html",
        course=course,
        questions=bank.bank_questions(course.id),
        types=all_types(),
        errors=[],
    )


@bp.route("/course/<int:course_id>/import", methods=["POST"])
@login_required
def import_view(course_id: int):
    course = _course(course_id)
    _check_post()
    upload = request.files.get("file")
    fmt = request.form.get("format", "gift")
    category = request.form.get("category", "").strip() or None
    errors: list[str] = []
    if upload is None or not upload.filename:
        errors = [_("Choose a file to import.")]
    elif fmt not in ("gift", "xml"):
        abort(400)
    else:
        try:
            counts = bank.import_text(course.id, upload.read(), fmt, category)
        except ImportErrors as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(
                _(
                    "Imported %(n)s questions: %(detail)s",
                    n=sum(counts.values()),
                    detail=", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                ),
                "success",
            )
            return redirect(url_for("quiz_teach.bank_view", course_id=course.id))
    return (
        render_template(
            "lms_quiz/bank.html",
            course=course,
            questions=bank.bank_questions(course.id),
            types=all_types(),
            errors=errors,
        ),
        422,
    )


@bp.route("/course/<int:course_id>/export")
@login_required
def export_view(course_id: int):
    course = _course(course_id)
    fmt = "xml" if request.args.get("format") == "xml" else "gift"
    try:
        body = bank.export_text(course.id, fmt)
    except ValueError as exc:  # a question type that cannot be written in this format
        flash(_("Export refused: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".bank_view", course_id=course.id))
    name = f"questions-course{course.id}.{'xml' if fmt == 'xml' else 'gift.txt'}"
    return Response(
        body,
        mimetype="application/xml" if fmt == "xml" else "text/plain",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _editor(course: Course, qt, question: Question | None):
    """Create (``question`` None) or edit a question with the type's own form."""
    form = editor.make_form(qt, course.id, question)
    data = question.data if question is not None else None
    show_preview = question is not None
    if form.is_submitted() and "more" in request.form:
        formkit.add_rows(form)  # more blank answer rows; nothing is saved
        data, show_preview = None, False
    elif form.validate_on_submit():
        data = editor.read(qt, form)
        if data is not None and "preview" in request.form:
            show_preview = True
        elif data is not None:
            if question is None:
                question = Question(course_id=course.id, version=1)
                editor.apply(form, qt, question, data)
                db.session.add(question)
                db.session.flush()
                db.session.commit()
                flash(_("Question saved."), "success")
            else:
                editor.apply(form, qt, question, data)
                question.version += 1
                db.session.flush()
                n = svc.regrade_question(question)
                db.session.commit()
                flash(_("Question saved; %(n)s attempts regraded.", n=n), "success")
            return redirect(url_for("quiz_teach.bank_view", course_id=course.id))
    elif form.is_submitted():
        data, show_preview = None, False
    status = 422 if form.is_submitted() and form.errors and "more" not in request.form else 200
    return render_template(
        "lms_quiz/question_edit.html",
        question=question,
        course=course,
        qt=qt,
        form=form,
        type_fields=editor.type_fields(form),
        list_errors=formkit.list_errors,
        preview=editor.preview(qt, form.text.data or "", form.text_format.data, data)
        if show_preview
        else None,
    ), status


@bp.route("/course/<int:course_id>/question/new", methods=["GET", "POST"])
@login_required
def new_question(course_id: int):
    """Write a new question: first choose its type, then fill in the type's form."""
    course = _course(course_id)
    types = all_types()
    qt = types.get(request.args.get("qtype", ""))
    if qt is None:
        return render_template("lms_quiz/question_new.html", course=course, types=types)
    return _editor(course, qt, None)


@bp.route("/question/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int):
    """Edit a question; finished attempts that used it are regraded."""
    question = _question(question_id)
    qt = all_types().get(question.qtype)
    if qt is None:
        abort(404)  # its type's plugin is gone: nothing can edit it
    return _editor(db.session.get(Course, question.course_id), qt, question)


@bp.route("/<int:activity_id>/questions", methods=["GET", "POST"])
@login_required
def quiz_questions(activity_id: int):
    activity, quiz, course = _quiz_activity(activity_id)
    if request.method == "POST":
        _check_post()
        action = request.form.get("action")
        if action == "add":
            question = _question(int(request.form.get("question_id", "0") or 0))
            if question.course_id != course.id:
                abort(400)
            quiz.slots.append(Slot(question_id=question.id, position=len(quiz.slots)))
        elif action == "random":
            category = db.session.get(Category, int(request.form.get("category_id", "0") or 0))
            if category is None or category.course_id != course.id:
                abort(400)
            quiz.slots.append(Slot(category_id=category.id, position=len(quiz.slots)))
        elif action == "remove":
            slot = db.session.get(Slot, int(request.form.get("slot_id", "0") or 0))
            if slot is None or slot.quiz_id != quiz.activity_id:
                abort(400)
            quiz.slots.remove(slot)
            for i, s in enumerate(quiz.slots):
                s.position = i
        else:
            abort(400)
        db.session.commit()
        return redirect(url_for("quiz_teach.quiz_questions", activity_id=activity.id))
    return render_template(
        "lms_quiz/quiz_questions.html",
        activity=activity,
        quiz=quiz,
        course=course,
        questions=bank.bank_questions(course.id),
        categories=bank.categories(course.id),
    )


@bp.route("/<int:activity_id>/report")
@login_required
def report(activity_id: int):
    activity, quiz, course = _quiz_activity(activity_id)
    overview = grades.attempts_overview(quiz)
    for row in overview:
        svc.process_overdue(row["attempt"])
    db.session.commit()
    return render_template(
        "lms_quiz/report.html",
        activity=activity,
        quiz=quiz,
        course=course,
        overview=overview,
        stats=grades.question_stats(quiz),
        state_label=state_label,
    )


@bp.route("/course/<int:course_id>/grading")
@login_required
def grading(course_id: int):
    """Responses waiting for a person's mark (essays), oldest first."""
    course = _course(course_id)
    rows = db.session.execute(
        select(QResponse, Attempt, User, Activity)
        .join(Attempt, Attempt.id == QResponse.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .join(Activity, Activity.id == Attempt.quiz_id)
        .where(
            Activity.course_id == course.id,
            QResponse.needs_grading.is_(True),
            Attempt.state.in_(("submitted", "overdue")),
        )
        .order_by(Attempt.submitted_at, QResponse.slot_index)
    ).all()
    items = [
        {
            "row": r,
            "attempt": a,
            "user": u,
            "activity": act,
            "text": rich(r.question.text, r.question.text_format),
            "mark": a.layout[r.slot_index]["mark"],
        }
        for r, a, u, act in rows
    ]
    return render_template("lms_quiz/grading.html", course=course, items=items)


@bp.route("/response/<int:response_id>/grade", methods=["POST"])
@login_required
def grade_response(response_id: int):
    row = db.session.get(QResponse, response_id)
    if row is None:
        abort(404)
    activity = db.session.get(Activity, row.attempt.quiz_id)
    course = _course(activity.course_id)
    _check_post()
    try:
        mark = float(request.form.get("mark", ""))
        svc.manual_grade(row, mark, request.form.get("comment", "")[:10_000], current_user)
    except (ValueError, svc.AttemptError) as exc:
        db.session.rollback()
        msg = str(exc) if isinstance(exc, svc.AttemptError) else _("Enter the mark as a number.")
        flash(msg, "error")
        return redirect(url_for("quiz_teach.grading", course_id=course.id))
    db.session.commit()
    flash(_("Mark saved."), "success")
    return redirect(url_for("quiz_teach.grading", course_id=course.id))


@bp.route("/course/<int:course_id>/gradebook")
@login_required
def gradebook(course_id: int):
    course = _course(course_id)
    book = grades.gradebook(course)
    fmt = request.args.get("format")
    if fmt == "csv":
        return Response(
            grades.gradebook_csv(book),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="grades-{course.id}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            grades.gradebook_xlsx(book),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="grades-{course.id}.xlsx"'},
        )
    return render_template("lms_quiz/gradebook.html", course=course, book=book)
