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
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('working_hours', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_column('working_hours')
