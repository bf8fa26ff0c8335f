"""The engine and migrations: a real SQLite file set up for concurrency, a real PostgreSQL, Alembic at head."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError

from storage import repository as repo
from storage.engine import _use_wal, make_engine, make_session_factory, normalise_url, unit_of_work
from storage.migrations import current_revision, downgrade, head_revision, upgrade
from storage.models import AppSetting, Base
from tests.integration.storage_support import Database, database, open_database, sqlite_database

__all__ = ["database", "sqlite_database"]  # fixtures used below


def test_sqlite_file_and_its_folder_are_created_on_first_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'data' / 'layerwise.db'}"
    db = open_database(url)
    try:
        assert (tmp_path / "nested" / "data" / "layerwise.db").is_file()
        assert current_revision(db.engine) == head_revision()
    finally:
        db.engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_sqlite_write_transactions_begin_immediate(sqlite_database: Database) -> None:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    from sqlalchemy import event

    event.listen(sqlite_database.engine, "before_cursor_execute", record)
    with sqlite_database.session() as session:
        repo.set_setting(session, key="x", value="1")
    with sqlite_database.session(read_only=True) as session:
        repo.get_setting(session, key="x")
    event.remove(sqlite_database.engine, "before_cursor_execute", record)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_database_url_for_postgres_uses_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_postgres_engine_pings_pooled_connections(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_migrations_reach_head_and_match_the_models(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_twice_changes_nothing_and_downgrade_upgrade_round_trips(database: Database) -> None:
    with database.session() as session:
        repo.set_setting(session, key="kept", value="yes")
    upgrade(database.engine)
    with database.session(read_only=True) as session:
        assert repo.get_setting(session, key="kept") == "yes"
    downgrade(database.engine, "base")
    assert "teams" not in inspect(database.engine).get_table_names()
    upgrade(database.engine)
    assert set(Base.metadata.tables) <= set(inspect(database.engine).get_table_names())


def test_two_processes_starting_at_once_both_migrate_safely(db_url: str) -> None:
    """Several replicas run the migrations at start; they must not trip over each other."""
    engines = [make_engine(db_url) for _ in range(4)]
    errors: list[BaseException] = []

    def start(engine_index: int) -> None:
        try:
            upgrade(engines[engine_index])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert current_revision(engines[0]) == head_revision()
    finally:
        for engine in engines:
            engine.dispose()


def test_unit_of_work_rolls_back_everything_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        repo.create_team(session, name="Claims Operations")
        repo.set_setting(session, key="half", value="done")
        raise RuntimeError("something failed half-way")
    assert database.counts()["teams"] == 0
    assert database.counts()["app_settings"] == 0


def test_read_only_unit_of_work_writes_nothing(database: Database) -> None:
    with database.session(read_only=True) as session:
        session.add(AppSetting(key="sneaky", value="1"))
        session.flush()
    assert database.counts()["app_settings"] == 0


def test_read_then_write_transactions_queue_instead_of_failing(sqlite_database: Database) -> None:
    """With a deferred BEGIN, two read-then-write transactions fail at once with "database is locked"."""
    with sqlite_database.session() as session:
        repo.set_setting(session, key="counter", value="0")
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            barrier.wait()
            with sqlite_database.session() as session:
                value = int(repo.get_setting(session, key="counter") or 0)
                repo.set_setting(session, key="counter", value=str(value + 1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=increment) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sqlite_database.session(read_only=True) as session:
        assert repo.get_setting(session, key="counter") == "12"  # no lost update either


def _hold_write_lock(path: str) -> sqlite3.Connection:
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


def test_lock_contention_leaves_no_phantom_row(sqlite_url: str) -> None:
    """A write that failed with "database is locked" must never be committed later by the pool's next user."""
    db = open_database(sqlite_url)
    db.engine.dispose()
    # one pooled connection, so the next unit of work gets exactly the connection that failed
    engine = make_engine(sqlite_url, busy_timeout_ms=100, pool_size=1, max_overflow=0)
    sessions = make_session_factory(engine)
    path = sqlite_url.removeprefix("sqlite:///")
    try:
        blocker = _hold_write_lock(path)
        for attempt in range(5):
            with pytest.raises(OperationalError, match="locked"), unit_of_work(sessions) as session:
                repo.set_setting(session, key=f"failed-{attempt}", value="must not appear")
        blocker.rollback()
        blocker.close()
        for attempt in range(5):
            with unit_of_work(sessions) as session:
                repo.set_setting(session, key=f"ok-{attempt}", value="saved")
        with unit_of_work(sessions, read_only=True) as session:
            keys = sorted(session.scalars(select(AppSetting.key)))
        assert keys == [f"ok-{attempt}" for attempt in range(5)]
    finally:
        engine.dispose()


def test_a_connection_returned_with_an_open_transaction_is_rolled_back_before_reuse(sqlite_url: str) -> None:
    """As after a COMMIT that failed: the pool must not hand the half-done transaction to the next user."""
    open_database(sqlite_url).engine.dispose()
    # no reset on return: the engine's own guard is what is tested here
    engine = make_engine(sqlite_url, pool_size=1, max_overflow=0, pool_reset_on_return=None)
    sessions = make_session_factory(engine)
    try:
        raw = engine.raw_connection()
        raw.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        raw.driver_connection.execute(  # type: ignore[union-attr]
            "INSERT INTO app_settings (key, value, updated_at) VALUES ('phantom', 'x', '2026-01-01 00:00:00')"
        )
        raw.close()  # back to the pool, transaction still open
        with unit_of_work(sessions) as session:
            repo.set_setting(session, key="real", value="y")
        with unit_of_work(sessions, read_only=True) as session:
            assert sorted(session.scalars(select(AppSetting.key))) == ["real"]
    finally:
        engine.dispose()


class _LockedOnce:
    """A cursor whose first journal-mode switch meets a file another connection is switching."""

    def __init__(self, mode_after: str) -> None:
        self.mode_after = mode_after
        self.calls: list[str] = []

    def execute(self, sql: str) -> _LockedOnce:
        self.calls.append(sql)
        if sql == "PRAGMA journal_mode=WAL" and len(self.calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return self

    def fetchone(self) -> tuple[str]:
        return (self.mode_after,)


def test_a_connection_that_finds_the_file_already_in_wal_mode_carries_on() -> None:
    switched_by_another = _LockedOnce("wal")
    _use_wal(switched_by_another, timeout_s=1)
    assert switched_by_another.calls == ["PRAGMA journal_mode=WAL", "PRAGMA journal_mode"]
    not_yet = _LockedOnce("delete")
    _use_wal(not_yet, timeout_s=1)
    assert not_yet.calls == ["PRAGMA journal_mode=WAL", "PRAGMA journal_mode", "PRAGMA journal_mode=WAL"]
