"""audit: daily anchors, auditor access log, archive records; append-only dossier_events on PostgreSQL

Revision ID: 0006_audit
Revises: 0003
Create Date: 2026-11-25 00:15:50.820353

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_audit'
down_revision = '0005_api'
branch_labels = None
depends_on = None

# The event log is append-only for every role: the only UPDATE allowed is the retention redaction, which swaps
# `data` (and optionally `comment`) for the digest of what it replaced and touches no other column (the hash
# chain still proves the rest; verify checks the digest). DELETE and TRUNCATE are refused.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION dossier_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND jsonb_typeof(NEW.data::jsonb) = 'object' THEN
        IF (NEW.id, NEW.dossier_id, NEW.seq, NEW.kind, NEW.at, NEW.actor_id, NEW.actor_name, NEW.role,
            NEW.agency_id, NEW.from_step, NEW.to_step, NEW.is_internal, NEW.model_hash, NEW.state_fingerprint,
            NEW.prev_hash, NEW.hash)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.dossier_id, OLD.seq, OLD.kind, OLD.at, OLD.actor_id, OLD.actor_name, OLD.role,
            OLD.agency_id, OLD.from_step, OLD.to_step, OLD.is_internal, OLD.model_hash, OLD.state_fingerprint,
            OLD.prev_hash, OLD.hash)
           AND jsonb_typeof(NEW.data::jsonb -> '__redacted__') = 'string'
           AND (NEW.data::jsonb - '__redacted__') = '{}'::jsonb
           AND (NEW.comment IS NOT DISTINCT FROM OLD.comment OR starts_with(NEW.comment, '[redacted sha256:'))
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'dossier_events is append-only: ' || TG_OP || ' refused',
                          ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def upgrade():
    op.create_table('audit_anchors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chain_count', sa.Integer(), nullable=False),
    sa.Column('heads', sa.JSON(), nullable=False),
    sa.Column('prev_digest', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_anchors')),
    sa.UniqueConstraint('day', name=op.f('uq_audit_anchors_day'))
    )
    op.create_table('audit_access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_audit_access_log_dossier_id_dossiers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_access_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_access_log'))
    )
    with op.batch_alter_table('audit_access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_access_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_access_log_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_access_log_user_id'), ['user_id'], unique=False)

    op.create_table('audit_archives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_name', sa.String(length=255), nullable=True),
    sa.Column('bundle_path', sa.String(length=1000), nullable=False),
    sa.Column('bundle_sha256', sa.String(length=64), nullable=False),
    sa.Column('redacted_events', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_audit_archives_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_archives')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_audit_archives_dossier_id'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute("CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON dossier_events "
                   "FOR EACH ROW EXECUTE FUNCTION dossier_events_append_only()")
        op.execute("CREATE TRIGGER dossier_events_no_truncate BEFORE TRUNCATE ON dossier_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION dossier_events_append_only()")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS dossier_events_no_truncate ON dossier_events")
        op.execute("DROP TRIGGER IF EXISTS dossier_events_append_only ON dossier_events")
        op.execute("DROP FUNCTION IF EXISTS dossier_events_append_only()")
    op.drop_table('audit_archives')
    with op.batch_alter_table('audit_access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_access_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_access_log_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_audit_access_log_at'))

    op.drop_table('audit_access_log')
    op.drop_table('audit_anchors')
