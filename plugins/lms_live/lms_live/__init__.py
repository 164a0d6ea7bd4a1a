"""Live online classes: a scheduled session in any meeting service, with attendance.

Times are typed in the site's time zone (Asia/Bangkok) and stored in UTC. The join button
works from ``opens_minutes_before`` the start until the end. Joining records attendance,
completes the activity (``auto``) and reports an ``online_class`` participation event.
:func:`sessions_between` exposes the schedule (for reminders).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import IntegerField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms import hookimpl, participation, progress
from lms.content import ContentType, open_activity
from lms.extensions import db
from lms.models import Activity, Enrolment
from lms.models.base import utcnow

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent
FMT = "%Y-%m-%dT%H:%M"

bp = Blueprint("lms_live", __name__, url_prefix="/live")


def _site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Bangkok")


def to_utc(local: datetime) -> datetime:
    """A naive date-time typed in the site's time zone (Asia/Bangkok), in UTC."""
    return local.replace(tzinfo=_site_zone()).astimezone(UTC)


def to_form(value: datetime) -> datetime:
    """A stored UTC datetime as the naive local value a datetime-local input shows."""
    return value.astimezone(_site_zone()).replace(tzinfo=None)


def _web_url(form, field):
    value = (field.data or "").strip()
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(_l("Enter a web address starting with https:// or http://."))


def _after_start(form, field):
    if field.data and form.live_starts_at.data and field.data <= form.live_starts_at.data:
        raise ValidationError(_l("The end must be after the start."))


class LiveForm(FlaskForm):
    live_starts_at = DateTimeLocalField(
        _l("Starts"), format=FMT, validators=[DataRequired()], description=_l("Thai time.")
    )
    live_ends_at = DateTimeLocalField(
        _l("Ends"), format=FMT, validators=[DataRequired(), _after_start]
    )
    live_join_url = StringField(
        _l("Meeting address"),
        validators=[DataRequired(), Length(max=2000), _web_url],
        description=_l("The join link of Zoom, Google Meet, Microsoft Teams, LINE or any service."),
        render_kw={"type": "url", "inputmode": "url"},
    )
    live_capacity = IntegerField(
        _l("Capacity (optional)"), validators=[Optional(), NumberRange(min=1, max=100_000)]
    )
    live_opens_minutes = IntegerField(
        _l("Join opens this many minutes before the start"),
        validators=[Optional(), NumberRange(min=0, max=24 * 60)],
    )
    live_recording_url = StringField(
        _l("Recording address (optional)"),
        validators=[Optional(), Length(max=2000), _web_url],
        description=_l("Add it after the class so learners can watch it again."),
        render_kw={"type": "url", "inputmode": "url"},
    )


def _session(activity_id: int):
    from lms_live.models import LiveSession

    return db.session.get(LiveSession, activity_id)


def window(session) -> tuple[datetime, datetime]:
    return session.starts_at - timedelta(minutes=session.opens_minutes_before), session.ends_at


def state_of(session, now: datetime | None = None) -> str:
    """``before`` the join window, ``open`` inside it, ``ended`` after the end."""
    now = now or utcnow()
    opens, ends = window(session)
    if now < opens:
        return "before"
    return "open" if now <= ends else "ended"


def attendance_of(activity_id: int, user_id: int):
    from lms_live.models import Attendance

    return db.session.scalar(
        select(Attendance).where(
            Attendance.activity_id == activity_id, Attendance.user_id == user_id
        )
    )


def attendee_count(activity_id: int) -> int:
    from lms_live.models import Attendance

    return (
        db.session.scalar(
            select(func.count(Attendance.id)).where(
                Attendance.activity_id == activity_id, Attendance.attended.is_(True)
            )
        )
        or 0
    )


