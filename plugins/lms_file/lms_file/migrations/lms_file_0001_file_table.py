"""file table

Revision ID: lms_file_0001
Revises:
Create Date: 2026-11-25 10:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_file_0001"
down_revision = None
branch_labels = ("lms_file",)
depends_on = "core_0002"


def upgrade():
    op.create_table(
        "lms_file_file",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_file_file_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_lms_file_file_file_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lms_file_file")),
    )


def downgrade():
    op.drop_table("lms_file_file")
