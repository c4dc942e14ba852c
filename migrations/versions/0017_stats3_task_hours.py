"""stats3: human_tasks.working_hours (the working time of a closed task, stored when it closes for the process
heatmap). Tasks closed before this revision are filled by `flask reports backfill-hours` (it needs the agencies'
calendars, which live in the app, not in the migration); the heatmap computes the missing ones meanwhile.

Revision ID: 0017_stats3
Revises: 0017_stats2
Create Date: 2026-12-03 20:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_stats3'
down_revision = '0017_stats2'
branch_labels = None
depends_on = None


def upgrade():
    # plain ALTER TABLE, not a batch copy: SQLite's statistics triggers name human_tasks and break on a rebuild
    op.add_column('human_tasks', sa.Column('working_hours', sa.Double(), nullable=True))


def downgrade():
    op.drop_column('human_tasks', 'working_hours')
