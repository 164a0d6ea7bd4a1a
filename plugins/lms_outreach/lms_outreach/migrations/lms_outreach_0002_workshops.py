"""onsite workshops and their registrations (check-in tokens, waiting list, walk-ins)

Revision ID: outreach_0002_workshops
Revises: lms_outreach_0001
Create Date: 2026-11-25 12:20:00

"""

import sqlalchemy as sa
from alembic import op

from lms.models.base import UTCDateTime

revision = "outreach_0002_workshops"
down_revision = "lms_outreach_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_outreach_workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("district", sa.String(length=10), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("audiences", sa.String(length=400), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district"],
            ["lms_outreach_district.code"],
            name=op.f("fk_lms_outreach_workshop_district_lms_outreach_district"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
            name=op.f("fk_lms_outreach_workshop_created_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_outreach_workshop")),
    )
    op.create_index("ix_lms_outreach_workshop_starts_at", "lms_outreach_workshop", ["starts_at"])
    op.create_table(
        "lms_outreach_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("audience", sa.String(length=40), nullable=True),
        sa.Column("district", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("checked_in_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["lms_outreach_workshop.id"],
            name=op.f("fk_lms_outreach_registration_workshop_id_lms_outreach_workshop"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_outreach_registration_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["checked_in_by"],
            ["user.id"],
            name=op.f("fk_lms_outreach_registration_checked_in_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_outreach_registration")),
        sa.UniqueConstraint("token", name=op.f("uq_lms_outreach_registration_token")),
    )
    op.create_index(
        "ix_lms_outreach_registration_workshop",
        "lms_outreach_registration",
        ["workshop_id", "status", "created_at"],
    )
    op.create_index("ix_lms_outreach_registration_user", "lms_outreach_registration", ["user_id"])


def downgrade():
    op.drop_index("ix_lms_outreach_registration_user", table_name="lms_outreach_registration")
    op.drop_index("ix_lms_outreach_registration_workshop", table_name="lms_outreach_registration")
    op.drop_table("lms_outreach_registration")
    op.drop_index("ix_lms_outreach_workshop_starts_at", table_name="lms_outreach_workshop")
    op.drop_table("lms_outreach_workshop")
