"""organisations and their members (the organisation membership rule)

Revision ID: lms_audience_0003
Revises: lms_audience_0002
Create Date: 2026-11-25 12:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "lms_audience_0003"
down_revision = "lms_audience_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_audience_org",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_audience_org")),
    )
    op.create_table(
        "lms_audience_org_group",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["lms_audience_group.code"],
            name=op.f("fk_lms_audience_org_group_group_code_lms_audience_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["lms_audience_org.id"],
            name=op.f("fk_lms_audience_org_group_org_id_lms_audience_org"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "group_code", name=op.f("pk_lms_audience_org_group")),
    )
    op.create_table(
        "lms_audience_org_member",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["lms_audience_org.id"],
            name=op.f("fk_lms_audience_org_member_org_id_lms_audience_org"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_lms_audience_org_member_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "user_id", name=op.f("pk_lms_audience_org_member")),
    )
    op.create_index(
        op.f("ix_lms_audience_org_member_user_id"),
        "lms_audience_org_member",
        ["user_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_lms_audience_org_member_user_id"), table_name="lms_audience_org_member")
    op.drop_table("lms_audience_org_member")
    op.drop_table("lms_audience_org_group")
    op.drop_table("lms_audience_org")
