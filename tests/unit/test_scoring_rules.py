"""The rule book (scoring.rules): each rule with hand-computed cases and its boundaries."""

from __future__ import annotations

import pytest

from scoring.rules import (
    RULES,
    Gate,
    action_rank_key,
    band_of,
    capacity_hours,
    comments_visible,
    consensus_label,
    dont_know_flagged,
    effective_k,
    format_score,
    full_time_equivalents,
    gap_flagged,
    gate_levels,
    is_suppressed,
    level_of,
    overall_index,
    paradox_mechanism,
    peers_sufficient,
    percentile_among,
    percentile_in_pack,
    rank_key,
    respondent_dimension_score,
    sample_std,
    segment_visible,
    stage_complete,
    stage_of,
    team_dimension_score,
)

LAYERS = ["permission", "definition", "boundaries", "coaching"]


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (1.0, 1),
        (1.79, 1),
        (1.8, 2),
        (2.59, 2),
        (2.6, 3),
        (3.39, 3),
        (3.4, 4),
        (4.19, 4),
        (4.2, 5),
        (5.0, 5),
        # the level is that of the score as shown, at 2 decimals
        (1.799, 2),
        (1.794, 1),
        ((1.6 + 2.0) / 2, 2),
    ],
)
def test_level_bands_and_their_boundaries(score: float, level: int) -> None:
    assert level_of(score) == level


@pytest.mark.parametrize(("level", "band"), [(1, "low"), (2, "low"), (3, "mid"), (4, "high"), (5, "high")])
def test_recommendation_band_of_a_level(level: int, band: str) -> None:
    assert band_of(level) == band


def test_respondent_needs_levels_on_at_least_half_of_the_items() -> None:
    assert respondent_dimension_score(9, 3, 6) == 3.0  # exactly half: scored
    assert respondent_dimension_score(6, 2, 6) is None  # fewer than half: no score
    assert respondent_dimension_score(12, 4, 7) == 3.0  # 4 of 7 is more than half
    assert respondent_dimension_score(9, 3, 7) is None  # 3 of 7 is fewer than half
    assert respondent_dimension_score(4, 1, 2) == 4.0  # pulse form: one of two items is half
    assert respondent_dimension_score(0, 0, 2) is None


def test_team_score_is_the_mean_of_respondent_scores() -> None:
    assert team_dimension_score([3.0, 4.0, 5.0]) == 4.0
    assert team_dimension_score([]) is None


def test_gating_chain_each_layer_held_by_the_one_below() -> None:
    gates = gate_levels({"permission": 1, "definition": 4, "boundaries": 5, "coaching": 5}, LAYERS)
    assert gates == {
        "permission": Gate(1, None),
        "definition": Gate(2, "permission"),
        "boundaries": Gate(3, "definition"),
        "coaching": Gate(4, "boundaries"),
    }


def test_gating_only_caps_when_the_layer_is_stronger_than_allowed() -> None:
    gates = gate_levels({"permission": 3, "definition": 1, "boundaries": 4, "coaching": 2}, LAYERS)
    assert gates["permission"] == Gate(3, None)
    assert gates["definition"] == Gate(1, None)  # lower than allowed: its own level
    assert gates["boundaries"] == Gate(2, "definition")
    assert gates["coaching"] == Gate(2, None)  # Boundaries at 2 allows 3: Coaching keeps its own 2


def test_gating_over_a_layer_without_a_level_uses_what_the_rule_implies() -> None:
    gates = gate_levels({"permission": 2, "definition": None, "boundaries": 5, "coaching": 1}, LAYERS)
    assert gates["definition"] == Gate(None, None)
    # Definition can be at most 3 (Permission 2 + 1), so Boundaries at most 4.
    assert gates["boundaries"] == Gate(4, "permission")
    assert gates["coaching"] == Gate(1, None)


def test_gating_without_a_first_layer_does_not_cap() -> None:
    gates = gate_levels({"permission": None, "definition": 5, "boundaries": 5, "coaching": 5}, LAYERS)
    assert [gate.gated_level for gate in gates.values()] == [None, 5, 5, 5]


def test_overall_index_and_stage() -> None:
    assert overall_index([1.0, 4.0, 5.0, 5.0, 3.0]) == 65.0  # mean 3.6 → 2.6 / 4 × 100
    assert overall_index([1.0]) == 0.0
    assert overall_index([5.0, 5.0]) == 100.0
    assert overall_index([3.0, 1.67, 3.75, 3.75, 2.25]) == 47.1
    assert overall_index([]) is None
    assert stage_of([3, 1, 2, 3]) == 1
    assert stage_of([None, None]) is None


