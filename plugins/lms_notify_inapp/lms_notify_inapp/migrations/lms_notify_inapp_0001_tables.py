"""lms_notify_inapp tables

Revision ID: lms_notify_inapp_0001
Revises:
Create Date: 2026-11-25 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_notify_inapp_0001"
down_revision = None
branch_labels = ("lms_notify_inapp",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_notify_inapp_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_notify_inapp_message_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_notify_inapp_message")),
        sa.UniqueConstraint("key", name=op.f("uq_lms_notify_inapp_message_key")),
    )
    op.create_index(
        "ix_lms_notify_inapp_message_user_read",
        "lms_notify_inapp_message",
        ["user_id", "read_at"],
        unique=False,
    )


def downgrade():
    op.drop_table("lms_notify_inapp_message")
