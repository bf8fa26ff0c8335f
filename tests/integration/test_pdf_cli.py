"""``python cli.py report``: a PDF from a responses CSV without any database, and the errors people see."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from questionnaires.loader import default_questionnaire
from scoring import rows_from_responses
from scoring.responses import EXPORT_COLUMNS
from tests.integration.pdf_support import all_text, page_texts
from tests.report_samples import sample_team


@pytest.fixture(scope="module")
def two_teams_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    questionnaire = default_questionnaire()
    teams = [
        sample_team(questionnaire, "Service desk", assessment_id="2026-q1"),
        sample_team(questionnaire, "Claims <b>&</b> co", seed=4, assessment_id="2026-q1"),
    ]
    path = tmp_path_factory.mktemp("csv") / "responses.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows_from_responses(teams))
    return path


def run(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(cli.cli, ["report", *args])
    return outcome.exit_code, outcome.output


def test_a_csv_with_several_teams_becomes_the_organisation_report(
    two_teams_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "org.pdf"
    code, output = run(str(two_teams_csv), "--out", str(out), "--organisation", "Acme")
    assert code == 0, output
    assert "organisation report of 2 teams" in output
    text = all_text(out.read_bytes())
    assert "AI human-system report: Acme" in text
    assert "Service desk" in text and "Claims <b>&</b> co" in text


def test_team_picks_one_team_of_the_csv(two_teams_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "claims.pdf"
    code, output = run(str(two_teams_csv), "--team", "Claims <b>&</b> co", "--out", str(out))
    assert code == 0, output
    pages = page_texts(out.read_bytes())
    assert "AI human-system report: Claims <b>&</b> co" in pages[0]
    assert f"1 / {len(pages)}" in pages[0]


def test_an_unknown_team_names_the_teams_in_the_file(two_teams_csv: Path, tmp_path: Path) -> None:
    code, output = run(str(two_teams_csv), "--team", "Nobody", "--out", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "no team named 'Nobody' (teams in the file: Claims <b>&</b> co, Service desk)" in output
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give exactly one of FILE.csv, --assessment ID, --workshop ID or --org"),
        (
            ("--org", "--assessment", "1"),
            "give exactly one of FILE.csv, --assessment ID, --workshop ID or --org",
        ),
    ],
)
def test_exactly_one_source_is_required(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    code, output = run(*args, "--out", str(tmp_path / "x.pdf"))
    assert code == 2
    assert message in output


def test_a_broken_csv_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "assessment,team,respondent,role,item_id,value\na,T,r1,leader,permission.one_page_guide,7\n",
        encoding="utf-8",
    )
    code, output = run(str(bad), "--out", str(tmp_path / "x.pdf"))
    assert code == 2
    assert "line 2, column value: '7' is not a level 1–5 or dont_know" in output


def test_reports_from_the_database_go_through_the_services(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from settings import get_settings

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    try:
        seeded = CliRunner().invoke(cli.cli, ["demo", "--teams", "2", "--respondents", "4"])
        assert seeded.exit_code == 0, seeded.output
        code, output = run("--assessment", "1", "--out", str(tmp_path / "team.pdf"))
        assert code == 0, output
        assert "team report of assessment 1" in output
        assert "AI human-system report:" in page_texts((tmp_path / "team.pdf").read_bytes())[0]
        code, output = run("--org", "--out", str(tmp_path / "org.pdf"))
        assert code == 0, output
        unnamed = all_text((tmp_path / "org.pdf").read_bytes())
        assert "Ranking" in unnamed
        assert "Organisation: Organisation" not in unnamed
        code, output = run("--org", "--organisation", "Acme Mutual", "--out", str(tmp_path / "acme.pdf"))
        assert code == 0, output
        assert "AI human-system report: Acme Mutual" in all_text((tmp_path / "acme.pdf").read_bytes())
        code, output = run("--assessment", "1", "--organisation", "Acme", "--out", str(tmp_path / "x.pdf"))
        assert code == 2
        assert "--organisation works with FILE.csv or --org" in output
        code, output = run("--assessment", "999", "--out", str(tmp_path / "none.pdf"))
        assert code == 2
        assert "no assessment report: assessment 999 does not exist" in output
        code, output = run("--workshop", "999", "--out", str(tmp_path / "none.pdf"))
        assert code == 2
        assert "no workshop report: workshop 999 does not exist" in output

        from services.context import make_context
        from services.workshop import create_workshop

        ctx = make_context(sqlite_url)
        try:
            created = create_workshop(ctx, name="Retro <b>", team_names=["Ops"], form="pulse")
        finally:
            ctx.database.dispose()
        code, output = run("--workshop", str(created.workshop_id), "--out", str(tmp_path / "workshop.pdf"))
        assert code == 0, output
        text = all_text((tmp_path / "workshop.pdf").read_bytes())
        assert "Workshop: Retro <b>" in text
        assert "0 participants joined" in text
    finally:
        get_settings.cache_clear()
