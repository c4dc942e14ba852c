"""law: verification extension (procedure days, dossier flag); tracking book (Sổ theo dõi hồ sơ) running number per receiving agency and year

Revision ID: 0015_law
Revises: 0014_law
Create Date: 2026-12-02 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_law'
down_revision = '0014_law'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('logbook_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_logbook_counters_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logbook_counters')),
    sa.UniqueConstraint('agency_id', 'year', name='uq_logbook_counters_agency_year')
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logbook_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verification_extended_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_days', sa.Numeric(precision=6, scale=2), nullable=True))


def downgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_column('verification_days')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('verification_extended_at')
        batch_op.drop_column('logbook_number')
    op.drop_table('logbook_counters')
