"""page narration: an optional audio file read aloud to the learner

Revision ID: lms_page_0003
Revises: lms_page_0002
Create Date: 2026-11-25 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_page_0003"
down_revision = "lms_page_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_page_page") as batch_op:
        batch_op.add_column(sa.Column("narration_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lms_page_page_narration_id_stored_file"),
            "stored_file",
            ["narration_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("lms_page_page") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lms_page_page_narration_id_stored_file"), type_="foreignkey"
        )
        batch_op.drop_column("narration_id")
