"""live session and attendance tables

Revision ID: lms_live_0001
Revises:
Create Date: 2026-11-25 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_live_0001"
down_revision = None
branch_labels = ("lms_live",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_live_session",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("join_url", sa.String(length=2000), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("opens_minutes_before", sa.Integer(), nullable=False),
        sa.Column("recording_url", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_live_session_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lms_live_session")),
    )
    with op.batch_alter_table("lms_live_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_live_session_starts_at"), ["starts_at"], unique=False
        )
    op.create_table(
        "lms_live_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_live_attendance_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_live_attendance_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_live_attendance")),
        sa.UniqueConstraint(
            "activity_id", "user_id", name=op.f("uq_lms_live_attendance_activity_id")
        ),
    )
    with op.batch_alter_table("lms_live_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_live_attendance_activity_id"), ["activity_id"], unique=False
        )


def downgrade():
    op.drop_table("lms_live_attendance")
    op.drop_table("lms_live_session")
