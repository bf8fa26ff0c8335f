"""Join a workshop: enter the code (or open ``/join?code=ABC123``), pick a role, answer on a phone.

Every choice is saved the moment it is made. The URL then holds the participant's resume link
(``/join?resume=…``), so a reload or another device restores every answer. When the facilitator reveals a
dimension, the page shows the group's result for it (never anyone's answers); the page follows the
facilitator by polling one number (the workshop's state counter) every few seconds.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import ui
from services import workshop as live
from services.assessment import ANSWER_INSTRUCTION
from services.context import AccessError, InputError, ServiceError, StorageBusyError

TOKEN_KEY = "ws.token"
INFO_KEY = "ws.info"
ERROR_KEY = "ws.error"
PENDING_KEY = "ws.pending"
ME_KEY = "ws.me"
VERSION_KEY = "ws.version"
FOLLOW_KEY = "ws.following"
DIMENSION_KEY = "ws.dimension"
VOTE_ERROR_KEY = "ws.vote_error"
ROLE_LABELS = {"contributor": "Team member", "manager": "Manager", "leader": "Team lead / leader"}

ctx = ui.context()


def forget() -> None:
    """Leave the workshop on this device (the resume link keeps working)."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith("ws."):
            del st.session_state[key]
    st.query_params.clear()


def check_code() -> None:
    """Callback of "Continue": look the code up (wrong codes are counted and slowed down)."""
    code = st.session_state.get("ws.code_input", "")
    st.session_state.pop(INFO_KEY, None)
    try:
        st.session_state[INFO_KEY] = live.find_workshop(ctx, code, client_key=ui.client_key())
        st.session_state.pop(ERROR_KEY, None)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = str(error)


def join(code: str) -> None:
    """Callback of "Join": become a participant and keep the resume token in the session and the URL."""
    role = st.session_state.get("ws.role")
    team = st.session_state.get("ws.team")
    if role is None:
        st.session_state[ERROR_KEY] = "Pick your role first."
        return
    try:
        joined = live.join_workshop(ctx, code=code, role=role, team=team, client_key=ui.client_key())
    except InputError as error:
        st.session_state[ERROR_KEY] = ui.input_errors(error.errors)
        return
    except ServiceError as error:
        st.session_state[ERROR_KEY] = str(error)
        return
    st.session_state[TOKEN_KEY] = joined.token
    st.session_state.pop(ERROR_KEY, None)
    st.session_state["ws.just_joined"] = True


def pending_answers() -> dict[str, Any]:
    """This participant's answers the database was too busy to take (item id → choice), kept to retry."""
    return st.session_state.setdefault(PENDING_KEY, {})


def save(item_id: str) -> None:
    """Callback of every answer: save it at once (kept and retried while the database is busy)."""
    token = st.session_state.get(TOKEN_KEY)
    choice = st.session_state.get(f"ws.answer:{item_id}")
    pending = pending_answers()
    pending.pop(item_id, None)  # the newest choice wins over one still waiting
    try:
        live.save_answer(ctx, token or "", item_id, choice)
        st.session_state.pop(ERROR_KEY, None)
    except StorageBusyError as error:
        ui.keep_unsaved(pending, item_id, choice, error)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = f"Not saved: {error}"


# --- who am I: the resume token from the URL or the session -------------------------------------------------

token = st.query_params.get("resume") or st.session_state.get(TOKEN_KEY)
if token:
    try:
        me = live.participant(ctx, token)
    except AccessError as error:
        st.error(ui.plain(error))
        st.button("Join with a code instead", on_click=forget)
        st.stop()
    except StorageBusyError:
        # the database did not respond: draw the page as last read, so the choice just made stays on screen
        # (kept in ws.pending, saved by the retrying notice below once the database is back)
        me = st.session_state.get(ME_KEY)
        if me is None or me.token != token.strip():
            raise
    if st.session_state.get(TOKEN_KEY) != me.token:
        forget()
        st.session_state[TOKEN_KEY] = me.token
    st.session_state[ME_KEY] = me
    st.query_params.clear()
    st.query_params["resume"] = me.token
else:
    me = None

# --- not joined yet: the code, then role (and team) ---------------------------------------------------------

