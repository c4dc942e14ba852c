"""score1m: stat_daily.one_supplement (received dossiers with exactly one supplement request), so that the scorecard's
Circular 01 index 3 (contacts to complete the dossier) comes from the summary rows instead of a scan of the dossiers
received in the period (1.4 s at 1M dossiers). The triggers are reinstalled with the new measure and the summary
rebuilt from the dossiers and tasks.

Revision ID: 0019_score1m
Revises: 0018_mining_2
Create Date: 2026-12-04 20:00:00

"""
import sqlalchemy as sa
from alembic import op

from app.reports import summary

revision = '0019_score1m'
down_revision = '0018_mining_2'
branch_labels = None
depends_on = None

TABLES = ('stat_daily', 'stat_daily_delta')


def upgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    # plain ALTER TABLE, not a batch copy (SQLite's statistics triggers name these tables)
    for table in TABLES:
        op.add_column(table, sa.Column('one_supplement', sa.Integer(), server_default='0', nullable=False))
    summary.install_triggers(bind)
    summary.rebuild(bind)


def downgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    summary.fold(bind)  # the deltas not folded yet go into the rows
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('one_supplement')
    summary.install_triggers(bind, supplements=False)
