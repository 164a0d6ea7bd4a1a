"""Working through a course: the lesson view, completion and "my learning"."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from lms import courses, plugins, progress
from lms.content import locked_reason, open_activity, outline_locks
from lms.extensions import db
from lms.models import Activity, ActivityProgress, Course, Enrolment, StoredFile

bp = Blueprint("learn", __name__)


# The activity, its course, the user's enrolment and their progress row for it, in one round
# trip (the same checks as courses.get_course_or_404 and courses.is_teacher). Built once, run
# with parameters: building it on every call cost more CPU than running it (about 0.9 ms).
_ACTIVITY_FOR = (
    select(Activity, Course, Enrolment, ActivityProgress)
    .join(Course, Course.id == Activity.course_id)
    .outerjoin(
        Enrolment,
        and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")),
    )
    .outerjoin(
        ActivityProgress,
        and_(
            ActivityProgress.activity_id == Activity.id,
            ActivityProgress.user_id == bindparam("user_id"),
        ),
    )
    .where(Activity.id == bindparam("activity_id"))
)


def _activity_for(
    activity_id: int,
) -> tuple[Activity, Enrolment | None, bool, ActivityProgress | None]:
    """The activity if the current user may open it (enrolled, or staff of the course), with
    their enrolment, whether they are staff, and their progress row for it."""
    user = current_user._get_current_object()
    row = db.session.execute(
        _ACTIVITY_FOR, {"user_id": user.id, "activity_id": activity_id}
    ).first()
    if row is None:
        abort(404)
    activity, course, enrolment, record = row
    staff = courses.is_teacher(user, course, enrolment)
    if not course.is_published and not staff:
        abort(404)
    # ``activity.course`` is this course: say so, or reading it later loads it again.
    set_committed_value(activity, "course", course)
    if not staff:
        if enrolment is None:
            abort(403)
        if not activity.is_visible:
            abort(404)
    return activity, enrolment, staff, record


@bp.app_template_global("outline_locks")
def outline_locks_global(by_section: dict[int, list[Activity]], done: dict) -> dict[int, str]:
    """The course outline's locked activities with the reason (``catalog/course.html``)."""
    return outline_locks([a for acts in by_section.values() for a in acts], done)


@bp.route("/activity/<int:activity_id>")
@login_required
def activity(activity_id: int):
    activity, enrolment, staff, record = _activity_for(activity_id)
    user = current_user._get_current_object()  # not the proxy: it looks the user up per read
    is_learner = enrolment is not None and enrolment.role == "learner"
    locked = None if staff else locked_reason(activity, user)
    if is_learner and not locked:
        record = progress.mark_viewed(user, activity, record)
    content_type = current_app.extensions["lms"].content.get(
        activity.content_type, current_app.extensions["lms"].disabled_now()
    )
    try:
        if locked:
            body = Markup('<p class="locked" id="locked-reason">🔒 %s</p>') % locked
        elif content_type:
            body = content_type.render(activity, user)
        else:
            body = Markup("<p>%s</p>") % _("This kind of activity is not available on this site.")
    except Exception as exc:  # a broken content type must not break the lesson page
        plugins.get_manager().fail(content_type.plugin, exc, unregister=False)
        body = Markup("<p>%s</p>") % _("This activity could not be shown. The error was logged.")
    # After mark_viewed: its flush makes a completion on view count in the progress below.
    place = courses.outline_position(
        activity.id, activity.course_id, staff, user_id=user.id if is_learner else None
    )
    if place is None:  # not in a section of its course: nothing to show it in
        abort(404)
    course_progress = (
        progress.CourseProgress(done=int(place.done or 0), total=int(place.total or 0))
        if is_learner
        else None
    )
    # Commit after rendering: a commit expires every loaded object (the user, the activity,
    # the course, the progress record), and rendering after it would load each one again.
    html = render_template(
        "learn/activity.html",
        activity=activity,
        course=activity.course,
        body=body,
        record=record,
        is_learner=is_learner,
        staff=staff,
        prev_id=place.prev_id,
        next_id=place.next_id,
        position=place.position,
        count=place.count,
        course_progress=course_progress,
        snippets=plugins.call(
            "lms_tpl_snippets", slot="activity_footer", context={"activity": activity}
        ),
        locked=locked,
    )
    # The page is rendered and nothing reads these objects again: committing without expiring
    # them saves the work of marking every loaded object stale (the session closes after the
    # request anyway).
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    return html