if me is None:
    st.header("Join a workshop")
    from_link = (st.query_params.get("code") or "").strip()
    if from_link and st.session_state.get("ws.code_from_link") != from_link:
        # a join link: look its code up once per session, not on every rerun
        st.session_state["ws.code_from_link"] = from_link
        st.session_state["ws.code_input"] = from_link
        check_code()
    st.text_input(
        "Join code",
        key="ws.code_input",
        max_chars=12,
        placeholder="ABC123",
        help="The six letters and digits on the facilitator's screen.",
    )
    st.button("Continue", on_click=check_code, type="primary", width="stretch")
    if st.session_state.get(ERROR_KEY):
        st.error(ui.plain(st.session_state[ERROR_KEY]))
    info: live.WorkshopInfo | None = st.session_state.get(INFO_KEY)
    if info is not None:
        with st.container(border=True):
            st.subheader(ui.plain(info.name))
            st.caption(
                f"{ui.plain(', '.join(info.teams))} · {ui.plain(info.questionnaire_title)} · "
                f"{'pulse' if info.form == 'pulse' else 'full'} form · "
                + ui.plain(", ".join(dimension.name for dimension in info.dimensions))
            )
            if not info.is_open:
                st.warning("This workshop is closed and accepts no new participants.")
                st.stop()
            st.radio(
                "Your role",
                options=list(ROLE_LABELS),
                format_func=ROLE_LABELS.__getitem__,
                index=None,
                key="ws.role",
            )
            if len(info.teams) > 1:
                st.selectbox("Your team", options=list(info.teams), index=None, key="ws.team")
            st.caption(
                "Your answers are anonymous: the room sees a group's results only once "
                "enough people answered, and never anyone's own answers."
            )
            st.button("Join", on_click=join, args=(info.code,), type="primary", width="stretch")
    st.stop()

# --- joined: answer the workshop's dimensions ---------------------------------------------------------------

questionnaire = ui.questionnaire(me.questionnaire_id, me.questionnaire_version)
st.session_state[VERSION_KEY] = me.state_version


st.header(ui.plain(me.workshop_name))
st.caption(f"{ui.plain(me.team)} · {ROLE_LABELS.get(me.role, me.role)} · code {me.code}")


@st.fragment(run_every=3)
def follow_the_room() -> None:
    """Where the room is ("waiting for the facilitator", "12 of 15 people answered"), refreshed every few
    seconds; when the facilitator changed something (a move, a reveal, closing), redraw the page."""
    try:
        room = live.room_state(ctx, me.token)
    except Exception:  # a dropped connection: try again at the next tick
        return
    if room.state_version != st.session_state.get(VERSION_KEY):
        st.rerun()
    icons = {
        "waiting": ":material/hourglass_top:",
        "answering": ":material/groups:",
        "discussing": ":material/forum:",
        "closed": ":material/lock:",
    }
    with st.container(key="ws-room-state"):
        st.markdown(f"{icons[room.stage]} {ui.plain(room.message)}")


follow_the_room()


def vote(action_id: int) -> None:
    """Callback of a vote's checkbox: give or take back the vote (refused when every vote is used)."""
    key = f"ws.vote:{action_id}"
    try:
        live.vote_for_action(ctx, me.token, action_id, bool(st.session_state.get(key)))
        st.session_state.pop(VOTE_ERROR_KEY, None)
    except ServiceError as error:
        st.session_state[key] = False
        st.session_state[VOTE_ERROR_KEY] = str(error)


try:
    actions = live.workshop_actions(ctx, me.workshop_id)
    mine = live.my_votes(ctx, me.token) if actions and me.is_open else set()
except StorageBusyError:  # the database did not respond: the votes come back with it
    actions = []
if actions and me.is_open:
    with st.container(border=True, key="ws-votes"):
        st.markdown(f"**Prioritise the actions** · {live.votes_left(mine)}")
        for action in actions:
            key = f"ws.vote:{action.id}"
            st.session_state[key] = action.id in mine
            st.checkbox(ui.plain(action.title), key=key, on_change=vote, args=(action.id,))
        if st.session_state.get(VOTE_ERROR_KEY):
            st.error(ui.plain(st.session_state[VOTE_ERROR_KEY]))
with st.expander(
    "Your resume link", icon=":material/link:", expanded=bool(st.session_state.pop("ws.just_joined", False))
):
    st.markdown("Open it to come back to your answers on any device. Keep it to yourself.")
    st.code(ui.app_url("join", {"resume": me.token}, here="join"), language=None, wrap_lines=True)
ui.delete_my_answers(me.token, prefix="ws.", forget=forget)
if not me.is_open:
    st.warning(
        "This workshop is closed, so answers can no longer be given or changed. The revealed results stay visible."
    )
ui.pending_notice(
    pending_answers(),
    lambda: ui.retry_pending(
        pending_answers(), lambda item, choice: live.save_answer(ctx, me.token, item, choice)
    ),
)

# Follow the facilitator: when they point the room at a dimension, open it here (once per move).
ids = [dimension.id for dimension in me.dimensions]
if me.current_dimension is None:
    st.session_state.pop(FOLLOW_KEY, None)  # released: the next "point the room here" is followed again
if me.current_dimension in ids and st.session_state.get(FOLLOW_KEY) != me.current_dimension:
    st.session_state[FOLLOW_KEY] = me.current_dimension
    st.session_state[DIMENSION_KEY] = me.current_dimension
