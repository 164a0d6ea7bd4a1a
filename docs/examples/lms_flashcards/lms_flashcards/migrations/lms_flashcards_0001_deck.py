"""flashcard deck table

Revision ID: lms_flashcards_0001
Revises:
Create Date: 2026-11-25 11:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_flashcards_0001"
down_revision = None
branch_labels = ("lms_flashcards",)
depends_on = "core_0001"


def upgrade():
    op.create_table(
        "lms_flashcards_deck",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("cards", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_flashcards_deck_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lms_flashcards_deck")),
    )


def downgrade():
    op.drop_table("lms_flashcards_deck")
