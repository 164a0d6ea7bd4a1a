"""The educator's side: courses, sections and activities."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms import courses, progress
from lms.extensions import db
from lms.models import Activity, Course, Enrolment, Section
from lms.teach import forms, services

bp = Blueprint("teach", __name__, url_prefix="/teach")


def _types():
    state = current_app.extensions["lms"]
    return state.content, state.disabled_now()


def _section_or_403(section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None:
        abort(404)
    courses.get_taught_course_or_403(section.course_id, current_user)
    return section


def _activity_or_403(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    courses.get_taught_course_or_403(activity.course_id, current_user)
    return activity


def _check_post() -> None:
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.route("/")
@login_required
def index():
    if not current_user.can_author:
        abort(403)
    stmt = select(Course).order_by(Course.updated_at.desc())
    if not current_user.is_admin:
        stmt = stmt.join(Enrolment, Enrolment.course_id == Course.id).where(
            Enrolment.user_id == current_user.id, Enrolment.role == "teacher"
        )
    return render_template("teach/index.html", courses=list(db.session.scalars(stmt)))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_course():
    if not current_user.can_author:
        abort(403)
    form = forms.CourseForm()
    if form.validate_on_submit():
        course = services.create_course(current_user, **_course_fields(form))
        db.session.commit()
        flash(_("Course created. Add sections and activities, then publish it."), "success")
        return redirect(url_for("teach.course", course_id=course.id))
    return render_template("teach/course_form.html", form=form, course=None)


def _course_fields(form: forms.CourseForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "summary": form.summary.data or "",
        "language": form.language.data,
        "self_enrol": form.self_enrol.data,
        "enrol_key": (form.enrol_key.data or "").strip() or None,
        "capacity": form.capacity.data,
    }


@bp.route("/<int:course_id>")
@login_required
def course(course_id: int):
    course = courses.get_taught_course_or_403(course_id, current_user)
    registry, disabled = _types()
    activities = courses.visible_activities(course, staff=True)
    by_section: dict[int, list] = {}
    for a in activities:
        by_section.setdefault(a.section_id, []).append(a)
    return render_template(
        "teach/course.html",
        course=course,
        by_section=by_section,
        types=registry,
        available=registry.available(disabled),
        form=FlaskForm(),
        section_form=forms.SectionForm(),
    )


@bp.route("/<int:course_id>/settings", methods=["GET", "POST"])
@login_required
def settings(course_id: int):
    course = courses.get_taught_course_or_403(course_id, current_user)
    form = forms.CourseForm(obj=course)
    if form.validate_on_submit():
        for key, value in _course_fields(form).items():
            setattr(course, key, value)
        db.session.commit()
        flash(_("Course settings saved."), "success")
        return redirect(url_for("teach.course", course_id=course.id))
    return render_template("teach/course_form.html", form=form, course=course)


@bp.route("/<int:course_id>/publish", methods=["POST"])
@login_required
def publish(course_id: int):
    course = courses.get_taught_course_or_403(course_id, current_user)
    _check_post()
    services.set_published(course, request.form.get("publish") == "1")
    db.session.commit()
    flash(
        _("The course is published.") if course.is_published else _("The course is hidden."),
        "success",
    )
    return redirect(url_for("teach.course", course_id=course.id))


@bp.route("/<int:course_id>/sections", methods=["POST"])
@login_required
def add_section(course_id: int):
    course = courses.get_taught_course_or_403(course_id, current_user)
    form = forms.SectionForm()
    if form.validate_on_submit():
        services.add_section(course, form.title.data.strip(), form.summary.data or "")
        db.session.commit()
        flash(_("Section added."), "success")
    else:
        flash(_("Give the section a title."), "error")
    return redirect(url_for("teach.course", course_id=course.id))


@bp.route("/section/<int:section_id>/edit", methods=["GET", "POST"])
@login_required
def edit_section(section_id: int):
    section = _section_or_403(section_id)
    form = forms.SectionForm(obj=section)
    if form.validate_on_submit():
        section.title = form.title.data.strip()
        section.summary = form.summary.data or ""
        db.session.commit()
        flash(_("Section saved."), "success")
        return redirect(url_for("teach.course", course_id=section.course_id))
    return render_template("teach/section_form.html", form=form, section=section)


@bp.route("/section/<int:section_id>/move", methods=["POST"])
@login_required
def move_section(section_id: int):
    section = _section_or_403(section_id)
    _check_post()
    services.move(section, request.form.get("direction", "down"))
    db.session.commit()
    return redirect(url_for("teach.course", course_id=section.course_id) + f"#section-{section.id}")


@bp.route("/section/<int:section_id>/delete", methods=["POST"])
@login_required
def delete_section(section_id: int):
    section = _section_or_403(section_id)
    _check_post()
    registry, _disabled = _types()
    for activity in list(section.activities):
        services.delete_activity(activity, registry.get(activity.content_type))
    course_id = section.course_id
    db.session.delete(section)
    db.session.commit()
    flash(_("Section deleted."), "success")
    return redirect(url_for("teach.course", course_id=course_id))


@bp.route("/section/<int:section_id>/add/<type_key>", methods=["GET", "POST"])
@login_required
def add_activity(section_id: int, type_key: str):
    section = _section_or_403(section_id)
    registry, disabled = _types()
    content_type = registry.get(type_key, disabled)
    if content_type is None:
        abort(404)
    form = forms.make_activity_form(content_type)
    if form.validate_on_submit():
        activity = services.add_activity(
            section,
            content_type.key,
            title=form.title.data.strip(),
            is_visible=form.is_visible.data,
            completion=form.completion.data,
        )
        content_type.save(activity, form)
        db.session.commit()
        flash(_("Activity added."), "success")
        return redirect(
            url_for("teach.course", course_id=section.course_id) + f"#activity-{activity.id}"
        )
    return render_template(
        "teach/activity_form.html",
        form=form,
        section=section,
        content_type=content_type,
        activity=None,
    )


@bp.route("/activity/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_activity(activity_id: int):
    activity = _activity_or_403(activity_id)
    registry, disabled = _types()
    content_type = registry.get(activity.content_type, disabled)
    if content_type is None:
        abort(404)
    form = forms.make_activity_form(content_type, obj=activity)
    if request.method == "GET":
        content_type.load(activity, form)
    if form.validate_on_submit():
        activity.title = form.title.data.strip()
        activity.is_visible = form.is_visible.data
        activity.completion = form.completion.data
        content_type.save(activity, form)
        db.session.commit()
        flash(_("Activity saved."), "success")
        return redirect(
            url_for("teach.course", course_id=activity.course_id) + f"#activity-{activity.id}"
        )
    return render_template(
        "teach/activity_form.html",
        form=form,
        section=activity.section,
        content_type=content_type,
        activity=activity,
    )


@bp.route("/activity/<int:activity_id>/move", methods=["POST"])
@login_required
def move_activity(activity_id: int):
    activity = _activity_or_403(activity_id)
    _check_post()
    services.move(activity, request.form.get("direction", "down"))
    db.session.commit()
    return redirect(
        url_for("teach.course", course_id=activity.course_id) + f"#activity-{activity.id}"
    )


@bp.route("/activity/<int:activity_id>/visibility", methods=["POST"])
@login_required
def toggle_activity(activity_id: int):
    activity = _activity_or_403(activity_id)
    _check_post()
    activity.is_visible = not activity.is_visible
    db.session.commit()
    return redirect(
        url_for("teach.course", course_id=activity.course_id) + f"#activity-{activity.id}"
    )


@bp.route("/activity/<int:activity_id>/delete", methods=["POST"])
@login_required
def delete_activity(activity_id: int):
    activity = _activity_or_403(activity_id)
    _check_post()
    registry, _disabled = _types()
    course_id = activity.course_id
    services.delete_activity(activity, registry.get(activity.content_type))
    db.session.commit()
    flash(_("Activity deleted."), "success")
    return redirect(url_for("teach.course", course_id=course_id))


@bp.route("/<int:course_id>/learners")
@login_required
def learners(course_id: int):
    course = courses.get_taught_course_or_403(course_id, current_user)
    return render_template(
        "teach/learners.html", course=course, rows=progress.learners_progress(course)
    )
