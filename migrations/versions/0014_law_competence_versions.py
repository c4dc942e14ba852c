"""law: dated procedure versions, competence, two-outcome and supplement limits; dossier handling agency, form set,
compliance flags

Revision ID: 0014_law
Revises: 0013_chain
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_law'
down_revision = '0013_chain'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('refusal_days', sa.Numeric(precision=6, scale=2), nullable=True))
        batch_op.add_column(sa.Column('supplement_days', sa.Numeric(precision=6, scale=2), nullable=True))
        batch_op.add_column(sa.Column('competence', sa.Enum('fixed', 'residence', 'site', 'level', name='competence',
                                                            native_enum=False, length=16),
                                      nullable=False, server_default='level'))
        batch_op.add_column(sa.Column('legal_basis', sa.String(length=255), nullable=True))
        batch_op.drop_constraint('uq_procedures_code', type_='unique')
        batch_op.create_unique_constraint('uq_procedures_code_version', ['code', 'version'])
        batch_op.create_index(batch_op.f('ix_procedures_code'), ['code'], unique=False)
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.alter_column('version', server_default=None)
        batch_op.alter_column('competence', server_default=None)

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('competence_commune', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('form_set', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('late_supplement_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('apology_compliant', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('apology_alerted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_dossiers_handling_agency_id'), ['handling_agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_handling_agency_id_agencies'), 'agencies',
                                    ['handling_agency_id'], ['id'])
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('late_supplement_count', server_default=None)
    # Existing dossiers belong to the agency that held them last (before competence routing, the best guess).
    op.execute("UPDATE dossiers SET handling_agency_id = COALESCE(current_agency_id, receiving_agency_id)")


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dossiers_handling_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dossiers_handling_agency_id'))
        for column in ('decision_due_at', 'decided_at', 'apology_alerted_at', 'apology_compliant',
                       'late_supplement_count', 'form_set', 'competence_commune', 'handling_agency_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_code'))
        batch_op.drop_constraint('uq_procedures_code_version', type_='unique')
        batch_op.create_unique_constraint('uq_procedures_code', ['code'])
        for column in ('legal_basis', 'competence', 'supplement_days', 'refusal_days', 'version'):
            batch_op.drop_column(column)
