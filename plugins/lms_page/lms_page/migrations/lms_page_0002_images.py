"""page images: files uploaded into a page, with their alt text

Revision ID: lms_page_0002
Revises: lms_page_0001
Create Date: 2026-11-25 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_page_0002"
down_revision = "lms_page_0001"
branch_labels = None
depends_on = "core_0003"


def upgrade():
    op.create_table(
        "lms_page_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("alt", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_page_image_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_lms_page_image_file_id_stored_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_page_image")),
    )
    op.create_index(
        op.f("ix_lms_page_image_activity_id"), "lms_page_image", ["activity_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_lms_page_image_activity_id"), table_name="lms_page_image")
    op.drop_table("lms_page_image")
