"""link table

Revision ID: lms_link_0001
Revises:
Create Date: 2026-11-25 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_link_0001"
down_revision = None
branch_labels = ("lms_link",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_link_link",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_link_link_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lms_link_link")),
    )


def downgrade():
    op.drop_table("lms_link_link")
