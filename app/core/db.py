"""Declarative base, UTC timestamps and the unit of work (one commit at the edge)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, MetaData, Select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Store instants as UTC and always hand back timezone-aware datetimes (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})


_simulated_now: ContextVar[datetime | None] = ContextVar("motcua_simulated_now", default=None)


def utcnow() -> datetime:
    """Return the current instant in UTC, or the simulated one while `simulated_time` is active."""
    return _simulated_now.get() or datetime.now(UTC)


@contextmanager
def simulated_time(at: datetime) -> Iterator[Callable[[datetime], None]]:
    """Let the demo/benchmark generators replay history at chosen instants; yields a setter."""
    token = _simulated_now.set(at)
    try:
        yield _simulated_now.set
    finally:
        _simulated_now.reset(token)


REPLICA_BIND = "replica"
_lagging_reads: ContextVar[bool] = ContextVar("motcua_lagging_reads", default=False)


@contextmanager
def lagging_reads() -> Iterator[None]:
    """Let plain SELECTs inside go to the streaming replica (`SQLALCHEMY_BINDS["replica"]`), when one is set.

    For reads that may trail the primary by the replication lag: dashboards, reports, statistics. Also a
    decorator; put it inside the authorization decorator, so the user is still checked on the primary.
    """
    token = _lagging_reads.set(True)
    try:
        yield
    finally:
        _lagging_reads.reset(token)


class RoutingSession(FlaskSession):
    """The app's session: reads inside `lagging_reads()` use the replica; writes, flushes and locks the primary."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if (bind is None and _lagging_reads.get() and not self._flushing and isinstance(clause, Select)
                and clause._for_update_arg is None):
            replica = self._db.engines.get(REPLICA_BIND)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


_after_commit_key = "motcua_after_commit"


def after_commit(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Queue a side effect to run only if the current unit of work commits."""
    from app.extensions import db

    db.session.info.setdefault(_after_commit_key, []).append((fn, args, kwargs))


_PG_RACE_CODES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


def lost_race(error: BaseException) -> bool:
    """Whether a database error means another transaction changed the same rows first (or, on SQLite, held the
    one write lock longer than the busy timeout: the same answer, try again)."""
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, IntegrityError):  # a duplicate another transaction inserted first; not a NOT NULL bug
        return getattr(error.orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error.orig)
    if isinstance(error, DBAPIError) and type(error.orig).__module__.startswith("sqlite3"):
        return str(error.orig) in ("database is locked", "database is busy")
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in _PG_RACE_CODES


def configure_sqlite(engine: Any, busy_timeout_ms: int) -> None:
    """A SQLite file shared by the web server and the scheduler (`make run`): write-ahead logging, so a reader
    never blocks a commit nor a writer a read, and a busy timeout before a writer gives up on the lock."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()


def conflict_from(error: BaseException) -> Exception:
    """The one 409 every lost race becomes, whatever statement noticed it."""
    from app.core.errors import ConflictError

    return ConflictError("Người khác vừa thay đổi dữ liệu này. Vui lòng tải lại trang và thử lại.",
                         "Someone else just changed this. Please reload and retry.", code="conflict",
                         details={"cause": type(error).__name__})


def flush() -> None:
    """Flush the session now, turning a lost optimistic-lock or uniqueness race into a 409."""
    from app.extensions import db

    try:
        db.session.flush()
    except (StaleDataError, IntegrityError, DBAPIError) as error:
        if lost_race(error):
            raise conflict_from(error) from error
        raise


def begin_savepoint() -> Any:
    """`session.begin_nested()` that nests on SQLite too.

    pysqlite sends no BEGIN before a SAVEPOINT, so when nothing was written yet the savepoint *is* the transaction
    and its RELEASE commits at once (see SQLAlchemy's pysqlite notes): a crash later in the unit of work would leave
    that part committed. Begin the real transaction first.
    """
    from app.extensions import db

    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    return db.session.begin_nested()


@contextmanager
def unit_of_work() -> Iterator[Any]:
    """Commit once on success, roll back on any error, then run the queued side effects.

    A lost race noticed anywhere inside (autoflush, flush, commit) is rolled back and raised as one ConflictError.
    """
    from app.extensions import db

    session = db.session
    try:
        yield session
        session.commit()
    except (StaleDataError, IntegrityError, DBAPIError) as error:
        session.rollback()
        session.info.pop(_after_commit_key, None)
        if lost_race(error):
            raise conflict_from(error) from error
        raise
    except BaseException:
        session.rollback()
        session.info.pop(_after_commit_key, None)
        raise
    for fn, args, kwargs in session.info.pop(_after_commit_key, []):
        fn(*args, **kwargs)


# --- read-only requests end with COMMIT -------------------------------------------------------

_WROTE = "motcua_wrote"


def install_read_commit(app: Any, db: Any) -> None:
    """End a request whose open transaction only ran SELECTs with COMMIT instead of ROLLBACK.

    psycopg forgets every prepared statement on ROLLBACK (its documented safety rule), and Flask-SQLAlchemy ends
    each request's transaction with one; so on a worker serving page reads between writes no statement ever
    reached psycopg's prepare threshold and PostgreSQL parsed and planned every statement anew. For a transaction
    that wrote nothing the two ends are equivalent; one that wrote anything (or holds pending ORM changes) is still
    rolled back, as before. Registered after Flask-SQLAlchemy, so it runs before its session teardown.
    """
    from sqlalchemy import event

    @app.teardown_appcontext
    def _commit_reads(error: BaseException | None) -> None:
        if error is not None or not db.session.registry.has():
            return
        session = db.session()
        connections = session.info.get(_WROTE)
        if (not connections or not session.in_transaction() or session.new or session.dirty or session.deleted
                or any(conn.info.get(_WROTE, True) for conn in connections.values())):
            return
        try:
            session.commit()
        except DBAPIError:  # the connection is gone: the usual teardown rolls back and returns it
            session.rollback()

    with app.app_context():
        for engine in db.engines.values():
            if not event.contains(engine, "before_cursor_execute", _note_write):
                event.listen(engine, "before_cursor_execute", _note_write)


def _note_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


def _install_session_tracking() -> None:
    """Which connections the session's current transaction uses (each starts with nothing written)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_begin")
    def _began(session: Any, _transaction: Any, connection: Any) -> None:
        session.info.setdefault(_WROTE, {})[id(connection)] = connection
        connection.info[_WROTE] = False

    @event.listens_for(Session, "after_transaction_end")
    def _ended(session: Any, transaction: Any) -> None:
        if transaction.parent is None:  # the outermost transaction (not a savepoint)
            session.info.pop(_WROTE, None)


_install_session_tracking()
