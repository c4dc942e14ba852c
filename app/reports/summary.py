"""The daily summary tables (app.reports.models) as SQL: what each dossier and task row adds, the triggers that keep
the tables current on PostgreSQL and SQLite, and the set-based rebuild from the same expressions.

Why database triggers and not an ORM hook: raw UPDATEs (reclassify, migrations, the bulk generator, a DBA's fix)
keep the summary right too, and the summary changes in the transaction of the change. A trigger subtracts the
old row's contributions and adds the new row's, grouped per summary cell, and appends them to the delta tables
(migration 0018_statdelta; before it, the triggers upserted the summary rows themselves: every transaction of a
day queued on the day's cell, and an intake and a completed step touching the day's two cells in opposite orders
deadlocked). `fold` adds the deltas to the summary rows, one folder at a time, as a scheduler job.

Local days are Asia/Ho_Chi_Minh (UTC+7 without daylight saving since 1975): PostgreSQL converts with the zone
name, SQLite adds 7 hours to the stored UTC text.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.dossiers.models import DossierStatus
from app.reports.models import MEASURES, STEP_MEASURES
from app.reports.semantics import paused_sql

SATISFIED = ("very_satisfied", "satisfied")
TIMINGS = ("early", "on_time", "late")
DAILY_KEY = ("day", "agency_id", "receiving_agency_id", "procedure_id", "channel")
STEP_KEY = ("day", "agency_id", "procedure_id", "step_kind")
#: stat_step_daily before migration 0020_stepkind (no step_kind column).
OLD_STEP_KEY = ("day", "agency_id", "procedure_id")
#: Dossier columns the contributions read: an update touching none of them leaves the summary alone.
DOSSIER_COLUMNS = ("stat_agency_id", "handling_agency_id", "current_agency_id", "receiving_agency_id",
                   "procedure_id", "channel", "received_at", "status", "supplement_count", "late_supplement_count",
                   "apology_count", "apology_compliant", "rating", "stat_timing", "stat_finished_at", "outcome",
                   "return_method", "finished_at", "legal_due_at", "clock_paused_at")
TASK_COLUMNS = ("status", "timing", "completed_at", "agency_id", "dossier_id", "step_kind")
#: Measures of migration 0019_score1m (the scorecard's inputs the summary did not hold before).
SCORECARD_MEASURES = ("one_supplement", "digitised", "fee_bearing", "paid")
#: Attachment and payment columns the flags read (`_flag_parts`).
ATTACHMENT_COLUMNS = ("dossier_id", "is_digitised", "stage")
PAYMENT_COLUMNS = ("dossier_id", "status", "confirmed_by")


@dataclass(frozen=True)
class Dialect:
    name: str
    pause_clock: bool = True  # False: the schema before dossiers.clock_paused_at (migration 0016_stats)
    deltas: bool = True  # False: the triggers upsert the summary rows (before migration 0018_statdelta)
    scorecard: bool = True  # False: stat_daily without SCORECARD_MEASURES (before migration 0019_score1m)
    step_kinds: bool = True  # False: stat_step_daily without step_kind (before migration 0020_stepkind)

    @property
    def daily(self) -> Target:
        """stat_daily with the measures of this schema."""
        if self.scorecard:
            return DAILY
        return Target(DAILY.table, DAILY.key, tuple(m for m in DAILY.measures if m not in SCORECARD_MEASURES),
                      DAILY.deltas)

    @property
    def steps(self) -> Target:
        """stat_step_daily with the key of this schema."""
        return STEPS if self.step_kinds else Target(STEPS.table, OLD_STEP_KEY, STEPS.measures, STEPS.deltas)

    def day(self, instant: str) -> str:
        if self.name == "postgresql":
            return f"(({instant}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
        return f"date({instant}, '+7 hours')"

    def next_day(self, instant: str) -> str:
        if self.name == "postgresql":
            return f"((({instant}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + 1)"
        return f"date({instant}, '+7 hours', '+1 day')"

    def differs(self, column: str) -> str:
        op = "IS DISTINCT FROM" if self.name == "postgresql" else "IS NOT"
        return f"OLD.{column} {op} NEW.{column}"


@dataclass(frozen=True)
class Part:
    """One contribution of a row: to the summary row of `day`, the measures given (others 0), when `where`."""

    day: str
    where: str
    values: dict[str, str]


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def dossier_parts(d: Dialect, r: str) -> list[Part]:
    """What dossier row `r` adds to stat_daily (app.reports.semantics, as SQL)."""
    end = f"COALESCE({r}.stat_finished_at, CASE WHEN {r}.status = 'stopped' THEN {r}.finished_at END)"
    received = {"received": "1", **{f"st_{s.value}": _flag(f"{r}.status = '{s.value}'") for s in DossierStatus},
                "with_supplement": _flag(f"{r}.supplement_count > 0"),
                "one_supplement": _flag(f"{r}.supplement_count = 1"),
                **{name: _flag(_has(name, r)) for name in FLAGS},
                "late_supplements": f"{r}.late_supplement_count", "apologies": f"{r}.apology_count",
                "late_apologies": _flag(f"{r}.apology_count > 0 AND {r}.apology_compliant IS FALSE"),
                "rated": _flag(f"{r}.rating IS NOT NULL"),
                "satisfied": _flag(f"{r}.rating IN ({', '.join(repr(s) for s in SATISFIED)})")}
    finished = {**{t: _flag(f"{r}.stat_timing = '{t}'") for t in TIMINGS},
                "refused": _flag(f"{r}.outcome = 'refused'"), "e_results": _flag(f"{r}.return_method = 'online'")}
    # Waiting for the applicant is never overdue (semantics.PAUSED): such a dossier has no overdue interval.
    overdue = (f"NOT {paused_sql(r, clock=d.pause_clock)} AND {r}.legal_due_at IS NOT NULL "
               f"AND ({end} IS NULL OR {d.day(end)} > {d.day(f'{r}.legal_due_at')})")
    return [
        Part(d.day(f"{r}.received_at"), "1 = 1", received),
        Part(d.day(f"{r}.stat_finished_at"), f"{r}.stat_timing IS NOT NULL", finished),
        Part(d.next_day(f"{r}.received_at"), "1 = 1", {"open_delta": "1"}),
        Part(d.next_day(end), f"{end} IS NOT NULL", {"open_delta": "-1"}),
        Part(d.next_day(f"{r}.legal_due_at"), overdue, {"overdue_delta": "1"}),
        Part(d.next_day(end), f"{end} IS NOT NULL AND {overdue}", {"overdue_delta": "-1"}),
    ]


#: Per-dossier flags read from other tables (Decision 766): a digitised paper document at intake (counter dossiers
#: only), a payment order, a payment paid online (through the gateway: cash the counter took, confirmed_by
#: 'counter', is not); (table, condition on its row `x`, condition on the dossier `r`).
FLAGS = {
    "digitised": ("attachments", "{x}.is_digitised AND {x}.stage = 'intake'", "{r}.channel <> 'online'"),
    "fee_bearing": ("payments", "1 = 1", "1 = 1"),
    "paid": ("payments", "{x}.status = 'paid' AND COALESCE({x}.confirmed_by, '') <> 'counter'", "1 = 1"),
}


def _has(name: str, r: str, *, besides: str | None = None) -> str:
    """Dossier `r` has flag `name` (its own condition and a qualifying row; `besides`: a row other than that id)."""
    table, row, own = FLAGS[name]
    other = f" AND x.id <> {besides}" if besides else ""
    return (f"{own.format(r=r)} AND EXISTS (SELECT 1 FROM {table} x WHERE x.dossier_id = {r}.id "  # noqa: S608
            f"AND {row.format(x='x')}{other})")


def flag_parts(d: Dialect, table: str, r: str) -> list[Part]:
    """What attachment or payment row `r` adds to its dossier's flags (on the dossier's receipt day, dossier `d`):
    1 when it is the only qualifying row of a dossier with the flag's own condition. Run BEFORE the row changes
    (the table holds the other rows, and on PostgreSQL those a multi-row statement processed before this one)."""
    values = {name: _flag(f"{own.format(r='d')} AND {row.format(x=r)} AND NOT ({_has(name, 'd', besides=f'{r}.id')})")
              for name, (t, row, own) in FLAGS.items() if t == table}
    return [Part(d.day("d.received_at"), "1 = 1", values)]


def _dossier_key(r: str) -> dict[str, str]:
    return {"agency_id": f"COALESCE({r}.stat_agency_id, {r}.handling_agency_id, {r}.current_agency_id, "
                         f"{r}.receiving_agency_id)",
            "receiving_agency_id": f"{r}.receiving_agency_id", "procedure_id": f"{r}.procedure_id",
            "channel": f"{r}.channel"}


def step_parts(d: Dialect, r: str) -> list[Part]:
    """What a completed step (human task row `r`) adds to stat_step_daily, for the agency that did it."""
    done = f"{r}.status = 'completed' AND {r}.agency_id IS NOT NULL AND {r}.timing IN ('early', 'on_time', 'late')"
    return [Part(d.day(f"{r}.completed_at"), done, {t: _flag(f"{r}.timing = '{t}'") for t in TIMINGS})]


def _select(part: Part, key: dict[str, str], measures: tuple[str, ...], sign: str, source: str) -> str:
    columns = [f"{part.day} AS day", *(f"{expr} AS {name}" for name, expr in key.items()),
               *(f"{sign}({part.values[m]}) AS {m}" if m in part.values else f"0 AS {m}" for m in measures)]
    return f"SELECT {', '.join(columns)} {source} ({part.where})"


@dataclass(frozen=True)
class Target:
    table: str
    key: tuple[str, ...]
    measures: tuple[str, ...]
    deltas: str  # the append-only table the triggers write to (app.reports.models)

    def insert(self, selects: list[str], *, upsert: bool, skip_zero: bool = False) -> str:
        """INSERT the grouped sum of the contribution SELECTs (adding to existing rows when `upsert`)."""
        keys, sums = ", ".join(self.key), ", ".join(f"SUM({m})" for m in self.measures)
        having = (" HAVING " + " OR ".join(f"SUM({m}) <> 0" for m in self.measures)) if skip_zero else ""
        head = f"INSERT INTO {self.table} ({keys}, {', '.join(self.measures)})"
        body = f"FROM ({' UNION ALL '.join(selects)}) AS c WHERE 1 = 1 GROUP BY {keys}{having} ORDER BY {keys}"
        sql = f"{head} SELECT {keys}, {sums} {body}"  # noqa: S608 (constant identifiers, no input)
        if upsert:
            updates = ", ".join(f"{m} = {self.table}.{m} + excluded.{m}" for m in self.measures)
            sql += f" ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        return sql

    def append(self, selects: list[str], *, skip_zero: bool = False) -> str:
        """INSERT the grouped sum of the contribution SELECTs into the delta table: no upsert, no row to lock."""
        return Target(self.deltas, self.key, self.measures, self.deltas).insert(selects, upsert=False,
                                                                             skip_zero=skip_zero)

    def write(self, d: Dialect, selects: list[str], *, skip_zero: bool = False) -> str:
        """What a trigger runs: append a delta, or (the schema before 0018_statdelta) upsert the summary row."""
        return self.append(selects, skip_zero=skip_zero) if d.deltas else self.insert(selects, upsert=True,
                                                                                       skip_zero=skip_zero)

    def fold(self, dialect_name: str) -> list[str]:
        """Statements adding the deltas to the summary rows (grouped per cell, in key order) and removing them.

        PostgreSQL: one statement, so the deltas added are exactly those removed (a delta committed meanwhile is
        neither; a "read the last id, then delete" pair would lose one committed in between). SQLite has one
        writer at a time: nothing commits between the two statements of the fold's transaction."""
        keys, columns = ", ".join(self.key), ", ".join((*self.key, *self.measures))
        sums = ", ".join(f"SUM({m})" for m in self.measures)
        updates = ", ".join(f"{m} = {self.table}.{m} + excluded.{m}" for m in self.measures)
        upsert = f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        if dialect_name == "postgresql":
            return [f"WITH moved AS (DELETE FROM {self.deltas} RETURNING {columns}) "  # noqa: S608 (constants)
                    f"INSERT INTO {self.table} ({columns}) SELECT {keys}, {sums} FROM moved "
                    f"GROUP BY {keys} ORDER BY {keys} {upsert}"]
        return [f"INSERT INTO {self.table} ({columns}) SELECT {keys}, {sums} FROM {self.deltas} "  # noqa: S608
                f"WHERE 1 = 1 GROUP BY {keys} ORDER BY {keys} {upsert}",
                f"DELETE FROM {self.deltas}"]  # noqa: S608


