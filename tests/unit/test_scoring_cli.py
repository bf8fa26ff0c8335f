"""``python cli.py score``: every team in a responses CSV, as JSON or a table; errors name the line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from cli import cli
from questionnaires.loader import default_questionnaire

Q = default_questionnaire()


def write_responses(path: Path, teams: dict[str, int], value: str = "3") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assessment", "team", "respondent", "role", "item_id", "value"])
        for team, size in teams.items():
            for person in range(size):
                for item in Q.items_for("full"):
                    writer.writerow(["spring", team, f"{team}-{person}", "contributor", item.id, value])
    return path


def test_json_has_one_result_per_team_and_suppresses_small_teams(tmp_path: Path) -> None:
    path = write_responses(tmp_path / "responses.csv", {"Claims": 3, "Small": 2})
    outcome = CliRunner().invoke(cli, ["score", str(path), "--json"])
    assert outcome.exit_code == 0, outcome.output
    claims, small = json.loads(outcome.output)
    assert (claims["team"], claims["respondents"], claims["suppressed"]) == ("Claims", 3, False)
    assert claims["overall"]["index"] == 50.0 and claims["overall"]["stage"] == 3
    assert [d["id"] for d in claims["dimensions"]] == [d.id for d in Q.dimensions]
    assert claims["dimensions"][0]["score"] == 3.0 and claims["dimensions"][0]["consensus"] == "aligned"
    assert small["suppressed"] and small["overall"]["index"] is None
    assert all(d["score"] is None and d["suppressed"] for d in small["dimensions"])


def test_k_option_raises_the_threshold(tmp_path: Path) -> None:
    path = write_responses(tmp_path / "responses.csv", {"Claims": 3})
    outcome = CliRunner().invoke(cli, ["score", str(path), "--json", "--k", "4"])
    assert json.loads(outcome.output)[0]["suppressed"] is True
    refused = CliRunner().invoke(cli, ["score", str(path), "--k", "2"])
    assert refused.exit_code == 2


def test_table_output(tmp_path: Path) -> None:
    path = write_responses(tmp_path / "responses.csv", {"Claims": 3, "Small": 2})
    outcome = CliRunner().invoke(cli, ["score", str(path)])
    assert outcome.exit_code == 0, outcome.output
    assert "Claims (spring): 3 respondents" in outcome.output
    assert "index 50.0 of 100, stage 3 Defined" in outcome.output
    assert "suppressed: needs at least 3 responses; 2 so far" in outcome.output


def test_bad_rows_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    path = write_responses(tmp_path / "responses.csv", {"Claims": 1}, value="7")
    outcome = CliRunner().invoke(cli, ["score", str(path)])
    assert outcome.exit_code == 2
    assert f"{path}: line 2, column value: '7' is not a level 1–5 or dont_know" in outcome.output


def test_missing_file_and_unknown_questionnaire_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["score", str(tmp_path / "none.csv")]).exit_code == 2
    path = write_responses(tmp_path / "responses.csv", {"Claims": 3})
    assert CliRunner().invoke(cli, ["score", str(path), "--questionnaire", "nope"]).exit_code == 2