def sessions_between(start: datetime, end: datetime) -> list:
    """Live sessions starting in ``[start, end)`` (UTC), with their activities: the schedule
    a reminder job reads."""
    from lms_live.models import LiveSession

    return list(
        db.session.scalars(
            select(LiveSession)
            .where(LiveSession.starts_at >= start, LiveSession.starts_at < end)
            .order_by(LiveSession.starts_at)
        )
    )


def mark_attended(activity: Activity, user_id: int, joined: bool) -> bool:
    """Record attendance; the first time, complete (``auto``) and report participation."""
    from lms.models import User
    from lms_live.models import Attendance

    record = attendance_of(activity.id, user_id)
    first = record is None or not record.attended
    if record is None:
        record = Attendance(activity_id=activity.id, user_id=user_id)
        db.session.add(record)
    record.attended = True
    if joined and record.joined_at is None:
        record.joined_at = utcnow()
    if first:
        db.session.flush()
        user = db.session.get(User, user_id)
        if activity.completion == "auto":
            progress.complete(user, activity)
        session = _session(activity.id)
        participation.record(
            kind="online_class",
            source=f"live:{activity.id}",
            user_id=user_id,
            occurred_at=session.starts_at if session else utcnow(),
            extra={"course_id": activity.course_id},
        )
    return first


class LiveType(ContentType):
    key = "live"
    label = _l("Live online class")
    description = _l("A scheduled class in Zoom, Meet or any meeting service, with attendance.")
    icon = "📡"
    completion_modes = ("auto", "manual")

    def form_class(self):
        return LiveForm

    def load(self, activity, form):
        session = _session(activity.id)
        if session is not None:
            form.live_starts_at.data = to_form(session.starts_at)
            form.live_ends_at.data = to_form(session.ends_at)
            form.live_join_url.data = session.join_url
            form.live_capacity.data = session.capacity
            form.live_opens_minutes.data = session.opens_minutes_before
            form.live_recording_url.data = session.recording_url

    def save(self, activity, form):
        opens = form.live_opens_minutes.data
        self.import_data(
            activity,
            {
                "starts_at": to_utc(form.live_starts_at.data).isoformat(),
                "ends_at": to_utc(form.live_ends_at.data).isoformat(),
                "join_url": form.live_join_url.data.strip(),
                "capacity": form.live_capacity.data,
                "opens_minutes_before": opens,
                "recording_url": (form.live_recording_url.data or "").strip(),
            },
        )

    def render(self, activity, user) -> Markup:
        session = _session(activity.id)
        if session is None:
            return Markup("")
        from lms import courses

        record = attendance_of(activity.id, user.id)
        taken = attendee_count(activity.id)
        return Markup(
            render_template(
                "lms_live/view.html",
                activity=activity,
                session=session,
                state=state_of(session),
                opens_at=window(session)[0],
                taken=taken,
                full=bool(session.capacity and taken >= session.capacity),
                attended=bool(record and record.attended),
                staff=courses.is_teacher(user, activity.course),
            )
        )

    def delete(self, activity):
        from lms_live.models import Attendance

        session = _session(activity.id)
        if session is not None:
            db.session.delete(session)
        for row in db.session.scalars(
            select(Attendance).where(Attendance.activity_id == activity.id)
        ):
            db.session.delete(row)

    def export_data(self, activity):
        session = _session(activity.id)
        if session is None:
            return {}
        return {
            "starts_at": session.starts_at.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "join_url": session.join_url,
            "capacity": session.capacity,
            "opens_minutes_before": session.opens_minutes_before,
            "recording_url": session.recording_url,
        }

    def import_data(self, activity, data):
        from lms_live.models import LiveSession

        starts = datetime.fromisoformat(str(data["starts_at"]))
        ends = datetime.fromisoformat(str(data["ends_at"]))
        if starts.tzinfo is None or ends.tzinfo is None or ends <= starts:
            raise ValueError("starts_at and ends_at need time zones and the end after the start")
        join_url = str(data.get("join_url") or "")
        if urlsplit(join_url).scheme not in ("http", "https"):
            raise ValueError("join_url must be an http(s) address")
        recording = str(data.get("recording_url") or "")
        if recording and urlsplit(recording).scheme not in ("http", "https"):
            raise ValueError("recording_url must be an http(s) address")
        opens = data.get("opens_minutes_before")
        if opens is None:
            opens = current_app.config.get("LIVE_JOIN_OPENS_MINUTES", 15)
        capacity = data.get("capacity")
        session = _session(activity.id) or LiveSession(activity_id=activity.id)
        session.starts_at, session.ends_at = starts, ends
        session.join_url, session.recording_url = join_url, recording
        session.capacity = int(capacity) if capacity else None
        session.opens_minutes_before = max(0, int(opens))
        db.session.add(session)