@bp.route("/activity/<int:activity_id>/complete", methods=["POST"])
@login_required
def complete(activity_id: int):
    activity, enrolment, _staff, record = _activity_for(activity_id)
    if enrolment is None or enrolment.role != "learner":
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if activity.completion == "manual" and record is not None and record.completed_at:
        progress.uncomplete(current_user, activity)
        flash(_("Marked as not done."), "info")
    elif activity.completion == "manual":
        progress.complete(current_user, activity, record)
        flash(_("Well done! Marked as complete."), "success")
    db.session.commit()
    return redirect(url_for("learn.activity", activity_id=activity.id))


@bp.route("/my")
@login_required
def my_learning():
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .options(selectinload(Enrolment.course))
            .where(Enrolment.user_id == current_user.id)
            .order_by(Enrolment.enrolled_at.desc())
        )
    )
    learning = [e for e in enrolments if e.role == "learner"]
    teaching = [e for e in enrolments if e.role == "teacher"]
    by_course = progress.progress_for_courses(current_user.id, [e.course_id for e in learning])
    return render_template(
        "learn/my.html",
        learning=learning,
        teaching=teaching,
        by_course=by_course,
        items=plugins.call("lms_tpl_dashboard_items", user=current_user),
    )


@bp.route("/courses/<int:course_id>/progress/<int:user_id>")
@login_required
def learner_progress(course_id: int, user_id: int):
    """A learner's progress in a course: for the learner themselves and the course's teachers."""
    course = courses.get_course_or_404(course_id, current_user)
    if user_id != current_user.id and not courses.is_teacher(current_user, course):
        abort(403)
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == course.id,
            Enrolment.user_id == user_id,
            Enrolment.role == "learner",
        )
    )
    if enrolment is None:
        abort(404)
    activities = courses.visible_activities(course, staff=False)
    return render_template(
        "learn/progress.html",
        course=course,
        enrolment=enrolment,
        activities=activities,
        done=progress.progress_map(user_id, course.id),
        course_progress=progress.course_progress(user_id, course.id),
    )


@bp.route("/activity/<int:activity_id>/progress", methods=["POST"])
@login_required
def report_progress(activity_id: int):
    """Progress reported by the learner's browser (JSON, CSRF token in ``X-CSRFToken``)."""
    activity, _enrolment, _staff = open_activity(activity_id, current_user, learner_only=True)
    content_type = current_app.extensions["lms"].content.get(
        activity.content_type, current_app.extensions["lms"].disabled_now()
    )
    payload = request.get_json(silent=True)
    if content_type is None or not isinstance(payload, dict):
        abort(400)
    result = content_type.on_progress(activity, current_user, payload)
    if result is None:
        abort(404)
    db.session.commit()
    return jsonify(result)


@bp.route("/files/<int:file_id>/<path:name>")
@login_required
def file(file_id: int, name: str):
    """An uploaded file, for the course's learners and staff only (403 for anybody else).

    A file an activity uses is readable by a learner only while they may open that activity:
    404 while it is hidden, 403 while it is locked (dates, prerequisite)."""
    from lms.models import Course
    from lms.storage import file_type_of, get_storage

    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        abort(404)
    course = db.session.get(Course, stored.course_id) if stored.course_id else None
    allowed = current_user.is_admin
    if stored.activity_id is not None and not allowed:
        open_activity(stored.activity_id, current_user)  # aborts unless it may be opened
        allowed = True
    elif course is not None and not allowed:
        enrolment = courses.enrolment_of(current_user, course)
        staff = courses.is_teacher(current_user, course, enrolment)
        allowed = staff or (enrolment is not None and course.is_published)
    if not allowed:
        abort(403)
    storage = get_storage()
    direct = storage.url(stored.key)
    if direct:
        return redirect(direct)
    ftype = file_type_of(stored.filename)
    inline = bool(ftype and ftype.inline) and request.args.get("download") != "1"
    return storage.serve(stored.key, stored.filename, stored.content_type, not inline)
