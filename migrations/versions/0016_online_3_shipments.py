"""online: results returned by post (shipments and their reported statuses)

Revision ID: 0016_online_3
Revises: 0016_online_2
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_online_3'
down_revision = '0016_online_2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('tracking_number', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('recipient_name', sa.String(length=255), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_shipments_dossier_id_dossiers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_shipments_dossier_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_shipments_reference')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_shipments_tracking_number'))
    )


def downgrade():
    op.drop_table('shipments')