@bp.route("/<int:activity_id>/join", methods=["POST"])
@login_required
def join(activity_id: int):
    """Inside the window: record attendance, then send the browser to the meeting."""
    activity, enrolment, _staff = open_activity(activity_id, current_user)
    session = _session(activity.id) if activity.content_type == LiveType.key else None
    if session is None:
        abort(404)
    back = url_for("learn.activity", activity_id=activity.id)
    if state_of(session) != "open":
        flash(_("The class is not open for joining now."), "error")
        return redirect(back)
    if enrolment is not None and enrolment.role == "learner":
        record = attendance_of(activity.id, current_user.id)
        already = record is not None and record.attended
        if not already and session.capacity and attendee_count(activity.id) >= session.capacity:
            flash(_("The class is full."), "error")
            return redirect(back)
        progress.mark_viewed(current_user, activity)
        mark_attended(activity, current_user.id, joined=True)
    db.session.commit()
    return redirect(session.join_url, code=303)


@bp.route("/<int:activity_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(activity_id: int):
    """The educator ticks who attended (after the class, or for people who joined by phone)."""
    activity, _enrolment, staff = open_activity(activity_id, current_user)
    session = _session(activity.id) if activity.content_type == LiveType.key else None
    if session is None:
        abort(404)
    if not staff:
        abort(403)
    learners = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.course_id == activity.course_id, Enrolment.role == "learner")
            .order_by(Enrolment.enrolled_at)
        )
    )
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        present = {int(v) for v in request.form.getlist("present") if v.isdigit()}
        for enrolment in learners:
            if enrolment.user_id in present:
                mark_attended(activity, enrolment.user_id, joined=False)
            else:
                record = attendance_of(activity.id, enrolment.user_id)
                if record is not None:
                    record.attended = False
        db.session.commit()
        flash(_("Attendance saved."), "success")
        return redirect(url_for("lms_live.attendance", activity_id=activity.id))
    rows = [(e, attendance_of(activity.id, e.user_id)) for e in learners]
    return render_template(
        "lms_live/attendance.html", activity=activity, session=session, rows=rows
    )


@hookimpl
def lms_load_models(app):
    from lms_live import models  # noqa: F401


@hookimpl
def lms_content_types(app):
    return [LiveType()]


@hookimpl
def lms_load_blueprints(app):
    return [bp]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_notify_reminders(app, start, end):
    """Live classes starting in ``[start, end)``: a ``live_class_reminder`` to the learners
    enrolled in the course (the notification plugin adds the offset, 24 h or 1 h, to ``key``)."""
    out = []
    for s in sessions_between(start, end):
        activity = db.session.get(Activity, s.activity_id)
        if activity is None or not activity.is_visible or not activity.course.is_published:
            continue
        learners = db.session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == activity.course_id, Enrolment.role == "learner"
            )
        )
        data = {"title": activity.title, "course_title": activity.course.title}
        data.update(activity_id=activity.id, course_id=activity.course_id)
        out.append(
            {
                "event": "live_class_reminder",
                "key": f"live:{s.activity_id}:{int(s.starts_at.timestamp())}",
                "recipients": list(learners),
                "data": data,
                "at": s.starts_at,
            }
        )
    return out
