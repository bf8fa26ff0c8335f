"""Benchmarks: peer percentiles (only with 5 peers), pack percentiles, pack checking, the shipped pack."""

from __future__ import annotations

import csv
from pathlib import Path
from statistics import NormalDist

import pytest

from reports.packs import ILLUSTRATIVE_PACK, load_benchmark_pack
from scoring import BenchmarkPackError, pack_percentiles, parse_benchmark_pack, peer_percentiles, score_team
from scoring.models import TeamResult
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
    assert all(c.percentile is None for c in pack_percentiles(small, load_benchmark_pack()))


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
        "label": "Illustrative",
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
    assert (comparisons[0].source, comparisons[0].label, comparisons[0].peers) == ("test", "Illustrative", 2)


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


def test_shipped_pack_is_labelled_illustrative_and_follows_its_derivation() -> None:
    pack = load_benchmark_pack()
    assert pack.source_name == "illustrative.csv"
    assert [row.dimension for row in pack.rows] == [
        "permission",
        "definition",
        "boundaries",
        "coaching",
        "capacity_governance",
    ]
    assert pack.label == "Illustrative — not measured industry data"
    # without an optimisation strategy (satisfaction 3.1 of 5) = p50, with one (4.5 of 5) = p90, normal curve
    spread = (4.5 - 3.1) / NormalDist().inv_cdf(0.9)
    expected = {f"p{p}": round(3.1 + NormalDist().inv_cdf(p / 100) * spread, 2) for p in (10, 25, 50, 75, 90)}
    for row in pack.rows:
        assert {key: getattr(row, key) for key in expected} == expected
        assert row.n == 2
        assert "Illustrative" in row.source and "3.1" in row.source and "4.5" in row.source


def test_pack_file_reads_with_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows()[0]))
        writer.writeheader()
        writer.writerows(rows())
    assert load_benchmark_pack(path).source_name == "mine.csv"
    assert ILLUSTRATIVE_PACK.exists()
