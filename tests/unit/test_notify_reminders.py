"""Scheduled reminders (``lms_notify.reminders``) with a fixed clock: no Redis, no beat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lms import hookimpl
from lms.courses import add_enrolment
from lms.extensions import db
from lms.teach.services import add_activity

NOON = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 12:00 in Bangkok


def rows(event: str):
    from lms_notify.models import Delivery

    return list(
        db.session.scalars(
            select(Delivery).where(Delivery.event == event, Delivery.channel == "inapp")
        )
    )


class Things:
    """A throwaway plugin: one live class and one workshop at fixed times."""

    def __init__(self, user_id: int, live_at: datetime, workshop_at: datetime) -> None:
        self.user_id, self.live_at, self.workshop_at = user_id, live_at, workshop_at
        self.asked: list[tuple[datetime, datetime]] = []

    @hookimpl
    def lms_notify_reminders(self, app, start, end):
        self.asked.append((start, end))
        out = []
        if start <= self.live_at < end:
            out.append(
                {
                    "event": "live_class_reminder",
                    "key": "live:t1",
                    "recipients": [self.user_id],
                    "data": {"title": "Herbs"},
                    "at": self.live_at,
                }
            )
        if start <= self.workshop_at < end:
            out.append(
                {
                    "event": "workshop_reminder",
                    "key": "workshop:t1:day-before",
                    "recipients": [self.user_id],
                    "data": {"subject": "Weaving tomorrow", "body": "B"},
                    "at": self.workshop_at,
                }
            )
        return out


def test_live_class_gets_24h_and_1h_reminders_exactly_once(app, f):
    from lms_notify import reminders

    learner = f.user(locale="en")
    live_at = NOON + timedelta(hours=24, minutes=2)
    things = Things(learner.id, live_at, NOON + timedelta(days=30))
    app.extensions["lms"].plugins.register(things, "test_reminders")
    assert reminders.run(NOON) == 1  # the 24 h window holds the class
    assert reminders.run(NOON + timedelta(minutes=5)) == 1  # overlapping window: same key
    (row,) = rows("live_class_reminder")
    assert row.key.startswith("live_class_reminder:live:t1:24h:")
    assert row.data["offset"] == "24h" and row.data["starts_at"] == live_at.isoformat()
    assert reminders.run(NOON + timedelta(hours=12)) == 0  # nothing due in between
    assert reminders.run(live_at - timedelta(hours=1)) == 1
    assert reminders.run(live_at - timedelta(minutes=58)) == 1
    keys = sorted(r.key.split(":")[3] for r in rows("live_class_reminder"))
    assert keys == ["1h", "24h"]
    assert reminders.run(live_at + timedelta(minutes=1)) == 0  # started: no more reminders
    assert len(rows("live_class_reminder")) == 2
    from lms_notify_inapp.models import InappMessage

    subjects = sorted(m.subject for m in db.session.scalars(select(InappMessage)))
    assert subjects == ["Live class in an hour: Herbs", "Live class tomorrow: Herbs"]


def test_workshop_reminder_goes_out_the_day_before_only(app, f):
    from lms_notify import reminders

    learner = f.user()
    workshop_at = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 09:00 Bangkok on 2 December
    things = Things(learner.id, NOON + timedelta(days=30), workshop_at)
    app.extensions["lms"].plugins.register(things, "test_reminders")
    early = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 Bangkok: before 09:00
    assert reminders.run(early) == 0
    assert reminders.run(NOON) == 1  # 12:00 Bangkok the day before
    assert reminders.run(NOON + timedelta(hours=3)) == 1
    (row,) = rows("workshop_reminder")
    assert row.key.startswith("workshop_reminder:workshop:t1:day-before:day:")
    # The 24 h window saw the workshop too, but workshops take the day-before offset only.
    assert reminders.run(workshop_at - timedelta(hours=24)) == 1
    assert len(rows("workshop_reminder")) == 1


def test_reminder_offsets_are_configurable(app, f):
    from lms_notify import reminders

    learner = f.user()
    live_at = NOON + timedelta(hours=1)
    app.extensions["lms"].plugins.register(Things(learner.id, live_at, live_at), "t_rem")
    app.config["NOTIFY_REMINDER_OFFSETS"] = {"live_class_reminder": ["24h"]}
    assert reminders.run(NOON) == 0
    assert rows("live_class_reminder") == []


def test_live_plugin_reminds_the_enrolled_learners(app, f):
    from lms_notify import reminders

    course = f.course(title="Thai cooking")
    learner, other = f.user(), f.user()
    add_enrolment(learner, course)
    db.session.commit()
    starts = NOON + timedelta(hours=1, minutes=1)
    activity = add_activity(course.sections[0], "live", title="Green curry", completion="auto")
    app.extensions["lms"].content.get("live").import_data(
        activity,
        {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "join_url": "https://meet.example/abc",
        },
    )
    db.session.commit()
    assert reminders.run(NOON) == 1
    got = rows("live_class_reminder")
    assert [r.user_id for r in got] == [learner.id]
    assert got[0].data["activity_id"] == activity.id and got[0].data["offset"] == "1h"
    assert other.id not in {r.user_id for r in got}
    from lms_notify_inapp.models import InappMessage

    (message,) = db.session.scalars(
        select(InappMessage).where(InappMessage.event == "live_class_reminder")
    )
    assert message.subject == "อีกหนึ่งชั่วโมงเริ่มเรียนสด: Green curry"  # Thai by default
    assert "Thai cooking" in message.body and "2569" in message.body  # Buddhist Era


def test_reminders_task_is_scheduled(app):
    conf = app.extensions["celery"].conf
    assert conf.beat_schedule["lms-notify-reminders"]["task"] == "lms_notify.reminders"
    assert "lms_notify.reminders" in app.extensions["celery"].tasks


def test_inactivity_nudge_with_a_fixed_clock(app, f):
    from lms_notify import digests

    course = f.course(title="Basketry")
    learner = f.user()
    enrolment = add_enrolment(learner, course)
    db.session.commit()
    enrolled = enrolment.enrolled_at
    app.config["NOTIFY_INACTIVE_DAYS"] = 10
    assert digests.nudge_inactive(now=enrolled + timedelta(days=9)) == 0  # not away long enough
    assert digests.nudge_inactive(now=enrolled + timedelta(days=11)) == 1
    assert digests.nudge_inactive(now=enrolled + timedelta(days=12)) == 1  # same spell: same key
    got = rows("inactive_nudge")
    assert [r.user_id for r in got] == [learner.id] and got[0].data["days"] == 10


def test_daily_digest_with_a_fixed_clock(app, f):
    from lms_notify import digests, prefs

    learner = f.user()
    prefs.set_mode(learner.id, "announcement", "inapp", "daily")
    db.session.commit()
    from lms.notify import notify

    notify("announcement", [learner.id], {"subject": "One", "body": "B"})
    notify("announcement", [learner.id], {"subject": "Two", "body": "B"})
    db.session.commit()
    assert {r.status for r in rows("announcement")} == {"held"}
    assert digests.build("daily", now=NOON) == 1
    assert digests.build("daily", now=NOON) == 0  # nothing held any more
    (digest,) = rows("digest")
    assert digest.key.startswith("digest:daily20261201:") and digest.not_before == NOON
    assert [i["subject"] for i in digest.data["items"]] == ["One", "Two"]
    assert {r.status for r in rows("announcement")} == {"digested"}
