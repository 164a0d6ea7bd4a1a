"""Organisations (a school, a municipality office): their members are in the organisation's
audience groups, through the ``org`` rule (``lms_audience.rules.OrganisationRule``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class OrgGroup(db.Model):
    """A group the organisation's members are in."""

    __tablename__ = "lms_audience_org_group"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("lms_audience_org.id", ondelete="CASCADE"), primary_key=True
    )
    group_code: Mapped[str] = mapped_column(
        ForeignKey("lms_audience_group.code", ondelete="CASCADE"), primary_key=True
    )


class OrgMember(db.Model):
    """A person enrolled by an organisation (a pupil of a school's class, a staff member)."""

    __tablename__ = "lms_audience_org_member"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("lms_audience_org.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: Shown in the reason, e.g. the class: "Grade 5/2".
    note: Mapped[str] = mapped_column(String(80), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Organisation(db.Model):
    __tablename__ = "lms_audience_org"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    groups: Mapped[list[OrgGroup]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def group_codes(self) -> list[str]:
        return sorted(g.group_code for g in self.groups)
