"""quiz tables: question bank, quizzes, slots, attempts, responses

Revision ID: lms_quiz_0001
Revises:
Create Date: 2026-11-25 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import lms.models.base

revision = "lms_quiz_0001"
down_revision = None
branch_labels = ("lms_quiz",)
depends_on = "core_0001"

UTC = lms.models.base.UTCDateTime


def upgrade():
    op.create_table(
        "lms_quiz_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_lms_quiz_category_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_quiz_category")),
        sa.UniqueConstraint("course_id", "name", name=op.f("uq_lms_quiz_category_course_id")),
    )
    op.create_table(
        "lms_quiz_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("qtype", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_format", sa.String(length=10), nullable=False),
        sa.Column("general_feedback", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("default_mark", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["lms_quiz_category.id"],
            name=op.f("fk_lms_quiz_question_category_id_lms_quiz_category"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_lms_quiz_question_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_quiz_question")),
    )
    op.create_index(op.f("ix_lms_quiz_question_category_id"), "lms_quiz_question", ["category_id"])
    op.create_index(op.f("ix_lms_quiz_question_course_id"), "lms_quiz_question", ["course_id"])
    op.create_table(
        "lms_quiz_quiz",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("open_at", UTC(), nullable=True),
        sa.Column("close_at", UTC(), nullable=True),
        sa.Column("time_limit", sa.Integer(), nullable=True),
        sa.Column("grace_seconds", sa.Integer(), nullable=False),
        sa.Column("overdue_rule", sa.String(length=12), nullable=False),
        sa.Column("attempts_allowed", sa.Integer(), nullable=False),
        sa.Column("grade_method", sa.String(length=10), nullable=False),
        sa.Column("grade_max", sa.Float(), nullable=False),
        sa.Column("pass_percent", sa.Float(), nullable=True),
        sa.Column("questions_per_page", sa.Integer(), nullable=False),
        sa.Column("shuffle_questions", sa.Boolean(), nullable=False),
        sa.Column("shuffle_answers", sa.Boolean(), nullable=False),
        sa.Column("review_marks", sa.String(length=12), nullable=False),
        sa.Column("review_feedback", sa.String(length=12), nullable=False),
        sa.Column("review_correct", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lms_quiz_quiz_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lms_quiz_quiz")),
    )
    op.create_table(
        "lms_quiz_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("mark", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["lms_quiz_category.id"],
            name=op.f("fk_lms_quiz_slot_category_id_lms_quiz_category"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["lms_quiz_question.id"],
            name=op.f("fk_lms_quiz_slot_question_id_lms_quiz_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["lms_quiz_quiz.activity_id"],
            name=op.f("fk_lms_quiz_slot_quiz_id_lms_quiz_quiz"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_quiz_slot")),
    )
    op.create_index(op.f("ix_lms_quiz_slot_quiz_id"), "lms_quiz_slot", ["quiz_id"])
    op.create_table(
        "lms_quiz_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quiz_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("started_at", UTC(), nullable=False),
        sa.Column("deadline", UTC(), nullable=True),
        sa.Column("submitted_at", UTC(), nullable=True),
        sa.Column("graded_at", UTC(), nullable=True),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.Column("sum_marks", sa.Float(), nullable=True),
        sa.Column("max_marks", sa.Float(), nullable=False),
        sa.Column("grade", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["lms_quiz_quiz.activity_id"],
            name=op.f("fk_lms_quiz_attempt_quiz_id_lms_quiz_quiz"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_quiz_attempt_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_quiz_attempt")),
        sa.UniqueConstraint(
            "quiz_id", "user_id", "number", name=op.f("uq_lms_quiz_attempt_quiz_id")
        ),
    )
    op.create_index(op.f("ix_lms_quiz_attempt_user_id"), "lms_quiz_attempt", ["user_id"])
    op.create_index(
        "uq_lms_quiz_attempt_one_open",
        "lms_quiz_attempt",
        ["quiz_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("state = 'in_progress'"),
        postgresql_where=sa.text("state = 'in_progress'"),
    )
    op.create_table(
        "lms_quiz_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("slot_index", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("fraction", sa.Float(), nullable=True),
        sa.Column("mark", sa.Float(), nullable=True),
        sa.Column("needs_grading", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("graded_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["lms_quiz_attempt.id"],
            name=op.f("fk_lms_quiz_response_attempt_id_lms_quiz_attempt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["graded_by_id"],
            ["user.id"],
            name=op.f("fk_lms_quiz_response_graded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["lms_quiz_question.id"],
            name=op.f("fk_lms_quiz_response_question_id_lms_quiz_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_quiz_response")),
        sa.UniqueConstraint(
            "attempt_id", "slot_index", name=op.f("uq_lms_quiz_response_attempt_id")
        ),
    )
    op.create_index(op.f("ix_lms_quiz_response_attempt_id"), "lms_quiz_response", ["attempt_id"])
    op.create_index(op.f("ix_lms_quiz_response_question_id"), "lms_quiz_response", ["question_id"])


def downgrade():
    op.drop_table("lms_quiz_response")
    op.drop_index("uq_lms_quiz_attempt_one_open", table_name="lms_quiz_attempt")
    op.drop_table("lms_quiz_attempt")
    op.drop_table("lms_quiz_slot")
    op.drop_table("lms_quiz_quiz")
    op.drop_table("lms_quiz_question")
    op.drop_table("lms_quiz_category")
