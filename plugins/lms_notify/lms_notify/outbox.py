"""The transactional outbox: rows written in the caller's transaction, delivered after commit.

Every delivery (event x recipient x channel) has an idempotency key. A worker claims rows with
one ``UPDATE ... WHERE status = 'pending'`` (or an expired lease), sends, and marks them sent,
so a retried task or a second worker never sends a claimed row again. Without Redis the tasks
run in-process right after the commit; with Redis a worker picks them up, and the periodic
sweep re-enqueues anything still waiting (Redis down, worker killed).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import and_, case, event, func, insert, or_, select, update

from lms import plugins
from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow
from lms_notify import prefs
from lms_notify.channels import Channel, Message, PermanentError, TransientError
from lms_notify.events import registry, render
from lms_notify.models import Delivery

log = logging.getLogger(__name__)
DUE_KEY = "lms_notify_due"
FANOUT_KEY = "lms_notify_fanout"


def cfg(name: str, default: Any) -> Any:
    return current_app.config.get(name, default)


def channels() -> dict[str, Channel]:
    return {c.key: c for c in plugins.call("lms_notify_channels")}


# -- writing ---------------------------------------------------------------------------------


def _insert_ignoring_duplicates(rows: list[dict[str, Any]]) -> list[tuple[int, str, datetime]]:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - other databases: plain insert
        dialect_insert = insert
    stmt = dialect_insert(Delivery)
    if dialect in ("postgresql", "sqlite"):
        stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
    stmt = stmt.returning(Delivery.id, Delivery.status, Delivery.not_before)
    return [tuple(r) for r in db.session.execute(stmt, rows)]


def add(event_code: str, recipients: list[int], data: dict[str, Any]) -> list[int]:
    """Write deliveries for ``recipients`` on every channel, by their preferences. Does not
    commit. Returns the ids of new rows; those due now go out after the commit."""
    data = dict(data)
    event_key = str(data.pop("key", "") or uuid.uuid4().hex)
    source = data.pop("source", None)
    not_before_raw = data.pop("not_before", None)  # ISO time: a reminder raised in advance
    now = utcnow()
    due_at = datetime.fromisoformat(not_before_raw) if not_before_raw else now
    if due_at.tzinfo is None:  # naive times are UTC, as everywhere in the LMS
        due_at = due_at.replace(tzinfo=UTC)
    et = registry().get(event_code)
    chans = channels()
    user_ids = sorted(set(recipients))
    modes = prefs.modes_for(user_ids)
    quiet = prefs.quiet_for(user_ids)
    zone = prefs.site_zone()
    rows: list[dict[str, Any]] = []
    for ch in chans.values():
        reach = ch.reachable(user_ids)
        default = et.mode_for(ch.key) if et else "immediate"
        for uid in user_ids:
            if uid not in reach:
                continue
            mode = (
                modes.get((uid, event_code, ch.key), default) if et and et.user_choice else default
            )
            if mode == "never":
                continue
            status, digest, not_before = "pending", None, due_at
            if mode in ("daily", "weekly"):
                status, digest = "held", mode
            elif ch.push and quiet.get(uid):
                start, end = quiet[uid]  # type: ignore[misc]
                not_before = prefs.quiet_until(due_at, start, end, zone) or due_at
            rows.append(
                {
                    "key": f"{event_code}:{event_key}:{uid}:{ch.key}",
                    "event": event_code,
                    "source": source,
                    "user_id": uid,
                    "channel": ch.key,
                    "data": data,
                    "status": status,
                    "digest": digest,
                    "attempts": 0,
                    "not_before": not_before,
                    "created_at": now,
                }
            )
    if not rows:
        return []
    inserted = _insert_ignoring_duplicates(rows)
    due = [i for i, status, nb in inserted if status == "pending" and nb <= now]
    if due:
        db.session.info.setdefault(DUE_KEY, []).extend(due)
    return [i for i, _s, _n in inserted]


# -- enqueueing after commit ------------------------------------------------------------------


def _after_commit(session) -> None:
    ids = session.info.pop(DUE_KEY, None)
    fanouts = session.info.pop(FANOUT_KEY, None)
    if ids:
        dispatch(ids)
    for announcement_id in fanouts or ():
        start_fanout(announcement_id)


def _after_rollback(session) -> None:
    session.info.pop(DUE_KEY, None)
    session.info.pop(FANOUT_KEY, None)


def start_fanout(announcement_id: int) -> None:
    """Enqueue an announcement's fan-out; if the broker is down the sweep starts it later."""
    from lms.tasks import get_celery

    try:
        get_celery().tasks["lms_notify.fanout"].apply_async(args=[announcement_id])
    except Exception as exc:
        log.warning("outbox: could not enqueue announcement %s (%s)", announcement_id, exc)