DAILY = Target("stat_daily", DAILY_KEY, MEASURES, "stat_daily_delta")
STEPS = Target("stat_step_daily", STEP_KEY, STEP_MEASURES, "stat_step_delta")
#: One folder at a time on PostgreSQL (transaction-level advisory lock; the scheduler runs the fold on its leader).
FOLD_LOCK = 0x5354_4446  # "STDF"


def _dossier_selects(d: Dialect, r: str, sign: str, source: str) -> list[str]:
    return [_select(p, _dossier_key(r), d.daily.measures, sign, source) for p in dossier_parts(d, r)]


def _step_selects(d: Dialect, r: str, sign: str, source: str) -> list[str]:
    key = {"agency_id": f"{r}.agency_id", "procedure_id": "d.procedure_id"}
    if d.step_kinds:  # never NULL: the ON CONFLICT key of the fold would not match NULLs
        key["step_kind"] = f"COALESCE({r}.step_kind, '')"
    return [_select(p, key, STEP_MEASURES, sign, source) for p in step_parts(d, r)]


def _flag_delta(d: Dialect, table: str, op: str) -> list[str]:
    """A dossier's flag changes when its first qualifying attachment / payment comes or its last one goes."""
    def selects(r: str, sign: str) -> list[str]:
        return [_select(p, _dossier_key("d"), d.daily.measures, sign, _task_source(r)) for p in flag_parts(d, table, r)]
    parts = {"INSERT": selects("NEW", "+"), "UPDATE": selects("OLD", "-") + selects("NEW", "+"),
             "DELETE": selects("OLD", "-")}[op]
    return [d.daily.write(d, parts, skip_zero=True)]


