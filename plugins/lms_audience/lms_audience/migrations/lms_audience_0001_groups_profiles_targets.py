"""audience groups (seeded with the five), learner profiles, course targets

Revision ID: lms_audience_0001
Revises:
Create Date: 2026-11-25 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "lms_audience_0001"
down_revision = None
branch_labels = ("lms_audience",)
depends_on = "core_0001"

# A copy of lms_audience.models.SEED_GROUPS as it was when this migration was written.
SEED = [
    ("early_childhood", "ปฐมวัย", "Early childhood", 10, 0, 5),
    ("youth", "เยาวชน", "Youth", 20, 6, 24),
    ("general_public", "บุคคลทั่วไป", "General public", 30, None, None),
    (
        "staff",
        "บุคลากรทางการศึกษา / เจ้าหน้าที่",
        "Education and local-government staff",
        40,
        None,
        None,
    ),
    ("elderly", "ผู้สูงอายุ", "Elderly", 50, 60, None),
]


def upgrade():
    group = op.create_table(
        "lms_audience_group",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_th", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_lms_audience_group")),
    )
    op.create_table(
        "lms_audience_profile",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("district", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_profile_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_audience_profile")),
    )
    op.create_table(
        "lms_audience_course",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("restrict_enrolment", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_lms_audience_course_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_lms_audience_course")),
    )
    op.create_table(
        "lms_audience_profile_group",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["lms_audience_group.code"],
            name=op.f("fk_lms_audience_profile_group_group_code_lms_audience_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_audience_profile.user_id"],
            name=op.f("fk_lms_audience_profile_group_user_id_lms_audience_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "group_code", name=op.f("pk_lms_audience_profile_group")
        ),
    )
    op.create_table(
        "lms_audience_course_group",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["lms_audience_course.course_id"],
            name=op.f("fk_lms_audience_course_group_course_id_lms_audience_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["lms_audience_group.code"],
            name=op.f("fk_lms_audience_course_group_group_code_lms_audience_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "course_id", "group_code", name=op.f("pk_lms_audience_course_group")
        ),
    )
    op.bulk_insert(
        group,
        [
            {
                "code": code,
                "name_th": name_th,
                "name_en": name_en,
                "position": position,
                "retired": False,
                "min_age": low,
                "max_age": high,
            }
            for code, name_th, name_en, position, low, high in SEED
        ],
    )


def downgrade():
    op.drop_table("lms_audience_course_group")
    op.drop_table("lms_audience_profile_group")
    op.drop_table("lms_audience_course")
    op.drop_table("lms_audience_profile")
    op.drop_table("lms_audience_group")
