"""Engines, sessions and units of work for SQLite (default) and PostgreSQL.

SQLite needs care to be safe under concurrent writers (a workshop of thirty people pressing buttons):

* WAL journal, so readers never block the writer; ``synchronous=NORMAL``, SQLite's recommended setting
  for WAL: a committed answer survives a crash of the app or the server process, the file is never
  corrupted, and only an operating-system crash or power cut may roll back the last commits before the
  next checkpoint. ``FULL`` would fsync every single answer and cost three quarters of a save's time
  (measured: 4.5 ms → 1.2 ms per save), which is what makes a room of people clicking at once queue.
  Foreign keys on, and a busy timeout so writers queue instead of failing.
* Every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, where the busy
  timeout applies. With the driver's default deferred ``BEGIN`` a read-then-write transaction fails at
  once with "database is locked", whatever the timeout, because SQLite cannot wait for a lock upgrade.
  SQLAlchemy's recipe is followed: the driver's own transaction handling is switched off
  (``isolation_level = None``) and the ``begin`` event emits the ``BEGIN``.
* A connection is never handed out with a transaction still open (see :func:`_discard_open_transaction`):
  a COMMIT that failed must not be committed later by the next user of the pooled connection.

PostgreSQL uses psycopg 3 with ``pool_pre_ping`` so a restarted server or a dropped connection is noticed
before a request uses it.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, any_, bindparam, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

#: Execution option that marks a transaction as read-only (SQLite then uses a deferred ``BEGIN``).
READ_ONLY_OPTION = "layerwise_read_only"


def normalise_url(url: str | URL) -> URL:
    """Parse a database URL; ``postgres://`` and ``postgresql://`` get the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL points to, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database)


def make_engine(url: str | URL | None = None, *, busy_timeout_ms: int | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: ``get_settings().database_url``), configured for safe concurrency.

    For SQLite the database file's folder is created when missing; see the module docstring for the
    pragmas and the ``BEGIN IMMEDIATE`` rule. ``busy_timeout_ms`` defaults to the
    ``LAYERWISE_SQLITE_BUSY_TIMEOUT_MS`` setting. Extra keyword arguments go to ``create_engine``.
    """
    from settings import get_settings

    if url is None:
        url = get_settings().database_url
    if busy_timeout_ms is None:
        busy_timeout_ms = get_settings().sqlite_busy_timeout_ms
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(parsed, busy_timeout_ms=busy_timeout_ms, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _use_wal(cursor: Any, timeout_s: float) -> None:
    """Switch the file to WAL, also when other connections open the new file at the same moment.

    Changing the journal mode needs a moment alone with the file and SQLite reports "database is locked"
    at once (without its busy handler) when several connections try together; the mode is persistent, so
    a connection that finds it already switched by another is done.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() == "wal":
                return
            time.sleep(0.01)


def _make_sqlite_engine(url: URL, *, busy_timeout_ms: int, **kwargs: Any) -> Engine:
    file = _sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    connect_args = dict(kwargs.pop("connect_args", {}))
    # the driver's own busy handler, in seconds; the pragma below sets the same for clarity
    connect_args.setdefault("timeout", busy_timeout_ms / 1000)
    # the pool guarantees one thread per connection at a time
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # take transaction control away from the driver: SQLAlchemy's begin event emits BEGIN
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            if file is not None:
                _use_wal(cursor, busy_timeout_ms / 1000)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # deleted rows (an erased person's answers and comments) are overwritten, not left in free pages
            cursor.execute("PRAGMA secure_delete=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "checkout")
    def _discard_open_transaction(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # Never hand out a connection that still holds a transaction (e.g. after a failed COMMIT):
        # whatever it holds belongs to a unit of work that already reported failure.
        if dbapi_connection.in_transaction:
            log.warning("rolling back a transaction left open on a pooled SQLite connection")
            dbapi_connection.rollback()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``.

    ``expire_on_commit`` is off so that objects returned from a unit of work can still be read after it
    committed (pages show what they just saved).
    """
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """A session inside one transaction: committed when the block ends, rolled back on any error.

    ``read_only=True`` starts the transaction without taking SQLite's write lock (many readers may run
    at once) and never commits, so nothing it did can be written.
    """
    with session_factory() as session:
        if read_only:
            session.connection(execution_options={READ_ONLY_OPTION: True})
            # closing (not committing) ends the transaction: the pool rolls it back, and the objects read
            # stay readable afterwards (a rollback would expire them)
            yield session
            return
        with session.begin():
            yield session


def init_database(engine: Engine) -> None:
    """Bring the database schema to the newest migration (safe to call at every start), then convert data
    an older version stored differently: plain share codes become hashed ones."""
    from storage.migrations import upgrade
    from storage.repository import hash_legacy_share_codes

    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        hash_legacy_share_codes(session)


def among(session: Session, column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``, sent as one array parameter on PostgreSQL (``column = ANY(%s)``).

    The leader view filters a dozen queries by its 1,500 or so assessment ids. As an IN list that is a
    placeholder per id, which psycopg parses in Python (about 30 ms a query at that size) after SQLAlchemy
    expanded the list (as much again): about a third of an opening on PostgreSQL. SQLite has no arrays and
    keeps the IN list.
    """
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)
