"""mining: indexes of the process heatmap (app.reports.mining computes its percentiles in SQL): a version's closed
tasks per dossier (partial on status = 'completed'; on PostgreSQL it carries the columns the heatmap reads, so the
scan is index-only), a version's dossiers with their owner, and the clock pauses per dossier and instant (the supplement-waiting EXISTS).

Revision ID: 0018_mining
Revises: 0018_statdelta
Create Date: 2026-12-04 18:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_mining'
down_revision = '0018_statdelta'
branch_labels = None
depends_on = None

INCLUDE = ["bpmn_id", "name", "agency_id", "created_at", "working_hours", "timing", "duration_days"]


def upgrade():
    op.create_index('ix_human_tasks_mining', 'human_tasks', ['dossier_id', 'completed_at'],
                    postgresql_include=INCLUDE, postgresql_where=sa.text("status = 'completed'"),
                    sqlite_where=sa.text("status = 'completed'"))
    op.create_index('ix_dossiers_version_owner', 'dossiers', ['process_version_id', 'id', 'stat_agency_id'])
    op.create_index('ix_dossier_clock_pauses', 'dossier_clock', ['dossier_id', 'at'],
                    postgresql_where=sa.text("kind = 'pause'"), sqlite_where=sa.text("kind = 'pause'"))


def downgrade():
    op.drop_index('ix_dossier_clock_pauses', table_name='dossier_clock')
    op.drop_index('ix_dossiers_version_owner', table_name='dossiers')
    op.drop_index('ix_human_tasks_mining', table_name='human_tasks')
