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


def _versioned_csv(path: Path, version_of_team: dict[str, str]) -> Path:
    """Three respondents per team answering every item of the given questionnaire version with level 3."""
    from questionnaires.loader import get_questionnaire

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["assessment", "team", "respondent", "role", "item_id", "value", "questionnaire_version"]
        )
        for team, version in version_of_team.items():
            for item in get_questionnaire("human-system-design", version).items_for("full"):
                for respondent in ("R1", "R2", "R3"):
                    writer.writerow(
                        ["a1", team, f"{team}-{respondent}", "contributor", item.id, "3", version]
                    )
    return path


def test_a_csv_exported_from_an_assessment_on_1_0_0_is_scored_on_1_0_0(tmp_path: Path) -> None:
    """Since 1.1.0 ships, an export of a 1.0.0 assessment (with its retired items) still scores."""
    path = _versioned_csv(tmp_path / "old.csv", {"Old": "1.0.0"})
    outcome = CliRunner().invoke(cli, ["score", str(path), "--json"])
    assert outcome.exit_code == 0, outcome.output
    (result,) = json.loads(outcome.output)
    assert result["questionnaire_version"] == "1.0.0"
    report = CliRunner().invoke(cli, ["report", str(path), "--out", str(tmp_path / "old.pdf")])
    assert report.exit_code == 0, report.output


def test_a_csv_mixing_questionnaire_versions_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = _versioned_csv(tmp_path / "mixed.csv", {"Old": "1.0.0", "New": "1.1.0"})
    outcome = CliRunner().invoke(cli, ["score", str(path)])
    assert outcome.exit_code == 2
    assert "the file mixes versions 1.0.0, 1.1.0; score one version at a time" in outcome.stderr
