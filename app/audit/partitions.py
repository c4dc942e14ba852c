"""Yearly partitions of the large tables on PostgreSQL (dossier_events, human_tasks), keyed by the dossier's year.

The key is the local year (Asia/Ho_Chi_Minh) the dossier was received in, copied onto every event and task row
(`dossier_year`): all rows of one dossier share a partition, so the event chain's unique (dossier_id, seq) stays
exact, and detaching an old year takes whole (closed) dossiers with all of their history. Each table has one
partition a year plus a DEFAULT one, so an insert never fails when `ensure` has not run in time; `ensure` creates
the coming year ahead (the scheduler runs it nightly) and moves any rows the DEFAULT partition caught.
SQLite keeps plain tables with the same columns: `ensure` does nothing there and `detach` refuses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.core.db import utcnow
from app.core.timefmt import to_local

TABLES = ("dossier_events", "human_tasks")
#: Rows linking to an event (documents, attachments) name its partition too: (event_id, event_year).
EVENT_LINKS = ("documents", "attachments")
#: The SQL of a dossier's partition year, from its received_at (d.received_at).
YEAR_SQL = {"postgresql": "extract(year FROM d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::smallint",
            "sqlite": "CAST(strftime('%Y', d.received_at, '+7 hours') AS INTEGER)"}


class PartitionError(Exception):
    """A partition operation refused (the message says why and what to do)."""


def partition_name(table: str, year: int | None) -> str:
    return f"{table}_default" if year is None else f"{table}_y{year}"


def is_partition(name: str) -> bool:
    """A partition's name (`dossier_events_y2026`, `human_tasks_default`): not a table of the models."""
    return any(re.fullmatch(rf"{table}_(y\d{{4}}|default)", name) for table in TABLES)


def is_partition_object(obj: object, name: str | None, type_: str, reflected: bool) -> bool:
    """A partition, one of its indexes, or PostgreSQL's per-partition copy of a foreign key to a partitioned table
    (same name, a partition as the referred table), as reflection reports them: autogenerate and the schema test
    compare the partitioned parents only."""
    if not reflected:
        return False
    if type_ == "table":
        return is_partition(name or "")
    table = getattr(getattr(obj, "table", None), "name", "")
    referred = getattr(getattr(obj, "referred_table", None), "name", "") if type_ == "foreign_key_constraint" else ""
    return is_partition(table) or is_partition(referred)


def is_partitioned(conn: Connection, table: str = "dossier_events") -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(text("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                                  "WHERE c.relname = :t AND c.relnamespace = current_schema()::regnamespace"),
                             {"t": table}).scalar())


def list_years(conn: Connection, table: str) -> list[int]:
    """The years that have a partition of `table` (the DEFAULT one left out)."""
    names = conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t ORDER BY c.relname"), {"t": table}).scalars()
    prefix = f"{table}_y"
    return sorted(int(name[len(prefix):]) for name in names if name.startswith(prefix))


def create_partition(conn: Connection, table: str, year: int | None) -> None:
    """Attach the partition of `year` (None: the DEFAULT one) to `table`.

    Statement-level triggers are not inherited: the event log's partitions refuse TRUNCATE on their own."""
    name = partition_name(table, year)
    bounds = "DEFAULT" if year is None else f"FOR VALUES FROM ({year}) TO ({year + 1})"
    conn.execute(text(f"CREATE TABLE {name} PARTITION OF {table} {bounds}"))
    if table == "dossier_events":
        conn.execute(text(f"CREATE TRIGGER dossier_events_no_truncate BEFORE TRUNCATE ON {name} "
                          "FOR EACH STATEMENT EXECUTE FUNCTION dossier_events_append_only()"))


def ensure_years(conn: Connection, years: list[int]) -> list[str]:
    """Create the missing partitions of `years` on both tables, moving the rows the DEFAULT partition holds for
    them; return the partitions created."""
    if not is_partitioned(conn):
        return []
    made = []
    for table in TABLES:
        have = set(list_years(conn, table))
        for year in sorted(set(years) - have):
            _move_out_of_default(conn, table, year)
            made.append(partition_name(table, year))
    return made


def ensure(conn: Connection, ahead: int = 1) -> list[str]:
    """Partitions for this year and the `ahead` next ones (the scheduler's nightly job), plus any year the DEFAULT
    partition caught."""
    this_year = to_local(utcnow()).year
    years = list(range(this_year, this_year + ahead + 1))
    if is_partitioned(conn):
        for table in TABLES:
            stray = text(f"SELECT DISTINCT dossier_year FROM {partition_name(table, None)}")  # noqa: S608 (our names)
            years += conn.execute(stray).scalars()
    return ensure_years(conn, years)


