"""Action plans: the band's recommendation per item, ranked foundations first, deterministic."""

from __future__ import annotations

from scoring import build_action_plan, score_team
from scoring.models import TeamResult
from tests.unit.scoring_support import item_ids, make_questionnaire, make_team, uniform

Q = make_questionnaire()
LEVELS = {"permission": 2, "definition": 5, "boundaries": 5, "coaching": 1, "capacity_governance": 2}


def ranked_team() -> TeamResult:
    """Permission 2 caps Definition 5 (held at 3), which caps Boundaries 5 (held at 4); Coaching is lowest.

    In Coaching, item3 divides the team (1, 1, 5) and item5 is mostly "don't know" (2 of 3).
    """
    base = uniform(Q, LEVELS)
    coaching = item_ids("coaching")
    first = {**base, coaching[4]: None}
    second = {**base, coaching[4]: None}
    third = {**base, coaching[2]: 5}
    return score_team(Q, make_team(Q, [first, second, third]))


def test_ranking_puts_capping_layers_first_then_lowest_scores() -> None:
    result = ranked_team()
    assert result.dimension("coaching").score == 1.22  # (1 + 1 + 1.667) / 3
    plan = build_action_plan(Q, result)
    order = [action.item_id for action in plan.actions]
    coaching = item_ids("coaching")
    assert order == [
        *item_ids("permission"),  # caps Definition, layer 1
        *item_ids("definition"),  # caps Boundaries, layer 2
        coaching[2],  # lowest score (1.22); divided
        coaching[4],  # high don't-know rate
        coaching[0],
        coaching[1],
        coaching[3],
        coaching[5],
        *item_ids("capacity_governance"),  # 2.0
        *item_ids("boundaries"),  # 5.0
    ]
    assert [action.rank for action in plan.actions] == list(range(1, 31))
    assert [action.item_id for action in plan.top_actions] == order[:7]
    assert [action.item_id for action in plan.more_actions] == order[7:]
    assert plan.top == 7


def test_each_action_carries_its_finding_band_and_recommendation() -> None:
    plan = build_action_plan(Q, ranked_team())
    first = plan.actions[0]
    assert first.band == "low"
    assert first.title == "low action for permission.item1"
    assert first.first_step == "first step for permission.item1 (low)"
    assert (first.owner, first.horizon_days, first.kpi) == ("Team lead", 30, "kpi for permission.item1")
    assert first.finding == (
        "Permission 2.0: permission.item1 situation at level 2; item mean 2.0 (Emerging); "
        "caps Definition (held at 3)"
    )
    assert first.reasons == ["Permission caps Definition (held at 3)", "Permission scores 2.0"]
    definition = next(a for a in plan.actions if a.dimension_id == "definition")
    assert definition.band == "high" and definition.title == "high action for definition.item1"
    divided = next(a for a in plan.actions if a.item_id == "coaching.item3")
    assert divided.finding == (
        "Coaching 1.22: coaching.item3 situation at level 2; item mean 2.33 (Emerging); "
        "divided (standard deviation 2.31)"
    )


def test_an_item_most_people_cannot_answer_gets_its_low_recommendation() -> None:
    plan = build_action_plan(Q, ranked_team())
    unknown = next(a for a in plan.actions if a.item_id == "coaching.item5")
    assert unknown.band == "low"
    assert unknown.finding == "Coaching 1.22: 67 % could not say — How is coaching.item5 handled?"
    assert unknown.reasons == ["67 % don't know", "Coaching scores 1.22"]


def test_top_is_configurable_and_the_rest_stays_available() -> None:
    plan = build_action_plan(Q, ranked_team(), top=3)
    assert len(plan.top_actions) == 3 and len(plan.more_actions) == 27
    assert "top_actions" in plan.model_dump()


def test_plan_is_deterministic() -> None:
    assert build_action_plan(Q, ranked_team()) == build_action_plan(Q, ranked_team())


def test_suppressed_team_gets_an_empty_plan_with_a_reason() -> None:
    result = score_team(Q, make_team(Q, [uniform(Q, LEVELS)] * 2))
    plan = build_action_plan(Q, result)
    assert plan.actions == [] and plan.top_actions == []
    assert plan.reason == "No action plan yet: needs at least 3 responses; 2 so far."
