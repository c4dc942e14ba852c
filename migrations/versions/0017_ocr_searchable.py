"""documents: the searchable PDF (OCR text layer) of each scanned attachment

Revision ID: 0017_ocr_searchable
Revises: 0016_notify_3
Create Date: 2026-12-03 19:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_ocr_searchable'
down_revision = '0016_notify_3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('searchable_hash', sa.String(length=64), nullable=True))
    # scans read before (text only, no PDF kept) are queued again for the OCR job, which now keeps the searchable
    # copy; their text is back once the job has passed (failed reads, text '', stay as they are)
    op.execute("UPDATE attachments SET text = NULL WHERE text <> ''")


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('searchable_hash')