def _move_out_of_default(conn: Connection, table: str, year: int) -> None:
    """A new partition cannot be attached while DEFAULT holds rows of its range: take them out, attach, put them
    back through the parent, in one transaction under the table lock. The event log's append-only trigger is off
    for the move, and the documents and attachments linking to moved events are unlinked and linked again (a key
    to a partitioned table is checked per partition: a row leaving DEFAULT would break it)."""
    default = partition_name(table, None)
    columns = conn.execute(text(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"), {"t": table}).scalar_one()
    events = table == "dossier_events"
    if events:
        conn.execute(text("ALTER TABLE dossier_events DISABLE TRIGGER dossier_events_append_only"))
        _park_links(conn, year)
    moved = f"moved_{table}_{int(year)}"
    conn.execute(text(f"CREATE TEMP TABLE {moved} ON COMMIT DROP AS WITH gone AS ("  # noqa: S608 (our names)
                      f"DELETE FROM {default} WHERE dossier_year = {int(year)} RETURNING {columns}) "
                      "SELECT * FROM gone"))
    create_partition(conn, table, year)
    conn.execute(text(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {moved}"))  # noqa: S608
    conn.execute(text(f"DROP TABLE {moved}"))
    if events:
        _restore_links(conn, year)
        conn.execute(text("ALTER TABLE dossier_events ENABLE TRIGGER dossier_events_append_only"))


def _park_links(conn: Connection, year: int) -> None:
    for link in EVENT_LINKS:
        conn.execute(text(f"CREATE TEMP TABLE parked_{link} ON COMMIT DROP AS SELECT id, event_id, event_year "  # noqa: S608
                          f"FROM {link} WHERE event_year = :y"), {"y": year})
        conn.execute(text(f"UPDATE {link} SET event_id = NULL, event_year = NULL "  # noqa: S608
                          f"WHERE id IN (SELECT id FROM parked_{link})"))


def _restore_links(conn: Connection, year: int) -> None:
    for link in EVENT_LINKS:
        conn.execute(text(f"UPDATE {link} t SET event_id = p.event_id, event_year = p.event_year "  # noqa: S608
                          f"FROM parked_{link} p WHERE t.id = p.id"))
        conn.execute(text(f"DROP TABLE parked_{link}"))


@dataclass(frozen=True)
class Detached:
    year: int
    tables: list[str]  # the standalone tables now holding the year's rows (dump them, then drop them)
    unlinked: int  # documents and attachments whose event link was cleared


def detach(conn: Connection, year: int, *, unlink: bool = False) -> Detached:
    """Detach `year`'s partitions of both tables: they become standalone tables to archive (pg_dump) and drop.

    Refused for the current year and later, while a dossier of that year is still open, and while documents or
    attachments link to its events (PostgreSQL refuses to detach rows a foreign key points at) unless `unlink`
    clears those links first."""
    from app.dossiers.models import OPEN_STATUSES  # the ops layer reads the lifecycle's notion of open

    if not is_partitioned(conn):
        raise PartitionError("the tables are not partitioned (SQLite, or before migration 0018_partition)")
    if year >= to_local(utcnow()).year:
        raise PartitionError(f"{year} is the current year or later: only past years are detached")
    if year not in list_years(conn, "dossier_events"):
        raise PartitionError(f"no partition for {year}")
    open_count = conn.execute(text(
        f"SELECT count(*) FROM dossiers d WHERE {YEAR_SQL['postgresql']} = :y AND d.status = ANY(:s)"),  # noqa: S608
        {"y": year, "s": [str(s) for s in OPEN_STATUSES]}).scalar_one()
    if open_count:
        raise PartitionError(f"{open_count} dossiers received in {year} are still open")
    unlinked = _unlink_events(conn, year, unlink)
    tables = []
    for table in TABLES:
        conn.execute(text(f"ALTER TABLE {table} DETACH PARTITION {partition_name(table, year)}"))
        tables.append(partition_name(table, year))
    return Detached(year, tables, unlinked)


def _unlink_events(conn: Connection, year: int, unlink: bool) -> int:
    counts = {t: conn.execute(text(f"SELECT count(*) FROM {t} WHERE event_year = :y"),  # noqa: S608
                              {"y": year}).scalar_one() for t in EVENT_LINKS}
    if not any(counts.values()):
        return 0
    if not unlink:
        listed = ", ".join(f"{n} {t}" for t, n in counts.items())
        raise PartitionError(f"{listed} link to events of {year}: archive them first, or pass --unlink to clear "
                             "their event link (the detached table keeps the events)")
    for t in EVENT_LINKS:
        conn.execute(text(f"UPDATE {t} SET event_id = NULL, event_year = NULL WHERE event_year = :y"),  # noqa: S608
                     {"y": year})
    return sum(counts.values())
