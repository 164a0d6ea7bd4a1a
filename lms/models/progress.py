"""Enrolment in a course and progress through its activities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.course import Activity, Course
from lms.models.user import User

COURSE_ROLES = ("learner", "teacher")


class Enrolment(db.Model):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="learner")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class ActivityProgress(db.Model):
    __tablename__ = "activity_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    # Denormalised so course progress is one indexed count.
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    first_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A content type's own measure, e.g. the highest percentage of a video watched.
    score: Mapped[float | None] = mapped_column()

    activity: Mapped[Activity] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "activity_id"),
        db.Index("ix_activity_progress_user_course", "user_id", "course_id"),
    )
