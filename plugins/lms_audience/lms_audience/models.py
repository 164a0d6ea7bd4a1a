"""Audience groups (data, seeded with the programme's five), learner profiles and course targets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db

#: The programme's five groups: code, Thai name, English name, position, min age, max age.
SEED_GROUPS: list[tuple[str, str, str, int, int | None, int | None]] = [
    ("early_childhood", "ปฐมวัย", "Early childhood", 10, 0, 5),
    ("youth", "เยาวชน", "Youth", 20, 6, 24),
    ("general_public", "บุคคลทั่วไป", "General public", 30, None, None),
    ("staff", "บุคลากรทางการศึกษา / เจ้าหน้าที่", "Education and local-government staff", 40, None, None),
    ("elderly", "ผู้สูงอายุ", "Elderly", 50, 60, None),
]


class AudienceGroup(db.Model):
    """An audience group. ``code`` never changes; names, order and ``retired`` are editable."""

    __tablename__ = "lms_audience_group"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Default age range used by the age rule (inclusive; ``None``: open-ended / no range).
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)

    def name(self, locale: str | None) -> str:
        return self.name_th if (locale or "th").startswith("th") else self.name_en


class ProfileGroup(db.Model):
    """A group the learner chose for themselves."""

    __tablename__ = "lms_audience_profile_group"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_audience_profile.user_id", ondelete="CASCADE"), primary_key=True
    )
    group_code: Mapped[str] = mapped_column(
        ForeignKey("lms_audience_group.code", ondelete="CASCADE"), primary_key=True
    )


class Profile(db.Model):
    """Audience facts about a learner; every field is optional."""

    __tablename__ = "lms_audience_profile"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    birth_date: Mapped[date | None] = mapped_column(Date)
    #: Free text for now (a district code or name); districts as data come later.
    district: Mapped[str] = mapped_column(String(80), default="")
    chosen: Mapped[list[ProfileGroup]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def group_codes(self) -> list[str]:
        return sorted(c.group_code for c in self.chosen)


class CourseGroup(db.Model):
    """A group a course is aimed at."""

    __tablename__ = "lms_audience_course_group"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("lms_audience_course.course_id", ondelete="CASCADE"), primary_key=True
    )
    group_code: Mapped[str] = mapped_column(
        ForeignKey("lms_audience_group.code", ondelete="CASCADE"), primary_key=True
    )


class CourseTarget(db.Model):
    """Whom a course is for: groups, an optional age range, and whether enrolment is limited."""

    __tablename__ = "lms_audience_course"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    restrict_enrolment: Mapped[bool] = mapped_column(Boolean, default=False)
    groups: Mapped[list[CourseGroup]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def group_codes(self) -> list[str]:
        return sorted(g.group_code for g in self.groups)
