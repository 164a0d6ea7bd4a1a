"""lms_notify tables

Revision ID: lms_notify_0001
Revises:
Create Date: 2026-11-25 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_notify_0001"
down_revision = None
branch_labels = ("lms_notify",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_notify_announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["user.id"],
            name=op.f("fk_lms_notify_announcement_sender_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_notify_announcement")),
    )
    op.create_table(
        "lms_notify_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("digest", sa.String(length=10), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_notify_delivery_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_notify_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_lms_notify_delivery_key")),
    )
    op.create_index(
        op.f("ix_lms_notify_delivery_source"), "lms_notify_delivery", ["source"], unique=False
    )
    op.create_index(
        "ix_lms_notify_delivery_status_due",
        "lms_notify_delivery",
        ["status", "not_before"],
        unique=False,
    )
    op.create_index(
        op.f("ix_lms_notify_delivery_user_id"), "lms_notify_delivery", ["user_id"], unique=False
    )
    op.create_table(
        "lms_notify_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_notify_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "event", "channel", name=op.f("pk_lms_notify_preference")
        ),
    )
    op.create_table(
        "lms_notify_quiet_hours",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("end", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_notify_quiet_hours_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_notify_quiet_hours")),
    )


def downgrade():
    op.drop_table("lms_notify_quiet_hours")
    op.drop_table("lms_notify_preference")
    op.drop_table("lms_notify_delivery")
    op.drop_table("lms_notify_announcement")
