"""pause: legal e-receipt (biên lai điện tử) numbers of the payments, a running series per agency and year

Revision ID: 0017_pause_3
Revises: 0017_pause_2
Create Date: 2026-12-03 19:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_pause_3'
down_revision = '0017_pause_2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('e_receipt_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_e_receipt_counters_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_e_receipt_counters')),
    sa.UniqueConstraint('agency_id', 'year', name='uq_e_receipt_counters_agency_year')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('e_receipt_series', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('e_receipt_number', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('e_receipt_number')
        batch_op.drop_column('e_receipt_series')
    op.drop_table('e_receipt_counters')
