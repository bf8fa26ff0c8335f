"""Action plans: the band's recommendation per item, ranked foundations first, deterministic."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from scoring import build_action_plan, score_team
from scoring.models import RespondentAnswers, TeamResponses, TeamResult
from scoring.rules import order_by_requirements
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


def test_plan_leads_with_focus_areas_then_keeps_the_ranking() -> None:
    result = ranked_team()
    assert result.dimension("coaching").score == 1.22  # (1 + 1 + 1.667) / 3
    plan = build_action_plan(Q, result)
    assert [(area.dimension_id, area.why) for area in plan.focus] == [
        ("permission", "caps"),
        ("definition", "caps"),
        ("coaching", "lowest"),
    ]
    assert plan.focus[0].reason == (
        "Permission (2.0 of 5) holds Definition down: the layers above it cannot count for more until it is "
        "stronger."
    )
    assert plan.focus[2].reason == "Coaching has the lowest score still to raise (1.22 of 5)."
    order = [action.item_id for action in plan.actions]
    permission, definition, coaching = item_ids("permission"), item_ids("definition"), item_ids("coaching")
    # the top 7: three of each capping layer, then the lowest dimension's best-ranked action
    assert order[:7] == [*permission[:3], *definition[:3], coaching[2]]
    # then the ranking: capping layers, lowest layer first, then the lowest dimension score
    assert order[7:] == [
        *permission[3:],
        *definition[3:],
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


def test_no_focus_area_fills_the_top_seven_alone() -> None:
    plan = build_action_plan(Q, ranked_team())
    dimensions = [action.dimension_id for action in plan.top_actions]
    assert max(dimensions.count(d) for d in set(dimensions)) <= 3


def test_each_action_carries_its_finding_band_and_recommendation() -> None:
    plan = build_action_plan(Q, ranked_team())
    first = plan.actions[0]
    assert first.band == "low"
    assert first.title == "low action for permission.item1"
    assert first.first_step == "first step for permission.item1 (low)"
    assert (first.owner, first.horizon_days, first.kpi) == ("Team lead", 30, "kpi for permission.item1")
    assert first.item_ids == ["permission.item1"]
    # what the data shows, not the level's wording again
    assert first.finding == (
        "Permission 2.0 · item mean 2.0 of 5; none of 3 chose 1 Ad hoc, none said don't know; "
        "caps Definition (held at 3)"
    )
    assert "situation" not in first.finding
    assert first.reasons == ["Permission caps Definition (held at 3)", "Permission scores 2.0"]
    definition = next(a for a in plan.actions if a.dimension_id == "definition")
    assert definition.band == "high" and definition.title == "high action for definition.item1"
    divided = next(a for a in plan.actions if a.item_id == "coaching.item3")
    assert divided.finding == (
        "Coaching 1.22 · item mean 2.33 of 5; 2 of 3 chose 1 Ad hoc, none said don't know; "
        "divided (standard deviation 2.31)"
    )


def test_an_item_most_people_cannot_answer_gets_its_low_recommendation() -> None:
    plan = build_action_plan(Q, ranked_team())
    unknown = next(a for a in plan.actions if a.item_id == "coaching.item5")
    assert unknown.band == "low"
    assert unknown.finding == "Coaching 1.22 · item 2 of 3 don't know; too few levels for a mean"
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


def _with_requirement(item_id: str, band: str, requires: list[str]) -> Questionnaire:
    data = Q.model_dump(exclude_computed_fields=True)
    for dimension in data["dimensions"]:
        for item in dimension["items"]:
            if item["id"] == item_id:
                item["recommendations"][band]["requires"] = requires
    return Questionnaire.model_validate(data, strict=False)


def test_an_action_comes_after_the_action_it_builds_on() -> None:
    # coaching.item1 ranks before coaching.item6 on its own (same mean, questionnaire order) ...
    plain = [a.item_id for a in build_action_plan(Q, ranked_team()).actions]
    assert plain.index("coaching.item1") < plain.index("coaching.item6")
    # ... but builds on it, so it comes right after it
    questionnaire = _with_requirement("coaching.item1", "low", ["coaching.item6"])
    plan = build_action_plan(questionnaire, ranked_team())
    order = [a.item_id for a in plan.actions]
    assert order.index("coaching.item6") < order.index("coaching.item1")
    assert order.index("coaching.item1") == order.index("coaching.item6") + 1
    assert plan.actions[order.index("coaching.item1")].requires == ["coaching.item6"]
    # everything else keeps its ranked order
    assert [i for i in order if i != "coaching.item1"] == [i for i in plain if i != "coaching.item1"]


def test_a_prerequisite_of_a_focus_action_joins_the_top_before_it() -> None:
    questionnaire = _with_requirement("permission.item1", "low", ["permission.item6"])
    top = [a.item_id for a in build_action_plan(questionnaire, ranked_team()).top_actions]
    assert top[:2] == ["permission.item6", "permission.item1"]


def test_order_by_requirements_is_a_stable_topological_order() -> None:
    ranked = ["a", "b", "c", "d", "e"]
    assert order_by_requirements(ranked, {}) == ranked
    assert order_by_requirements(ranked, {"a": ["d"], "b": ["a"]}) == ["c", "d", "a", "b", "e"]
    # a requirement outside the plan is already met
    assert order_by_requirements(ranked, {"a": ["z"]}) == ranked


def test_the_questionnaire_refuses_unknown_and_circular_requirements() -> None:
    with pytest.raises(
        ValidationError,
        match=r"coaching\.yaml: items\[0\]\.recommendations\.low\.requires: "
        r"the action 'low action for coaching\.item1' \(coaching\.item1\) requires 'coaching\.nope'",
    ):
        _with_requirement("coaching.item1", "low", ["coaching.nope"])
    questionnaire = _with_requirement("coaching.item1", "low", ["coaching.item2"])
    data = questionnaire.model_dump(exclude_computed_fields=True)
    data["dimensions"][3]["items"][1]["recommendations"]["mid"]["requires"] = ["coaching.item1"]
    with pytest.raises(
        ValidationError, match=r"cycle of requirements: coaching\.item1 → coaching\.item2 → coaching\.item1"
    ):
        Questionnaire.model_validate(data, strict=False)


def test_shipped_plan_publishes_the_guide_before_giving_it_an_owner() -> None:
    shipped = default_questionnaire()
    guide = shipped.item("permission.one_page_guide").recommendations.low.title
    owner = shipped.item("permission.quarterly_update").recommendations.low.title
    assert (guide, owner) == (
        "Publish a one-page AI-use decision guide",
        "Give the guide an owner and a review date",
    )
    # everyone at level 1 on the guide's review, level 2 on the guide itself: the review ranks first alone
    answers = {item.id: 3 for item in shipped.items_for("full")}
    answers |= {"permission.quarterly_update": 1, "permission.one_page_guide": 2}
    team = TeamResponses(
        team="Guide",
        questionnaire_id=shipped.id,
        questionnaire_version=shipped.version,
        respondents=[
            RespondentAnswers(respondent_id=f"r{i}", role="contributor", answers=answers) for i in range(3)
        ],
    )
    titles = [a.title for a in build_action_plan(shipped, score_team(shipped, team)).actions]
    assert titles.index(guide) < titles.index(owner)