if st.session_state.get(DIMENSION_KEY) not in ids:
    open_ones = [dimension.id for dimension in me.dimensions if not dimension.locked]
    st.session_state[DIMENSION_KEY] = (open_ones or ids)[0]


def dimension_label(dimension_id: str) -> str:
    """A dimension's name with how far this participant got and its state."""
    dimension = me.dimension(dimension_id)
    items = live.dimension_items(questionnaire, me.form, dimension_id)
    answered = sum(1 for item in items if item.id in me.answers)
    state = " · results" if dimension.revealed else " · locked" if dimension.locked else ""
    return f"{dimension.name} ({answered}/{len(items)}){state}"


# The labels carry progress and state; a new key whenever they change makes the widget redraw them.
chosen = st.selectbox(
    "Dimension",
    options=ids,
    index=ids.index(st.session_state[DIMENSION_KEY]),
    format_func=dimension_label,
    key=f"ws.dimension:{me.state_version}:{len(me.answers)}",
)
st.session_state[DIMENSION_KEY] = chosen
dimension = me.dimension(chosen)
items = live.dimension_items(questionnaire, me.form, chosen)
answered = sum(1 for item in items if item.id in me.answers)
st.progress(answered / max(len(items), 1), text=f"{answered} of {len(items)} answered")

if dimension.revealed:
    st.subheader(f"The group's result: {ui.plain(dimension.name)}")
    revealed = {result.dimension_id: result for result in live.revealed_for_participant(ctx, me.token)}
    if chosen in revealed:
        ui.workshop_reveal(questionnaire, revealed[chosen], chart_width=ui.PHONE_CHART_WIDTH)
    st.caption("This dimension is locked: its answers can no longer be changed.")
    st.stop()

if dimension.locked:
    st.info(
        f"{ui.plain(dimension.name)} is locked by the facilitator: its answers can no longer be changed.",
        icon=":material/lock:",
    )

options: list[Any] = [1, 2, 3, 4, 5, live.DONT_KNOW]
editable = me.is_open and not dimension.locked
if editable:
    st.caption(ANSWER_INSTRUCTION)
position_key = f"ws.position:{chosen}"


def answer_and_move_on(item_id: str, position: int) -> None:
    """Callback of an answer in the one-question mode: save it, then show the next question."""
    save(item_id)
    if not st.session_state.get(ERROR_KEY) and item_id not in pending_answers():  # stays until saved
        st.session_state[position_key] = live.next_position(position, len(items))


def move_to(position: int) -> None:
    """Callback of Previous / Next in the one-question mode."""
    st.session_state[position_key] = position


def answer_card(number: int, item: Any, *, on_change: Any, args: tuple[Any, ...]) -> None:
    """One question: its wording and its five described levels and "Don't know", saved when chosen."""
    key = f"ws.answer:{item.id}"
    if key not in st.session_state or not editable:
        st.session_state[key] = me.choice(item.id)
    levels = item.levels
    with st.container(border=True):
        st.markdown(f"**{number}. {ui.plain(item.question.strip())}**")
        st.radio(
            ui.plain(item.question.strip()),
            options=options,
            index=None,
            format_func=lambda option, levels=levels: ui.plain(
                questionnaire.scale.dont_know
                if option == live.DONT_KNOW
                else f"{option} · {levels[option - 1].strip()}"
            ),
            key=key,
            on_change=on_change,
            args=args,
            label_visibility="collapsed",
            disabled=not editable,
        )


one_at_a_time = editable and st.toggle(
    "One question at a time",
    value=True,
    key="ws.one_at_a_time",
    help="Off: every question of this dimension on one page.",
)
if one_at_a_time:
    if position_key not in st.session_state:
        st.session_state[position_key] = live.first_unanswered(items, me.answers)
    position = live.clamp_position(st.session_state[position_key], len(items))
    answer_card(
        position + 1, items[position], on_change=answer_and_move_on, args=(items[position].id, position)
    )
    back, forward = st.columns(2)
    back.button(
        "Previous",
        key="ws.previous",
        on_click=move_to,
        args=(position - 1,),
        disabled=position == 0,
        icon=":material/arrow_back:",
        width="stretch",
    )
    forward.button(
        "Next",
        key="ws.next",
        on_click=move_to,
        args=(position + 1,),
        disabled=position + 1 >= len(items),
        icon=":material/arrow_forward:",
        width="stretch",
    )
else:
    for number, item in enumerate(items, start=1):
        answer_card(number, item, on_change=save, args=(item.id,))
if st.session_state.get(ERROR_KEY):  # under the answers, where the thumb is, not far above them
    st.error(ui.plain(st.session_state[ERROR_KEY]), icon=":material/cloud_off:")

if editable and answered == len(items):
    st.success(
        f"All of {ui.plain(dimension.name)} answered. Wait for the facilitator, or pick the next dimension above."
    )
