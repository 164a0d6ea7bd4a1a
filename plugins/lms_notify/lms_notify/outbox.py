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
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from lms_notify.channels import Channel, Message, PermanentError, SkipDelivery, TransientError
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
    group_modes = {}
    if et and et.user_choice:
        event_defaults = {key: et.mode_for(key) for key in chans}
        group_modes = prefs.audience_modes(user_ids, event_code, event_defaults)
    quiet = prefs.quiet_for(user_ids)
    zone = prefs.site_zone()
    rows: list[dict[str, Any]] = []
    for ch in chans.values():
        reach = ch.reachable(user_ids)
        default = et.mode_for(ch.key) if et else "immediate"
        for uid in user_ids:
            if uid not in reach:
                continue
            mode = default
            if et and et.user_choice:  # stored preference, else the audience group's default
                mode = modes.get((uid, event_code, ch.key)) or group_modes.get(uid, {}).get(
                    ch.key, default
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
    size = int(cfg("NOTIFY_BATCH_SIZE", 200))
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
    lease) are taken, so no two workers ever hold the same row. On PostgreSQL the rows are
    locked with ``FOR UPDATE SKIP LOCKED`` first: a second worker claiming the same ids skips
    them instead of waiting. Commits."""
    now = utcnow()
    lease = now + timedelta(seconds=float(cfg("NOTIFY_LEASE_SECONDS", 300)))
    where = [Delivery.id.in_(ids), claimable(now)]
    if db.session.get_bind().dialect.name == "postgresql":
        locked = select(Delivery.id).where(*where).with_for_update(skip_locked=True)
        where.append(Delivery.id.in_(locked.scalar_subquery()))
    stmt = (
        update(Delivery)
        .where(*where)
        .values(status="sending", lease_until=lease, attempts=Delivery.attempts + 1)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    got = list(db.session.scalars(stmt))
    db.session.commit()
    return got


def _mark(ids: list[int], **values: Any) -> None:
    """Set ``values`` on the rows ``ids`` this worker still holds (status ``sending``)."""
    if ids:
        db.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == "sending")
            .values(lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )


def _commit_sent(ids: list[int]) -> None:
    _mark(ids, status="sent", sent_at=utcnow(), last_error=None)
    db.session.commit()


def backoff(attempts: int) -> float:
    base = float(cfg("NOTIFY_RETRY_BASE_SECONDS", 30))
    return min(base * 2 ** max(attempts - 1, 0), float(cfg("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600)))


def message_for(d: Delivery, user: User, types: dict | None = None) -> Message:
    locale = user.locale or current_app.config.get("DEFAULT_LOCALE", "th")
    subject, text, url = render(d.event, d.data or {}, locale, types)
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


@dataclass
class _Job:
    id: int
    attempts: int
    channel: str
    created_at: datetime
    message: Message | None = None
    error: Exception | None = None


@dataclass
class _Outcome:
    sent: list[int] = field(default_factory=list)  # to mark sent in the batch's commit
    failed: list[tuple[int, str]] = field(default_factory=list)
    retry: list[tuple[int, float, str]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # skipped for good (``SkipDelivery``)
    committed: int = 0  # marked sent one by one (no ledger outside the database)


def _jobs(claimed: list[int]) -> list[_Job]:
    """Load and render the claimed rows (one query); commits below expire ORM objects."""
    types = registry()
    rows = db.session.execute(
        select(Delivery, User)
        .join(User, User.id == Delivery.user_id)
        .where(Delivery.id.in_(claimed))
        .order_by(Delivery.id)
    ).all()
    jobs = []
    for d, user in rows:
        job = _Job(d.id, d.attempts, d.channel, d.created_at)
        try:
            job.message = message_for(d, user, types)
        except Exception as exc:
            job.error = exc
        jobs.append(job)
    db.session.expunge_all()
    return jobs


def _failed(job: _Job, exc: Exception, out: _Outcome) -> None:
    """Record why ``job`` was not sent: skipped, failed for good, or to retry with backoff."""
    if isinstance(exc, SkipDelivery):
        out.skipped.append(job.id)
        log.info("delivery %s skipped: %s", job.id, exc)
    elif isinstance(exc, PermanentError) or job.attempts >= int(cfg("NOTIFY_MAX_ATTEMPTS", 6)):
        out.failed.append((job.id, _describe(exc)))
        log.warning("delivery %s failed (attempt %s): %s", job.id, job.attempts, _describe(exc))
    else:  # TransientError, timeouts, anything unexpected
        delay = backoff(job.attempts)
        out.retry.append((job.id, delay, _describe(exc)))
        log.info("delivery %s will be retried in %.1fs (%s)", job.id, delay, type(exc).__name__)


def _results(ch: Channel, jobs: list[_Job]) -> Iterator[list[tuple[_Job, Exception | None]]]:
    """Send ``jobs`` on ``ch``; yield outcomes in groups as soon as they are known. A channel
    with ``send_many`` (email: several SMTP connections) sends them concurrently."""
    by_id = {j.id: j for j in jobs}
    send_many = getattr(ch, "send_many", None)
    if send_many is not None:
        for group in send_many([j.message for j in jobs]):
            yield [(by_id[m.delivery_id], exc) for m, exc in group]
        return
    for job in jobs:
        try:
            ch.send(job.message)
        except Exception as exc:
            yield [(job, exc)]
        else:
            yield [(job, None)]


def _send_batch(jobs: list[_Job], chans: dict[str, Channel], ledger, out: _Outcome) -> None:
    ready: dict[str, list[_Job]] = {}
    for job in jobs:
        if job.error is not None:
            _failed(job, PermanentError(f"cannot render: {job.error}"), out)
        elif job.channel not in chans:
            _failed(job, PermanentError(f"channel {job.channel!r} is not available"), out)
        else:
            ready.setdefault(job.channel, []).append(job)
    for key, group in ready.items():
        ch = chans[key]
        for results in _results(ch, group):
            accepted = [job for job, exc in results if exc is None]
            for job, exc in results:
                if exc is not None:
                    _failed(job, exc, out)
            if not accepted:
                continue
            # Record what the remote side accepted before anything else is sent.
            if getattr(ch, "transactional", False) or ledger.mark(
                [(j.id, j.created_at) for j in accepted]
            ):
                out.sent.extend(j.id for j in accepted)
            else:
                out.committed += len(accepted)


def _settle(out: _Outcome) -> None:
    """Write the batch's outcome in one transaction."""
    now = utcnow()
    _mark(out.sent, status="sent", sent_at=now, last_error=None)
    for did, text in out.failed:
        _mark([did], status="failed", last_error=text)
    for did, delay, text in out.retry:
        _mark([did], status="pending", not_before=now + timedelta(seconds=delay), last_error=text)
    if out.skipped:
        _mark(out.skipped, status="skipped", sent_at=now)
    db.session.commit()


