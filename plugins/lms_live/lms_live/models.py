from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime


class LiveSession(db.Model):
    """A scheduled live class (times in UTC). Notification reminders read the schedule here."""

    __tablename__ = "lms_live_session"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    join_url: Mapped[str] = mapped_column(String(2000))
    capacity: Mapped[int | None] = mapped_column(Integer)
    # The join button opens this many minutes before the start.
    opens_minutes_before: Mapped[int] = mapped_column(Integer, default=15)
    recording_url: Mapped[str] = mapped_column(String(2000), default="")


class Attendance(db.Model):
    """Who attended: recorded when a learner joins, editable by the educator afterwards."""

    __tablename__ = "lms_live_attendance"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # When they pressed "join" (None: marked present by the educator).
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool] = mapped_column(Boolean, default=True)
