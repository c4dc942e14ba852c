"""partition: dossier_events and human_tasks carry their dossier's year (dossier_year, the local year of
dossiers.received_at); on PostgreSQL both become tables partitioned by range of that year (one partition a year
plus DEFAULT, app.audit.partitions), with keys that include it: primary keys (id, dossier_year), the chain's unique
(dossier_id, seq, dossier_year), and the links of documents and attachments to their event (event_id, event_year).
SQLite keeps plain tables with the same columns.

Revision ID: 0018_partition
Revises: 0018_mining_2
Create Date: 2026-12-04 18:40:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

from app.audit import partitions
from app.reports import summary

revision = '0018_partition'
down_revision = '0018_mining_2'
branch_labels = None
depends_on = None

TABLES = partitions.TABLES
LINKS = partitions.EVENT_LINKS
#: The constraints that gain the partition key: {table: {constraint: columns before}}.
KEYS = {"dossier_events": {"pk_dossier_events": ("id",), "uq_dossier_events_dossier_seq": ("dossier_id", "seq")},
        "human_tasks": {"pk_human_tasks": ("id",)}}
APPEND_ONLY_TRIGGER = ("CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON dossier_events "
                       "FOR EACH ROW EXECUTE FUNCTION dossier_events_append_only()")
NO_TRUNCATE_TRIGGER = ("CREATE TRIGGER dossier_events_no_truncate BEFORE TRUNCATE ON dossier_events "
                       "FOR EACH STATEMENT EXECUTE FUNCTION dossier_events_append_only()")


def upgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)  # on human_tasks: the table is rebuilt (PostgreSQL) or recreated in batch (SQLite)
    if bind.dialect.name == "postgresql":
        _upgrade_postgresql(bind)
    else:
        _upgrade_sqlite()
    summary.install_triggers(bind, scorecard=False, step_kinds=False)  # the scorecard measures come with 0019_score1m


def downgrade():
    bind = op.get_bind()
    summary.drop_triggers(bind)
    if bind.dialect.name == "postgresql":
        _downgrade_postgresql(bind)
    else:
        _downgrade_sqlite()
    summary.install_triggers(bind, scorecard=False, step_kinds=False)  # the scorecard measures come with 0019_score1m


# --- SQLite: columns only -------------------------------------------------------------------

def _upgrade_sqlite():
    year = partitions.YEAR_SQL["sqlite"]
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('dossier_year', sa.SmallInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET dossier_year = (SELECT {year} FROM dossiers d "
                   f"WHERE d.id = {table}.dossier_id)")
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('dossier_year', existing_type=sa.SmallInteger(), nullable=False)
            if table == "dossier_events":
                batch_op.drop_constraint('uq_dossier_events_dossier_seq', type_='unique')
                batch_op.create_unique_constraint('uq_dossier_events_dossier_seq',
                                                  ['dossier_id', 'seq', 'dossier_year'])
    for table in LINKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('event_year', sa.SmallInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET event_year = (SELECT e.dossier_year FROM dossier_events e "
                   f"WHERE e.id = {table}.event_id)")
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_event_id_dossier_events', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_event_id_dossier_events', 'dossier_events',
                                        ['event_id', 'event_year'], ['id', 'dossier_year'])


def _downgrade_sqlite():
    for table in LINKS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_event_id_dossier_events', type_='foreignkey')
            batch_op.create_foreign_key(f'fk_{table}_event_id_dossier_events', 'dossier_events',
                                        ['event_id'], ['id'])
            batch_op.drop_column('event_year')
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            if table == "dossier_events":
                batch_op.drop_constraint('uq_dossier_events_dossier_seq', type_='unique')
                batch_op.create_unique_constraint('uq_dossier_events_dossier_seq', ['dossier_id', 'seq'])
            batch_op.drop_column('dossier_year')


# --- PostgreSQL: rebuild as partitioned tables ----------------------------------------------

def _upgrade_postgresql(bind):
    _drop_event_triggers()
    for table in LINKS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_event_id_dossier_events")
    for table in TABLES:
        _rebuild(bind, table, partitioned=True)
    op.execute(APPEND_ONLY_TRIGGER)
    op.execute(NO_TRUNCATE_TRIGGER)
    for table in LINKS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN event_year smallint")
        op.execute(f"UPDATE {table} t SET event_year = e.dossier_year FROM dossier_events e WHERE e.id = t.event_id")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_event_id_dossier_events FOREIGN KEY "
                   "(event_id, event_year) REFERENCES dossier_events (id, dossier_year)")


def _downgrade_postgresql(bind):
    _drop_event_triggers()
    for table in LINKS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_event_id_dossier_events")
        op.execute(f"ALTER TABLE {table} DROP COLUMN event_year")
    for table in TABLES:
        _rebuild(bind, table, partitioned=False)
    op.execute(APPEND_ONLY_TRIGGER)
    op.execute(NO_TRUNCATE_TRIGGER)
    for table in LINKS:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_event_id_dossier_events FOREIGN KEY "
                   "(event_id) REFERENCES dossier_events (id)")


def _drop_event_triggers():
    op.execute("DROP TRIGGER IF EXISTS dossier_events_no_truncate ON dossier_events")
    op.execute("DROP TRIGGER IF EXISTS dossier_events_append_only ON dossier_events")


def _rebuild(bind, table: str, *, partitioned: bool):
    """Copy `table` into a new one (partitioned by dossier_year or plain), then swap: the same columns, defaults,
    id sequence (ids continue), foreign keys and indexes; the keys gain or lose dossier_year."""
    fks, indexes = _definitions(bind, table)
    sequence = bind.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar_one()
    old = f"{table}_old"
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    if partitioned:
        op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS, dossier_year smallint NOT NULL) "
                   "PARTITION BY RANGE (dossier_year)")
        years = bind.execute(text(f"SELECT DISTINCT {partitions.YEAR_SQL['postgresql']} FROM {old} t "  # noqa: S608
                                  "JOIN dossiers d ON d.id = t.dossier_id")).scalars()
        this_year = bind.execute(text("SELECT extract(year FROM now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::int"))
        now = this_year.scalar_one()
        for year in sorted(set(years) | {now, now + 1}):
            partitions.create_partition(bind, table, year)
        partitions.create_partition(bind, table, None)
        columns = _columns(bind, old)
        op.execute(f"INSERT INTO {table} ({columns}, dossier_year) SELECT {_prefixed(columns, 't')}, "
                   f"{partitions.YEAR_SQL['postgresql']} FROM {old} t JOIN dossiers d ON d.id = t.dossier_id")
    else:
        op.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS)")
        op.execute(f"ALTER TABLE {table} DROP COLUMN dossier_year")
        columns = _columns(bind, table)
        op.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {old}")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY {table}.id")
    op.execute(f"DROP TABLE {old} CASCADE")  # its partitions with it
    for name, columns in KEYS[table].items():
        kind = "PRIMARY KEY" if name.startswith("pk_") else "UNIQUE"
        keyed = (*columns, "dossier_year") if partitioned else columns
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {kind} ({', '.join(keyed)})")
    for name, definition in fks:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for definition in indexes:
        op.execute(definition.replace(" ON ONLY ", " ON "))  # a partitioned parent's index, made for all again
    op.execute(f"ANALYZE {table}")


def _definitions(bind, table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The table's own foreign keys and its indexes that back no constraint, as SQL, before it is renamed."""
    fks = bind.execute(text("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' AND conparentid = 0 "
                            "ORDER BY conname"), {"t": table}).all()
    indexes = bind.execute(text(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = CAST(:t AS regclass) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname"), {"t": table}).scalars()
    return [tuple(row) for row in fks], list(indexes)


def _columns(bind, table: str) -> str:
    return bind.execute(text(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped AND attname <> 'dossier_year'"),
        {"t": table}).scalar_one()


def _prefixed(columns: str, alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in columns.split(", "))
