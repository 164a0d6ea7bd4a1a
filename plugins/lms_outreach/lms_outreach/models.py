"""Tables of the outreach plugin: participation events, social-media reach, districts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms_outreach.districts import seed_rows


class OutreachEvent(db.Model):
    """One participation: a person (``user_id``) or a headcount took part in ``source``."""

    __tablename__ = "lms_outreach_event"
    __table_args__ = (
        # The report filters on the period (and the dashboard's filters) and groups by kind,
        # audience, district and month: every column it reads is in this index, so the
        # report is an index-only range scan (outreach_0003; docs/outreach.md).
        Index(
            "ix_lms_outreach_event_report",
            "occurred_at",
            "kind",
            "audience",
            "district",
            "user_id",
            "headcount",
            "source",
        ),
        Index("ix_lms_outreach_event_user", "user_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # SET NULL: deleting a person (PDPA) keeps the headcount but forgets who it was.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    audience: Mapped[str | None] = mapped_column(String(40), nullable=True)
    district: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReachPost(db.Model):
    """A social-media post and its reach, entered by hand or imported from CSV."""

    __tablename__ = "lms_outreach_reach_post"
    __table_args__ = (
        Index("ix_lms_outreach_reach_post_posted_on", "posted_on"),
        Index("ix_lms_outreach_reach_post_campaign", "campaign"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(500))
    posted_on: Mapped[date] = mapped_column(Date)
    reach: Mapped[int] = mapped_column(Integer, default=0)
    impressions: Mapped[int] = mapped_column(Integer, default=0)
    engagements: Mapped[int] = mapped_column(Integer, default=0)
    #: Optional campaign name; the reach page totals posts per campaign (outreach_0003).
    campaign: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Target(db.Model):
    """The programme's target for one KPI in one fiscal year (BE), set on the dashboard."""

    __tablename__ = "lms_outreach_target"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class District(db.Model):
    """A district (อำเภอ) of a province. Seeded with Chiang Mai's 25; add rows for others."""

    __tablename__ = "lms_outreach_district"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(10))
    province_th: Mapped[str] = mapped_column(String(100))
    province_en: Mapped[str] = mapped_column(String(100))
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


@event.listens_for(District.__table__, "after_create")
def _seed_districts(target, connection, **kw) -> None:
    """``create_all`` (tests, quick starts) seeds the same rows as the migration."""
    connection.execute(target.insert(), seed_rows())
