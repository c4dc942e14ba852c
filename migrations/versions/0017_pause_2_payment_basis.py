"""pause: a payment keeps the fee lines its amount came from (the DMN fee table version of a computed fee)

Revision ID: 0017_pause_2
Revises: 0017_pause
Create Date: 2026-12-03 19:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_pause_2'
down_revision = '0017_pause'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_basis', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('fee_basis')
