"""designer: bulk migration batches and their per-dossier items

Revision ID: 0007_designer
Revises: 0003
Create Date: 2026-11-25 00:14:55.261478

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_designer'
down_revision = '0006_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('migration_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=128), nullable=False),
    sa.Column('to_version_id', sa.Integer(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_migration_batches_created_by_id_users')),
    sa.ForeignKeyConstraint(['to_version_id'], ['process_versions.id'], name=op.f('fk_migration_batches_to_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migration_batches'))
    )
    with op.batch_alter_table('migration_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_migration_batches_process_key'), ['process_key'], unique=False)

    op.create_table('migration_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('from_version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['migration_batches.id'], name=op.f('fk_migration_items_batch_id_migration_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_migration_items_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_version_id'], ['process_versions.id'], name=op.f('fk_migration_items_from_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migration_items')),
    sa.UniqueConstraint('batch_id', 'dossier_id', name='uq_migration_items_batch_dossier')
    )
    with op.batch_alter_table('migration_items', schema=None) as batch_op:
        batch_op.create_index('ix_migration_items_batch_status', ['batch_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_migration_items_dossier_id'), ['dossier_id'], unique=False)


def downgrade():
    with op.batch_alter_table('migration_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_migration_items_dossier_id'))
        batch_op.drop_index('ix_migration_items_batch_status')

    op.drop_table('migration_items')
    with op.batch_alter_table('migration_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_migration_batches_process_key'))

    op.drop_table('migration_batches')
