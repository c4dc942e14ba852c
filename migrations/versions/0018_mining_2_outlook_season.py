"""mining 2: stat_outlook keyed by season as well (app.reports.warning: season 0 holds the all-year step
histories; seasons 1.. the version's season factors, bpmn_id ''). The table is a fitted cache, so it is recreated
empty: run `flask reports fit-warnings` (the nightly job does) to refill it.

Revision ID: 0018_mining_2
Revises: 0018_mining
Create Date: 2026-12-04 19:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_mining_2'
down_revision = '0018_mining'
branch_labels = None
depends_on = None


def _table(with_season: bool):
    op.create_table('stat_outlook',
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_id', sa.String(length=128), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    *([sa.Column('season', sa.Integer(), nullable=False)] if with_season else []),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('quantiles', sa.JSON(), nullable=False),
    sa.Column('fitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('process_version_id', 'bpmn_id', 'agency_id', *(['season'] if with_season else []),
                            name=op.f('pk_stat_outlook'))
    )


def upgrade():
    op.drop_table('stat_outlook')
    _table(True)


def downgrade():
    op.drop_table('stat_outlook')
    _table(False)
