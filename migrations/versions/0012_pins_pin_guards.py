"""pins: pin_guards, failed lookup-PIN attempts per dossier code (delay and lock)

Revision ID: 0012_pins
Revises: 0011_auth
Create Date: 2026-12-20 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012_pins'
down_revision = '0011_auth'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pin_guards',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locks', sa.Integer(), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_pin_guards'))
    )
    with op.batch_alter_table('pin_guards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pin_guards_last_attempt_at'), ['last_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pin_guards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pin_guards_last_attempt_at'))
    op.drop_table('pin_guards')
