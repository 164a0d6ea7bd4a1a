"""The educator's side: courses, sections and activities."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from lms import courses, progress
from lms.extensions import db
from lms.models import Activity, Course, Enrolment, Section
from lms.settings_store import course_disabled
from lms.storage import link_files
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
    return render_template(
        "teach/index.html", courses=list(db.session.scalars(stmt)), import_form=forms.ImportForm()
    )


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
        available=registry.available(disabled | course_disabled(course.id)),  # course plugins
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


@bp.route("/<int:course_id>/delete", methods=["GET", "POST"])
@login_required
def delete_course(course_id: int):
    """Ask, then delete the course with its activities, files and learners' progress."""
    course = courses.get_taught_course_or_403(course_id, current_user)
    if request.method == "POST":
        _check_post()
        registry, _disabled = _types()
        title = course.title
        services.delete_course(course, registry)
        db.session.commit()  # the files' bytes go once this commits
        flash(_('Course "%(title)s" deleted.', title=title), "success")
        return redirect(url_for("teach.index"))
    return render_template(
        "teach/course_delete.html",
        course=course,
        activities=len(courses.visible_activities(course, staff=True)),
        learners=courses.learner_count(course),
    )


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
    content_type = registry.get(type_key, disabled | course_disabled(section.course_id))
    if content_type is None:
        abort(404)
    form = forms.make_activity_form(content_type)
    _requires_choices(form, section.course, None)
    if _validate_activity_form(form, content_type, None):
        activity = services.add_activity(
            section,
            content_type.key,
            title=form.title.data.strip(),
            is_visible=form.is_visible.data,
            completion=form.completion.data,
        )
        _save_availability(activity, form)
        content_type.save(activity, form)
        link_files(activity, content_type)
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
    _requires_choices(form, activity.course, activity)
    if request.method == "GET":
        form.available_from.data = forms.to_form(activity.available_from)
        form.available_until.data = forms.to_form(activity.available_until)
        form.requires.data = activity.requires_id or 0
        content_type.load(activity, form)
    if _validate_activity_form(form, content_type, activity):
        activity.title = form.title.data.strip()
        activity.is_visible = form.is_visible.data
        activity.completion = form.completion.data
        _save_availability(activity, form)
        content_type.save(activity, form)
        link_files(activity, content_type)
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


def _requires_choices(form, course: Course, activity: Activity | None) -> None:
    form.requires.choices = list(form.requires.choices) + [
        SelectChoice(i, label) for i, label in services.requires_choices(course, activity)
    ]


def _validate_activity_form(form, content_type, activity: Activity | None) -> bool:
    """The form's own checks, then the prerequisite, then the content type's ``validate``."""
    if not form.validate_on_submit():
        return False
    if services.creates_cycle(activity, form.requires.data):
        form.requires.errors.append(
            _("That activity already requires this one: learners could never open either.")
        )
        return False
    return content_type.validate(activity, form) is not False


def _save_availability(activity: Activity, form) -> None:
    activity.available_from = forms.to_utc(form.available_from.data)
    activity.available_until = forms.to_utc(form.available_until.data)
    activity.requires_id = form.requires.data or None


@bp.route("/activity/<int:activity_id>/duplicate", methods=["POST"])
@login_required
def duplicate_activity(activity_id: int):
    activity = _activity_or_403(activity_id)
    _check_post()
    registry, disabled = _types()
    content_type = registry.get(activity.content_type, disabled)
    if content_type is None:
        abort(404)
    copy = services.duplicate_activity(activity, content_type)
    db.session.commit()
    flash(_("Activity copied. The copy is hidden until you show it."), "success")
    return redirect(url_for("teach.course", course_id=copy.course_id) + f"#activity-{copy.id}")


@bp.route("/<int:course_id>/export")
@login_required
def export_course(course_id: int):
    """Download the course as a package (.zip with manifest.json and the files)."""
    import tempfile

    from lms.packages import export_course as build_package

    course = courses.get_taught_course_or_403(course_id, current_user)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    build_package(course, spool)
    spool.seek(0)
    return send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"course-{course.id}.zip",
    )


@bp.route("/import", methods=["POST"])
@login_required
def import_course():
    """Create a course from an uploaded package: all of it, or nothing and a message."""
    from lms.packages import PackageError
    from lms.packages import import_course as load_package
    from lms.storage import UploadError, check_upload

    if not current_user.can_author:
        abort(403)
    form = forms.ImportForm()
    if not form.validate_on_submit():
        for error in form.package.errors or [_("Choose a course package (.zip) to import.")]:
            flash(str(error), "error")
        return redirect(url_for("teach.index"))
    try:
        check_upload(form.package.data.stream, form.package.data.filename or "", "package")
        course = load_package(form.package.data.stream, current_user)
    except (PackageError, UploadError) as exc:
        db.session.rollback()
        flash(_("The package was not imported: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for("teach.index"))
    db.session.commit()
    flash(_("Course imported. It is hidden until you publish it."), "success")
    return redirect(url_for("teach.course", course_id=course.id))
