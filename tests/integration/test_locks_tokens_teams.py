"""Locks, tokens and teams (issue 12), on a real SQLite file and a real PostgreSQL.

What an attacker tried and a user would notice: an answer of a locked or revealed workshop dimension cannot
be given, changed or cleared by any path (the check sits in storage, in the same statement as the write); a
workshop participant's token opens the join page only; a new assessment under an existing team's name needs
that team's invitation link or the leader passcode; consensus results say so in the leaders' exports; share
codes are stored hashed, old plain ones keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services import assessment as journey
from services import workshop as live
from services.context import AppContext, WorkshopLinkError
from storage import repository as repo

DIMENSIONS = ("permission", "definition")


def workshop_with_participant(ctx: AppContext) -> tuple[live.CreatedWorkshop, str, list[str]]:
    """A workshop on permission and definition with one participant who answered every permission item at
    level 2; the participant's token and the permission item ids."""
    created = live.create_workshop(
        ctx, name="Support, March", team_names=["Support"], form="full", k=3, dimension_ids=list(DIMENSIONS)
    )
    token = live.join_workshop(ctx, code=created.code, role="contributor", client_key="phone").token
    questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
    items = [item.id for item in live.dimension_items(questionnaire, "full", "permission")]
    for item_id in items:
        live.save_answer(ctx, token, item_id, 2)
    return created, token, items


def respondent_id_of(ctx: AppContext, token: str) -> int:
    with ctx.read() as session:
        respondent = repo.find_respondent_by_token(session, token=token)
        assert respondent is not None
        return respondent.id


def stored_answers(ctx: AppContext, token: str) -> dict[str, int | None]:
    with ctx.read() as session:
        return repo.get_answers(session, respondent_id=respondent_id_of(ctx, token))


# --- 1. one lock check for every write path ----------------------------------------------------------------


@pytest.mark.parametrize("state", ["locked", "revealed"])
def test_storage_refuses_answers_and_clears_of_a_locked_or_revealed_workshop_dimension(
    ctx: AppContext, state: str
) -> None:
    created, token, items = workshop_with_participant(ctx)
    respondent_id = respondent_id_of(ctx, token)
    with ctx.write() as session:
        # revealed without the locked flag too: either one freezes the answers
        repo.set_dimension_state(
            session, workshop_id=created.workshop_id, dimension_id="permission", **{state: True}
        )
    before = stored_answers(ctx, token)
    with pytest.raises(repo.LockedDimensionError, match="'permission'") as caught, ctx.write() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id=items[0], value=5)
    assert caught.value.dimension_id == "permission"
    with pytest.raises(repo.LockedDimensionError), ctx.write() as session:
        repo.clear_answer(session, respondent_id=respondent_id, item_id=items[0])
    with pytest.raises(repo.LockedDimensionError), ctx.write() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id="permission.not_yet_answered", value=1)
    assert stored_answers(ctx, token) == before
    # the other dimension stays open, through storage and through the workshop service
    with ctx.write() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id="definition.anything", value=3)
    assert stored_answers(ctx, token)["definition.anything"] == 3


def test_the_workshop_service_says_which_dimension_is_locked_when_storage_refuses(ctx: AppContext) -> None:
    created, token, items = workshop_with_participant(ctx)
    live.lock_dimension(ctx, created.facilitator_token, "permission")
    with pytest.raises(live.DimensionLockedError, match=r"^Permission is locked by the facilitator"):
        live.save_answer(ctx, token, items[0], 4)
    with pytest.raises(live.DimensionLockedError):
        live.save_answer(ctx, token, items[0], None)
    assert set(stored_answers(ctx, token).values()) == {2}


def test_answers_of_a_self_assessment_are_not_affected_by_workshop_locks(ctx: AppContext) -> None:
    created, _, items = workshop_with_participant(ctx)
    live.lock_dimension(ctx, created.facilitator_token, "permission")
    lead = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="full", role="leader")
    journey.save_answer(ctx, lead.token, items[0], 5)
    journey.save_answer(ctx, lead.token, items[0], None)
    assert journey.resume(ctx, lead.token).answers == {}


# --- 2. a workshop participant's token opens the join page only ------------------------------------------


def _self_assessment_uses(ctx: AppContext, item_id: str) -> dict[str, Callable[[str], Any]]:
    return {
        "resume": lambda token: journey.resume(ctx, token),
        "save_answer": lambda token: journey.save_answer(ctx, token, item_id, 5),
        "clear_answer": lambda token: journey.save_answer(ctx, token, item_id, None),
        "save_comment": lambda token: journey.save_comment(ctx, token, "permission", "changed"),
        "finish": lambda token: journey.finish(ctx, token),
        "results": lambda token: journey.results(ctx, token),
        "get_outcomes": lambda token: journey.get_outcomes(ctx, token),
        "save_outcomes": lambda token: journey.save_outcomes(ctx, token, kpis={}, ai_hours_per_week=5.0),
        "action_plan": lambda token: journey.action_plan(ctx, token),
        "add_custom_action": lambda token: journey.add_custom_action(ctx, token, title="Take over"),
        "plan_csv": lambda token: journey.plan_csv(ctx, token),
        "team_report_pdf": lambda token: journey.team_report_pdf(ctx, token),
    }


def test_a_workshop_participant_token_opens_the_join_page_only(ctx: AppContext) -> None:
    created, token, items = workshop_with_participant(ctx)
    live.lock_dimension(ctx, created.facilitator_token, "permission")
    before = stored_answers(ctx, token)
    for use, call in _self_assessment_uses(ctx, items[0]).items():
        with pytest.raises(WorkshopLinkError) as caught:
            call(token)
        message = str(caught.value)
        assert "workshop link" in message, use
        assert f"/join?resume={token}" in message, use
    assert stored_answers(ctx, token) == before
    assert live.participant(ctx, token).workshop_id == created.workshop_id  # the join page still opens
