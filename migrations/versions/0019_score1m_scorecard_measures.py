"""score1m: the scorecard's per-dossier inputs as stat_daily measures (app.reports.summary.SCORECARD_MEASURES):
one_supplement (exactly one supplement request: Circular 01 index 3 with with_supplement), digitised (a counter
dossier with a digitised paper document at intake), fee_bearing (a payment order), paid (a paid payment), so that
the scorecard reads the summary rows instead of the dossiers received in the period (1.4 s at 1M dossiers). New
triggers on attachments and payments keep the flags current; all triggers are reinstalled and the summary rebuilt.

Revision ID: 0019_score1m
Revises: 0018_partition
Create Date: 2026-12-04 20:00:00

"""
import sqlalchemy as sa
from alembic import op

from app.reports import summary

revision = '0019_score1m'
down_revision = '0018_partition'
branch_labels = None
depends_on = None

TABLES = ('stat_daily', 'stat_daily_delta')
MEASURES = ('one_supplement', 'digitised', 'fee_bearing', 'paid')


def upgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    # plain ALTER TABLE, not a batch copy (SQLite's statistics triggers name these tables)
    for table in TABLES:
        for name in MEASURES:
            op.add_column(table, sa.Column(name, sa.Integer(), server_default='0', nullable=False))
    summary.install_triggers(bind, step_kinds=False)
    summary.rebuild(bind, step_kinds=False)


def downgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    summary.fold(bind, step_kinds=False)  # the deltas not folded yet go into the rows
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for name in MEASURES:
                batch.drop_column(name)
    summary.install_triggers(bind, scorecard=False, step_kinds=False)
