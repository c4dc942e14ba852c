"""stats: the statistics classification of each dossier (owner agency, finishing moment, timing) as columns, so
the figures are SQL aggregates; existing rows are filled by `flask reports reclassify`

Revision ID: 0015_stats
Revises: 0014_law
Create Date: 2026-12-02 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_stats'
down_revision = '0015_sched'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stat_agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stat_finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stat_timing', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_stat_agency_id_agencies'), 'agencies',
                                    ['stat_agency_id'], ['id'])
        batch_op.create_index('ix_dossiers_stat_agency_received', ['stat_agency_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_stat_finished_at'), ['stat_finished_at'], unique=False)
    # The owner is a plain rule (handling, else current, else receiving agency): fill it here; the finishing
    # moment and timing need the working calendar and are filled by `flask reports reclassify`.
    op.execute("UPDATE dossiers SET stat_agency_id = COALESCE(handling_agency_id, current_agency_id, "
               "receiving_agency_id)")


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_stat_finished_at'))
        batch_op.drop_index('ix_dossiers_stat_agency_received')
        batch_op.drop_constraint(batch_op.f('fk_dossiers_stat_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_column('stat_timing')
        batch_op.drop_column('stat_finished_at')
        batch_op.drop_column('stat_agency_id')
