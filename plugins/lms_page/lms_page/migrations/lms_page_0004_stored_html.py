"""page stored HTML: the body rendered and sanitised at save, with its rendering's version

Pages saved before this stay ``NULL`` and are rendered on view as before, until they are saved
again or ``lms page store-html`` stores them.

Revision ID: lms_page_0004
Revises: lms_page_0003
Create Date: 2026-12-07 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms_page_0004"
down_revision = "lms_page_0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_page_page") as batch_op:
        batch_op.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("html_version", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("lms_page_page") as batch_op:
        batch_op.drop_column("html_version")
        batch_op.drop_column("html")
