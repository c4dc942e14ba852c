"""attach2: one attachments path. The online portal's uploads (dossier_attachments, files under the old upload
directory) move to `attachments` and the document storage; the old table is dropped. Attachments also record what
they reuse ("once-only": an earlier attachment or issued result of the same applicant, same stored bytes).

Revision ID: 0017_attach2
Revises: 0017_pause_3
Create Date: 2026-12-03 18:50:00

"""
import hashlib
import io
import os
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0017_attach2'
down_revision = '0017_pause_3'
branch_labels = None
depends_on = None

OLD = sa.table('dossier_attachments', sa.column('id', sa.Integer), sa.column('dossier_id', sa.Integer),
               sa.column('document_id', sa.Integer), sa.column('document_name', sa.String),
               sa.column('filename', sa.String), sa.column('content_type', sa.String), sa.column('size', sa.Integer),
               sa.column('sha256', sa.String), sa.column('purpose', sa.String),
               sa.column('uploaded_at', sa.DateTime(timezone=True)))
NEW = sa.table('attachments', sa.column('id', sa.Integer), sa.column('dossier_id', sa.Integer),
               sa.column('stage', sa.String), sa.column('checklist_item', sa.String),
               sa.column('required_document_id', sa.Integer), sa.column('original_name', sa.String),
               sa.column('content_hash', sa.String), sa.column('media_type', sa.String),
               sa.column('size', sa.Integer), sa.column('page_count', sa.Integer),
               sa.column('is_digitised', sa.Boolean), sa.column('uploaded_by_id', sa.Integer),
               sa.column('uploaded_at', sa.DateTime(timezone=True)))


def _old_upload_dir() -> Path | None:
    """Where app.dossiers.attachments kept the files: MOTCUA_UPLOAD_DIR, else instance/uploads."""
    if os.environ.get('MOTCUA_UPLOAD_DIR'):
        return Path(os.environ['MOTCUA_UPLOAD_DIR'])
    try:
        from flask import current_app

        return Path(current_app.instance_path) / 'uploads'
    except RuntimeError:
        return None


def _storage():
    try:
        from flask import current_app

        return current_app.extensions.get('motcua_storage')
    except RuntimeError:
        return None


def _pages(data: bytes, media_type: str) -> int:
    if media_type != 'application/pdf':
        return 1
    try:
        from pypdf import PdfReader

        return max(len(PdfReader(io.BytesIO(data), strict=False).pages), 1)
    except Exception:  # noqa: BLE001 - a broken old file keeps page count 1; it stays downloadable
        return 1


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reused_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reused_document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attachments_reused_from_id_attachments'), 'attachments',
                                    ['reused_from_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_attachments_reused_document_id_documents'), 'documents',
                                    ['reused_document_id'], ['id'])

    bind = op.get_bind()
    old_dir, store = _old_upload_dir(), _storage()
    rows = []
    for old in bind.execute(sa.select(OLD).order_by(OLD.c.id)).mappings():
        pages = 1
        path = old_dir / old['sha256'][:2] / old['sha256'] if old_dir is not None else None
        if store is not None and path is not None and path.exists():  # the bytes move to the document storage
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == old['sha256']:
                store.put(data)
                pages = _pages(data, old['content_type'])
        rows.append({'dossier_id': old['dossier_id'],
                     'stage': 'supplement' if old['purpose'] == 'supplement' else 'online',
                     'checklist_item': old['document_name'], 'required_document_id': old['document_id'],
                     'original_name': old['filename'], 'content_hash': old['sha256'],
                     'media_type': old['content_type'], 'size': old['size'], 'page_count': pages,
                     'is_digitised': True, 'uploaded_by_id': None, 'uploaded_at': old['uploaded_at']})
    if rows:
        op.bulk_insert(NEW, rows)
    op.drop_table('dossier_attachments')


def downgrade():
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
    # The citizens' uploads (no official uploaded them) go back; their bytes stay in the document storage.
    bind = op.get_bind()
    online = sa.and_(NEW.c.uploaded_by_id.is_(None), NEW.c.stage.in_(('online', 'supplement')))
    back = [{'dossier_id': r['dossier_id'], 'document_id': r['required_document_id'],
             'document_name': r['checklist_item'] or '', 'filename': r['original_name'],
             'content_type': r['media_type'], 'size': r['size'], 'sha256': r['content_hash'],
             'purpose': 'supplement' if r['stage'] == 'supplement' else 'submission', 'uploaded_at': r['uploaded_at']}
            for r in bind.execute(sa.select(NEW).where(online).order_by(NEW.c.id)).mappings()]
    if back:
        op.bulk_insert(OLD, back)
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attachments_reused_document_id_documents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_attachments_reused_from_id_attachments'), type_='foreignkey')
        batch_op.drop_column('reused_document_id')
        batch_op.drop_column('reused_from_id')
    bind.execute(sa.delete(NEW).where(online))  # listed once again, from the old table
