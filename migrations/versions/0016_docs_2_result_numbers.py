"""docs: yearly result-number counter per issuing agency (sổ cấp số kết quả), allocated race-free at stamping

Revision ID: 0016_docs_2
Revises: 0016_docs
Create Date: 2026-12-03 13:21:04

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_docs_2'
down_revision = '0016_docs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('result_number_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_result_number_counters_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_number_counters')),
    sa.UniqueConstraint('agency_id', 'year', name='uq_result_number_counters_agency_year')
    )


def downgrade():
    op.drop_table('result_number_counters')
