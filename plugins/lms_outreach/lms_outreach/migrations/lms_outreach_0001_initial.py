"""outreach tables: participation events, reach posts, districts (seeded with Chiang Mai)

Revision ID: lms_outreach_0001
Revises:
Create Date: 2026-11-25 11:00:00

"""

import sqlalchemy as sa
from alembic import op
from lms_outreach.districts import seed_rows

from lms.models.base import UTCDateTime

revision = "lms_outreach_0001"
down_revision = None
branch_labels = ("lms_outreach",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_outreach_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=True),
        sa.Column("district", sa.String(length=10), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_outreach_event_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_outreach_event")),
    )
    op.create_index(
        "ix_lms_outreach_event_occurred_kind",
        "lms_outreach_event",
        ["occurred_at", "kind", "source"],
    )
    op.create_index("ix_lms_outreach_event_user", "lms_outreach_event", ["user_id", "occurred_at"])
    op.create_table(
        "lms_outreach_reach_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.Column("engagements", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_outreach_reach_post")),
    )
    op.create_index(
        "ix_lms_outreach_reach_post_posted_on", "lms_outreach_reach_post", ["posted_on"]
    )
    district = op.create_table(
        "lms_outreach_district",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("province_code", sa.String(length=10), nullable=False),
        sa.Column("province_th", sa.String(length=100), nullable=False),
        sa.Column("province_en", sa.String(length=100), nullable=False),
        sa.Column("name_th", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_lms_outreach_district")),
    )
    op.bulk_insert(district, seed_rows())


def downgrade():
    op.drop_table("lms_outreach_district")
    op.drop_index("ix_lms_outreach_reach_post_posted_on", table_name="lms_outreach_reach_post")
    op.drop_table("lms_outreach_reach_post")
    op.drop_index("ix_lms_outreach_event_user", table_name="lms_outreach_event")
    op.drop_index("ix_lms_outreach_event_occurred_kind", table_name="lms_outreach_event")
    op.drop_table("lms_outreach_event")