def _task_source(r: str) -> str:
    return f"FROM dossiers d WHERE d.id = {r}.dossier_id AND"


def _dossier_delta(d: Dialect, op: str) -> list[str]:
    """Statements a trigger runs for a dossier INSERT, UPDATE or DELETE."""
    old, new = _dossier_selects(d, "OLD", "-", "WHERE"), _dossier_selects(d, "NEW", "+", "WHERE")
    if op == "INSERT":
        return [d.daily.write(d, new)]
    if op == "UPDATE":
        return [d.daily.write(d, old + new, skip_zero=True)]
    # A deleted dossier takes its completed steps with it (their rows go by cascade, after it is gone).
    steps = _step_selects(d, "t", "-", "FROM human_tasks t JOIN dossiers d ON d.id = t.dossier_id "
                                       "WHERE t.dossier_id = OLD.id AND")
    return [d.daily.write(d, old), d.steps.write(d, steps)]


def _task_delta(d: Dialect, op: str) -> list[str]:
    old, new = _step_selects(d, "OLD", "-", _task_source("OLD")), _step_selects(d, "NEW", "+", _task_source("NEW"))
    return [d.steps.write(d, {"INSERT": new, "UPDATE": old + new, "DELETE": old}[op], skip_zero=op == "UPDATE")]


