"""online: a fee may be computed by a DMN decision table of the procedure (inputs from the intake form)

Revision ID: 0016_online_4
Revises: 0016_online_3
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_online_4'
down_revision = '0016_online_3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('fees', schema=None) as batch_op:
        batch_op.drop_column('decision')
