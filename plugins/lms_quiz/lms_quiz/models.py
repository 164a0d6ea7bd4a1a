"""The quiz plugin's tables: question bank, quizzes and their slots, attempts and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

ATTEMPT_STATES = ("in_progress", "submitted", "overdue", "graded")
GRADE_METHODS = ("highest", "average", "first", "last")
REVIEW_WHEN = ("never", "during", "after_submit", "after_close")


class Category(db.Model):
    """A folder of questions in a course's question bank."""

    __tablename__ = "lms_quiz_category"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))


class Question(db.Model):
    """One question in the bank. ``data`` belongs to the question type named by ``qtype``."""

    __tablename__ = "lms_quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("lms_quiz_category.id", ondelete="CASCADE"), index=True
    )
    qtype: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    text_format: Mapped[str] = mapped_column(String(10), default="plain")
    general_feedback: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    default_mark: Mapped[float] = mapped_column(Float, default=1.0)
    # Bumped on every edit; attempts graded on an older version are regraded.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship()


class Quiz(db.Model):
    """The settings of a quiz activity (one row per activity)."""

    __tablename__ = "lms_quiz_quiz"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    intro: Mapped[str] = mapped_column(Text, default="")
    open_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_limit: Mapped[int | None] = mapped_column(Integer)  # seconds; None = no limit
    grace_seconds: Mapped[int] = mapped_column(Integer, default=60)
    # What happens to an attempt still open after its deadline (+ grace):
    # "autosubmit" grades the saved answers, "abandon" leaves it overdue and ungraded.
    overdue_rule: Mapped[str] = mapped_column(String(12), default="autosubmit")
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=0)  # 0 = unlimited
    grade_method: Mapped[str] = mapped_column(String(10), default="highest")
    grade_max: Mapped[float] = mapped_column(Float, default=10.0)
    pass_percent: Mapped[float | None] = mapped_column(Float)  # None = complete on submit
    questions_per_page: Mapped[int] = mapped_column(Integer, default=1)  # 0 = all on one page
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_answers: Mapped[bool] = mapped_column(Boolean, default=True)
    review_marks: Mapped[str] = mapped_column(String(12), default="after_submit")
    review_feedback: Mapped[str] = mapped_column(String(12), default="after_submit")
    review_correct: Mapped[str] = mapped_column(String(12), default="after_close")

    slots: Mapped[list[Slot]] = relationship(
        order_by="Slot.position", cascade="all, delete-orphan", back_populates="quiz"
    )


class Slot(db.Model):
    """A place in a quiz: a fixed question, or a random one drawn from a category."""

    __tablename__ = "lms_quiz_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("lms_quiz_quiz.activity_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_quiz_question.id", ondelete="CASCADE")
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_quiz_category.id", ondelete="CASCADE")
    )
    mark: Mapped[float | None] = mapped_column(Float)  # None: the question's default mark

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()


class Attempt(db.Model):
    """A learner's attempt: in_progress → submitted | overdue → graded.

    ``layout`` fixes, at start, which question sits in each place, its mark and the shuffled
    answer order, so a resumed attempt looks exactly the same on any device.
    """

    __tablename__ = "lms_quiz_attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index(
            "uq_lms_quiz_attempt_one_open",
            "quiz_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'in_progress'"),
            postgresql_where=text("state = 'in_progress'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("lms_quiz_quiz.activity_id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(12), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sum_marks: Mapped[float | None] = mapped_column(Float)
    max_marks: Mapped[float] = mapped_column(Float, default=0.0)
    grade: Mapped[float | None] = mapped_column(Float)  # scaled to the quiz's grade_max

    quiz: Mapped[Quiz] = relationship()
    responses: Mapped[list[Response]] = relationship(
        order_by="Response.slot_index", cascade="all, delete-orphan", back_populates="attempt"
    )


class Response(db.Model):
    """The saved answer to one place of an attempt, and its mark once graded."""

    __tablename__ = "lms_quiz_response"
    __table_args__ = (UniqueConstraint("attempt_id", "slot_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("lms_quiz_attempt.id", ondelete="CASCADE"), index=True
    )
    slot_index: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("lms_quiz_question.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    fraction: Mapped[float | None] = mapped_column(Float)
    mark: Mapped[float | None] = mapped_column(Float)
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    # Loaded with the responses in one IN query: a page of an attempt, grading and regrading
    # always need every response's question (lazy loading was one query per question).
    question: Mapped[Question] = relationship(lazy="selectin")