def test_a_stage_needs_all_four_layers_scored() -> None:
    """A team scored on 2 of its 4 layers has no stage "of its four layers": it is incomplete."""
    assert stage_of([None, 4, 2, None]) is None
    assert stage_of([5, 5, None, None]) is None
    assert not stage_complete([5, 5, None, None])
    assert stage_complete([1, 2, 3, 4])
    assert stage_of([1, 2, 3, 4]) == 1


def test_ranking_orders_by_stage_before_index() -> None:
    teams = [("High index, stage 2", 2, 80.0), ("Low index, stage 3", 3, 50.0), ("Also stage 3", 3, 60.0)]
    ordered = sorted(teams, key=lambda t: rank_key(t[1], t[2], t[0]))
    assert [t[0] for t in ordered] == ["Also stage 3", "Low index, stage 3", "High index, stage 2"]
    names = [rule.name for rule in RULES]
    assert names.index("Stage") < names.index("Complete stage") < names.index("Ranking")


def test_sample_standard_deviation() -> None:
    assert sample_std([3.0]) is None
    assert sample_std([3.5, 3.0, 2.5, 3.0]) == pytest.approx(0.408, abs=1e-3)
    # values with counts: 1, 2, 4, 5 once each
    assert sample_std([1, 2, 3, 4, 5], [1, 1, 0, 1, 1]) == pytest.approx((10 / 3) ** 0.5)
    assert sample_std([1, 2, 3, 4, 5], [0, 0, 1, 0, 0]) is None


@pytest.mark.parametrize(
    ("std", "label"),
    [(None, None), (0.0, "aligned"), (0.59, "aligned"), (0.6, "mixed"), (0.99, "mixed"), (1.0, "divided")],
)
def test_consensus_labels(std: float | None, label: str | None) -> None:
    assert consensus_label(std) == label


@pytest.mark.parametrize(
    ("gap", "flagged"), [(None, False), (0.99, False), (1.0, True), (-1.0, True), (-0.99, False), (2.5, True)]
)
def test_perception_gap_threshold(gap: float | None, flagged: bool) -> None:
    assert gap_flagged(gap) is flagged


@pytest.mark.parametrize(
    ("rate", "flagged"), [(None, False), (0.299, False), (0.3, True), (1 / 3, True), (0.0, False)]
)
def test_dont_know_threshold(rate: float | None, flagged: bool) -> None:
    assert dont_know_flagged(rate) is flagged


def test_k_is_never_below_three() -> None:
    assert effective_k(1) == 3
    assert effective_k(3) == 3
    assert effective_k(7) == 7


@pytest.mark.parametrize(
    ("respondents", "k", "suppressed"),
    [(0, 3, True), (2, 3, True), (3, 3, False), (4, 5, True), (5, 5, False), (2, 1, True)],
)
def test_suppression_at_k_minus_one_and_k(respondents: int, k: int, suppressed: bool) -> None:
    assert is_suppressed(respondents, k) is suppressed


@pytest.mark.parametrize(
    ("segment", "team", "k", "visible"),
    [
        (3, 3, 3, True),  # the whole team is the segment: rest 0
        (3, 6, 3, True),  # rest 3
        (3, 5, 3, False),  # rest 2 could be recovered by subtraction
        (3, 4, 3, False),  # rest 1
        (2, 5, 3, False),  # the segment itself is too small
        (4, 8, 4, True),
        (4, 7, 4, False),
    ],
)
def test_segment_complement_rule(segment: int, team: int, k: int, visible: bool) -> None:
    assert segment_visible(segment, team, k) is visible


@pytest.mark.parametrize(
    ("respondents", "k", "visible"), [(4, 3, False), (5, 3, True), (5, 6, False), (6, 6, True)]
)
def test_comments_need_max_of_k_and_five(respondents: int, k: int, visible: bool) -> None:
    assert comments_visible(respondents, k) is visible


def test_peers_need_at_least_five() -> None:
    assert not peers_sufficient(4)
    assert peers_sufficient(5)


