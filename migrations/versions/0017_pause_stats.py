"""pause: handling that waits for the fee pauses the clock (procedures.fee_before_handling, dossiers.clock_paused_at);
the stat_daily triggers count a dossier paused for its fee as paused, not overdue (reinstalled and rebuilt)

Revision ID: 0017_pause
Revises: 0017_ocr_searchable
Create Date: 2026-12-03 19:00:00

"""
import sqlalchemy as sa
from alembic import op

from app.reports import summary

revision = '0017_pause'
down_revision = '0017_ocr_searchable'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)  # they name dossier columns: batch mode on SQLite recreates the table
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_before_handling', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_paused_at', sa.DateTime(timezone=True), nullable=True))
    # Dossiers waiting for a supplement were paused since their last pause entry (one mechanism from now on).
    op.execute("UPDATE dossiers SET clock_paused_at = (SELECT max(c.at) FROM dossier_clock c "
               "WHERE c.dossier_id = dossiers.id AND c.kind = 'pause') WHERE status = 'waiting_supplement'")
    summary.install_triggers(bind, deltas=False, scorecard=False, step_kinds=False)  # the delta tables come with 0018_statdelta
    summary.rebuild(bind, deltas=False, scorecard=False, step_kinds=False)


def downgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('clock_paused_at')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('fee_before_handling')
    summary.install_triggers(bind, pause_clock=False, deltas=False, scorecard=False, step_kinds=False)
    summary.rebuild(bind, pause_clock=False, deltas=False, scorecard=False, step_kinds=False)
