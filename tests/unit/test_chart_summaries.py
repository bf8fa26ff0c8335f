"""Every chart in words: each summary is built from the chart's own table and says what a reader of the
chart would see (highest, lowest, gaps, caps, what has no numbers)."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from questionnaires.loader import default_questionnaire
from reports import chart_summaries as summaries
from reports import charts
from scoring import peer_percentiles, score_team
from scoring.taskmap import WeekSlice
from tests.packs import measured_pack
from tests.report_samples import sample_team

LEVELS = ["Ad hoc", "Emerging", "Defined", "Managed", "Embedded"]


def test_target_summary_names_highest_lowest_and_the_gap_to_target() -> None:
    table = pd.DataFrame(
        [
            {
                "dimension": "Permission",
                "score": 3.4,
                "target": 4,
                "target score": 3.4,
                "gap to target": 0.0,
                "previous round": 3.0,
                "change": 0.4,
            },
            {
                "dimension": "Coaching",
                "score": 1.8,
                "target": 4,
                "target score": 3.4,
                "gap to target": 1.6,
                "previous round": 1.9,
                "change": -0.1,
            },
            {
                "dimension": "Boundaries",
                "score": None,
                "target": 4,
                "target score": 3.4,
                "gap to target": None,
                "previous round": None,
                "change": None,
            },
        ]
    )
    assert summaries.target_summary(table) == (
        "Permission is highest at 3.4; Coaching lowest at 1.8; Coaching is furthest below its target, 1.6 under "
        "3.4 (level 4). 1 of 2 dimensions reaches its target. Largest change since the previous round: "
        "Permission, +0.40. No numbers for Boundaries."
    )


def test_layer_ladder_summary_names_the_cap() -> None:
    table = pd.DataFrame(
        [
            {
                "layer": 1,
                "dimension": "Permission",
                "score": 1.9,
                "level": 2,
                "level_name": "Emerging",
                "gated_level": 2,
                "gated_level_name": "Emerging",
                "capped_by": None,
                "note": "",
            },
            {
                "layer": 2,
                "dimension": "Definition",
                "score": 3.6,
                "level": 4,
                "level_name": "Managed",
                "gated_level": 3,
                "gated_level_name": "Defined",
                "capped_by": "Permission",
                "note": "held",
            },
        ]
    )
    assert summaries.layer_ladder_summary(table) == (
        "Definition is highest at level 3 Defined; Permission lowest at level 2 Emerging. "
        "Held down: Definition at level 3 by Permission (own level 4)."
    )


def test_benchmark_summary_gives_percentiles_and_the_median_count() -> None:
    table = pd.DataFrame(
        [
            {"dimension": "Permission", "score": 3.6, "percentile": 82.0, "p50": 3.0},
            {"dimension": "Coaching", "score": 1.9, "percentile": 12.4, "p50": 2.5},
        ]
    )
    assert summaries.benchmark_summary(table) == (
        "Highest percentile: Permission, 82nd (score 3.6); lowest: Coaching, 12th (score 1.9). "
        "Above the benchmark median on 1 of 2 dimensions."
    )


def test_heat_table_summary_names_dont_know_and_divided_items() -> None:
    row = {"dimension": "Permission", "consensus": "agreed", "note": ""}
    table = pd.DataFrame(
        [
            {**row, "item": "Guide known", "mean": 4.2, "dont_know": 0},
            {**row, "item": "Grey zone", "mean": 1.6, "dont_know": 3, "consensus": "divided"},
            {**row, "item": "Named contact", "mean": None, "dont_know": None, "note": "suppressed: k"},
        ]
    )
    assert summaries.item_heatmap_summary(table) == (
        "Highest item mean: Guide known (Permission) at 4.2; lowest: Grey zone (Permission) at 1.6. "
        '"Don\'t know" on 1 item, most often Grey zone (Permission): 3 people. 1 item divided (a spread of '
        "1.0 or more). 1 item without numbers (too few answers)."
    )


def test_distribution_summary_counts_levels_and_dont_know() -> None:
    table = pd.DataFrame(
        [
            {
                "item": "Guide known",
                "level_1": 0,
                "level_2": 1,
                "level_3": 4,
                "level_4": 1,
                "level_5": 0,
                "dont_know": 1,
                "consensus": "agreed",
                "note": "",
            },
            {
                "item": "Grey zone",
                "level_1": 3,
                "level_2": 0,
                "level_3": 1,
                "level_4": 0,
                "level_5": 2,
                "dont_know": 0,
                "consensus": "divided",
                "note": "",
            },
        ]
    )
    assert summaries.item_distribution_summary(table, LEVELS, "Don't know") == (
        "Most answers at 3 Defined (5 of 13); “Don't know”: 1. Divided: Grey zone."
    )


def test_trend_summary_names_who_rose_and_fell_most() -> None:
    rows = [
        ("2025 Q4", 0, "Platform", 40.0),
        ("2026 Q1", 1, "Platform", 55.5),
        ("2025 Q4", 0, "Data", 60.0),
        ("2026 Q1", 1, "Data", 51.0),
        ("2025 Q4", 0, "Ops", 50.0),
        ("2026 Q1", 1, "Ops", None),
    ]
    table = pd.DataFrame(rows, columns=["round", "position", "team", "index"])
    assert summaries.trend_summary(table) == (
        "2 teams in two rounds or more. Rose most: Platform, 40.0 in 2025 Q4 → 55.5 in 2026 Q1; "
        "fell most: Data, 60.0 in 2025 Q4 → 51.0 in 2026 Q1."
    )
    assert summaries.trend_summary(table, highlight="Ops") == (
        "Overall index of Ops, 50.0 in 2025 Q4 (the other teams in grey)."
    )


def test_gap_and_role_week_summaries() -> None:
    gaps = pd.DataFrame(
        [
            {
                "team": "A",
                "dimension": "Coaching",
                "leader_mean": 3.8,
                "others_mean": 2.1,
                "gap": 1.7,
                "flagged": True,
            },
            {
                "team": "A",
                "dimension": "Permission",
                "leader_mean": 3.0,
                "others_mean": 2.8,
                "gap": 0.2,
                "flagged": False,
            },
        ]
    )
    assert summaries.gap_summary(gaps) == (
        "Largest gap: Coaching, leaders 3.8 vs the others 2.1 (+1.70). 1 of 2 gaps flagged (1.0 or more either way)."
    )
    week = charts.role_week_table(
        [
            WeekSlice(role="Analyst", category="Human only", before=30, after=30),
            WeekSlice(role="Analyst", category="AI with review", before=10, after=4),
            WeekSlice(role="Analyst", category="Review (meta-work)", before=0, after=2),
            WeekSlice(role="Analyst", category="Redeployed", before=0, after=1.5),
            WeekSlice(role="Analyst", category="Absorbed", before=0, after=2.5),
        ]
    )
    assert summaries.role_week_summary(week) == (
        "Analyst: 40 h before, 40 h after, of which review (meta-work) 2 h, redeployed 1.5 h, absorbed 2.5 h."
    )


def _org_table(teams: int) -> pd.DataFrame:
    """An organisation heatmap table of ``teams`` teams × 5 dimensions, every tenth team without numbers."""
    rows = [
        {
            "team": f"Team {team}",
            "dimension": dimension,
            "gated_level": None if team % 10 == 0 else 1 + (team + d) % 5,
            "capped": d == 3 and team % 3 == 0,
        }
        for team in range(teams)
        for d, dimension in enumerate(["Permission", "Definition", "Boundaries", "Coaching", "Capacity"])
    ]
    return pd.DataFrame(rows).astype({"team": "string[pyarrow]"})  # as the page's tables hold team names


def test_the_organisation_summary_reads_each_team_name_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 1,000 teams the leader page spent seconds here: the teams with numbers were gathered again for
    every team (teams × rows). The names read now grow with the teams, not with their square."""
    read = 0
    iterate = pd.Series.__iter__

    def counted(series: pd.Series) -> Any:
        nonlocal read
        for value in iterate(series):
            read += 1
            yield value

    monkeypatch.setattr(pd.Series, "__iter__", counted)
    reads = []
    for teams in (20, 200):
        table = _org_table(teams)
        read = 0
        text = summaries.org_heatmap_summary(table)
        reads.append(read)
        assert f"Across {teams - teams // 10} teams with numbers" in text
        assert "No numbers for Team 0" in text and "Team 10" in text
    assert reads[1] <= 12 * reads[0], reads


