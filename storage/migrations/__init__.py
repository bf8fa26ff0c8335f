"""Alembic migrations for the Layerwise schema, run from code (no ``alembic.ini`` needed).

``upgrade(engine)`` brings a database to the newest revision; the app calls it at start and
``python cli.py db upgrade`` calls it from a shell. Several app replicas may start at once: on PostgreSQL an
advisory lock serialises them, on SQLite the ``BEGIN IMMEDIATE`` of the migration transaction does.

To add a revision after changing ``storage/models.py``::

    python -c "from storage.migrations import revision; revision('what changed')"
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent

#: Any fixed number; PostgreSQL advisory lock that serialises concurrent migrations.
_ADVISORY_LOCK_ID = 0x1A7E_4715


def alembic_config() -> Config:
    """An Alembic configuration set up in code, pointing at this folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision id in ``versions/``."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "storage/migrations/versions holds no revision"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` in one transaction."""
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision`` (``"base"`` drops every table)."""
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, run: Callable[[Config], None]) -> None:
    """Run migrations in one transaction; on SQLite with foreign keys off while they run.

    SQLite's batch mode changes a table by copying it and dropping the old one; with foreign keys on, that
    drop deletes every child row through ``ON DELETE CASCADE`` (a team's table rebuilt would take every
    assessment with it). The pragma only works outside a transaction, so it is set on the raw connection
    before the transaction begins, every reference is checked before committing, and it is set back after.
    """
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
                config.attributes["connection"] = connection
                run(config)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration would leave broken references: {broken[:5]}")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def revision(message: str, *, url: str = "sqlite://") -> None:
    """Autogenerate a new revision from the models (development helper; compares with a fresh database)."""
    from storage.engine import make_engine

    engine = make_engine(url)
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
