"""Locks, tokens and teams (issue 12), on a real SQLite file and a real PostgreSQL.

What an attacker tried and a user would notice: an answer of a locked or revealed workshop dimension cannot
be given, changed or cleared by any path (the check sits in storage, in the same statement as the write); a
workshop participant's token opens the join page only; a new assessment under an existing team's name needs
that team's invitation link or the leader passcode; consensus results say so in the leaders' exports; share
codes are stored hashed, old plain ones keep working.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from services import assessment as journey
from services import workshop as live
from services.context import (
    TEAM_EXISTS_MESSAGE,
    AccessError,
    AppContext,
    InputError,
    ServiceError,
    WorkshopLinkError,
    make_context,
)
from storage import repository as repo
from storage.models import AppSetting

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


# --- 5. share codes are stored hashed ------------------------------------------------------------------------


def all_settings(ctx: AppContext) -> list[tuple[str, str]]:
    with ctx.read() as session:
        return [(row.key, row.value) for row in session.execute(select(AppSetting.key, AppSetting.value))]


def test_share_codes_are_stored_hashed_and_shown_only_when_made(ctx: AppContext) -> None:
    lead = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="full", role="leader")
    code = lead.share_code
    assert code
    stored = all_settings(ctx)
    assert not [row for row in stored if code in row[0] or code in row[1]], "the code is stored in clear"
    assert any(hashlib.sha256(code.encode()).hexdigest() in key for key, _ in stored)
    assert journey.shared_assessment(ctx, code).team == "Claims"
    assert journey.resume(ctx, lead.token).share_code is None  # cannot be read back later
    member = journey.join_assessment(ctx, share_code=code, role="contributor")
    assert member.share_code == code  # the person who used it holds it anyway


def test_any_member_can_make_a_new_invitation_link_and_the_old_one_stops_working(ctx: AppContext) -> None:
    lead = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="full", role="leader")
    member = journey.join_assessment(ctx, share_code=lead.share_code or "", role="contributor")
    fresh = journey.new_invitation(ctx, member.token)
    assert fresh != lead.share_code
    assert journey.shared_assessment(ctx, fresh).team == "Claims"
    with pytest.raises(AccessError, match="invitation link does not open"):
        journey.shared_assessment(ctx, lead.share_code or "")
    assert journey.resume(ctx, member.token).respondents == 2  # who already joined keeps their link
    consensus = journey.start_assessment(ctx, team_name="Risk", mode="consensus", form="pulse", role="leader")
    with pytest.raises(ServiceError, match="nobody to invite"):
        journey.new_invitation(ctx, consensus.token)
    _, token, _ = workshop_with_participant(ctx)
    with pytest.raises(WorkshopLinkError):
        journey.new_invitation(ctx, token)


def test_plain_share_codes_of_an_older_database_keep_working_and_are_hashed_at_start(db_url: str) -> None:
    context = make_context(db_url)
    try:
        lead = journey.start_assessment(
            context, team_name="Claims", mode="individual", form="full", role="leader"
        )
        old_code = "PlainOldShareCode_123"
        # what an older version stored: the code in clear, both ways
        with context.write() as session:
            for key in [
                k for k, _ in all_settings(context) if k.startswith(("share_code_hash:", "share_code_of:"))
            ]:
                repo.delete_setting(session, key=key)
            team_id = repo.get_assessment(session, assessment_id=lead.assessment_id).team_id
            fingerprint = f"{lead.assessment_id}:{team_id}:{lead.assessment_ref}"
            repo.set_setting(session, key=f"share_code:{old_code}", value=fingerprint)
            repo.set_setting(session, key=f"share_code_of:{lead.assessment_id}", value=old_code)
        assert journey.shared_assessment(context, old_code).team == "Claims"  # found before any conversion
    finally:
        context.database.dispose()
    restarted = make_context(db_url)  # every start converts what is left in clear
    try:
        assert not [row for row in all_settings(restarted) if old_code in row[0] or old_code in row[1]]
        assert journey.shared_assessment(restarted, old_code).team == "Claims"
        joined = journey.join_assessment(restarted, share_code=old_code, role="manager")
        assert joined.assessment_id == lead.assessment_id
        with restarted.write() as session:
            assert repo.hash_legacy_share_codes(session) == 0  # idempotent
            assert repo.has_share_code(session, assessment_id=lead.assessment_id)
        fresh = journey.new_invitation(restarted, lead.token)  # replaces the converted code
        with pytest.raises(AccessError):
            journey.shared_assessment(restarted, old_code)
        assert journey.shared_assessment(restarted, fresh).team == "Claims"
        with restarted.write() as session:
            repo.delete_assessment(session, assessment_id=lead.assessment_id)
        assert not [key for key, _ in all_settings(restarted) if key.startswith("share_code")]
    finally:
        restarted.database.dispose()


# --- 3. an existing team's name needs its invitation link or the leader passcode ---------------------------


def assessments_of(ctx: AppContext, team: str) -> int:
    with ctx.read() as session:
        found = repo.find_team(session, name=team)
        return 0 if found is None else len(repo.list_assessments(session, team_id=found.id))


@pytest.mark.parametrize("variant", ["Support", "  support ", "SUPPORT", "Ｓｕｐｐｏｒｔ", "Support\t"])
def test_starting_under_an_existing_teams_name_needs_its_invitation_link_or_the_leader_passcode(
    ctx: AppContext, variant: str
) -> None:
    lead = journey.start_assessment(ctx, team_name="Support", mode="individual", form="full", role="leader")
    other = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="full", role="leader")
    for share_code in (None, other.share_code, "not-a-valid-code-00"):
        with pytest.raises(InputError) as caught:
            journey.start_assessment(
                ctx, team_name=variant, mode="consensus", form="pulse", role="leader", share_code=share_code
            )
        assert caught.value.errors == {"team": TEAM_EXISTS_MESSAGE}
    assert assessments_of(ctx, "Support") == 1
    with ctx.read() as session:
        assert [team.name for team in repo.list_teams(session)] == ["Claims", "Support"], "no look-alike team"

    by_link = journey.start_assessment(
        ctx, team_name=variant, mode="consensus", form="pulse", role="leader", share_code=lead.share_code
    )
    by_leader = journey.start_assessment(
        ctx, team_name=variant, mode="individual", form="pulse", role="leader", leader_unlocked=True
    )
    assert by_link.team == by_leader.team == "Support"  # the existing team, under its stored name
    assert assessments_of(ctx, "Support") == 3


def test_a_new_teams_name_needs_nothing(ctx: AppContext) -> None:
    started = journey.start_assessment(
        ctx, team_name="Brand new", mode="consensus", form="pulse", role="leader"
    )
    assert started.team == "Brand new"


def test_a_workshop_for_an_existing_team_needs_the_leader_view_unlocked(ctx: AppContext) -> None:
    journey.start_assessment(ctx, team_name="Support", mode="individual", form="full", role="leader")
    with pytest.raises(InputError) as caught:
        live.create_workshop(ctx, name="March", team_names=["New team", " support"], form="pulse")
    assert set(caught.value.errors) == {"teams"}
    assert "'Support': a team with this name already exists" in caught.value.errors["teams"]
    assert "Unlock the leader view" in caught.value.errors["teams"]
    with ctx.read() as session:
        assert [team.name for team in repo.list_teams(session)] == ["Support"], "nothing was created"
    created = live.create_workshop(
        ctx, name="March", team_names=["New team", " support"], form="pulse", leader_unlocked=True
    )
    assert live.live_panel(ctx, created.workshop_id) is not None
    assert assessments_of(ctx, "Support") == 2 and assessments_of(ctx, "New team") == 1


# --- 4. consensus results are marked as consensus for leaders ------------------------------------------------


def test_the_leaders_exports_mark_consensus_results(ctx: AppContext) -> None:
    from services import leader

    consensus = journey.start_assessment(
        ctx, team_name="Agreed", mode="consensus", form="pulse", role="leader"
    )
    lead = journey.start_assessment(ctx, team_name="Apart", mode="individual", form="pulse", role="leader")
    tokens = [lead.token] + [
        journey.join_assessment(ctx, share_code=lead.share_code or "", role="contributor").token
        for _ in range(2)
    ]
    items = [item.id for item in ctx.questionnaire("human-system-design").items_for("pulse")]
    for token in [consensus.token, *tokens]:
        for item_id in items:
            journey.save_answer(ctx, token, item_id, 3)
    view = leader.leader_view(ctx)
    modes = {row["team"]: row["mode"] for row in leader.result_rows(view.latest)}
    assert modes == {"Agreed": "consensus", "Apart": "individual"}

    csv_text = leader.export_results(ctx, view, "csv").decode("utf-8-sig")
    header, *lines = csv_text.splitlines()
    assert "mode" in header.split(",")
    column = header.split(",").index("mode")
    assert {line.split(",")[0]: line.split(",")[column] for line in lines} == modes
    document = json.loads(leader.export_results(ctx, view, "json"))
    assert {team["team"]: team["mode"] for team in document["teams"]} == modes
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(leader.export_results(ctx, view, "xlsx")))["results"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("mode")
    assert {row[0]: row[column] for row in rows[1:]} == modes
