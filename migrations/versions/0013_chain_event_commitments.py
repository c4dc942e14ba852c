"""chain: each event commits to the dossier row's legal fields and the stored engine state

Revision ID: 0013_chain
Revises: 0012_pins
Create Date: 2026-12-02 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0013_chain'
down_revision = '0012_pins'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dossier_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('state_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_column('state_hash')
        batch_op.drop_column('dossier_digest')