TRIGGERS = (  # (name, table, event, the columns an update must touch, statements)
    ("stat_daily_dossiers_insert", "dossiers", "INSERT", (), lambda d: _dossier_delta(d, "INSERT")),
    ("stat_daily_dossiers_update", "dossiers", "UPDATE", DOSSIER_COLUMNS, lambda d: _dossier_delta(d, "UPDATE")),
    ("stat_daily_dossiers_delete", "dossiers", "DELETE", (), lambda d: _dossier_delta(d, "DELETE")),
    ("stat_daily_tasks_insert", "human_tasks", "INSERT", (), lambda d: _task_delta(d, "INSERT")),
    ("stat_daily_tasks_update", "human_tasks", "UPDATE", TASK_COLUMNS, lambda d: _task_delta(d, "UPDATE")),
    ("stat_daily_tasks_delete", "human_tasks", "DELETE", (), lambda d: _task_delta(d, "DELETE")),
)
#: BEFORE the row changes (flag_parts), from migration 0019_score1m. A dossier's delete counts its flags (before
#: its payments go by cascade: their trigger no longer finds the dossier, and adds nothing).
FLAG_TRIGGERS = tuple(
    (f"stat_daily_{table}_{event.lower()}", table, event, columns if event == "UPDATE" else (),
     lambda d, table=table, event=event: _flag_delta(d, table, event))
    for table, columns in (("attachments", ATTACHMENT_COLUMNS), ("payments", PAYMENT_COLUMNS))
    for event in ("INSERT", "UPDATE", "DELETE"))


def _timing(event: str, before: bool = False) -> str:
    return "BEFORE DELETE" if event == "DELETE" else f"{'BEFORE' if before else 'AFTER'} {event}"


def create_statements(dialect_name: str, pause_clock: bool = True, deltas: bool = True,
                      scorecard: bool = True, step_kinds: bool = True) -> list[str]:
    """DDL of the triggers (and PostgreSQL's trigger functions)."""
    d, out = Dialect(dialect_name, pause_clock, deltas, scorecard, step_kinds), []
    triggers = [(*t, False) for t in TRIGGERS] + ([(*t, True) for t in FLAG_TRIGGERS] if scorecard else [])
    for name, table, event, columns, body, before in triggers:
        columns = tuple(c for c in columns if (pause_clock or c != "clock_paused_at")
                        and (step_kinds or table != "human_tasks" or c != "step_kind"))
        of = f" OF {', '.join(columns)}" if columns else ""
        when = f" WHEN ({' OR '.join(d.differs(c) for c in columns)})" if columns else ""
        statements = "; ".join(body(d))
        if d.name == "postgresql":
            returned = "OLD" if event == "DELETE" else "NEW" if before else "NULL"
            out.append(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {statements}; "
                       f"RETURN {returned}; END $$")
            out.append(f"CREATE TRIGGER {name} {_timing(event, before)}{of} ON {table} FOR EACH ROW{when} "
                       f"EXECUTE FUNCTION {name}()")
        else:
            out.append(f"CREATE TRIGGER {name} {_timing(event, before)}{of} ON {table} FOR EACH ROW{when} "
                       f"BEGIN {statements}; END")
    return out


