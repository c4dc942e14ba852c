"""stepkind: stat_step_daily and stat_step_delta gain the step's kind (human_tasks.step_kind, '' for a task without
one) as part of the key, so that the dashboard's table by step (intake, appraisal, approval, stamping, return)
reads the summary rows instead of the tasks. Both tables hold derived rows only: they are created anew with the new
key (no batch copy on SQLite, no primary key swap on PostgreSQL), the triggers reinstalled and the step summary
rebuilt from the tasks (stat_daily and its deltas stay as they are).

Revision ID: 0020_stepkind
Revises: 0019_score1m
Create Date: 2026-12-04 20:10:00

"""
import sqlalchemy as sa
from alembic import op

from app.reports import summary

revision = '0020_stepkind'
down_revision = '0019_score1m'
branch_labels = None
depends_on = None

DELTA_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
OLD_KEY = ('day', 'agency_id', 'procedure_id')


def _measures():
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in ('early', 'on_time', 'late')]


def _create(step_kinds: bool):
    """stat_step_daily and stat_step_delta with (step_kinds) or without the step_kind column."""
    kind = [sa.Column('step_kind', sa.String(length=16), server_default='', nullable=False)] if step_kinds else []
    op.drop_table('stat_step_delta')
    op.drop_table('stat_step_daily')
    op.create_table('stat_step_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    *kind,
    *_measures(),
    sa.PrimaryKeyConstraint(*OLD_KEY, *(['step_kind'] if step_kinds else []), name=op.f('pk_stat_step_daily'))
    )
    op.create_table('stat_step_delta',
    sa.Column('id', DELTA_ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    *(kind and [sa.Column('step_kind', sa.String(length=16), server_default='', nullable=False)]),
    *_measures(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_step_delta'))
    )


def upgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    _create(step_kinds=True)
    summary.install_triggers(bind)
    summary.rebuild_steps(bind)


def downgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    summary.fold(bind)  # stat_daily's pending deltas go into its rows (the step rows are recomputed below)
    _create(step_kinds=False)
    summary.install_triggers(bind, step_kinds=False)
    summary.rebuild_steps(bind, step_kinds=False)
