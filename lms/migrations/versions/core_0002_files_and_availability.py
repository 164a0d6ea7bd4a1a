"""stored files; activity availability dates and prerequisite

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-25 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_stored_file_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('key', name=op.f('uq_stored_file_key'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_course_id'), ['course_id'], unique=False)

    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('available_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('available_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('requires_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_activity_requires_id_activity'), 'activity', ['requires_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activity_requires_id_activity'), type_='foreignkey')
        batch_op.drop_column('requires_id')
        batch_op.drop_column('available_until')
        batch_op.drop_column('available_from')

    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_course_id'))

    op.drop_table('stored_file')
