"""Pages: notification preferences, announcements (form and progress), failed deliveries."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from lms.courses import get_taught_course_or_403, is_teacher
from lms.extensions import db
from lms.forms import choices
from lms.models import Course, Enrolment
from lms_notify import announce, outbox, prefs
from lms_notify.events import registry
from lms_notify.models import Announcement, Delivery, QuietHours

bp = Blueprint("lms_notify", __name__, url_prefix="/notify")

MODE_LABELS = {
    "immediate": _l("Right away"),
    "daily": _l("Daily summary"),
    "weekly": _l("Weekly summary"),
    "never": _l("Never"),
}
HHMM = Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Use HH:MM, for example 21:00."))


class QuietForm(FlaskForm):
    quiet_enabled = BooleanField(_l("No pushes during quiet hours"))
    quiet_start = StringField(_l("Quiet from (HH:MM)"), validators=[HHMM])
    quiet_end = StringField(_l("Quiet until (HH:MM)"), validators=[HHMM])


class AnnounceForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 8}
    )


class SiteAnnounceForm(AnnounceForm):
    scope = SelectField(
        _l("Send to"),
        choices=choices([("all", _l("Everyone")), ("audience", _l("An audience group"))]),
    )
    audience = StringField(_l("Audience group code"), validators=[Length(max=100)])


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    from lms_notify.outbox import channels

    types = [t for t in registry().values() if t.user_choice]
    chans = list(channels().values())
    stored = prefs.modes_for([current_user.id])
    group = prefs.audience_defaults(current_user, [t.code for t in types])
    q = db.session.get(QuietHours, current_user.id)
    start, end = prefs.DEFAULT_QUIET
    form = QuietForm(
        quiet_enabled=q.enabled if q else True,
        quiet_start=q.start if q else start,
        quiet_end=q.end if q else end,
    )
    if request.method == "POST" and form.validate_on_submit():
        for t in types:
            for ch in chans:
                mode = request.form.get(f"mode-{t.code}-{ch.key}", "")
                if mode in MODE_LABELS:
                    prefs.set_mode(current_user.id, t.code, ch.key, mode)
        prefs.set_quiet(
            current_user.id, form.quiet_enabled.data, form.quiet_start.data, form.quiet_end.data
        )
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for(".preferences"))
    current = {
        (t.code, ch.key): stored.get(
            (current_user.id, t.code, ch.key), group.get((t.code, ch.key), t.mode_for(ch.key))
        )
        for t in types
        for ch in chans
    }
    return render_template(
        "lms_notify/preferences.html",
        types=types,
        channels=chans,
        current=current,
        modes=MODE_LABELS,
        form=form,
    )


def _taught_courses():
    if current_user.is_admin:
        return list(db.session.scalars(select(Course).order_by(Course.title).limit(200)))
    return list(
        db.session.scalars(
            select(Course)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(Enrolment.user_id == current_user.id, Enrolment.role == "teacher")
            .order_by(Course.title)
        )
    )


@bp.route("/announce", methods=["GET", "POST"])
@login_required
def announce_index():
    if not current_user.can_author:
        abort(403)
    form = SiteAnnounceForm() if current_user.is_admin else None
    if form is not None and form.validate_on_submit():
        target = (form.audience.data or "").strip()
        if form.scope.data == "audience" and not re.fullmatch(r"[\w-]{1,100}", target):
            form.audience.errors.append(_("Enter the code of an audience group."))
        else:
            return _send(form.scope.data, target, form)
    mine = select(Announcement).order_by(Announcement.id.desc()).limit(20)
    if not current_user.is_admin:
        mine = mine.where(Announcement.sender_id == current_user.id)
    return render_template(
        "lms_notify/announce_index.html",
        courses=_taught_courses(),
        form=form,
        announcements=list(db.session.scalars(mine)),
    )


@bp.route("/announce/course/<int:course_id>", methods=["GET", "POST"])
@login_required
def announce_course(course_id: int):
    course = get_taught_course_or_403(course_id, current_user)
    form = AnnounceForm()
    if form.validate_on_submit():
        return _send("course", str(course.id), form)
    return render_template("lms_notify/announce_form.html", course=course, form=form)


def _send(scope: str, target: str, form: AnnounceForm):
    a = announce.create(current_user.id, scope, target, form.subject.data, form.body.data)
    db.session.commit()  # the fan-out task starts after the commit
    flash(_("Your announcement is being sent."), "success")
    return redirect(url_for(".announcement", announcement_id=a.id))


@bp.route("/announcements/<int:announcement_id>")
@login_required
def announcement(announcement_id: int):
    a = db.session.get(Announcement, announcement_id)
    if a is None:
        abort(404)
    allowed = current_user.is_admin or a.sender_id == current_user.id
    if not allowed and a.scope == "course":
        course = db.session.get(Course, int(a.target))
        allowed = course is not None and is_teacher(current_user, course)
    if not allowed:
        abort(403)
    return render_template(
        "lms_notify/announcement.html", a=a, progress=outbox.progress(f"ann:{a.id}")
    )


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.route("/admin")
@login_required
def admin_index():
    _admin_only()
    failed = list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.status == "failed")
            .order_by(Delivery.id.desc())
            .limit(100)
        )
    )
    return render_template(
        "lms_notify/admin.html",
        counts=outbox.counts_by_channel(),
        failed=failed,
        form=FlaskForm(),
    )


@bp.route("/admin/retry", methods=["POST"])
@login_required
def admin_retry():
    _admin_only()
    if not FlaskForm().validate_on_submit():
        abort(400)
    raw = request.form.get("delivery_id", "")
    ids = [int(raw)] if raw.isdigit() else None
    n = outbox.retry_failed(ids)
    db.session.commit()
    flash(_("%(n)s deliveries will be tried again.", n=n), "success")
    return redirect(url_for(".admin_index"))