def test_percentile_among_peers_counts_ties_as_half() -> None:
    assert percentile_among(3.0, [1.0, 2.0, 3.0, 4.0, 5.0]) == 50.0
    assert percentile_among(5.5, [1.0, 2.0, 3.0, 4.0, 5.0]) == 100.0
    assert percentile_among(0.5, [1.0, 2.0, 3.0, 4.0, 5.0]) == 0.0
    assert percentile_among(2.0, [2.0, 2.0, 2.0, 2.0]) == 50.0


PACK_POINTS = [(10.0, 1.7), (25.0, 2.36), (50.0, 3.1), (75.0, 3.84), (90.0, 4.5)]


@pytest.mark.parametrize(
    ("score", "percentile"),
    [
        (1.0, 0.0),
        (1.7, 10.0),
        (3.1, 50.0),
        (3.47, 62.5),  # halfway between p50 and p75
        (4.5, 90.0),
        (5.0, 100.0),
        (4.75, 95.0),  # halfway between p90 and score 5
        (1.35, 5.0),  # halfway between score 1 and p10
    ],
)
def test_percentile_in_a_pack_is_interpolated(score: float, percentile: float) -> None:
    assert percentile_in_pack(score, PACK_POINTS) == percentile


def test_percentile_in_a_pack_with_tied_percentiles_takes_the_highest() -> None:
    points = [(10.0, 2.0), (25.0, 3.0), (50.0, 3.0), (75.0, 4.0), (90.0, 4.5)]
    assert percentile_in_pack(3.0, points) == 50.0


def test_capacity_hours_count_from_the_time_the_tasks_used_to_take() -> None:
    hours = capacity_hours(20, 30, 2, 25)  # 20 h now, 30 % less than before
    assert hours.hours_before == pytest.approx(20 / 0.7)
    assert hours.hours_freed == pytest.approx(20 / 0.7 - 20)  # 8.57, not 20 × 30 % = 6
    assert hours.net_freed_hours == pytest.approx(20 / 0.7 - 22)
    assert hours.redeployed_hours == pytest.approx((20 / 0.7 - 22) * 0.25)
    short = capacity_hours(20, 30, 10, 50)
    assert short.net_freed_hours == pytest.approx(20 / 0.7 - 30)
    assert (short.redeployed_hours, short.absorbed_hours) == (0.0, 0.0)


def test_full_time_equivalents_divide_by_a_forty_hour_week() -> None:
    assert full_time_equivalents(52) == pytest.approx(1.3)


def test_action_rank_key_orders_by_the_four_criteria() -> None:
    keys = {
        "caps, layer 2": action_rank_key(2, 3.0, False, False, 3.0, 9),
        "caps, layer 1": action_rank_key(1, 4.0, False, False, 4.0, 10),
        "lowest score": action_rank_key(None, 1.5, False, False, 1.5, 1),
        "higher score, divided": action_rank_key(None, 2.5, True, False, 2.0, 2),
        "higher score, don't know": action_rank_key(None, 2.5, False, True, 2.0, 3),
        "higher score": action_rank_key(None, 2.5, False, False, 2.0, 4),
        "no score": action_rank_key(None, None, False, False, None, 5),
    }
    assert sorted(keys, key=keys.__getitem__) == [
        "caps, layer 1",
        "caps, layer 2",
        "lowest score",
        "higher score, divided",
        "higher score, don't know",
        "higher score",
        "no score",
    ]


def test_format_score() -> None:
    assert format_score(1.6) == "1.6"
    assert format_score(1.78) == "1.78"
    assert format_score(2.0) == "2.0"


def test_rule_book_states_every_rule_in_a_sentence() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.sentence.endswith("."), rule
        assert "\n" not in rule.sentence
    text = " ".join(rule.sentence for rule in RULES)
    for threshold in ("1.8", "2.6", "3.4", "4.2", "0.6", "1.0", "30 %", "max(k, 5)", "at least 5", "below 3"):
        assert threshold in text, threshold


def test_the_paradox_mechanism_is_the_lowest_below_level_4() -> None:
    assert paradox_mechanism({"rework": 3.1, "meta_work": 2.4, "absorbed_capacity": 2.9}) == "meta_work"
    assert paradox_mechanism({"rework": 2.4, "meta_work": 2.4}) == "rework"  # a tie: the first listed
    assert paradox_mechanism({"rework": 3.4, "meta_work": 4.0}) is None  # none below 3.4: none named
    assert paradox_mechanism({}) is None
