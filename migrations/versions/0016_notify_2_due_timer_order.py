"""notify: due timers indexed in the sweep's order (due_at, id), so a claim reads the first rows and stops

Revision ID: 0016_notify_2
Revises: 0016_notify
Create Date: 2026-12-03 14:00:00

"""
from alembic import op


revision = '0016_notify_2'
down_revision = '0016_notify'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('due_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_due_timers_due_at')
        batch_op.create_index('ix_due_timers_due', ['due_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('due_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_due_timers_due')
        batch_op.create_index('ix_due_timers_due_at', ['due_at'], unique=False)
