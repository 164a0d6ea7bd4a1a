"""Courses, their sections and the activities inside them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

COMPLETION_MODES = ("manual", "view", "auto")


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="th")
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Optional self-enrolment key and capacity (None: open, unlimited).
    enrol_key: Mapped[str | None] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)
    self_enrol: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    sections: Mapped[list[Section]] = relationship(
        back_populates="course",
        order_by="Section.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Course {self.id}>"


class Section(db.Model):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="sections")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="section",
        order_by="Activity.position",
        cascade="all, delete-orphan",
    )


class Activity(db.Model):
    """A generic activity row. ``content_type`` names the plugin type; its data lives there."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_course_position", "course_id", "section_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    is_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    # manual: the learner marks it done; view: done when opened; auto: the content type decides.
    completion: Mapped[str] = mapped_column(String(10), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Availability (UTC; None: no limit) and a prerequisite in the same course.
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requires_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))

    section: Mapped[Section] = relationship(back_populates="activities")
    course: Mapped[Course] = relationship()

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.content_type}>"
