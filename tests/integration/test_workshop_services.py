"""Workshops through the services, on a real SQLite file and a real PostgreSQL.

Features: create with a code and a hashed facilitator token; join with the code as a participant; autosaved
answers counted on the live panel (counts only); lock and unlock; the reveal that locks and freezes; nothing
revealed under k; the room screen's view by join code; wrong codes slowed down with counters shared by
every server; closing.
"""

from __future__ import annotations

import hashlib
import json
import string

import pytest
from sqlalchemy import select

from questionnaires.loader import Catalog
from services import workshop as live
from services.context import AccessError, AppContext, InputError, ServiceError, make_context
from storage import repository as repo
from storage.models import Answer, AppSetting, Workshop

DIMENSIONS = ("permission", "definition")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttle's clock, moved by hand: ``clock[0] += 60`` lets a minute pass."""
    now = [1_000_000.0]
    monkeypatch.setattr(live, "clock", lambda: now[0])
    return now


def new_workshop(
    ctx: AppContext, *, teams: tuple[str, ...] = ("Support",), k: int = 3
) -> live.CreatedWorkshop:
    return live.create_workshop(
        ctx, name="Support, March", team_names=list(teams), form="full", k=k, dimension_ids=list(DIMENSIONS)
    )


def answer_all(ctx: AppContext, token: str, dimension_id: str, level: int) -> None:
    questionnaire = live.workshop_questionnaire(ctx, live.participant(ctx, token).workshop_id)
    for item in live.dimension_items(questionnaire, "full", dimension_id):
        live.save_answer(ctx, token, item.id, level)


def join(ctx: AppContext, code: str, n: int, role: str = "contributor") -> list[str]:
    return [live.join_workshop(ctx, code=code, role=role, client_key=f"phone-{i}").token for i in range(n)]


# --- codes and tokens -------------------------------------------------------------------------------------


def test_the_join_code_uses_unambiguous_characters_and_the_token_is_stored_hashed(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    assert len(created.code) == 6
    assert set(created.code) <= set(repo.JOIN_CODE_ALPHABET)
    assert not set(created.code) & set("01OIL")
    assert len(created.facilitator_token) >= 43  # secrets.token_urlsafe(32)
    with ctx.read() as session:
        stored = session.scalars(select(Workshop)).one()
        row_texts = [str(value) for value in session.execute(select(AppSetting.value)).scalars()]
    assert stored.facilitator_token_hash == hashlib.sha256(created.facilitator_token.encode()).hexdigest()
    assert created.facilitator_token not in stored.facilitator_token_hash
    assert all(created.facilitator_token not in text for text in row_texts)


def test_a_facilitator_token_opens_one_workshop_and_nothing_else_does(ctx: AppContext) -> None:
    first, second = new_workshop(ctx), new_workshop(ctx, teams=("Support 2",))
    assert live.facilitator_workshop(ctx, first.facilitator_token) == first.workshop_id
    assert live.facilitator_workshop(ctx, second.facilitator_token) == second.workshop_id
    participant = join(ctx, first.code, 1)[0]
    for wrong in (
        "",
        "x",
        first.facilitator_token[:-1],
        first.facilitator_token + "x",
        participant,
        first.code,
    ):
        with pytest.raises(AccessError, match="does not open a workshop"):
            live.facilitator_workshop(ctx, wrong)
        with pytest.raises(AccessError):
            live.lock_dimension(ctx, wrong, "permission")
        with pytest.raises(AccessError):
            live.reveal_dimension(ctx, wrong, "permission")
        with pytest.raises(AccessError):
            live.close_workshop(ctx, wrong)


def test_a_join_code_grants_the_participant_role_only(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    joined = live.join_workshop(ctx, code=created.code.lower(), role="manager", client_key="phone")
    assert joined.role == "manager"
    assert joined.team == "Support"
    assert joined.token != created.facilitator_token
    with pytest.raises(AccessError):
        live.facilitator_workshop(ctx, created.code)
    with pytest.raises(InputError, match="role"):
        live.join_workshop(ctx, code=created.code, role="facilitator", client_key="phone")


def test_with_several_teams_a_participant_picks_a_team(ctx: AppContext) -> None:
    created = new_workshop(ctx, teams=("Support", "Claims"))
    with pytest.raises(InputError, match="Choose your team"):
        live.join_workshop(ctx, code=created.code, role="contributor", client_key="phone")
    joined = live.join_workshop(ctx, code=created.code, role="contributor", team="Claims", client_key="phone")
    assert joined.team == "Claims"
    assert live.live_panel(ctx, created.workshop_id).teams == ("Support", "Claims")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"team_names": []}, "teams"),
        ({"form": "long"}, "form"),
        ({"k": 2}, "k"),
        ({"dimension_ids": ["nonsense"]}, "dimensions"),
        ({"dimension_ids": []}, "dimensions"),
    ],
)
def test_creating_a_workshop_names_what_is_wrong(
    ctx: AppContext, changes: dict[str, object], field: str
) -> None:
    arguments: dict[str, object] = {"name": "W", "team_names": ["Support"], "form": "full", "k": 3}
    arguments.update(changes)
    with pytest.raises(InputError) as error:
        live.create_workshop(ctx, **arguments)  # type: ignore[arg-type]
    assert field in error.value.errors