@pytest.fixture(scope="module")
def scored() -> tuple[Any, Any, Any]:
    """The shipped questionnaire, a sample team's result and five peers (scored once for the module)."""
    questionnaire = default_questionnaire()
    result = score_team(questionnaire, sample_team(questionnaire, "Service desk"))
    peers = [score_team(questionnaire, sample_team(questionnaire, f"Peer {i}", seed=i)) for i in range(5)]
    return questionnaire, result, peers


@pytest.mark.parametrize(
    "kind", ["ladder", "target", "pack", "peers", "items", "kpis", "reveal", "org", "gaps"]
)
def test_every_summary_reads_the_numbers_of_a_real_result(kind: str, scored: tuple[Any, Any, Any]) -> None:
    questionnaire, result, peers = scored
    built = {
        "ladder": lambda: summaries.layer_ladder_summary(charts.layer_ladder_table(result)),
        "target": lambda: summaries.target_summary(charts.target_table(result, {})),
        "pack": lambda: summaries.benchmark_summary(
            charts.benchmark_table(result, measured_pack(questionnaire))
        ),
        "peers": lambda: summaries.benchmark_summary(
            charts.benchmark_table(result, peer_percentiles(result, peers))
        ),
        "items": lambda: summaries.item_heatmap_summary(charts.item_heatmap_table(questionnaire, result)),
        "kpis": lambda: summaries.kpi_reference_summary(
            charts.kpi_reference_table(questionnaire, result.kpis)
        ),
        "reveal": lambda: summaries.item_distribution_summary(
            charts.item_distribution_table(questionnaire, result.dimensions[0]), LEVELS, "Don't know"
        ),
        "org": lambda: summaries.org_heatmap_summary(charts.org_heatmap_table([result, *peers])),
        "gaps": lambda: summaries.gap_summary(charts.gap_table(result)),
    }[kind]()
    lowest = min((d for d in result.dimensions if d.score is not None), key=lambda d: d.score or 0)
    assert any(character.isdigit() for character in built), built
    if kind in ("target", "ladder", "pack", "peers"):
        assert lowest.name in built, built
    assert not re.search(r"\b(nan|None)\b", built), built
