"""lms_notify_line tables

Revision ID: lms_notify_line_0001
Revises:
Create Date: 2026-11-25 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_notify_line_0001"
down_revision = None
branch_labels = ("lms_notify_line",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_notify_line_link",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_notify_line_link_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_notify_line_link")),
        sa.UniqueConstraint("code", name=op.f("uq_lms_notify_line_link_code")),
    )
    op.create_index(
        op.f("ix_lms_notify_line_link_line_user_id"),
        "lms_notify_line_link",
        ["line_user_id"],
        unique=False,
    )


def downgrade():
    op.drop_table("lms_notify_line_link")