def drop_statements(dialect_name: str) -> list[str]:
    out = []
    for name, table, *_rest in (*TRIGGERS, *FLAG_TRIGGERS):
        if dialect_name == "postgresql":
            out += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
        else:
            out.append(f"DROP TRIGGER IF EXISTS {name}")
    return out


def install_triggers(conn: Connection, *, pause_clock: bool = True, deltas: bool = True,
                     scorecard: bool = True, step_kinds: bool = True) -> None:
    """`pause_clock=False`: the triggers of migration 0016_stats (no dossiers.clock_paused_at yet); `deltas=False`:
    those before 0018_statdelta (no delta tables yet: they upsert the summary rows); `scorecard=False`: those
    before 0019_score1m (no stat_daily.one_supplement); `step_kinds=False`: those before 0020_stepkind (no
    stat_step_daily.step_kind)."""
    for statement in create_statements(conn.dialect.name, pause_clock, deltas, scorecard, step_kinds):
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    for statement in drop_statements(conn.dialect.name):
        conn.execute(text(statement))


def fold(conn: Connection, *, scorecard: bool = True, step_kinds: bool = True) -> int:
    """Add the deltas to the summary rows and remove them; returns the number of summary rows written.

    Only one fold at a time: the scheduler runs it on its active leader, and on PostgreSQL it waits for the
    advisory lock, so a manual `flask reports fold` and the job queue instead of interleaving. Writers are never
    blocked: they only insert deltas, the fold only deletes the deltas its statement sees."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
    written = 0
    d = Dialect(conn.dialect.name, scorecard=scorecard, step_kinds=step_kinds)
    for target in (d.daily, d.steps):
        if conn.execute(text(f"SELECT 1 FROM {target.deltas} LIMIT 1")).first() is None:  # noqa: S608
            continue  # nothing to fold (SQLite: do not take its one write lock for nothing)
        for statement in target.fold(conn.dialect.name):
            result = conn.execute(text(statement))
            written += max(result.rowcount, 0) if statement.startswith(("INSERT", "WITH")) else 0
    return written


def rebuild(conn: Connection, *, pause_clock: bool = True, deltas: bool = True, scorecard: bool = True,
            step_kinds: bool = True) -> None:
    """Recompute both summary tables from the dossiers and tasks (the same expressions as the triggers), dropping
    the deltas (they are in the recomputed rows). `deltas=False`: the schema before 0018_statdelta;
    `scorecard=False`: before 0019_score1m; `step_kinds=False`: before 0020_stepkind.

    On PostgreSQL the tables are locked first: a writer that changed dossiers before the lock has committed
    (its rows are in the snapshot), one after it waits and adds its delta on top of the rebuilt rows."""
    d = Dialect(conn.dialect.name, pause_clock, deltas, scorecard, step_kinds)
    tables = ("stat_daily", "stat_step_daily", *((DAILY.deltas, STEPS.deltas) if deltas else ()))
    if d.name == "postgresql":
        if deltas:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
        conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE"))
    for table in tables:
        conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (constant names)
    conn.execute(text(d.daily.insert(_dossier_selects(d, "r", "+", "FROM dossiers r WHERE"), upsert=False)))
    _insert_steps(conn, d)


def rebuild_steps(conn: Connection, *, step_kinds: bool = True) -> None:
    """Recompute stat_step_daily alone (dropping its deltas), for a migration that changes only its key: the
    caller has dropped the triggers (nothing else writes meanwhile)."""
    d = Dialect(conn.dialect.name, step_kinds=step_kinds)
    for table in (STEPS.deltas, STEPS.table):
        conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (constant names)
    _insert_steps(conn, d)


def _insert_steps(conn: Connection, d: Dialect) -> None:
    conn.execute(text(d.steps.insert(_step_selects(d, "r", "+", "FROM human_tasks r JOIN dossiers d ON "
                                                                "d.id = r.dossier_id WHERE"), upsert=False)))


def row_counts(conn: Connection) -> dict[str, int]:
    return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() # noqa: S608
            for table in ("stat_daily", "stat_step_daily")}
