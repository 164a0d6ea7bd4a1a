"""Celery tasks. They take ids, never ORM objects, and run inside the Flask app context."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from sqlalchemy import delete, select

from lms.extensions import db
from lms.models.base import utcnow
from lms_notify import outbox
from lms_notify.models import Delivery

log = logging.getLogger(__name__)


@shared_task(name="lms_notify.deliver", acks_late=True, ignore_result=True)
def deliver(ids: list[int]) -> dict[str, int]:
    """Claim and send the deliveries ``ids``."""
    return outbox.deliver([int(i) for i in ids])


@shared_task(name="lms_notify.sweep", ignore_result=True)
def sweep() -> int:
    """Re-enqueue deliveries still waiting (broker was down, worker died, backoff elapsed)."""
    ids = outbox.due_ids(int(outbox.cfg("NOTIFY_SWEEP_LIMIT", 5000)))
    if ids:
        outbox.dispatch(ids)
    for announcement_id in outbox.stalled_announcements():
        outbox.start_fanout(announcement_id)
    return len(ids)


@shared_task(name="lms_notify.fanout", acks_late=True, ignore_result=True)
def fanout(announcement_id: int) -> int:
    """Write one batch of an announcement's deliveries, then enqueue the next batch."""
    from lms_notify import announce

    more = announce.next_batch(announcement_id)
    if more:
        from lms.tasks import get_celery

        get_celery().tasks["lms_notify.fanout"].apply_async(args=[announcement_id])
    return int(more)


@shared_task(name="lms_notify.digest", ignore_result=True)
def digest(kind: str) -> int:
    """Gather held deliveries (``daily`` or ``weekly``) into one digest per user and channel."""
    from lms_notify import digests

    return digests.build(kind)


@shared_task(name="lms_notify.nudge_inactive", ignore_result=True)
def nudge_inactive() -> int:
    from lms_notify import digests

    return digests.nudge_inactive()


@shared_task(name="lms_notify.reminders", ignore_result=True)
def reminders() -> int:
    """Raise the live-class and workshop reminders now due (``lms_notify_reminders``)."""
    from lms_notify import reminders as scheduled

    return scheduled.run(utcnow())


@shared_task(name="lms_notify.purge", ignore_result=True)
def purge() -> int:
    """Delete sent deliveries older than ``NOTIFY_KEEP_DAYS`` (default 90)."""
    cutoff = utcnow() - timedelta(days=int(outbox.cfg("NOTIFY_KEEP_DAYS", 90)))
    ids = list(
        db.session.scalars(
            select(Delivery.id)
            .where(Delivery.status.in_(("sent", "digested")), Delivery.created_at < cutoff)
            .limit(10000)
        )
    )
    if ids:
        db.session.execute(
            delete(Delivery)
            .where(Delivery.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return len(ids)
