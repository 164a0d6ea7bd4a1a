"""The outbox (one row per delivery: event x recipient x channel), preferences and announcements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

#: Delivery states. ``held`` waits for a digest; ``digested`` went out inside one; ``skipped``
#: had rightly nothing to send (an address in the reserved ``.invalid`` domain).
STATUSES = ("pending", "sending", "sent", "failed", "held", "digested", "skipped")
MODES = ("immediate", "daily", "weekly", "never")


class Delivery(db.Model):
    """One message to one user on one channel. ``key`` is its idempotency key."""

    __tablename__ = "lms_notify_delivery"
    __table_args__ = (Index("ix_lms_notify_delivery_status_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    #: What raised it, for progress counts (``ann:12`` for announcement 12).
    source: Mapped[str | None] = mapped_column(String(60), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    digest: Mapped[str | None] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))


class Preference(db.Model):
    """How ``user`` wants ``event`` on ``channel``: immediate, daily, weekly or never."""

    __tablename__ = "lms_notify_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    event: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(30), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="immediate")


class QuietHours(db.Model):
    """A user's quiet hours (site time zone, Asia/Bangkok): no pushes between start and end."""

    __tablename__ = "lms_notify_quiet_hours"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    start: Mapped[str] = mapped_column(String(5), default="21:00")
    end: Mapped[str] = mapped_column(String(5), default="07:00")


class Announcement(db.Model):
    """An announcement fanned out in batches by a task; ``queued`` of ``total`` shows progress."""

    __tablename__ = "lms_notify_announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    scope: Mapped[str] = mapped_column(String(10))  # course, audience, all, learners
    event: Mapped[str] = mapped_column(String(40), default="announcement")
    target: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
