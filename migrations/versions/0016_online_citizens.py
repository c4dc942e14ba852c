"""online: citizens signed in through the identity provider, files uploaded with online dossiers, the submitter's personal ID on online dossiers

Revision ID: 0016_online
Revises: 0016_docs_2
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_online'
down_revision = '0016_docs_2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('citizens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('id_number', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('birth_date', sa.String(length=10), nullable=True),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
    sa.UniqueConstraint('id_number', name=op.f('uq_citizens_id_number')),
    sa.UniqueConstraint('subject', name=op.f('uq_citizens_subject'))
    )
    op.create_table('dossier_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('document_name', sa.String(length=500), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_attachments_dossier_id_dossiers'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['required_documents.id'],
                            name=op.f('fk_dossier_attachments_document_id_required_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_attachments'))
    )
    with op.batch_alter_table('dossier_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_attachments_dossier_id'), ['dossier_id'], unique=False)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitter_id_number', sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f('ix_dossiers_submitter_id_number'), ['submitter_id_number'], unique=False)


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_submitter_id_number'))
        batch_op.drop_column('submitter_id_number')
    op.drop_table('dossier_attachments')
    op.drop_table('citizens')
