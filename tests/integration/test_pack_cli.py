"""``python cli.py pack export`` and ``pack import``: measured packs from published results, refused when
they are too small or made for another questionnaire version or other item wording."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from questionnaires.loader import default_questionnaire
from services.benchmark_packs import installed_pack
from services.context import make_context
from settings import get_settings


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """DATABASE_URL pointing at a file that does not exist yet."""
    path = tmp_path / "layerwise.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def run(*arguments: str) -> Result:
    return CliRunner().invoke(cli.cli, list(arguments))


def test_export_builds_a_measured_pack_and_import_installs_it(database_file: Path, tmp_path: Path) -> None:
    assert run("demo", "--teams", "14").exit_code == 0
    out = tmp_path / "pack.csv"
    exported = run("pack", "export", "--out", str(out), "--include-demo", "--source", "Acme")
    assert exported.exit_code == 0, exported.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("n,source,collected,label,questionnaire_id,questionnaire_version,wording")
    version = default_questionnaire().version
    assert all(",Acme,20" in line and f",human-system-design,{version}," in line for line in lines[1:])
    assert not any("Demo" in line or "Service Desk" in line for line in lines), "no team names"
    # 14 demo teams, one too small to pass k: 13 teams per dimension
    assert all(",13,Acme," in line for line in lines[1:])

    imported = run("pack", "import", str(out))
    assert imported.exit_code == 0, imported.output
    ctx = make_context()
    try:
        pack = installed_pack(ctx, default_questionnaire())
    finally:
        ctx.database.dispose()
    assert pack is not None and pack.rows[0].n == 13


def test_without_ten_teams_nothing_is_exported(database_file: Path, tmp_path: Path) -> None:
    assert run("demo", "--teams", "5").exit_code == 0
    result = run("pack", "export", "--out", str(tmp_path / "p.csv"), "--include-demo")
    assert result.exit_code == 2
    assert "left out permission: needs at least 10 teams with a published score; 5" in result.output
    assert "no pack written" in result.output


def _pack_text(tmp_path: Path) -> str:
    run("demo", "--teams", "14")
    out = tmp_path / "pack.csv"
    run("pack", "export", "--out", str(out), "--include-demo")
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace(",13,", ",4,"), "line 2 (permission): n = 4 teams, fewer than 10"),
        (
            lambda text: text.replace(",human-system-design,1.", ",human-system-design,0."),
            "line 2 (permission): made for questionnaire human-system-design 0.",
        ),
        (
            lambda text: "\n".join(
                line.rsplit(",", 1)[0] + ",0000000000000000" if index == 2 else line
                for index, line in enumerate(text.splitlines())
            ),
            "line 3 (definition): the wording of its items differs from this installation's",
        ),
    ],
    ids=["too small", "other version", "other wording"],
)
def test_a_small_or_mismatched_pack_is_refused_with_the_reason(
    database_file: Path, tmp_path: Path, change: object, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(change(_pack_text(tmp_path)), encoding="utf-8")  # type: ignore[operator]
    result = run("pack", "import", str(bad))
    assert result.exit_code == 2
    assert f"{bad}: {message}" in result.output
    assert "pack refused: nothing was imported" in result.output
    ctx = make_context()
    try:
        assert installed_pack(ctx, default_questionnaire()) is None
    finally:
        ctx.database.dispose()
