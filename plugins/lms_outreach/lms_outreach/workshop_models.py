"""Tables of onsite workshops: the workshop and its registrations (with the check-in token).

A registration is a person: an account holder (``user_id``) or someone without an account
(name and phone only). ``status`` is ``confirmed``, ``waitlist`` or ``cancelled``; a walk-in is
a confirmed registration added at the door (``walk_in``), checked in at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

CONFIRMED = "confirmed"
WAITLIST = "waitlist"
CANCELLED = "cancelled"
STATUSES = (CONFIRMED, WAITLIST, CANCELLED)


class Workshop(db.Model):
    """An onsite workshop: where, when (UTC), for whom and how many."""

    __tablename__ = "lms_outreach_workshop"
    __table_args__ = (Index("ix_lms_outreach_workshop_starts_at", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300))
    district: Mapped[str] = mapped_column(
        ForeignKey("lms_outreach_district.code", ondelete="RESTRICT")
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    #: Audience group codes, comma-separated (``youth,elderly``).
    audiences: Mapped[str] = mapped_column(String(400), default="")
    #: Sanitised HTML (nh3), never shown unsanitised.
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    registrations: Mapped[list[WorkshopRegistration]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def audience_codes(self) -> list[str]:
        return [c for c in (self.audiences or "").split(",") if c]


class WorkshopRegistration(db.Model):
    """One person registered for (or waiting for, or walked in to) a workshop."""

    __tablename__ = "lms_outreach_registration"
    __table_args__ = (
        Index("ix_lms_outreach_registration_workshop", "workshop_id", "status", "created_at"),
        Index("ix_lms_outreach_registration_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("lms_outreach_workshop.id", ondelete="CASCADE")
    )
    # SET NULL: deleting the account (PDPA) keeps the attendance, not who it was.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str | None] = mapped_column(String(40), nullable=True)
    district: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=CONFIRMED)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``secrets.token_urlsafe(24)``: shown as a QR code, used once at the door.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: PDPA: when the person agreed to the collection of their data.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_in_by: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="registrations")
