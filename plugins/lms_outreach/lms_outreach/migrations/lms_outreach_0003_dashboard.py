"""dashboard: targets per fiscal year and KPI, reach campaigns, the report's covering index

Revision ID: outreach_0003_dashboard
Revises: outreach_0002_workshops
Create Date: 2026-11-25 12:40:00

"""

import sqlalchemy as sa
from alembic import op

from lms.models.base import UTCDateTime

revision = "outreach_0003_dashboard"
down_revision = "outreach_0002_workshops"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_outreach_target",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("kpi", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", "kpi", name=op.f("pk_lms_outreach_target")),
    )
    with op.batch_alter_table("lms_outreach_reach_post") as batch:
        batch.add_column(sa.Column("campaign", sa.String(length=100), nullable=True))
    op.create_index("ix_lms_outreach_reach_post_campaign", "lms_outreach_reach_post", ["campaign"])
    # Replaces (occurred_at, kind, source): every column the report reads, for index-only scans.
    op.drop_index("ix_lms_outreach_event_occurred_kind", table_name="lms_outreach_event")
    op.create_index(
        "ix_lms_outreach_event_report",
        "lms_outreach_event",
        ["occurred_at", "kind", "audience", "district", "user_id", "headcount", "source"],
    )


def downgrade():
    op.drop_index("ix_lms_outreach_event_report", table_name="lms_outreach_event")
    op.create_index(
        "ix_lms_outreach_event_occurred_kind",
        "lms_outreach_event",
        ["occurred_at", "kind", "source"],
    )
    op.drop_index("ix_lms_outreach_reach_post_campaign", table_name="lms_outreach_reach_post")
    with op.batch_alter_table("lms_outreach_reach_post") as batch:
        batch.drop_column("campaign")
    op.drop_table("lms_outreach_target")
