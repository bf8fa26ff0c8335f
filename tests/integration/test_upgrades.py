"""Upgrades: a database made by each earlier schema revision, filled with demo data, migrates to the newest
without losing anything, and the app then reads it (exports, the leader view, publication).

The demo data is made at the newest revision through the real code, then copied into a database at the
earlier revision, keeping the tables and columns that revision had (later columns are optional or have
defaults, which is what a migration must keep true). After the upgrade every copied row is still there with
the same values, and the app works on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, insert, select

import cli
from services import leader
from services.context import make_context
from settings import get_settings
from storage.engine import make_engine
from storage.migrations import alembic_config, head_revision, upgrade


def earlier_revisions() -> list[str]:
    """Every revision before the newest, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [revision.revision for revision in script.walk_revisions()]
    return list(reversed(revisions))[:-1]


def table_rows(engine_url: str) -> dict[str, list[dict[str, object]]]:
    engine = create_engine(engine_url)
    metadata = MetaData()
    metadata.reflect(engine)
    rows: dict[str, list[dict[str, object]]] = {}
    with engine.connect() as connection:
        for name, table in metadata.tables.items():
            if name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[name] = [dict(row._mapping) for row in connection.execute(select(table).order_by(*order))]
    engine.dispose()
    return rows


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file at the newest revision holding demo data (teams in units, rounds, published results)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        result = CliRunner().invoke(cli.cli, ["demo", "--teams", "5", "--respondents", "4", "--units", "2"])
        assert result.exit_code == 0, result.output
    get_settings.cache_clear()
    return url


@pytest.mark.parametrize("revision", earlier_revisions())
def test_a_database_of_an_earlier_revision_upgrades_with_nothing_lost(
    revision: str, demo_database: str, tmp_path: Path
) -> None:
    source = table_rows(demo_database)
    url = f"sqlite:///{tmp_path / f'at-{revision}.db'}"
    engine = make_engine(url)
    upgrade(engine, revision)
    metadata = MetaData()
    metadata.reflect(engine)
    copied: dict[str, list[dict[str, object]]] = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:  # parents before children
            name = table.name
            if name not in source:
                continue
            kept = [
                {key: value for key, value in row.items() if key in table.columns} for row in source[name]
            ]
            if kept:
                connection.execute(insert(table), kept)
            copied[name] = kept
    upgrade(engine)
    engine.dispose()

    after = table_rows(url)
    for name, rows in copied.items():
        assert len(after[name]) == len(rows), name
        for before_row, after_row in zip(rows, after[name], strict=True):
            assert {key: after_row[key] for key in before_row} == before_row, name
    # published results stored before their summaries were (migration 0018) get the summary publication
    # writes today
    summaries = {row["id"]: row["summary"] for row in source["published_results"]}
    assert summaries and all(summaries.values())
    if copied.get("published_results"):  # (the revisions before 0003 had no published results)
        assert {row["id"]: row["summary"] for row in after["published_results"]} == summaries
    ctx = make_context(url)
    try:
        view = leader.leader_view(ctx)
        assert view.latest and any(not result.suppressed for result in view.latest)
    finally:
        ctx.database.dispose()
    assert head_revision() not in earlier_revisions()
