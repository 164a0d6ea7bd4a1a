"""Notifications: the transactional outbox, Celery delivery, preferences, digests, announcements.

Channels are separate plugins (``lms_notify_inapp``, ``lms_notify_email``, ``lms_notify_line``)
that implement ``lms_notify_channels``. See docs/notifications.md.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from lms import hookimpl
from lms.ui import Snippet

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


def _schedule(app) -> None:
    """Register the periodic tasks with the app's Celery beat schedule."""
    celery_app = app.extensions.get("celery")
    if celery_app is None:
        return
    sweep = float(app.config.get("NOTIFY_SWEEP_SECONDS", 60))
    celery_app.conf.beat_schedule.update(
        {
            "lms-notify-sweep": {"task": "lms_notify.sweep", "schedule": sweep},
            "lms-notify-daily-digest": {
                "task": "lms_notify.digest",
                "schedule": crontab(hour=8, minute=0),
                "args": ["daily"],
            },
            "lms-notify-weekly-digest": {
                "task": "lms_notify.digest",
                "schedule": crontab(hour=8, minute=0, day_of_week=1),
                "args": ["weekly"],
            },
            "lms-notify-nudge": {
                "task": "lms_notify.nudge_inactive",
                "schedule": crontab(hour=9, minute=30),
            },
            "lms-notify-reminders": {
                "task": "lms_notify.reminders",
                "schedule": float(app.config.get("NOTIFY_REMINDER_SECONDS", 300)),
            },
            "lms-notify-purge": {"task": "lms_notify.purge", "schedule": crontab(hour=3, minute=0)},
        }
    )


@hookimpl
def lms_load_models(app):
    from lms_notify import models, outbox, tasks  # noqa: F401

    outbox.install_commit_hook()
    _schedule(app)


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_blueprints(app):
    from lms_notify.views import bp

    return [bp]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_load_cli(app, group):
    from lms_notify.cli import notify_group

    group.add_command(notify_group)


@hookimpl
def lms_notify_event(app, event, recipients, data):
    from lms_notify import outbox

    outbox.add(event, recipients, data)


@hookimpl
def lms_event_enrolled(app, enrolment):
    from lms.notify import notify

    course = enrolment.course
    notify(
        "enrolled",
        [enrolment.user_id],
        {"course_id": course.id, "course_title": course.title, "key": f"e{enrolment.id}"},
    )


@hookimpl
def lms_event_course_completed(app, enrolment):
    from lms.notify import notify

    course = enrolment.course
    notify(
        "course_completed",
        [enrolment.user_id],
        {"course_id": course.id, "course_title": course.title, "key": f"e{enrolment.id}"},
    )


@hookimpl
def lms_event_course_published(app, course):
    """Tell the site's learners (users enrolled as a learner in any course) about a new course,
    fanned out in batches by a task after the commit. Targeting "new course for your group"
    waits for the audience plugin: see docs/notifications.md."""
    from lms_notify import announce

    announce.create(
        None, "learners", str(course.id), course.title, course.summary or "", "course_published"
    )


@hookimpl
def lms_tpl_snippets(app, slot, context):
    from flask_babel import gettext as _

    if slot == "profile":
        link = url_for("lms_notify.preferences")
        return Snippet(
            Markup('<p><a href="{}">{}</a></p>').format(link, _("Notification settings")),
            order=40,
        )
    if slot == "course_header":
        from flask_login import current_user

        from lms.courses import is_teacher

        course = context.get("course")
        if course is not None and is_teacher(current_user, course):
            link = url_for("lms_notify.announce_course", course_id=course.id)
            return Snippet(
                Markup('<p><a class="button small secondary" href="{}">{}</a></p>').format(
                    link, escape(_("Announce to learners"))
                ),
                order=60,
            )
    return None


@hookimpl
def lms_tpl_nav_items(app, user):
    from lms.ui import NavItem

    items = []
    if user.is_authenticated and user.can_author:
        items.append(
            NavItem(_l("Announcements"), url_for("lms_notify.announce_index"), 35, "lms_notify.ann")
        )
    if user.is_authenticated and user.is_admin:
        items.append(
            NavItem(_l("Deliveries"), url_for("lms_notify.admin_index"), 95, "lms_notify.admin")
        )
    return items


@hookimpl
def lms_user_export(app, user):
    """PDPA access: the person's notification preferences, quiet hours and deliveries."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms_notify.models import Delivery, Preference, QuietHours

    def iso(value):
        return value.isoformat() if value is not None else None

    quiet = db.session.get(QuietHours, user.id)
    return (
        "notifications",
        {
            "preferences": [
                {"event": p.event, "channel": p.channel, "mode": p.mode}
                for p in db.session.scalars(select(Preference).filter_by(user_id=user.id))
            ],
            "quiet_hours": (
                {"enabled": quiet.enabled, "start": quiet.start, "end": quiet.end}
                if quiet
                else None
            ),
            "deliveries": [
                {
                    "event": d.event,
                    "channel": d.channel,
                    "status": d.status,
                    "created_at": iso(d.created_at),
                    "sent_at": iso(d.sent_at),
                }
                for d in db.session.scalars(
                    select(Delivery).filter_by(user_id=user.id).order_by(Delivery.id)
                )
            ],
        },
    )


@hookimpl
def lms_user_erase(app, user):
    """PDPA erasure: drop the person's preferences, quiet hours and messages not yet sent (they
    would go to an anonymised account); sent deliveries stay as counts for the admins."""
    from sqlalchemy import delete

    from lms.extensions import db
    from lms_notify.models import Delivery, Preference, QuietHours

    db.session.execute(delete(Preference).where(Preference.user_id == user.id))
    db.session.execute(delete(QuietHours).where(QuietHours.user_id == user.id))
    db.session.execute(
        delete(Delivery).where(
            Delivery.user_id == user.id, Delivery.status.in_(("pending", "held", "failed"))
        )
    )
    db.session.execute(
        Delivery.__table__.update().where(Delivery.user_id == user.id).values(data={})
    )
