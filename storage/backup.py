"""Backups of the whole database, safe while the app runs, and restoring one.

- **SQLite**: SQLite's online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot page by
  page while other connections keep reading and writing; the backup is itself a SQLite file. Restoring copies
  it back the same way, into the database file the URL names.
- **PostgreSQL**: ``pg_dump --format=custom`` (a consistent snapshot in one transaction, also while the app
  runs) of the schema the URL uses (``public`` unless the URL sets ``search_path``), and ``pg_restore
  --clean --if-exists --no-owner`` to restore it. The client tools ``pg_dump`` and ``pg_restore`` must be on
  the PATH (Debian: ``postgresql-client``) and should be of the server's major version or newer.

Restoring replaces what the target database holds. Backups hold individual answers: keep them as safe as
the database itself.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from storage.engine import normalise_url


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why and what to do."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up; use a file (sqlite:///path.db)")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str], str | None]:
    """Connection arguments for the PostgreSQL client tools, their environment, and the schema (if set)."""
    arguments = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        arguments += ["--username", url.username]
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    schema = None
    options = url.query.get("options")
    if isinstance(options, str) and "search_path=" in options:
        schema = options.split("search_path=", 1)[1].split()[0].split(",")[0]
    return arguments, environment, schema


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed here; install PostgreSQL's client tools (postgresql-client)"
        )
    return found


def _copy_sqlite(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy a SQLite database page by page with the online backup API (closes ``source``)."""
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def backup_database(database_url: str | URL, out: Path) -> Path:
    """Write a backup of the database at ``database_url`` to ``out`` (overwritten); returns ``out``."""
    url = normalise_url(database_url)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"{source_path}: there is no database file to back up")
        partial = out.with_name(out.name + ".partial")
        partial.unlink(missing_ok=True)
        _copy_sqlite(sqlite3.connect(source_path), partial)
        partial.replace(out)
        return out
    arguments, environment, schema = _libpq(url)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", *arguments, "--file", str(out)]
    if schema:
        command += ["--schema", schema]
    command.append(url.database or "postgres")
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip() or result.returncode}")
    return out


def restore_database(database_url: str | URL, backup: Path) -> None:
    """Replace what the database at ``database_url`` holds with the backup ``backup`` made."""
    url = normalise_url(database_url)
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"{backup}: there is no backup file here")
    if url.get_backend_name() == "sqlite":
        try:
            source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{backup}: not a SQLite backup ({error})") from None
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source, target_path)
        return
    arguments, environment, _ = _libpq(url)  # the dump names its schema itself
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *arguments,
    ]
    command += ["--dbname", url.database or "postgres", str(backup)]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip() or result.returncode}")