def install_commit_hook() -> None:
    if not event.contains(FlaskSession, "after_commit", _after_commit):
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_rollback", _after_rollback)


def dispatch(ids: list[int], countdown: float | None = None) -> int:
    """Enqueue delivery tasks for ``ids`` in batches. If the broker is down the rows simply
    wait in the outbox for the sweep. Returns the number of tasks enqueued."""
    from lms.tasks import get_celery

    celery_app = get_celery()
    task = celery_app.tasks["lms_notify.deliver"]
    size = int(cfg("NOTIFY_BATCH_SIZE", 50))
    sent = 0
    for i in range(0, len(ids), size):
        try:
            task.apply_async(args=[ids[i : i + size]], countdown=countdown)
            sent += 1
        except Exception as exc:  # broker away: the sweep will pick these rows up
            log.warning("outbox: could not enqueue %d deliveries (%s)", len(ids) - i, exc)
            break
    return sent


# -- delivering -------------------------------------------------------------------------------


def claimable(now: datetime):
    return or_(
        and_(Delivery.status == "pending", Delivery.not_before <= now),
        and_(Delivery.status == "sending", Delivery.lease_until < now),
    )


def claim(ids: list[int]) -> list[int]:
    """Take ``ids`` for sending in one UPDATE; only rows still pending (or with an expired
    lease) are taken, so no two workers ever hold the same row. Commits."""
    now = utcnow()
    lease = now + timedelta(seconds=float(cfg("NOTIFY_LEASE_SECONDS", 300)))
    stmt = (
        update(Delivery)
        .where(Delivery.id.in_(ids), claimable(now))
        .values(status="sending", lease_until=lease, attempts=Delivery.attempts + 1)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    got = list(db.session.scalars(stmt))
    db.session.commit()
    return got


def _finish(delivery_id: int, **values: Any) -> None:
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "sending")
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def backoff(attempts: int) -> float:
    base = float(cfg("NOTIFY_RETRY_BASE_SECONDS", 30))
    return min(base * 2 ** max(attempts - 1, 0), float(cfg("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)))


def message_for(d: Delivery, user: User) -> Message:
    locale = user.locale or current_app.config.get("DEFAULT_LOCALE", "th")
    subject, text, url = render(d.event, d.data or {}, locale)
    items = []
    if d.event == "digest":
        items = list((d.data or {}).get("items") or [])
    return Message(
        delivery_id=d.id,
        key=d.key,
        event=d.event,
        channel=d.channel,
        user_id=user.id,
        email=user.email,
        name=user.name,
        locale=locale,
        subject=subject,
        text=text,
        url=url,
        items=items,
        data=dict(d.data or {}),
    )


def deliver(ids: list[int]) -> dict[str, int]:
    """Claim and send ``ids``; returns counts by outcome."""
    claimed = claim(ids)
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": len(ids) - len(claimed)}
    if not claimed:
        return counts
    chans = channels()
    rows = db.session.execute(
        select(Delivery, User)
        .join(User, User.id == Delivery.user_id)
        .where(Delivery.id.in_(claimed))
    ).all()
    retries: list[tuple[int, float]] = []
    max_attempts = int(cfg("NOTIFY_MAX_ATTEMPTS", 6))
    work: list[tuple[int, int, str, Message | None, Exception | None]] = []
    for d, user in rows:  # render everything first: commits below expire the ORM objects
        try:
            work.append((d.id, d.attempts, d.channel, message_for(d, user), None))
        except Exception as exc:
            work.append((d.id, d.attempts, d.channel, None, exc))
    db.session.expunge_all()
    for did, attempts, channel, message, render_error in work:
        try:
            if render_error is not None:
                raise PermanentError(f"cannot render: {render_error}")
            ch = chans.get(channel)
            if ch is None:
                raise PermanentError(f"channel {channel!r} is not available")
            ch.send(message)
        except PermanentError as exc:
            _finish(did, status="failed", last_error=_describe(exc))
            counts["failed"] += 1
            log.warning("delivery %s failed permanently: %s", did, type(exc).__name__)
        except Exception as exc:  # TransientError, timeouts, anything unexpected
            if attempts >= max_attempts:
                _finish(did, status="failed", last_error=_describe(exc))
                counts["failed"] += 1
                log.warning("delivery %s failed after %s attempts", did, attempts)
                continue
            delay = backoff(attempts)
            _finish(
                did,
                status="pending",
                not_before=utcnow() + timedelta(seconds=delay),
                last_error=_describe(exc),
            )
            retries.append((did, delay))
            counts["retry"] += 1
            log.info("delivery %s will be retried in %.1fs (%s)", did, delay, type(exc).__name__)
        else:
            _finish(did, status="sent", sent_at=utcnow(), last_error=None)
            counts["sent"] += 1
    for ch in chans.values():  # end of batch: channels may close connections
        close = getattr(ch, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # a failed goodbye changes nothing already sent
                log.warning("channel %s failed to close", ch.key)
    from lms.tasks import eager

    if not eager():
        for did, delay in retries:
            dispatch([did], countdown=delay)
    return counts


def _describe(exc: BaseException) -> str:
    kind = "transient" if isinstance(exc, TransientError) else type(exc).__name__
    return f"{kind}: {exc}"[:500]


# -- sweeping and admin -----------------------------------------------------------------------


def due_ids(limit: int = 5000, grace_seconds: float | None = None) -> list[int]:
    """Rows the sweep should enqueue: pending past a grace period (by default
    ``NOTIFY_SWEEP_GRACE_SECONDS``: rows just enqueued are left to their task), and expired
    leases."""
    now = utcnow()
    if grace_seconds is None:
        grace_seconds = float(cfg("NOTIFY_SWEEP_GRACE_SECONDS", 60))
    grace = now - timedelta(seconds=grace_seconds)
    stmt = (
        select(Delivery.id)
        .where(
            or_(
                and_(Delivery.status == "pending", Delivery.not_before <= grace),
                and_(Delivery.status == "sending", Delivery.lease_until < now),
            )
        )
        .order_by(Delivery.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def stalled_announcements() -> list[int]:
    """Announcements never started (the broker was down when they were committed)."""
    from lms_notify.models import Announcement

    grace = utcnow() - timedelta(seconds=float(cfg("NOTIFY_SWEEP_GRACE_SECONDS", 60)))
    return list(
        db.session.scalars(
            select(Announcement.id).where(
                Announcement.status == "queued", Announcement.created_at <= grace
            )
        )
    )


def retry_failed(ids: list[int] | None = None) -> int:
    """Put failed deliveries back to pending (all, or ``ids``). Does not commit."""
    stmt = update(Delivery).where(Delivery.status == "failed")
    if ids is not None:
        stmt = stmt.where(Delivery.id.in_(ids))
    stmt = stmt.values(status="pending", attempts=0, not_before=utcnow()).returning(Delivery.id)
    got = list(db.session.scalars(stmt.execution_options(synchronize_session=False)))
    if got:
        db.session.info.setdefault(DUE_KEY, []).extend(got)
    return len(got)


def counts_by_channel(source: str | None = None) -> dict[str, dict[str, int]]:
    stmt = select(Delivery.channel, Delivery.status, func.count()).group_by(
        Delivery.channel, Delivery.status
    )
    if source:
        stmt = stmt.where(Delivery.source == source)
    out: dict[str, dict[str, int]] = {}
    for channel, status, n in db.session.execute(stmt):
        out.setdefault(channel, {})[status] = n
    return out


def progress(source: str) -> dict[str, int]:
    stmt = select(
        func.count(),
        func.sum(case((Delivery.status.in_(("sent", "digested")), 1), else_=0)),
        func.sum(case((Delivery.status == "failed", 1), else_=0)),
    ).where(Delivery.source == source)
    total, sent, failed = db.session.execute(stmt).one()
    return {"total": total or 0, "sent": sent or 0, "failed": failed or 0}
