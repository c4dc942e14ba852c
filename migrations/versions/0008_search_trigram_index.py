"""PostgreSQL: trigram index for the accent-folded dossier search (inbox and dossier lists search '%text%').

Revision ID: 0008_search
Revises: 0007_designer
"""
from alembic import op
from sqlalchemy import text

revision = '0008_search'
down_revision = '0007_designer'
branch_labels = None
depends_on = None


def _trigram_available(bind) -> bool:
    return bool(bind.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar())


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _trigram_available(bind):
        return  # SQLite (embedded demo) scans; without pg_trgm the search still works, only slower
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX IF NOT EXISTS ix_dossiers_search_trgm ON dossiers USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_dossiers_search_trgm")
