"""Backups: demo data → backup (while a connection is open) → restore into a fresh database → every export
and every published result is identical. Once on a SQLite file, once on PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

import cli
from services import leader
from services.context import make_context
from settings import get_settings
from storage.backup import BackupError, backup_database, restore_database

FORMATS = ("csv", "json")


def everything(database_url: str, tmp_path: Path, name: str) -> dict[str, object]:
    """Every export format and the leader view's published results of the database at ``database_url``."""
    runner = CliRunner()
    shown: dict[str, object] = {}
    for export_format in FORMATS:
        out = tmp_path / f"{name}.{export_format}"
        result = runner.invoke(cli.cli, ["export", "--format", export_format, "--out", str(out)])
        assert result.exit_code == 0, result.output
        shown[export_format] = out.read_bytes()
    document = json.loads(shown.pop("json"))  # type: ignore[arg-type]
    document.pop("exported_at")  # when the export was made, the one thing allowed to differ
    shown["json"] = document
    ctx = make_context(database_url)
    try:
        view = leader.leader_view(ctx)
        shown["leader view"] = [result.model_dump(mode="json") for result in view.latest]
        shown["leader csv"] = leader.export_results(ctx, view, "csv")
    finally:
        ctx.database.dispose()
    return shown


def use(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()


def test_a_sqlite_backup_restores_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    use(monkeypatch, sqlite_url)
    runner = CliRunner()
    assert runner.invoke(cli.cli, ["demo", "--teams", "4", "--respondents", "4"]).exit_code == 0
    before = everything(sqlite_url, tmp_path, "before")
    ctx = make_context(sqlite_url)  # the app keeps its connections open while the backup runs
    try:
        with ctx.read():
            made = runner.invoke(cli.cli, ["backup", "--out", str(tmp_path / "backup.db")])
    finally:
        ctx.database.dispose()
    assert made.exit_code == 0, made.output
    fresh = f"sqlite:///{tmp_path / 'fresh' / 'layerwise.db'}"
    use(monkeypatch, fresh)
    restored = runner.invoke(cli.cli, ["restore", str(tmp_path / "backup.db"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert everything(fresh, tmp_path, "after") == before
    get_settings.cache_clear()


def test_a_restore_refuses_what_is_not_a_backup(tmp_path: Path, sqlite_url: str) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(BackupError, match="not a SQLite backup"):
        restore_database(sqlite_url, junk)
    with pytest.raises(BackupError, match="no backup file"):
        restore_database(sqlite_url, tmp_path / "missing.db")
    with pytest.raises(BackupError, match="no database file to back up"):
        backup_database(sqlite_url, tmp_path / "out.db")


@pytest.mark.postgres
def test_a_postgresql_backup_restores_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    use(monkeypatch, postgres_url)
    runner = CliRunner()
    assert runner.invoke(cli.cli, ["demo", "--teams", "4", "--respondents", "4"]).exit_code == 0
    before = everything(postgres_url, tmp_path, "before")
    made = runner.invoke(cli.cli, ["backup", "--out", str(tmp_path / "backup.dump")])
    assert made.exit_code == 0, made.output
    # a fresh, empty schema under the same name: drop everything, then restore
    url = make_url(postgres_url)
    schema = str(url.query["options"]).split("search_path=")[1]
    dsn = dict(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database)
    with psycopg.connect(**dsn, autocommit=True) as connection:  # type: ignore[arg-type]
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
    restored = runner.invoke(cli.cli, ["restore", str(tmp_path / "backup.dump"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert everything(postgres_url, tmp_path, "after") == before
    get_settings.cache_clear()
