"""Helpers for the storage, exchange and demo tests: a migrated database and row counts."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, get_catalog
from storage.engine import init_database, make_engine, make_session_factory, unit_of_work
from storage.models import Base

#: The shipped questionnaires, loaded once for all tests (loading parses every YAML file).
CATALOG = get_catalog()
QUESTIONNAIRE = CATALOG.get(DEFAULT_QUESTIONNAIRE_ID)


@dataclass
class Database:
    """A migrated database under test: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    def session(self, *, read_only: bool = False):  # type: ignore[no-untyped-def]
        """A unit of work on this database."""
        return unit_of_work(self.sessions, read_only=read_only)

    def counts(self) -> dict[str, int]:
        """How many rows every table holds."""
        with self.engine.connect() as connection:
            return {
                table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
                for table in Base.metadata.sorted_tables
            }


def open_database(url: str, **engine_options: object) -> Database:
    """Create an engine for ``url``, migrate the schema to head and return both with a session factory."""
    engine = make_engine(url, **engine_options)  # type: ignore[arg-type]
    init_database(engine)
    return Database(url=url, engine=engine, sessions=make_session_factory(engine))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    db = open_database(db_url)
    yield db
    db.engine.dispose()


@pytest.fixture
def sqlite_database(sqlite_url: str) -> Iterator[Database]:
    """A migrated SQLite file database."""
    db = open_database(sqlite_url)
    yield db
    db.engine.dispose()


def sqlite_template(folder: Path, fill: Callable[[Database], None]) -> Path:
    """A migrated SQLite file filled once by ``fill``, to be copied by :func:`copy_template` per test."""
    path = folder / "template.db"
    db = open_database(f"sqlite:///{path}")
    fill(db)
    db.engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


def copy_template(template: Path, folder: Path) -> Database:
    """A database of its own for one test, holding what the template holds."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copy(source, folder / f"layerwise.db{suffix}")
    return open_database(f"sqlite:///{folder / 'layerwise.db'}")