def deliver(ids: list[int]) -> dict[str, int]:
    """Claim and send ``ids``, then record the outcome in one commit (see :mod:`ledger`, which
    keeps a worker killed mid-batch from ever sending a message twice). Returns counts:
    ``sent``, ``retry``, ``failed``, ``skipped`` (nothing to send) and ``not_claimed`` (taken
    or settled already)."""
    from lms_notify import ledger as ledgers

    claimed = claim(ids)
    counts = {
        "sent": 0,
        "retry": 0,
        "failed": 0,
        "skipped": 0,
        "not_claimed": len(ids) - len(claimed),
    }
    if not claimed:
        return counts
    chans = channels()
    jobs = _jobs(claimed)
    ledger = ledgers.for_batch(_commit_sent)
    done = ledger.already_sent((j.id, j.created_at) for j in jobs if j.attempts > 1)
    out = _Outcome(sent=[j.id for j in jobs if j.id in done])
    try:
        _send_batch([j for j in jobs if j.id not in done], chans, ledger, out)
        _settle(out)
    finally:
        for ch in chans.values():  # end of batch: channels may close connections
            close = getattr(ch, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # a failed goodbye changes nothing already sent
                    log.warning("channel %s failed to close", ch.key)
    by_id = {j.id: j for j in jobs}
    ledger.forget((i, by_id[i].created_at) for i in out.sent)
    counts.update(
        sent=len(out.sent) + out.committed,
        retry=len(out.retry),
        failed=len(out.failed),
        skipped=len(out.skipped),
    )
    from lms.tasks import eager

    if not eager():
        for did, delay, _text in out.retry:
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
    """Counts of one source's deliveries; ``done`` is everything settled (sent, failed,
    skipped, or held for a summary)."""
    stmt = select(
        func.count(),
        func.sum(case((Delivery.status.in_(("sent", "digested")), 1), else_=0)),
        func.sum(case((Delivery.status == "failed", 1), else_=0)),
        func.sum(case((Delivery.status == "skipped", 1), else_=0)),
        func.sum(case((Delivery.status == "held", 1), else_=0)),
    ).where(Delivery.source == source)
    total, sent, failed, skipped, held = (n or 0 for n in db.session.execute(stmt).one())
    done = sent + failed + skipped + held
    return {
        "total": total,
        "sent": sent,
        "failed": failed,
        "skipped": skipped,
        "held": held,
        "done": done,
    }
