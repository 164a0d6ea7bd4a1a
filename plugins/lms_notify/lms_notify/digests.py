"""Daily and weekly digests, and the nudge for learners who have been away."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from lms.extensions import db
from lms.models import ActivityProgress, Course, Enrolment, User
from lms.models.base import utcnow
from lms_notify import outbox, prefs
from lms_notify.events import render
from lms_notify.models import Delivery


def build(kind: str, now: datetime | None = None) -> int:
    """Turn ``held`` deliveries of ``kind`` into one ``digest`` delivery per user and channel
    (at ``now``, default the current time). Returns the number of digests written."""
    now = now or utcnow()
    held = db.session.execute(
        select(Delivery, User.locale)
        .join(User, User.id == Delivery.user_id)
        .where(Delivery.status == "held", Delivery.digest == kind)
        .order_by(Delivery.user_id, Delivery.channel, Delivery.id)
        .limit(int(outbox.cfg("NOTIFY_DIGEST_LIMIT", 20000)))
    ).all()
    if not held:
        return 0
    groups: dict[tuple[int, str], list[tuple[Delivery, str]]] = defaultdict(list)
    for d, locale in held:
        groups[(d.user_id, d.channel)].append((d, locale or current_app.config["DEFAULT_LOCALE"]))
    day = now.astimezone(prefs.site_zone()).strftime("%Y%m%d")
    rows = []
    for (uid, channel), items in groups.items():
        entries = []
        for d, locale in items[:50]:
            subject, _text, url = render(d.event, d.data or {}, locale)
            entries.append({"event": d.event, "subject": subject, "url": url})
        rows.append(
            {
                "key": f"digest:{kind}{day}:{uid}:{channel}",
                "event": "digest",
                "source": f"digest:{kind}",
                "user_id": uid,
                "channel": channel,
                "data": {"kind": kind, "items": entries, "more": max(len(items) - 50, 0)},
                "status": "pending",
                "digest": None,
                "attempts": 0,
                "not_before": now,
                "created_at": now,
            }
        )
    inserted = outbox._insert_ignoring_duplicates(rows)
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_([d.id for d, _l in held]))
        .values(status="digested", sent_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.info.setdefault(outbox.DUE_KEY, []).extend(i for i, _s, _n in inserted)
    db.session.commit()
    return len(inserted)


def nudge_inactive(days: int | None = None, now: datetime | None = None) -> int:
    """Notify learners with an unfinished course they have not touched for ``days`` days
    (``NOTIFY_INACTIVE_DAYS``, default 14) before ``now``. One nudge per course per spell of
    inactivity (the key holds the day last seen)."""
    from lms.notify import notify

    days = int(days or outbox.cfg("NOTIFY_INACTIVE_DAYS", 14))
    cutoff = (now or utcnow()) - timedelta(days=days)
    last_seen = (
        select(
            ActivityProgress.user_id,
            ActivityProgress.course_id,
            func.max(ActivityProgress.first_viewed_at).label("seen"),
        )
        .group_by(ActivityProgress.user_id, ActivityProgress.course_id)
        .subquery()
    )
    seen = func.coalesce(last_seen.c.seen, Enrolment.enrolled_at)
    stmt = (
        select(Enrolment.user_id, Enrolment.course_id, Course.title, seen)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(
            last_seen,
            (last_seen.c.user_id == Enrolment.user_id)
            & (last_seen.c.course_id == Enrolment.course_id),
        )
        .where(
            Enrolment.role == "learner",
            Enrolment.completed_at.is_(None),
            Course.is_published.is_(True),
            seen < cutoff,
        )
        .limit(int(outbox.cfg("NOTIFY_NUDGE_LIMIT", 5000)))
    )
    n = 0
    for uid, cid, title, when in db.session.execute(stmt).all():
        stamp = when.strftime("%Y%m%d") if when else "0"
        notify(
            "inactive_nudge",
            [uid],
            {"course_id": cid, "course_title": title, "days": days, "key": f"{cid}-{stamp}"},
        )
        n += 1
    db.session.commit()
    return n
