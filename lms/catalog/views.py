"""The catalog, the course page and self-enrolment."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField

from lms import courses, plugins, progress
from lms.extensions import db
from lms.utils import int_arg

bp = Blueprint("catalog", __name__)


class EnrolForm(FlaskForm):
    key = PasswordField()


@bp.route("/courses")
def index():
    q = request.args.get("q", "")[:100]
    language = request.args.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        language = ""
    sort = request.args.get("sort", "new")
    stmt = courses.catalog_query(q, language, sort)
    stmt = courses.apply_catalog_filters(stmt, request.args)
    size = current_app.config["CATALOG_PAGE_SIZE"]
    page = int_arg("page")
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(size).offset((page - 1) * size)))
    pages = max(1, -(-total // size))
    return render_template(
        "catalog/index.html",
        courses=items,
        q=q,
        language=language,
        sort=sort,
        page=page,
        pages=pages,
        total=total,
        # every filter, the plugins' own too (``audience``), so the pager keeps them
        pager_args={k: v for k, v in request.args.to_dict(flat=False).items() if k != "page"},
    )


@bp.route("/courses/<int:course_id>")
def course(course_id: int):
    course = courses.get_course_or_404(course_id, current_user)
    enrolment = courses.enrolment_of(current_user, course)
    staff = courses.is_teacher(current_user, course, enrolment)
    activities = courses.visible_activities(course, staff)
    by_section: dict[int, list] = {}
    for a in activities:
        by_section.setdefault(a.section_id, []).append(a)
    done = {}
    course_progress = None
    if enrolment is not None and enrolment.role == "learner":
        done = progress.progress_map(current_user.id, course.id)
        course_progress = progress.course_progress(current_user.id, course.id)
    registry = current_app.extensions["lms"].content
    return render_template(
        "catalog/course.html",
        course=course,
        enrolment=enrolment,
        staff=staff,
        by_section=by_section,
        done=done,
        course_progress=course_progress,
        types=registry,
        enrol_form=EnrolForm(),
        snippets=plugins.call("lms_tpl_snippets", slot="course_header", context={"course": course}),
    )


@bp.route("/courses/<int:course_id>/enrol", methods=["POST"])
@login_required
def enrol(course_id: int):
    course = courses.get_course_or_404(course_id, current_user)
    form = EnrolForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("catalog.course", course_id=course.id))
    try:
        courses.enrol(current_user, course, form.key.data)
    except courses.EnrolmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("catalog.course", course_id=course.id) + "#enrol")
    db.session.commit()
    flash(_("You are enrolled. Start with the first lesson."), "success")
    return redirect(url_for("catalog.course", course_id=course.id))
