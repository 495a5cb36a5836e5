"""Engines and sessions: SQLite (WAL, foreign keys on) by default, PostgreSQL via psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Date, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, SQLModel, create_engine


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for ``url`` with the settings Makker relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            # Each request opens its own connection; SQLite handles the locking.
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=NullPool if ":memory:" not in url else None,
        )
        _configure_sqlite(engine)
        return engine
    # No JIT: pages run many short queries, and compiling one costs more than running it (a
    # dashboard count over 13,000 volunteers: ~70 ms of JIT for ~20 ms of work).
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         connect_args={"options": "-c jit=off"} if url.startswith("postgresql") else {})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        # Let SQLAlchemy issue BEGIN itself, so that BEGIN IMMEDIATE works (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # noqa: ANN001
        # Writers take the database lock at the start of the transaction, so two
        # coordinators approving at once are serialised instead of failing half-way.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def create_schema(engine: Engine) -> None:
    """Create every table (tests and first start); production uses Alembic migrations."""
    import models.tables  # noqa: F401  - registers the tables on the metadata

    SQLModel.metadata.create_all(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> None:
    """Start a write transaction: see ``models.writes.begin_write`` (kept here for old callers)."""
    from models.writes import begin_write as _begin_write  # writes imports this module

    _begin_write(session)


# --- date arithmetic in SQL, the same on SQLite and PostgreSQL ----------------------------

class days_between(FunctionElement):  # noqa: N801 - reads as the SQL function it stands for
    """Whole days from the second date to the first: ``days_between(later, earlier)``."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between(element, compiler, **kw) -> str:  # noqa: ANN001, ANN003
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"  # PostgreSQL: date - date is a number of days


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001, ANN003
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


class utc_date(FunctionElement):  # noqa: N801
    """The calendar date (in UTC) of a stored time, as Python's ``.date()`` of it gives."""

    type = Date()
    inherit_cache = True
    name = "utc_date"


@compiles(utc_date)
def _utc_date(element, compiler, **kw) -> str:  # noqa: ANN001, ANN003
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(utc_date, "sqlite")
def _utc_date_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001, ANN003
    return f"date({compiler.process(element.clauses, **kw)})"  # stored as UTC without an offset
