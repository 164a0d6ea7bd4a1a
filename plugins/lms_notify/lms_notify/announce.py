"""Announcements: to a course's learners, an audience group, or everyone, fanned out in batches."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Enrolment, User
from lms_notify.models import Announcement

SCOPES = ("course", "audience", "all", "learners")
FANOUT_KEY = "lms_notify_fanout"


class AnnounceError(ValueError):
    pass


def _recipients_query(a: Announcement):
    stmt = select(User.id).where(User.is_active_account.is_(True))
    if a.scope == "course":
        stmt = stmt.join(Enrolment, Enrolment.user_id == User.id).where(
            Enrolment.course_id == int(a.target), Enrolment.role == "learner"
        )
    elif a.scope == "learners":  # everyone enrolled as a learner somewhere on the site
        stmt = stmt.where(
            select(Enrolment.id)
            .where(Enrolment.user_id == User.id, Enrolment.role == "learner")
            .exists()
        )
    return stmt


def _in_audience(user_ids: list[int], code: str) -> list[int]:
    """Users whose audience groups include ``code``, asked for the whole list at once
    (``lms_audience_groups_for_many``, else ``lms_audience_groups_for`` per user)."""
    from lms_notify.prefs import audience_groups

    users = list(db.session.scalars(select(User).where(User.id.in_(user_ids))))
    groups = audience_groups(users)
    return [u.id for u in users if code in groups[u.id]]


def create(
    sender_id: int | None,
    scope: str,
    target: str,
    subject: str,
    body: str,
    event: str = "announcement",
) -> Announcement:
    """Record an announcement and count its audience. Does not commit; the fan-out task is
    enqueued after the commit (nothing is sent if the transaction rolls back)."""
    if scope not in SCOPES:
        raise AnnounceError(f"unknown scope {scope!r}")
    if not subject.strip() or (event == "announcement" and not body.strip()):
        raise AnnounceError("subject and body are required")
    a = Announcement(
        sender_id=sender_id,
        scope=scope,
        target=str(target or ""),
        subject=subject.strip()[:200],
        body=body.strip(),
        event=event,
    )
    if scope == "course" or event == "course_published":
        from lms.models import Course

        if not str(target).isdigit() or db.session.get(Course, int(target)) is None:
            raise AnnounceError(f"no course {target!r}")
    db.session.add(a)
    db.session.flush()
    db.session.info.setdefault(FANOUT_KEY, []).append(a.id)
    if scope == "audience":
        a.total = 0  # known only once every batch is checked
    else:
        a.total = db.session.scalar(
            select(func.count()).select_from(_recipients_query(a).subquery())
        )
    return a


def next_batch(announcement_id: int) -> bool:
    """Write the next batch of deliveries in one transaction; True if more remain."""
    from lms.notify import notify
    from lms_notify import outbox

    a = db.session.get(Announcement, announcement_id)
    if a is None or a.status == "done":
        return False
    size = int(outbox.cfg("NOTIFY_FANOUT_BATCH", 500))
    ids = list(
        db.session.scalars(
            _recipients_query(a).where(User.id > a.cursor).order_by(User.id).limit(size)
        )
    )
    if not ids:
        a.status = "done"
        if a.scope == "audience":
            a.total = a.queued
        db.session.commit()
        return False
    targets = _in_audience(ids, a.target) if a.scope == "audience" else ids
    data = {"subject": a.subject, "body": a.body, "key": f"ann{a.id}", "source": f"ann:{a.id}"}
    if a.scope == "course":
        data["course_id"] = int(a.target)
    if a.event == "course_published":  # target: the course; subject: its title
        data.update(course_id=int(a.target), course_title=a.subject, key=f"c{a.target}")
    notify(a.event, targets, data)
    a.cursor = ids[-1]
    a.queued += len(targets)
    a.status = "running"
    db.session.commit()
    return True
