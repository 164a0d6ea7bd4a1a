"""Guardians and their children's sign-in, consent records (PDPA) and accessibility
preferences: the learner's own and each audience group's default interface variant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

#: Who a guardian is to the child.
RELATIONS = ("parent", "guardian", "teacher")


class Guardianship(db.Model):
    """``guardian_id`` created and manages the child account ``child_id``."""

    __tablename__ = "lms_audience_guardian"

    guardian_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    child_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(20), default="parent")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChildLogin(db.Model):
    """How a child signs in: a login name and a PIN or a picture sequence (hashed)."""

    __tablename__ = "lms_audience_child_login"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    login_name: Mapped[str] = mapped_column(String(40), unique=True)
    #: ``"pin"`` (digits) or ``"picture"`` (a sequence of picture codes).
    secret_kind: Mapped[str] = mapped_column(String(10))
    secret_hash: Mapped[str] = mapped_column(String(255))


class Consent(db.Model):
    """One consent to the privacy notice: by the person, or by a guardian for a child."""

    __tablename__ = "lms_audience_consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    policy_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _PrefColumns:
    """Interface preferences; ``None`` means "not set" (the next default applies)."""

    #: ``""``/``None`` (normal), ``"large"`` or ``"larger"``.
    text_size: Mapped[str | None] = mapped_column(String(10))
    high_contrast: Mapped[bool | None] = mapped_column(Boolean)
    reduced_motion: Mapped[bool | None] = mapped_column(Boolean)
    simple_nav: Mapped[bool | None] = mapped_column(Boolean)
    #: Picture-led pages with big buttons (young children).
    picture_led: Mapped[bool | None] = mapped_column(Boolean)


class Prefs(_PrefColumns, db.Model):
    """A learner's own accessibility preferences; they win over the group's variant."""

    __tablename__ = "lms_audience_prefs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )


class GroupVariant(_PrefColumns, db.Model):
    """The interface an audience group gets by default (data, editable by admins)."""

    __tablename__ = "lms_audience_group_variant"

    group_code: Mapped[str] = mapped_column(
        ForeignKey("lms_audience_group.code", ondelete="CASCADE"), primary_key=True
    )
