"""Team aggregation with hand-computed numbers: scores, items, gating, overall, anonymity, gaps, comments."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from scoring import respondent_view, score_team, score_teams
from scoring.models import RespondentAnswers, TeamResponses
from tests.unit.scoring_support import everywhere, item_ids, make_questionnaire, make_team, uniform

Q = make_questionnaire()
P = item_ids("permission")
D = item_ids("definition")


def six(dimension: str, values: list[int | None]) -> dict[str, int | None]:
    """Answers to the first len(values) items of a 6-item dimension (the rest unanswered)."""
    return dict(zip(item_ids(dimension), values, strict=False))


def test_dimension_scores_means_and_the_half_rule() -> None:
    team = make_team(
        Q,
        [
            six("permission", [1, 2, 3, 4, 5, None]),  # 5 levels: 15 / 5 = 3.0
            six("permission", [2, 2, None, None, None, None]),  # 2 levels of 6: no score
            six("permission", [4, 4, 4]),  # 3 levels of 6 = half: 4.0
            six("permission", [5, 5, 5, 5, 5, 5]),  # 5.0
        ],
    )
    permission = score_team(Q, team).dimension("permission")
    assert permission.respondents == 3
    assert permission.score == 4.0  # (3 + 4 + 5) / 3
    assert permission.level == 4
    assert permission.level_name == "Managed"
    assert permission.std == 1.0
    assert permission.consensus == "divided"
    # answers given: 6 + 6 + 3 + 6 = 21, of which 1 + 4 don't know
    assert permission.dont_know_rate == round(5 / 21, 3)


def test_item_numbers_distribution_and_dont_know() -> None:
    team = make_team(
        Q,
        [
            six("permission", [1, None]),
            six("permission", [2, 3]),
            six("permission", [4, 3]),
            six("permission", [5, None]),
        ],
    )
    items = score_team(Q, team).dimension("permission").items
    first, second = items[0], items[1]
    assert first.id == P[0]
    assert first.respondents == 4 and first.answered == 4 and first.dont_know == 0
    assert first.distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1}
    assert first.mean == 3.0
    assert first.std == 1.83  # sqrt(10 / 3)
    assert first.consensus == "divided"
    assert first.band == "mid"
    # two levels and two "don't know": the don't-know rate is shown, the level numbers are not (< k levels)
    assert second.respondents == 4 and second.dont_know == 2 and second.dont_know_rate == 0.5
    assert second.suppressed and second.mean is None and second.distribution is None
    assert second.suppressed_reason == "needs at least 3 answers with a level; 2 so far"
    # nobody answered the third item
    assert items[2].respondents == 0 and items[2].suppressed and items[2].mean is None


def test_dont_know_rate_of_thirty_percent_is_a_finding() -> None:
    # 3 respondents × 6 items = 18 answers; 6 don't know = 33 %
    team = make_team(
        Q,
        [
            six("definition", [2, 2, 2, 2, None, None]),
            six("definition", [2, 2, 2, 2, None, None]),
            six("definition", [2, 2, 2, 2, None, None]),
        ],
    )
    result = score_team(Q, team)
    assert result.dimension("definition").dont_know_rate == 0.333
    [finding] = [f for f in result.findings if f.kind == "dont_know"]
    assert finding.dimension_id == "definition"
    assert finding.message == 'Definition: 33 % of answers are "don\'t know" — people do not know the rules.'


def test_dont_know_rate_below_thirty_percent_is_not_a_finding() -> None:
    # 5 of 18 = 27.8 %
    answers = [six("definition", [2, 2, 2, 2, None, None])] * 2 + [six("definition", [2, 2, 2, 2, 2, None])]
    result = score_team(Q, make_team(Q, answers))
    assert result.dimension("definition").dont_know_rate == 0.278
    assert not [f for f in result.findings if f.kind == "dont_know"]


def test_team_of_k_minus_one_is_suppressed_without_numbers() -> None:
    full = uniform(
        Q, dict.fromkeys(["permission", "definition", "boundaries", "coaching", "capacity_governance"], 3)
    )
    result = score_team(Q, make_team(Q, [full, full]))
    assert result.suppressed
    assert result.suppressed_reason == "needs at least 3 responses; 2 so far"
    assert result.respondents == 2
    assert result.overall.index is None and result.overall.stage is None
    for dimension in result.dimensions:
        assert dimension.suppressed
        assert dimension.score is None and dimension.level is None and dimension.gated_level is None
        assert dimension.dont_know_rate is None and dimension.std is None and dimension.consensus is None
        for item in dimension.items:
            assert item.mean is None and item.distribution is None and item.dont_know is None
    assert result.gaps == [] and result.segments == []


def test_team_of_k_is_shown() -> None:
    full = everywhere(Q, 3)
    result = score_team(Q, make_team(Q, [full] * 3))
    assert not result.suppressed and result.suppressed_reason is None
    assert all(dimension.score == 3.0 for dimension in result.dimensions)
    assert result.overall.index == 50.0


@pytest.mark.parametrize(("respondents", "suppressed"), [(4, True), (5, False)])
def test_k_is_per_assessment(respondents: int, suppressed: bool) -> None:
    result = score_team(Q, make_team(Q, [everywhere(Q, 4)] * respondents, k=5))
    assert result.suppressed is suppressed
    assert result.k == 5


def test_k_below_three_is_refused() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 3"):
        make_team(Q, [everywhere(Q, 3)] * 3, k=2)


def test_dimension_with_fewer_than_k_scored_respondents_is_suppressed_alone() -> None:
    complete = everywhere(Q, 4)
    without_definition = {
        item: value for item, value in complete.items() if not item.startswith("definition.")
    }
    result = score_team(Q, make_team(Q, [complete, complete, without_definition]))
    definition = result.dimension("definition")
    assert not result.suppressed
    assert definition.suppressed and definition.score is None and definition.respondents == 2
    assert definition.suppressed_reason == (
        "needs at least 3 respondents who answered at least half of its items; 2 so far"
    )
    assert result.dimension("permission").score == 4.0
    assert result.overall.missing == ["definition"]
    assert result.overall.index == 75.0  # over the four dimensions with a score
    # Definition's level is unknown; gating still holds Boundaries at Permission 4 + 2 (no cap here)
    assert result.dimension("boundaries").gated_level == 4


def test_gating_in_a_team_result_and_its_explanation() -> None:
    levels = {"permission": 1, "definition": 4, "boundaries": 5, "coaching": 5, "capacity_governance": 5}
    result = score_team(Q, make_team(Q, [uniform(Q, levels)] * 3))
    by_id = {d.id: d for d in result.dimensions}
    layers = ("permission", "definition", "boundaries", "coaching")
    assert [by_id[i].gated_level for i in layers] == [1, 2, 3, 4]
    assert by_id["boundaries"].capped_by == "definition"
    assert by_id["definition"].cap_explanation == "Definition is held at 2 by Permission at 1"
    assert by_id["boundaries"].cap_explanation == (
        "Boundaries is held at 3 by Definition at 2 (itself held by Permission)"
    )
    assert by_id["boundaries"].gated_level_name == "Defined"
    # capacity governance is not gated
    assert by_id["capacity_governance"].gated_level == 5 and by_id["capacity_governance"].capped_by is None
    assert result.overall.stage == 1 and result.overall.stage_name == "Ad hoc"
    capped = [f.dimension_id for f in result.findings if f.kind == "capped"]
    assert capped == ["definition", "boundaries", "coaching"]


def test_overall_index_one_decimal() -> None:
    levels = {"permission": 3, "definition": 2, "boundaries": 4, "coaching": 4, "capacity_governance": 2}
    answers = uniform(Q, levels)
    answers[P[0]] = 4  # permission: (4 + 3 × 5) / 6 = 3.1667 → 3.17
    result = score_team(Q, make_team(Q, [answers] * 3))
    assert result.dimension("permission").score == 3.17
    # mean of 3.17, 2, 4, 4, 2 = 3.034 → (3.034 − 1) / 4 × 100 = 50.85 → 50.9 (Python rounds the float)
    assert result.overall.index == round((3.034 - 1) / 4 * 100, 1)


def test_consensus_mode_is_not_suppressed_and_has_no_spread() -> None:
    answers = uniform(Q, dict.fromkeys(["permission", "definition", "boundaries", "coaching"], 2))
    result = score_team(Q, make_team(Q, [("leader", answers)], mode="consensus"))
    assert not result.suppressed
    permission = result.dimension("permission")
    assert permission.score == 2.0 and not permission.suppressed
    assert permission.consensus is None and permission.std is None
    assert permission.items[0].mean == 2.0 and not permission.items[0].suppressed
    assert result.dimension("capacity_governance").score is None
    assert [f.kind for f in result.findings] == ["no_score"]


def test_consensus_mode_holds_one_answer_set() -> None:
    with pytest.raises(ValidationError, match="one agreed answer set"):
        make_team(Q, [everywhere(Q, 3)] * 2, mode="consensus")


def test_pulse_form_uses_the_two_pulse_items_and_the_half_rule() -> None:
    pulse = everywhere(Q, 4, form="pulse")
    one_of_two = {P[0]: 2}  # one of two pulse items is half: scored
    ignored_full_item = {**pulse, P[3]: 1}  # items not on the pulse form are ignored
    result = score_team(Q, make_team(Q, [pulse, one_of_two, ignored_full_item], form="pulse"))
    permission = result.dimension("permission")
    assert [item.id for item in permission.items] == P[:2]
    assert permission.respondents == 3
    assert permission.score == round((4 + 2 + 4) / 3, 2)
    assert result.dimension("definition").respondents == 2  # second respondent answered no definition item


def test_unknown_items_and_other_questionnaires_are_errors() -> None:
    with pytest.raises(ValueError, match=r"not in the questionnaire: permission\.nope"):
        score_team(Q, make_team(Q, [{"permission.nope": 3}] * 3))
    other = TeamResponses(team="x", questionnaire_id="other", questionnaire_version="1.0.0", respondents=[])
    with pytest.raises(ValueError, match="answered questionnaire 'other'"):
        score_team(Q, other)


def test_perception_gap_leaders_minus_others() -> None:
    leaders = [("leader", uniform(Q, {"permission": 4}))] * 3
    contributors = [("contributor", uniform(Q, {"permission": 3}))] * 2
    others = [*contributors, ("manager", uniform(Q, {"permission": 3}))]
    result = score_team(Q, make_team(Q, leaders + others))
    gap = next(g for g in result.gaps if g.dimension_id == "permission")
    assert (gap.leaders, gap.others, gap.leader_mean, gap.others_mean, gap.gap) == (3, 3, 4.0, 3.0, 1.0)
    assert gap.flagged
    [finding] = [f for f in result.findings if f.kind == "perception_gap"]
    assert finding.message == "Permission: leaders score 4.0, the others 3.0 (gap +1.00)."


def test_perception_gap_needs_k_on_both_sides() -> None:
    leaders = [("leader", uniform(Q, {"permission": 5}))] * 3
    others = [("contributor", uniform(Q, {"permission": 1}))] * 2
    result = score_team(Q, make_team(Q, leaders + others))
    gap = next(g for g in result.gaps if g.dimension_id == "permission")
    assert gap.suppressed and gap.gap is None and gap.leader_mean is None and not gap.flagged
    assert gap.suppressed_reason == "needs at least 3 leaders and 3 others with a score; 3 and 2 so far"


def test_role_segments_follow_the_complement_rule() -> None:
    def team_of(leaders: int, managers: int, contributors: int) -> dict[str, tuple[bool, float | None]]:
        sets = (
            [("leader", uniform(Q, {"permission": 5}))] * leaders
            + [("manager", uniform(Q, {"permission": 3}))] * managers
            + [("contributor", uniform(Q, {"permission": 1}))] * contributors
        )
        result = score_team(Q, make_team(Q, sets))
        return {s.role: (s.suppressed, s.score) for s in result.segments if s.dimension_id == "permission"}

    # 3 leaders and 2 others: the leaders' mean would give away the other two's by subtraction
    assert team_of(3, 0, 2) == {"leader": (True, None), "contributor": (True, None)}
    assert team_of(3, 0, 3) == {"leader": (False, 5.0), "contributor": (False, 1.0)}
    # 3 + 3 + 1: showing leaders and managers together would expose the one contributor, so only one is shown
    assert team_of(3, 3, 1) == {"leader": (False, 5.0), "manager": (True, None), "contributor": (True, None)}
    assert team_of(3, 0, 0) == {"leader": (False, 5.0)}


def test_comments_need_five_respondents_and_come_shuffled_without_names() -> None:
    texts = [{"permission": f"comment {i}"} for i in range(5)]
    answers = [everywhere(Q, 3)] * 5
    shown = score_team(Q, make_team(Q, answers, comments=texts))
    assert sorted(shown.comments["permission"]) == [f"comment {i}" for i in range(5)]
    reordered = score_team(Q, make_team(Q, answers, comments=list(reversed(texts))))
    assert reordered.comments == shown.comments  # order depends on the texts only
    hidden = score_team(Q, make_team(Q, answers[:4], comments=texts[:4]))
    assert hidden.comments == {}
    assert hidden.comments_hidden_reason == "comments are shown when at least 5 people responded; 4 so far"
    blank = score_team(Q, make_team(Q, answers[:3], comments=[{"permission": "  "}] * 3))
    assert blank.comments == {} and blank.comments_hidden_reason is None


def test_capacity_ledger_from_team_figures() -> None:
    kpis = {"task_time_reduction": 30.0, "meta_work_hours": 2.0, "redeployed_share": 25.0}
    result = score_team(Q, make_team(Q, [everywhere(Q, 3)] * 2, kpis=kpis, ai_hours_per_week=20.0))
    # team-entered figures, not individual answers: shown even for a suppressed team
    assert result.suppressed
    assert result.ledger is not None and result.ledger.redeployed_hours == 1.64
    impossible = {**kpis, "meta_work_hours": 65.0}
    bad = score_team(Q, make_team(Q, [everywhere(Q, 3)] * 3, kpis=impossible, ai_hours_per_week=20.0))
    assert bad.ledger is None and "meta_work_hours" in bad.ledger_errors
    none = score_team(Q, make_team(Q, [everywhere(Q, 3)] * 3, kpis=kpis))
    assert none.ledger is None and none.ledger_errors == {}


def test_json_dump_matches_the_cli_contract() -> None:
    result = score_team(Q, make_team(Q, [everywhere(Q, 3)] * 3))
    dumped = json.loads(result.model_dump_json())
    assert {"team", "respondents", "suppressed", "overall", "dimensions"} <= dumped.keys()
    assert {"index", "stage"} <= dumped["overall"].keys()
    for dimension in dumped["dimensions"]:
        assert {
            "id",
            "score",
            "level",
            "gated_level",
            "capped_by",
            "respondents",
            "dont_know_rate",
            "consensus",
            "suppressed",
        } <= dimension.keys()
    suppressed = json.loads(score_team(Q, make_team(Q, [everywhere(Q, 3)])).model_dump_json())
    assert all(dimension["score"] is None for dimension in suppressed["dimensions"])


def test_score_teams_keeps_the_order() -> None:
    teams = [make_team(Q, [everywhere(Q, v)] * 3, team=f"T{v}") for v in (1, 5, 3)]
    assert [r.team for r in score_teams(Q, teams)] == ["T1", "T5", "T3"]


def test_a_respondent_always_sees_their_own_scores() -> None:
    answers = {**six("permission", [4, 4, 5, None]), **six("definition", [2])}
    view = respondent_view(Q, RespondentAnswers(respondent_id="me", role="leader", answers=answers))
    permission, definition = view.dimensions[0], view.dimensions[1]
    assert (permission.score, permission.level, permission.answered, permission.dont_know) == (4.33, 5, 3, 1)
    assert permission.level_name == "Embedded"
    assert definition.score is None and definition.answered == 1 and definition.items == 6
