"""Target profiles: where a team's target comes from, and what a wrong level says (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import targets
from services.context import AppContext, InputError, make_context
from tests.integration.test_units import team


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


def test_a_team_target_wins_over_the_organisation_default_which_wins_over_level_four(ctx: AppContext) -> None:
    questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    team(ctx, "Desk", 3)
    assert targets.team_targets(ctx, questionnaire, "Desk").source == "default"
    assert set(targets.team_targets(ctx, questionnaire, "Desk").levels.values()) == {4}

    targets.set_organisation_targets(ctx, questionnaire, {"permission": 3, "coaching": 5})
    profile = targets.team_targets(ctx, questionnaire, "Desk")
    assert profile.source == "organisation"
    assert profile.levels["permission"] == 3 and profile.levels["coaching"] == 5
    assert profile.levels["definition"] == 4  # not named by the default: level 4

    targets.set_team_targets(ctx, questionnaire, "Desk", {"coaching": 2})
    profile = targets.team_targets(ctx, questionnaire, "Desk")
    assert profile.source == "team" and profile.label == "the team's own target"
    assert profile.levels["coaching"] == 2 and profile.levels["permission"] == 3  # the rest from the default

    targets.set_team_targets(ctx, questionnaire, "Desk", None)
    assert targets.team_targets(ctx, questionnaire, "Desk").source == "organisation"
    targets.set_organisation_targets(ctx, questionnaire, None)
    assert targets.team_targets(ctx, questionnaire, "Desk").source == "default"


def test_wrong_levels_are_named_and_nothing_is_stored(ctx: AppContext) -> None:
    questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    team(ctx, "Desk", 3)
    targets.set_team_targets(ctx, questionnaire, "Desk", {"coaching": 3})
    with pytest.raises(InputError) as raised:
        targets.set_team_targets(
            ctx, questionnaire, "Desk", {"permission": 6, "coaching": 2.5, "morale": 3, "definition": 2}
        )
    assert raised.value.errors == {
        "permission": "Permission: the target must be a level from 1 to 5, not 6",
        "coaching": "Coaching: the target must be a whole level from 1 to 5",
        "morale": f"{questionnaire.title} has no dimension 'morale'",
    }
    assert targets.team_targets(ctx, questionnaire, "Desk").levels["coaching"] == 3  # unchanged
    with pytest.raises(InputError, match="no team called 'Nobody'"):
        targets.set_team_targets(ctx, questionnaire, "Nobody", {"coaching": 3})
