"""video table

Revision ID: lms_video_0001
Revises:
Create Date: 2026-11-25 10:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_video_0001"
down_revision = None
branch_labels = ("lms_video",)
depends_on = "core_0002"


def upgrade():
    op.create_table(
        "lms_video_video",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("video_ref", sa.String(length=60), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("captions_id", sa.Integer(), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_video_video_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["captions_id"],
            ["stored_file.id"],
            name=op.f("fk_lms_video_video_captions_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_lms_video_video_file_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lms_video_video")),
    )


def downgrade():
    op.drop_table("lms_video_video")
