"""screens: index for the officials' "Đã xử lý" tab (the tasks one official completed, newest first)

Revision ID: 0016_screens
Revises: 0015_stats
Create Date: 2026-12-03 13:30:00

"""
from alembic import op


revision = '0016_screens'
down_revision = '0015_stats'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_done', ['completed_by_id', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_done')
