"""Uploaded files: one row per stored object, naming the course (and activity) it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class StoredFile(db.Model):
    """A file kept by :mod:`lms.storage`. ``key`` is the storage's own name for the bytes."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # Who may read it: members (learners and staff) of this course. None: staff only.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    # The activity that uses it: learners may read it only while they may open that activity
    # (visible, available, prerequisite met). None: any member of the course.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.content_type}>"
