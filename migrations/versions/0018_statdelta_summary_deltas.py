"""statdelta: the statistics triggers append delta rows (stat_daily_delta, stat_step_delta) instead of upserting the
daily summary rows, which deadlocked and queued concurrent transactions on a day's hot cells; the scheduler folds
the deltas into the rows every few seconds (app.reports.summary.fold) and the readers sum both

Revision ID: 0018_statdelta
Revises: 0017_stats3
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op

from app.reports import summary

revision = '0018_statdelta'
down_revision = '0017_stats3'
branch_labels = None
depends_on = None

DAILY = ('received', 'st_received', 'st_processing', 'st_waiting_supplement', 'st_result_ready', 'st_returned',
         'st_refused', 'st_stopped', 'with_supplement', 'late_supplements', 'apologies', 'late_apologies', 'rated',
         'satisfied', 'early', 'on_time', 'late', 'refused', 'e_results', 'open_delta', 'overdue_delta')
DELTA_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def _measures(names):
    return [sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in names]


def upgrade():
    op.create_table('stat_daily_delta',
    sa.Column('id', DELTA_ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('receiving_agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    *_measures(DAILY),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_daily_delta'))
    )
    op.create_table('stat_step_delta',
    sa.Column('id', DELTA_ID, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    *_measures(('early', 'on_time', 'late')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_step_delta'))
    )
    bind = op.get_bind()
    summary.drop_triggers(bind)
    summary.install_triggers(bind, scorecard=False, step_kinds=False)  # the rows stay as they are: the new triggers add deltas


def downgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    summary.fold(bind, scorecard=False, step_kinds=False)  # the deltas not folded yet go into the rows the old triggers keep
    summary.install_triggers(bind, deltas=False, scorecard=False, step_kinds=False)
    op.drop_table('stat_step_delta')
    op.drop_table('stat_daily_delta')