# --- answers and the live panel ---------------------------------------------------------------------------


def test_the_live_panel_counts_people_answers_and_finished_people(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    tokens = join(ctx, created.code, 3)
    answer_all(ctx, tokens[0], "permission", 4)
    answer_all(ctx, tokens[0], "definition", 2)
    answer_all(ctx, tokens[1], "permission", 3)
    live.save_answer(ctx, tokens[2], "permission.one_page_guide", live.DONT_KNOW)
    panel = live.live_panel(ctx, created.workshop_id)
    assert (panel.joined, panel.done) == (3, 1)
    permission, definition = panel.dimensions
    assert (permission.started, permission.done, permission.answers) == (3, 2, 2 * permission.items + 1)
    assert permission.expected_answers == 3 * permission.items
    assert (definition.started, definition.done, definition.answers) == (1, 1, definition.items)
    # counts only: the panel has no field that could hold a level, a mean or an answer
    assert not {"score", "mean", "level", "distribution", "answers_by_level"} & set(
        live.DimensionProgress.__dataclass_fields__
    )


def test_answers_autosave_and_resume_with_the_link(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    token = join(ctx, created.code, 1)[0]
    live.save_answer(ctx, token, "permission.one_page_guide", 4)
    live.save_answer(ctx, token, "permission.one_page_guide", 5)
    live.save_answer(ctx, token, "permission.named_contact", live.DONT_KNOW)
    resumed = live.participant(ctx, token)
    assert resumed.choice("permission.one_page_guide") == 5
    assert resumed.choice("permission.named_contact") == live.DONT_KNOW
    live.save_answer(ctx, token, "permission.named_contact", None)
    assert live.participant(ctx, token).choice("permission.named_contact") is None


def test_answers_outside_the_workshop_are_refused(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    token = join(ctx, created.code, 1)[0]
    with pytest.raises(InputError, match="not asked in this workshop"):
        live.save_answer(ctx, token, "coaching.judgment_one_to_ones", 3)
    with pytest.raises(InputError):
        live.save_answer(ctx, token, "permission.one_page_guide", 6)
    with pytest.raises(AccessError):
        live.save_answer(ctx, "not-a-token", "permission.one_page_guide", 3)


def test_a_locked_dimension_refuses_answers_until_unlocked(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    token = join(ctx, created.code, 1)[0]
    live.lock_dimension(ctx, created.facilitator_token, "permission")
    with pytest.raises(live.DimensionLockedError, match="locked"):
        live.save_answer(ctx, token, "permission.one_page_guide", 3)
    live.save_answer(ctx, token, _first_item(ctx, "definition"), 3)
    live.unlock_dimension(ctx, created.facilitator_token, "permission")
    live.save_answer(ctx, token, "permission.one_page_guide", 3)
    assert live.participant(ctx, token).choice("permission.one_page_guide") == 3


def _first_item(ctx: AppContext, dimension_id: str) -> str:
    return ctx.questionnaire("human-system-design").dimension(dimension_id).items[0].id


# --- the reveal -------------------------------------------------------------------------------------------


def test_reveal_locks_the_dimension_and_freezes_its_result(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    tokens = join(ctx, created.code, 3)
    for token, level in zip(tokens, (1, 3, 5), strict=True):
        answer_all(ctx, token, "permission", level)
    revealed = live.reveal_dimension(ctx, created.facilitator_token, "permission")
    assert revealed.result.score == 3.0
    assert revealed.result.consensus == "divided"
    assert (
        revealed.items[0].divided
        and revealed.items[0].prompt
        and "What would level 4 look like" in revealed.items[0].prompt
    )
    assert revealed.items[0].result.distribution == {1: 1, 2: 0, 3: 1, 4: 0, 5: 1}

    # a late joiner, and the early ones, cannot move the revealed result
    late = join(ctx, created.code, 1)[0]
    with pytest.raises(live.DimensionLockedError):
        live.save_answer(ctx, late, "permission.one_page_guide", 5)
    with pytest.raises(live.DimensionLockedError):
        live.save_answer(ctx, tokens[0], "permission.one_page_guide", 5)
    with pytest.raises(Exception, match="stays locked"):
        live.unlock_dimension(ctx, created.facilitator_token, "permission")
    # storage itself refuses the answer, whoever sends it ...
    with ctx.write() as session:
        respondent = repo.find_respondent_by_token(session, token=late)
        assert respondent is not None
        with pytest.raises(repo.LockedDimensionError):
            repo.save_answer(
                session, respondent_id=respondent.id, item_id="permission.one_page_guide", value=5
            )
    # ... and even a row written behind storage's back (plain SQL) leaves the frozen result alone
    with ctx.write() as session:
        session.add(
            Answer(
                respondent_id=respondent.id,
                item_id="permission.one_page_guide",
                value=5,
                questionnaire_version="1.0.0",
            )
        )
    again = live.revealed_dimensions(ctx, created.workshop_id)
    assert [r.result for r in again] == [revealed.result]
    assert live.reveal_dimension(ctx, created.facilitator_token, "permission").result == revealed.result
    assert live.revealed_for_participant(ctx, tokens[1])[0].result == revealed.result
    panel = live.live_panel(ctx, created.workshop_id)
    assert panel.dimensions[0].locked and panel.dimensions[0].revealed


def test_nothing_is_revealed_for_a_group_under_k(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    for token in join(ctx, created.code, 2):
        answer_all(ctx, token, "permission", 4)
    with pytest.raises(live.RevealRefusedError, match="needs answers from at least 3 people"):
        live.reveal_dimension(ctx, created.facilitator_token, "permission")
    panel = live.live_panel(ctx, created.workshop_id)
    assert not panel.dimensions[0].revealed and not panel.dimensions[0].locked
    assert live.revealed_dimensions(ctx, created.workshop_id) == []
    with ctx.read() as session:
        assert not [key for key in session.execute(select(AppSetting.key)).scalars() if ".reveal." in key]


def test_k_is_never_below_three_and_a_higher_k_is_respected(ctx: AppContext) -> None:
    created = new_workshop(ctx, k=4)
    for token in join(ctx, created.code, 3):
        answer_all(ctx, token, "permission", 4)
    with pytest.raises(live.RevealRefusedError, match="k = 4"):
        live.reveal_dimension(ctx, created.facilitator_token, "permission")


# --- the room screen --------------------------------------------------------------------------------------


def test_the_room_view_opens_with_the_join_code_and_holds_counts_and_reveals_only(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    tokens = join(ctx, created.code, 3)
    for token, level in zip(tokens, (1, 3, 5), strict=True):
        answer_all(ctx, token, "permission", level)
    before = live.room_view(ctx, created.code.lower(), client_key="screen")
    assert before.panel.code == created.code and before.panel.joined == 3 and before.is_open
    assert before.panel == live.live_panel(ctx, created.workshop_id)
    assert before.revealed == ()  # counts only before a reveal
    revealed = live.reveal_dimension(ctx, created.facilitator_token, "permission")
    after = live.room_view(ctx, created.code, client_key="screen")
    assert [result.result for result in after.revealed] == [revealed.result]
    assert after.questionnaire.id == live.workshop_questionnaire(ctx, created.workshop_id).id
    assert created.facilitator_token not in repr(after)
    assert not any(token in repr(after) for token in tokens)
    live.close_workshop(ctx, created.facilitator_token)
    closed = live.room_view(ctx, created.code, client_key="screen")
    assert not closed.is_open and [result.result for result in closed.revealed] == [revealed.result]


def test_wrong_room_codes_count_against_the_join_throttle(ctx: AppContext, clock: list[float]) -> None:
    created = new_workshop(ctx)
    for wrong in ("ZZZZZZ", created.facilitator_token):  # free attempts; a token is no code
        with pytest.raises(AccessError, match="No workshop has this code"):
            live.room_view(ctx, wrong, client_key="screen")
    with pytest.raises(AccessError):
        live.find_workshop(ctx, "YYYYYY", client_key="screen")  # one counter for joining and the room
    for attempt in (
        lambda: live.room_view(ctx, created.code, client_key="screen"),
        lambda: live.find_workshop(ctx, created.code, client_key="screen"),
    ):
        with pytest.raises(live.ThrottledError, match="wait 2 seconds"):
            attempt()
    clock[0] += 2.5
    assert live.room_view(ctx, created.code, client_key="screen").panel.code == created.code


# --- closing ----------------------------------------------------------------------------------------------


def test_a_closed_workshop_refuses_new_answers_and_people_with_a_clear_message(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    token = join(ctx, created.code, 1)[0]
    live.save_answer(ctx, token, "permission.one_page_guide", 2)
    live.close_workshop(ctx, created.facilitator_token)
    with pytest.raises(live.WorkshopClosedError, match="This workshop is closed"):
        live.save_answer(ctx, token, "permission.one_page_guide", 4)
    with pytest.raises(live.WorkshopClosedError, match="accepts no new participants"):
        live.join_workshop(ctx, code=created.code, role="contributor", client_key="late")
    assert live.find_workshop(ctx, created.code, client_key="late").status == "closed"
    assert live.participant(ctx, token).choice("permission.one_page_guide") == 2
    with pytest.raises(live.WorkshopClosedError):
        live.reveal_dimension(ctx, created.facilitator_token, "permission")


def test_agreed_actions_join_the_teams_action_plan(ctx: AppContext) -> None:
    created = new_workshop(ctx, teams=("Support", "Claims"))
    live.add_action(ctx, created.facilitator_token, title="Publish a one-page guide", owner="Ops lead")
    live.add_action(ctx, created.facilitator_token, title="Budget review time", team="Claims")
    with pytest.raises(InputError, match="title"):
        live.add_action(ctx, created.facilitator_token, title=" ")
    with pytest.raises(InputError, match="team"):
        live.add_action(ctx, created.facilitator_token, title="x", team="Nobody")
    actions = live.workshop_actions(ctx, created.workshop_id)
    assert [(a.team, a.title, a.owner) for a in actions] == [
        ("Support", "Publish a one-page guide", "Ops lead"),
        ("Claims", "Budget review time", ""),
    ]
    with ctx.read() as session:
        state = repo.get_workshop_state(session, workshop_id=created.workshop_id)
        plan = repo.list_actions(session, assessment_id=state.assessment_ids[0])
    assert [action.title for action in plan] == ["Publish a one-page guide"]


# --- wrong codes are slowed down, across servers ----------------------------------------------------------


def test_repeated_wrong_codes_are_slowed_down_with_state_shared_by_servers(
    ctx: AppContext, db_url: str, clock: list[float], catalog: Catalog
) -> None:
    created = new_workshop(ctx)
    other_server = make_context(db_url, catalog=catalog, migrate=False)
    try:
        for server in (ctx, other_server, ctx):  # the free attempts, spread over two servers
            with pytest.raises(AccessError, match="No workshop has this code"):
                live.find_workshop(server, "ZZZZZZ", client_key="guesser")
        # after the third wrong code this browser waits 2 s, on every server, even for the right code
        for server in (ctx, other_server):
            with pytest.raises(live.ThrottledError, match="wait 2 seconds") as blocked:
                live.find_workshop(server, created.code, client_key="guesser")
            assert blocked.value.retry_after == 2
        # someone else is not slowed down
        assert live.find_workshop(other_server, created.code, client_key="someone-else").code == created.code
        clock[0] += 2.5
        with pytest.raises(AccessError):
            live.find_workshop(ctx, "XXXXXX", client_key="guesser")
        with pytest.raises(live.ThrottledError, match="wait 4 seconds"):
            live.find_workshop(ctx, created.code, client_key="guesser")
        clock[0] += 4.5
        assert live.find_workshop(ctx, created.code, client_key="guesser").code == created.code
        # after a quiet quarter of an hour the counter starts afresh
        clock[0] += 901
        for _ in range(3):
            with pytest.raises(AccessError):
                live.find_workshop(ctx, "ZZZZZZ", client_key="guesser")
    finally:
        other_server.database.dispose()


def test_a_script_opening_new_sessions_is_slowed_down_too(ctx: AppContext, clock: list[float]) -> None:
    created = new_workshop(ctx)
    for attempt in range(live.JOIN_ALL_CLIENTS.free_failures):
        with pytest.raises(AccessError):
            live.find_workshop(ctx, "ZZZZZZ", client_key=f"fresh-session-{attempt}")
    with pytest.raises(live.ThrottledError):
        live.find_workshop(ctx, created.code, client_key="yet-another-session")
    clock[0] += live.JOIN_ALL_CLIENTS.max_delay_seconds + 1
    assert live.find_workshop(ctx, created.code, client_key="yet-another-session").code == created.code


def test_throttle_counters_store_no_client_identity(ctx: AppContext) -> None:
    with pytest.raises(AccessError):
        live.find_workshop(ctx, "ZZZZZZ", client_key="my-browser-key")
    with ctx.read() as session:
        rows = {row.key: row.value for row in session.scalars(select(AppSetting))}
    assert rows and all("my-browser-key" not in key + value for key, value in rows.items())
    assert all(
        set(json.loads(value)) == {"failures", "last"}
        for key, value in rows.items()
        if key.startswith("throttle.")
    )


@pytest.mark.parametrize(("failures", "delay"), [(0, 0), (2, 0), (3, 2), (4, 4), (7, 32), (20, 300)])
def test_throttle_delay_doubles_after_the_free_attempts(failures: int, delay: int) -> None:
    assert live.throttle_delay(failures, live.JOIN_PER_CLIENT) == delay


def test_the_qr_code_is_a_png() -> None:
    assert live.qr_png("http://example.test/join?code=ABC234").startswith(b"\x89PNG")
    assert all(ch in string.ascii_uppercase + string.digits for ch in repo.JOIN_CODE_ALPHABET)


# --- actions: editable and removable until closed, seen by co-facilitators on other servers ---------------


def test_adding_editing_and_removing_an_action_moves_the_state_version(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    token = created.facilitator_token
    versions = [live.state_version(ctx, created.workshop_id)]
    action = live.add_action(ctx, token, title="Publsh a guide", owner="Ops")
    versions.append(live.state_version(ctx, created.workshop_id))
    live.update_workshop_action(ctx, token, action.id, title="Publish a guide", owner="Ops lead")
    versions.append(live.state_version(ctx, created.workshop_id))
    [shown] = live.workshop_actions(ctx, created.workshop_id)
    assert (shown.title, shown.owner) == ("Publish a guide", "Ops lead")
    live.remove_workshop_action(ctx, token, action.id)
    versions.append(live.state_version(ctx, created.workshop_id))
    assert live.workshop_actions(ctx, created.workshop_id) == []
    # each change moves the counter every panel polls, so a co-facilitator's page redraws within one refresh
    assert versions == sorted(set(versions))


def test_actions_cannot_be_changed_once_closed_or_from_another_workshop(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    other = new_workshop(ctx, teams=("Claims",))
    action = live.add_action(ctx, created.facilitator_token, title="Publish a guide")
    with pytest.raises(AccessError, match="not one of this workshop's"):
        live.remove_workshop_action(ctx, other.facilitator_token, action.id)
    with pytest.raises(InputError, match="Write what will be done"):
        live.update_workshop_action(ctx, created.facilitator_token, action.id, title="  ")
    live.close_workshop(ctx, created.facilitator_token)
    with pytest.raises(ServiceError, match="closed, so its actions can no longer be changed"):
        live.update_workshop_action(ctx, created.facilitator_token, action.id, title="Changed")
    assert [a.title for a in live.workshop_actions(ctx, created.workshop_id)] == ["Publish a guide"]


# --- votes on the proposed actions ------------------------------------------------------------------------


def test_participants_vote_three_times_at_most_once_per_action_and_the_ranking_counts_them(
    ctx: AppContext,
) -> None:
    created = new_workshop(ctx)
    token = created.facilitator_token
    actions = [live.add_action(ctx, token, title=f"Action {number}") for number in range(1, 5)]
    ana = live.join_workshop(ctx, code=created.code, role="contributor", client_key="ana").token
    ben = live.join_workshop(ctx, code=created.code, role="manager", client_key="ben").token
    for action in actions[:3]:
        live.vote_for_action(ctx, ana, action.id, True)
    live.vote_for_action(ctx, ana, actions[2].id, True)  # a second tap on the same action: still one vote
    with pytest.raises(ServiceError, match="You have used your 3 votes: take one back first"):
        live.vote_for_action(ctx, ana, actions[3].id, True)
    live.vote_for_action(ctx, ana, actions[0].id, False)
    live.vote_for_action(ctx, ana, actions[3].id, True)
    live.vote_for_action(ctx, ben, actions[3].id, True)
    assert live.my_votes(ctx, ana) == {actions[1].id, actions[2].id, actions[3].id}
    ranking = [(action.title, count) for action, count in live.ranked_actions(ctx, created.workshop_id)]
    assert ranking == [("Action 4", 2), ("Action 2", 1), ("Action 3", 1), ("Action 1", 0)]
    # a removed action takes its votes with it
    live.remove_workshop_action(ctx, token, actions[3].id)
    assert live.my_votes(ctx, ben) == set()


def test_votes_stop_when_the_workshop_closes_and_stay_in_their_workshop(ctx: AppContext) -> None:
    created = new_workshop(ctx)
    other = new_workshop(ctx, teams=("Claims",))
    action = live.add_action(ctx, created.facilitator_token, title="Publish a guide")
    stranger = live.join_workshop(ctx, code=other.code, role="contributor", client_key="x").token
    with pytest.raises(AccessError, match="not one of this workshop's"):
        live.vote_for_action(ctx, stranger, action.id, True)
    voter = live.join_workshop(ctx, code=created.code, role="contributor", client_key="y").token
    live.close_workshop(ctx, created.facilitator_token)
    with pytest.raises(live.WorkshopClosedError):
        live.vote_for_action(ctx, voter, action.id, True)
