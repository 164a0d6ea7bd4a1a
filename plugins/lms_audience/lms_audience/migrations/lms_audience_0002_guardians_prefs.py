"""guardians and children's sign-in, consent records (PDPA), accessibility preferences and
each group's default interface variant

Revision ID: lms_audience_0002
Revises: lms_audience_0001
Create Date: 2026-11-25 12:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "lms_audience_0002"
down_revision = "lms_audience_0001"
branch_labels = None
depends_on = None

# A copy of lms_audience.prefs.SEED_VARIANTS as it was when this migration was written:
# group code, text size, high contrast, reduced motion, simplified navigation, picture-led.
SEED = [
    ("early_childhood", "large", None, None, True, True),
    ("elderly", "larger", True, True, True, None),
]


def _prefs_columns():
    return [
        sa.Column("text_size", sa.String(length=10), nullable=True),
        sa.Column("high_contrast", sa.Boolean(), nullable=True),
        sa.Column("reduced_motion", sa.Boolean(), nullable=True),
        sa.Column("simple_nav", sa.Boolean(), nullable=True),
        sa.Column("picture_led", sa.Boolean(), nullable=True),
    ]


def upgrade():
    op.create_table(
        "lms_audience_guardian",
        sa.Column("guardian_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_guardian_guardian_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_guardian_child_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("guardian_id", "child_id", name=op.f("pk_lms_audience_guardian")),
    )
    op.create_index(
        op.f("ix_lms_audience_guardian_child_id"), "lms_audience_guardian", ["child_id"]
    )
    op.create_table(
        "lms_audience_child_login",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("login_name", sa.String(length=40), nullable=False),
        sa.Column("secret_kind", sa.String(length=10), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_child_login_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_audience_child_login")),
        sa.UniqueConstraint("login_name", name=op.f("uq_lms_audience_child_login_login_name")),
    )
    op.create_table(
        "lms_audience_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("policy_version", sa.String(length=20), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_consent_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["given_by_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_consent_given_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_audience_consent")),
    )
    op.create_index(op.f("ix_lms_audience_consent_user_id"), "lms_audience_consent", ["user_id"])
    op.create_table(
        "lms_audience_prefs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        *_prefs_columns(),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_prefs_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_lms_audience_prefs")),
    )
    variant = op.create_table(
        "lms_audience_group_variant",
        sa.Column("group_code", sa.String(length=40), nullable=False),
        *_prefs_columns(),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["lms_audience_group.code"],
            name=op.f("fk_lms_audience_group_variant_group_code_lms_audience_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_code", name=op.f("pk_lms_audience_group_variant")),
    )
    op.bulk_insert(
        variant,
        [
            {
                "group_code": code,
                "text_size": size,
                "high_contrast": contrast,
                "reduced_motion": motion,
                "simple_nav": simple,
                "picture_led": pictures,
            }
            for code, size, contrast, motion, simple, pictures in SEED
        ],
    )


def downgrade():
    op.drop_table("lms_audience_group_variant")
    op.drop_table("lms_audience_prefs")
    op.drop_index(op.f("ix_lms_audience_consent_user_id"), table_name="lms_audience_consent")
    op.drop_table("lms_audience_consent")
    op.drop_table("lms_audience_child_login")
    op.drop_index(op.f("ix_lms_audience_guardian_child_id"), table_name="lms_audience_guardian")
    op.drop_table("lms_audience_guardian")
