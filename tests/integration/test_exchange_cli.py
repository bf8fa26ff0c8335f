"""The storage and exchange commands of cli.py, run as a user would, against a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

import cli
from settings import get_settings
from tests.integration.storage_support import open_database


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """DATABASE_URL pointing at a file that does not exist yet."""
    path = tmp_path / "db" / "layerwise.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def run(*arguments: str) -> Result:
    return CliRunner().invoke(cli.cli, list(arguments), catch_exceptions=False)


def test_db_upgrade_creates_the_database(database_file: Path) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert database_file.is_file()
    assert "schema at revision" in result.output
    assert run("db", "upgrade").exit_code == 0


def test_demo_export_import_round_trip(database_file: Path, tmp_path: Path) -> None:
    result = run("demo", "--teams", "4", "--respondents", "5", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "4 teams" in result.output
    listed = run("db", "assessments")
    assert "Claims Operations (demo)\tdemo-2026-q1" in listed.output

    for suffix in ("csv", "json", "xlsx"):
        result = run("export", "--out", str(tmp_path / f"all.{suffix}"))
        assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "all.csv").read_text(encoding="utf-8"))))
    assert {row["team"] for row in rows} == {
        "Claims Operations",
        "Risk Reporting",
        "Service Desk North",
        "Underwriting Support",
    }
    assert json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["format"] == "layerwise-export"
    assert "answers" in openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames

    first_id = listed.output.split("\t", 1)[0]
    single = run("export", "--format", "csv", "--assessment", first_id, "--out", "-")
    assert single.exit_code == 0 and single.output.startswith("assessment,team,respondent,role,item_id,value")
    assert len({line.split(",")[0] for line in single.output.splitlines()[1:]}) == 1

    other = tmp_path / "other.db"
    get_settings.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{other}")
        get_settings.cache_clear()
        imported = run("import", str(tmp_path / "all.json"))
        assert imported.exit_code == 0, imported.output
        assert imported.output.split(":")[1].strip().startswith("7 assessments created")
    get_settings.cache_clear()
    db = open_database(f"sqlite:///{other}")
    try:
        assert db.counts()["answers"] == len(rows)
    finally:
        db.engine.dispose()


def test_demo_out_writes_csv_without_touching_the_database(database_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.csv"
    result = run("demo", "--out", str(out), "--seed", "3")
    assert result.exit_code == 0, result.output
    assert not database_file.exists()
    first = out.read_bytes()
    run("demo", "--out", str(out), "--seed", "3")
    assert out.read_bytes() == first
    scored = run("score", str(out), "--json")
    assert scored.exit_code == 0, scored.output[:500]
    assert len(json.loads(scored.output)) >= 12


def test_demo_remove_deletes_only_demo_teams(database_file: Path, tmp_path: Path) -> None:
    run("demo", "--teams", "2")
    answers = tmp_path / "mine.csv"
    answers.write_text(
        "assessment,team,respondent,role,item_id,value\n"
        "2026-q4,Payroll Services,R001,leader,permission.one_page_guide,3\n",
        encoding="utf-8",
    )
    assert run("import", str(answers)).exit_code == 0
    result = run("demo", "--remove")
    assert result.output.strip() == "removed 2 demo teams"
    assert [line.split("\t")[1] for line in run("db", "assessments").output.splitlines()] == [
        "Payroll Services"
    ]


def test_import_errors_go_to_stderr_with_exit_code_2(database_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "assessment,team,respondent,role,item_id,value\nq,T,R001,leader,permission.one_page_guide,7\n"
    )
    result = CliRunner().invoke(cli.cli, ["import", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: nothing was imported" in result.output
    assert "line 2, column value: '7' is not a level 1–5" in result.output


def test_export_refuses_unknown_assessment_and_unknown_format(database_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.cli, ["export", "--assessment", "42", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "no assessment with id 42" in result.output
    result = CliRunner().invoke(cli.cli, ["export", "--out", str(tmp_path / "x.txt")])
    assert result.exit_code == 2 and "--format is needed" in result.output
    result = CliRunner().invoke(cli.cli, ["export", "--format", "xlsx", "--out", "-"])
    assert result.exit_code == 2 and "XLSX cannot be written to standard output" in result.output


def _first_assessment_id() -> int:
    return int(run("db", "assessments").output.splitlines()[0].split("\t")[0])


def test_db_delete_a_respondent_then_an_assessment(database_file: Path) -> None:
    assert run("demo", "--teams", "2", "--respondents", "4", "--seed", "3").exit_code == 0
    assessment_id = _first_assessment_id()
    people = run("db", "respondents", str(assessment_id)).output.splitlines()
    respondent_id, pseudonym = people[0].split("\t")[:2]
    assert "answers" in people[0]

    refused = CliRunner().invoke(cli.cli, ["db", "delete", "--respondent", respondent_id], input="n\n")
    assert refused.exit_code == 1 and "nothing deleted" in refused.output
    assert len(run("db", "respondents", str(assessment_id)).output.splitlines()) == len(people)

    answers_only = run("db", "delete", "--respondent", respondent_id, "--answers-only", "--yes")
    assert answers_only.exit_code == 0 and f"the answers and comments of respondent {respondent_id}" in (
        answers_only.output
    )
    assert run("db", "respondents", str(assessment_id)).output.splitlines()[0].split("\t")[3] == "0 answers"

    gone = run("db", "delete", "--respondent", respondent_id, "--yes")
    assert gone.exit_code == 0 and pseudonym in gone.output
    assert len(run("db", "respondents", str(assessment_id)).output.splitlines()) == len(people) - 1

    before = len(run("db", "assessments").output.splitlines())
    deleted = CliRunner().invoke(cli.cli, ["db", "delete", "--assessment", str(assessment_id)], input="y\n")
    assert deleted.exit_code == 0, deleted.output
    assert len(run("db", "assessments").output.splitlines()) == before - 1


def test_db_delete_names_what_is_wrong(database_file: Path) -> None:
    assert run("db", "upgrade").exit_code == 0
    missing = CliRunner().invoke(cli.cli, ["db", "delete", "--assessment", "999", "--yes"])
    assert missing.exit_code == 2 and "assessment 999 does not exist" in missing.output
    both = CliRunner().invoke(cli.cli, ["db", "delete", "--assessment", "1", "--respondent", "1"])
    assert both.exit_code == 2 and "exactly one of --assessment ID or --respondent ID" in both.output
    nobody = CliRunner().invoke(cli.cli, ["db", "respondents", "42"])
    assert nobody.exit_code == 2 and "assessment 42 does not exist" in nobody.output
