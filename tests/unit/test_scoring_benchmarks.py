"""Benchmarks: peer percentiles (only with 5 peers), pack percentiles, pack checking, measured packs built
from published results and refused when they do not fit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from questionnaires.wording import dimension_wording_hash
from reports.packs import load_benchmark_pack, pack_csv
from scoring import BenchmarkPackError, pack_percentiles, parse_benchmark_pack, peer_percentiles, score_team
from scoring.benchmarks import build_pack, pack_mismatches
from scoring.models import TeamResult
from tests.packs import measured_pack
from tests.unit.scoring_support import everywhere, make_questionnaire, make_team

Q = make_questionnaire()
OTHER = Q.model_copy(update={"id": "other-questionnaire"})


def team_scoring(value: int, name: str, respondents: int = 3) -> TeamResult:
    return score_team(Q, make_team(Q, [everywhere(Q, value)] * respondents, team=name))


def test_peer_percentile_with_five_peers() -> None:
    peers = [team_scoring(value, f"peer {value}") for value in (1, 2, 3, 4, 5)]
    team = team_scoring(3, "us")
    comparisons = peer_percentiles(team, peers)
    assert [c.dimension_id for c in comparisons] == [d.id for d in Q.dimensions]
    first = comparisons[0]
    assert (first.against, first.score, first.peers, first.percentile) == ("peers", 3.0, 5, 50.0)


def test_peer_percentile_needs_five_eligible_peers() -> None:
    eligible = [team_scoring(value, f"peer {value}") for value in (1, 2, 3, 4)]
    suppressed = team_scoring(5, "small", respondents=2)
    other = score_team(OTHER, make_team(OTHER, [everywhere(OTHER, 5)] * 3, team="elsewhere"))
    team = team_scoring(3, "us")
    comparisons = peer_percentiles(team, [*eligible, suppressed, other, team])
    assert all(c.percentile is None for c in comparisons)
    assert comparisons[0].peers == 4
    assert comparisons[0].reason == "needs at least 5 peer teams; 4 so far"


def test_a_suppressed_team_gets_no_percentile() -> None:
    peers = [team_scoring(value, f"peer {value}") for value in (1, 2, 3, 4, 5)]
    small = team_scoring(3, "small", respondents=2)
    assert all(c.percentile is None and c.reason for c in peer_percentiles(small, peers))
    assert all(c.percentile is None for c in pack_percentiles(small, measured_pack(Q)))


def rows(**changes: dict[str, str]) -> list[dict[str, str]]:
    base = {
        "p10": "1.7",
        "p25": "2.36",
        "p50": "3.1",
        "p75": "3.84",
        "p90": "4.5",
        "n": "2",
        "source": "test",
        "collected": "2024",
        "label": "Measured",
        "questionnaire_id": Q.id,
        "questionnaire_version": Q.version,
        "wording": "abc",
    }
    result = [{"dimension": d.id, **base} for d in Q.dimensions]
    for index, change in changes.items():
        result[int(index.removeprefix("row"))].update(change)
    return result


def test_pack_percentiles() -> None:
    pack = parse_benchmark_pack(rows(), "test.csv")
    team = team_scoring(3, "us")
    comparisons = pack_percentiles(team, pack)
    assert comparisons[0].percentile == pytest.approx(50 - 0.1 / 0.74 * 25, abs=0.05)
    assert (comparisons[0].source, comparisons[0].label, comparisons[0].peers) == ("test", "Measured", 2)


def test_pack_without_a_row_for_a_dimension() -> None:
    pack = parse_benchmark_pack(rows()[:4], "four.csv")
    comparisons = pack_percentiles(team_scoring(3, "us"), pack)
    assert comparisons[4].percentile is None
    assert comparisons[4].reason == "the pack four.csv has no row for Capacity governance"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"row0": {"p50": "x"}}, "line 2, column p50: 'x' is not a number"),
        ({"row1": {"p10": "6"}}, "line 3, column p10: 6 is outside 1–5"),
        ({"row0": {"p25": "1.5"}}, "line 2: percentiles must not decrease from p10 to p90"),
        ({"row2": {"n": "-1"}}, "line 4, column n: '-1' is not a whole number of 0 or more"),
        ({"row2": {"n": "2.5"}}, "line 4, column n: '2.5' is not a whole number of 0 or more"),
        ({"row3": {"label": ""}}, "line 5, column label: empty"),
        (
            {"row4": {"dimension": "permission"}},
            "line 6, column dimension: 'permission' already appears on line 2",
        ),
    ],
)
def test_pack_errors_name_the_line(changes: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(BenchmarkPackError) as raised:
        parse_benchmark_pack(rows(**changes), "pack.csv")
    assert any(error.startswith(message) for error in raised.value.errors), raised.value.errors
    assert str(raised.value).startswith("pack.csv: ")


def test_pack_missing_column_and_empty_pack() -> None:
    incomplete = [{key: value for key, value in row.items() if key != "n"} for row in rows()]
    with pytest.raises(BenchmarkPackError, match="line 1: missing column"):
        parse_benchmark_pack(incomplete, "pack.csv")
    with pytest.raises(BenchmarkPackError, match="no rows"):
        parse_benchmark_pack([], "pack.csv")


def test_pack_file_reads_with_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows()[0]))
        writer.writeheader()
        writer.writerows(rows())
    assert load_benchmark_pack(path).source_name == "mine.csv"


def test_no_pack_is_shipped() -> None:
    """The satisfaction-derived illustrative pack is gone: packs hold measured data only."""
    assert not list((Path(__file__).resolve().parents[2] / "reports").rglob("*.csv"))


def _teams(count: int) -> list[TeamResult]:
    return [team_scoring(1 + index % 5, f"team {index}") for index in range(count)]


WORDING = {d.id: dimension_wording_hash(Q, d.id) for d in Q.dimensions}


def _build(results: list[TeamResult]) -> tuple[object, dict[str, str]]:
    return build_pack(
        results,
        questionnaire_id=Q.id,
        questionnaire_version=Q.version,
        wording=WORDING,
        collected="2026-11-30",
        source="Acme",
    )


def test_a_pack_is_built_from_ten_teams_past_k_with_rounded_percentiles_and_no_names() -> None:
    pack, skipped = _build([*_teams(10), team_scoring(5, "too small", respondents=2)])
    assert skipped == {}
    row = pack.rows[0]  # type: ignore[attr-defined]
    assert (row.n, row.p10, row.p50, row.p90) == (10, 1.0, 3.0, 5.0)  # the suppressed team is not counted
    assert (row.questionnaire_id, row.questionnaire_version, row.collected) == (Q.id, Q.version, "2026-11-30")
    text = pack_csv(pack)  # type: ignore[arg-type]
    assert "team " not in text and "too small" not in text
    assert text.splitlines()[0] == (
        "dimension,p10,p25,p50,p75,p90,n,source,collected,label,questionnaire_id,questionnaire_version,wording"
    )


def test_a_dimension_with_fewer_than_ten_teams_is_left_out_with_the_reason() -> None:
    pack, skipped = _build(_teams(9))
    assert pack.rows == []  # type: ignore[attr-defined]
    assert skipped[Q.dimensions[0].id] == "needs at least 10 teams with a published score; 9"


def test_a_pack_of_another_version_other_wording_or_too_few_teams_is_refused_with_the_reason() -> None:
    pack = measured_pack(Q)
    assert (
        pack_mismatches(pack, questionnaire_id=Q.id, questionnaire_version=Q.version, wording=WORDING) == []
    )
    other = pack_mismatches(pack, questionnaire_id=Q.id, questionnaire_version="9.0.0", wording=WORDING)
    assert (
        other[0] == f"line 2 (permission): made for questionnaire {Q.id} {Q.version}, expected {Q.id} 9.0.0"
    )
    reworded = pack_mismatches(
        pack, questionnaire_id=Q.id, questionnaire_version=Q.version, wording={**WORDING, "definition": "x"}
    )
    assert reworded == [
        "line 3 (definition): the wording of its items differs from this installation's, so its scores do not "
        "answer the same questions"
    ]
    small = pack_mismatches(
        measured_pack(Q, n=4), questionnaire_id=Q.id, questionnaire_version=Q.version, wording=WORDING
    )
    assert small[0] == "line 2 (permission): n = 4 teams, fewer than 10"


def test_peer_percentiles_of_every_team_at_once_equal_one_team_at_a_time() -> None:
    """The leader view's one-pass peer percentiles give exactly what ``peer_percentiles`` gives per team
    (ties, suppressed teams, teams without a score in a dimension, fewer than 5 peers)."""
    import random

    from scoring.benchmarks import peer_percentiles_all

    questionnaire = make_questionnaire()
    rng = random.Random(7)
    ranked = 0
    for trial in range(30):
        teams = []
        for number in range(rng.randint(1, 12)):
            answers = [
                {
                    item.id: rng.choice([1, 2, 3, 3, 4, 5, None])
                    for item in questionnaire.items_for("full")
                    if rng.random() > 0.2
                }
                for _ in range(rng.choice([2, 3, 4, 6]))
            ]
            teams.append(
                score_team(questionnaire, make_team(questionnaire, answers, team=f"T{trial}-{number}"))
            )
        expected = {result.team: peer_percentiles(result, teams) for result in teams}
        assert peer_percentiles_all(teams) == expected
        ranked += sum(c.percentile is not None for rows in expected.values() for c in rows)
    assert ranked > 100  # the trials do reach 5 peers, with ties
