"""stats2: scorecard_configs (effective-dated points and weights of the scorecard), seeded with the defaults;
stat_outlook (fitted step histories of the early warning)

Revision ID: 0017_stats2
Revises: 0017_attach2
Create Date: 2026-12-03 19:00:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0017_stats2'
down_revision = '0017_attach2'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('scorecard_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('unsure', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_configs'))
    )
    op.create_index(op.f('ix_scorecard_configs_key'), 'scorecard_configs', ['key'], unique=False)
    from app.reports.scorecard import DEFAULTS  # the values in force from the Circular's effective date

    op.bulk_insert(table, [{'key': key, 'effective_from': date(2018, 7, 1), 'params': params, 'unsure': unsure,
                            'note': note} for key, (params, unsure, note) in DEFAULTS.items()])


    op.create_table('stat_outlook',
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_id', sa.String(length=128), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('quantiles', sa.JSON(), nullable=False),
    sa.Column('fitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('process_version_id', 'bpmn_id', 'agency_id', name=op.f('pk_stat_outlook'))
    )


def downgrade():
    op.drop_table('stat_outlook')
    op.drop_index(op.f('ix_scorecard_configs_key'), table_name='scorecard_configs')
    op.drop_table('scorecard_configs')
