"""notify: the history of scheduled job runs (the last runs of each job)

Revision ID: 0016_notify_3
Revises: 0016_notify_2
Create Date: 2026-12-03 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_notify_3'
down_revision = '0016_notify_2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('node_id', sa.String(length=128), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_job_runs'))
    )
    with op.batch_alter_table('scheduler_job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_scheduler_job_runs_job', ['job_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('scheduler_job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduler_job_runs_job')
    op.drop_table('scheduler_job_runs')
