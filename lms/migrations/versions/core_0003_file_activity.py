"""stored files name the activity that uses them (per-activity access checks)

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-25 12:20:00

Files stored before this revision have no activity: they stay readable by every member of
their course until ``lms files sweep`` links them to the activities that use them.
"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stored_file_activity_id'), ['activity_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_stored_file_activity_id_activity'), 'activity', ['activity_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stored_file_activity_id_activity'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stored_file_activity_id'))
        batch_op.drop_column('activity_id')
