"""Facilitate: create a workshop, then run it from the live panel at the private link ``/facilitate?token=…``.

The live panel refreshes itself every few seconds (a fragment reading counts from the database, so it sees
answers saved on any app server). Before a reveal it shows counts only, never a partial mean. Revealing a
dimension locks it and freezes its result; nothing is revealed for a group under the anonymity threshold k.
The shared screen gets the room screen (``/room?code=…``, linked from here), never this page: its address is
the private link.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

import ui
from services import workshop as live
from services.context import AccessError, InputError, ServiceError, StorageBusyError

TOKEN_KEY = "fac.token"
MESSAGE_KEY = "fac.message"
ERROR_KEY = "fac.error"
#: Pulse first: the default for a live workshop (the full form stays available).
FORM_LABELS = {
    "pulse": "Pulse: 2 items per dimension",
    "full": "Full: every item",
}

#: The room screen's link looks like a primary button: it is the one thing to put on the shared screen.
ROOM_LINK_CSS = """
<style>
.st-key-room-link [data-testid="stPageLink"] a { background: #0F5C8C; padding: 0.35rem 0.9rem; }
.st-key-room-link [data-testid="stPageLink"] a * { color: #FFFFFF; }
</style>
"""

ctx = ui.context()


def act(action: str, dimension_id: str | None = None) -> None:
    """Callback of the panel's buttons: lock, unlock, reveal, point the room at a dimension.

    Its message stays until the next action: a change reruns the whole page (see ``live_counts``).
    """
    token = st.session_state.get(TOKEN_KEY, "")
    st.session_state.pop(MESSAGE_KEY, None)
    try:
        if action == "lock":
            live.lock_dimension(ctx, token, dimension_id or "")
        elif action == "unlock":
            live.unlock_dimension(ctx, token, dimension_id or "")
        elif action == "reveal":
            revealed = live.reveal_dimension(ctx, token, dimension_id or "")
            st.session_state[MESSAGE_KEY] = (
                f"{ui.plain(revealed.name)} is revealed and locked. The room screen and every phone show it."
            )
            st.session_state["fac.show"] = revealed.dimension_id
        elif action == "current":
            live.set_current_dimension(ctx, token, dimension_id)
        elif action in ("next", "previous"):
            live.step_room(ctx, token, 1 if action == "next" else -1)
        elif action == "timer":
            live.start_timer(ctx, token, st.session_state.get("fac.timer_minutes"))
        st.session_state.pop(ERROR_KEY, None)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = str(error)


# --- no token: create a workshop -------------------------------------------------------------------------

token = (st.query_params.get("token") or st.session_state.get(TOKEN_KEY) or "").strip()
if not token:
    st.title("Run a workshop")
    st.markdown(
        "Participants join on their phones with a short code; you see how many answered, reveal each "
        "dimension when the room is ready, and capture the actions you agree."
    )
    # outside the form: the dimensions to choose from follow the questionnaire
    chosen = ui.questionnaire_picker(
        ui.questionnaire_choices("no workshop can be created"),
        key="fac.questionnaire",
        help="The questionnaire shipped with Layerwise comes first; the others were added to this installation.",
    )
    questionnaire = ui.questionnaire(chosen.id, chosen.version)
    # outside the form too: the duration estimate follows the form and the dimensions as they are chosen
    form = st.radio(
        "Form",
        options=list(FORM_LABELS),
        format_func=FORM_LABELS.__getitem__,
        horizontal=True,
        key="fac.form",
        help="Pulse asks the two items of each dimension that tell the most; full asks every item.",
    )
    dimension_names = {dimension.id: dimension.name for dimension in questionnaire.dimensions}
    dimensions = st.multiselect(
        "Dimensions",
        options=list(dimension_names),
        default=list(dimension_names),
        format_func=dimension_names.get,
        key=f"fac.dimensions:{questionnaire.id}",
    )
    answering, in_all = live.estimated_minutes(questionnaire, form, dimensions)
    st.caption(
        f":material/schedule: About {in_all} minutes: about {answering} of answering on phones and about "
        f"{live.DISCUSSION_MINUTES_PER_DIMENSION} of reveal and discussion per dimension."
    )
    with st.form("create_workshop", border=True):
        name = st.text_input("Workshop name", max_chars=100, placeholder="Support team, March")
        teams_text = st.text_input(
            "Team(s)",
            placeholder="Support",
            help="One team, or several separated by commas: each gets its own results.",
        )
        k = st.number_input(
            "Anonymity threshold k",
            min_value=3,
            max_value=50,
            value=max(ctx.default_k, 3),
            step=1,
            help="No group result is shown for fewer than k people; never below 3.",
        )
        submitted = st.form_submit_button("Create the workshop", type="primary")
    if submitted:
        try:
            created = live.create_workshop(
                ctx,
                name=name,
                team_names=teams_text.split(","),
                form=form,
                k=int(k),
                dimension_ids=dimensions,
                questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version,
                leader_unlocked=ui.leader_unlocked(),
            )
        except InputError as error:
            for field, message in error.errors.items():
                st.error(f"{field.capitalize()}: {ui.plain(message)}")
            st.stop()
        st.session_state[TOKEN_KEY] = created.facilitator_token
        st.session_state["fac.just_created"] = True
        st.query_params["token"] = created.facilitator_token
        st.rerun()
    st.stop()

# --- the token: only the right one opens anything ---------------------------------------------------------

try:
    workshop_id = live.facilitator_workshop(ctx, token)
except AccessError as error:
    st.session_state.pop(TOKEN_KEY, None)
    st.error(ui.plain(error))
    st.page_link("pages/facilitate.py", label="Create a new workshop", icon=":material/add:", query_params={})
    st.stop()
st.session_state[TOKEN_KEY] = token
st.query_params["token"] = token
questionnaire = live.workshop_questionnaire(ctx, workshop_id)
panel = live.live_panel(ctx, workshop_id)
join_url = ui.app_url("join", {"code": panel.code}, here="facilitate")

st.title(ui.plain(panel.name))
st.caption(f"{ui.plain(', '.join(panel.teams))} · {panel.form} form · anonymity threshold k = {panel.k}")

if st.session_state.pop("fac.just_created", False):
    st.success(
        "Workshop created. This page's address is your private facilitator link: bookmark it. "
        "It is shown only now and cannot be recovered.",
        icon=":material/key:",
    )
with st.expander("Your private facilitator link", icon=":material/key:"):
    st.code(ui.app_url("facilitate", {"token": token}, here="facilitate"), language=None, wrap_lines=True)
    st.caption("Whoever has it runs this workshop. Do not show it on the shared screen.")
    st.page_link(
        "pages/taskmap.py",
        label="Task maps and AI-use guides of the workshop's teams",
        icon=":material/account_tree:",
        query_params={"workshop": token},
    )
    if st.button("Create another workshop", icon=":material/add:"):
        st.session_state.pop(TOKEN_KEY, None)
        st.query_params.clear()
        st.rerun()


def room_screen_link() -> None:
    """The link to the room screen: the shared screen gets that page, opened by the join code, never this one."""
    st.html(ROOM_LINK_CSS)
    with st.container(key="room-link"):
        st.page_link(
            "pages/room.py",
            label="Open the room screen",
            icon=":material/cast:",
            query_params={"code": panel.code},
            help="The join code, QR code, live counts and revealed results, with no controls and no token. "
            "Ctrl- or Cmd-click opens it in a new tab; in this tab, come back with your private link.",
        )
    st.caption(
        "Put this on the shared screen, not this page: this page's address is your private facilitator link."
    )


if panel.is_open:
    code_col, qr_col = st.columns([3, 1], vertical_alignment="center")
    with code_col:
        st.markdown("Join at")
        st.code(join_url, language=None)
        st.markdown(
            f"with the code <span style='font-size:3rem;font-weight:700;letter-spacing:.3rem'>{panel.code}</span>",
            unsafe_allow_html=True,
        )
        room_screen_link()
    with qr_col:
        st.image(live.qr_png(join_url), caption="Scan to join", width=180)
else:
    st.info(
        "This workshop is closed: no new participants, no new answers. The results and actions stay here."
    )
    room_screen_link()


@st.fragment(run_every=3)
def live_counts() -> None:
    """The live panel: counts only (people, answers, finished), with the controls of each dimension."""
    try:
        current = live.live_panel(ctx, workshop_id)
    except StorageBusyError:  # e.g. PostgreSQL restarting: say so, and look again at the next tick
        st.warning(ui.DATABASE_NOT_RESPONDING, icon=":material/cloud_off:")
        return
    if current.state_version != st.session_state.get("fac.version", current.state_version):
        st.session_state["fac.version"] = current.state_version
        st.rerun()  # a change made elsewhere (another tab or server): redraw the whole page
    st.session_state["fac.version"] = current.state_version
    if st.session_state.get(ERROR_KEY):
        st.error(ui.plain(st.session_state[ERROR_KEY]))
    if st.session_state.get(MESSAGE_KEY):
        st.success(st.session_state[MESSAGE_KEY])
    if current.is_open:
        with st.container(border=True, key="fac-presenter"):
            where, back, forward = st.columns([4, 1, 1], vertical_alignment="center")
            where.markdown(f":material/cast: **The room screen shows:** {ui.plain(current.room_step)}")
            back.button(
                "Previous",
                key="room:previous",
                on_click=act,
                args=("previous",),
                icon=":material/arrow_back:",
                disabled=current.at_first,
                width="stretch",
            )
            forward.button(
                "Next",
                key="room:next",
                on_click=act,
                args=("next",),
                icon=":material/arrow_forward:",
                type="primary",
                disabled=current.at_last,
                width="stretch",
            )
            if current.current is not None and not current.current.revealed:
                minutes, start = st.columns([4, 2], vertical_alignment="bottom")
                minutes.selectbox(
                    "Timer for this dimension (optional)",
                    options=[None, *live.TIMER_MINUTES],
                    format_func=lambda value: "No timer" if value is None else f"{value} minutes",
                    key="fac.timer_minutes",
                )
                start.button(
                    "Start the timer", key="room:timer", on_click=act, args=("timer",), width="stretch"
                )
                left = current.timer_left(live.now())
                if left:
                    st.caption(f":material/timer: {left} (on the room screen)")
    joined, done, dims = st.columns(3)
    joined.metric("People joined", current.joined)
    done.metric("Finished every dimension", current.done)
    dims.metric(
        "Dimensions revealed", f"{sum(d.revealed for d in current.dimensions)} of {len(current.dimensions)}"
    )
    for dimension in current.dimensions:
        with st.container(border=True):
            state = dimension.state
            icon = ui.DIMENSION_STATE_ICONS
            head, counts = st.columns([2, 3], vertical_alignment="center")
            head.markdown(
                f"{icon[state]} **{ui.plain(dimension.name)}**  \n:gray[{state} · {dimension.items} items]"
            )
            share = dimension.answers / dimension.expected_answers if dimension.expected_answers else 0.0
            counts.progress(
                min(share, 1.0),
                text=f"{dimension.answers} of {dimension.expected_answers} answers · {dimension.started} started · "
                f"{dimension.done} done",
            )
            if not current.is_open:
                continue
            buttons = st.columns(3)
            if not dimension.revealed:
                if dimension.locked:
                    buttons[0].button(
                        "Unlock",
                        key=f"unlock:{dimension.id}",
                        on_click=act,
                        args=("unlock", dimension.id),
                        width="stretch",
                    )
                else:
                    buttons[0].button(
                        "Lock",
                        key=f"lock:{dimension.id}",
                        on_click=act,
                        args=("lock", dimension.id),
                        width="stretch",
                    )
                buttons[1].button(
                    "Reveal",
                    key=f"reveal:{dimension.id}",
                    on_click=act,
                    args=("reveal", dimension.id),
                    type="primary",
                    width="stretch",
                    help=f"Locks the dimension and shows the group's result on the room screen and every phone "
                    f"(needs at least {current.k} people).",
                )
            if dimension.id == current.current_dimension:
                buttons[2].button(
                    "The room is here",
                    key=f"current:{dimension.id}",
                    on_click=act,
                    args=("current", None),
                    icon=":material/check:",
                    width="stretch",
                    help="Participants' screens open this dimension. Click to release them.",
                )
                continue
            buttons[2].button(
                "Point the room here",
                key=f"current:{dimension.id}",
                on_click=act,
                args=("current", dimension.id),
                width="stretch",
                help="Participants' screens open this dimension.",
            )
    st.caption("Refreshes every 3 seconds. Counts only: no result is shown before a reveal.")


st.subheader("Live")
live_counts()

# --- revealed results -------------------------------------------------------------------------------------

revealed = live.revealed_dimensions(ctx, workshop_id)
if revealed:
    st.subheader("Revealed")
    names = [ui.plain(result.name) for result in revealed]
    focus = st.session_state.pop("fac.show", None)
    shown = next((name for r, name in zip(revealed, names, strict=True) if r.dimension_id == focus), None)
    tabs = st.tabs(names, default=shown)
    for tab, result in zip(tabs, revealed, strict=True):
        with tab:
            ui.workshop_reveal(questionnaire, result)

# --- actions ----------------------------------------------------------------------------------------------

st.subheader("Agreed actions")
actions = live.workshop_actions(ctx, workshop_id)


def change_action(action_id: int, prefix: str, remove: bool = False) -> None:
    """Callback of an action's Save and Remove buttons (every facilitator's page redraws at its next refresh)."""
    try:
        if remove:
            live.remove_workshop_action(ctx, token, action_id)
        else:
            live.update_workshop_action(
                ctx,
                token,
                action_id,
                title=st.session_state.get(f"{prefix}:title", ""),
                owner=st.session_state.get(f"{prefix}:owner", ""),
                due_date=st.session_state.get(f"{prefix}:due"),
            )
        st.session_state.pop(f"fac.action:{action_id}:error", None)
    except InputError as error:
        st.session_state[f"fac.action:{action_id}:error"] = ui.input_errors(error.errors)
    except ServiceError as error:
        st.session_state[f"fac.action:{action_id}:error"] = str(error)


for action in actions:
    due = f" · due {action.due_date:%d %b %Y}" if action.due_date else ""
    owner = f" · {ui.plain(action.owner)}" if action.owner else ""
    team = f"{ui.plain(action.team)}: " if len(panel.teams) > 1 else ""
    text_col, edit_col = st.columns([5, 1], vertical_alignment="center")
    text_col.markdown(f"- {team}**{ui.plain(action.title)}**{owner}{due}")
    if st.session_state.get(f"fac.action:{action.id}:error"):
        st.error(ui.plain(st.session_state[f"fac.action:{action.id}:error"]))
    if not panel.is_open:
        continue
    # the fields start from the stored action; once it changes (here or on another server) they start afresh
    prefix = f"fac.action:{action.id}:{hash((action.title, action.owner, action.due_date))}"
    with edit_col.popover("Edit", icon=":material/edit:", width="stretch"):
        st.session_state.setdefault(f"{prefix}:title", action.title)
        st.session_state.setdefault(f"{prefix}:owner", action.owner)
        st.session_state.setdefault(f"{prefix}:due", action.due_date)
        st.text_input("Action title", key=f"{prefix}:title", max_chars=300)
        st.text_input("Owner of the action", key=f"{prefix}:owner", max_chars=200)
        st.date_input("Due date", key=f"{prefix}:due")
        save_col, remove_col = st.columns(2)
        save_col.button(
            "Save", key=f"{prefix}:save", on_click=change_action, args=(action.id, prefix), type="primary"
        )
        remove_col.button(
            "Remove",
            key=f"{prefix}:remove",
            on_click=change_action,
            args=(action.id, prefix, True),
            icon=":material/delete:",
        )
if not actions:
    st.caption("None yet. Actions you add here join the team's action plan.")


@st.fragment(run_every=3)
def vote_ranking() -> None:
    """The participants' votes for the proposed actions, most votes first, refreshed every 3 seconds."""
    try:
        ranked = live.ranked_actions(ctx, workshop_id)
    except StorageBusyError:  # the live panel above says so; the votes come back with the database
        return
    if not ranked:
        return
    with st.container(border=True, key="fac-votes"):
        st.markdown(
            f"**Votes from the phones** ({live.VOTES_PER_PERSON} per person, one per action): keep the top ones "
            "and remove the others (Edit → Remove) before you close."
        )
        for place, (action, count) in enumerate(ranked, start=1):
            st.markdown(
                f"{place}. **{count}** {'vote' if count == 1 else 'votes'} · {ui.plain(action.title)}"
            )


vote_ranking()
with st.form("add_action", clear_on_submit=True, border=True):
    title = st.text_input("Action", max_chars=300, placeholder="Publish a one-page AI-use guide")
    owner_col, due_col = st.columns(2)
    owner = owner_col.text_input("Owner", max_chars=200, placeholder="Head of operations")
    due = due_col.date_input("Due", value=None, min_value=date.today())
    team_choice = st.selectbox("Team", options=list(panel.teams)) if len(panel.teams) > 1 else None
    if st.form_submit_button("Add the action", disabled=False):
        try:
            live.add_action(ctx, token, title=title, owner=owner, due_date=due, team=team_choice)
            st.rerun()
        except InputError as error:
            st.error(ui.plain(ui.input_errors(error.errors)))
        except ServiceError as error:
            st.error(ui.plain(error))

# --- close and report -------------------------------------------------------------------------------------

st.subheader("Close and report")
report_col, close_col = st.columns(2)
with report_col:
    ui.download_button(
        "Download the workshop PDF",
        make=lambda: live.workshop_pdf(ctx, token),
        # remade when what it shows changes (a reveal, an action, closing), not at each lock or unlock
        version=(tuple((r.dimension_id, r.revealed_at) for r in revealed), tuple(actions), panel.status),
        key="fac.pdf",
        file_name=f"layerwise-workshop-{panel.code.lower()}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
    )
    st.caption(
        "Revealed results as frozen, divided items and agreed actions; no numbers for a group under k."
    )
with close_col:
    if panel.is_open:
        if panel.unrevealed:
            st.warning(
                f"Not revealed yet: {ui.plain(', '.join(panel.unrevealed))}. Closing ends the workshop without "
                "their results: they appear in the PDF by name only and can never be revealed.",
                icon=":material/warning:",
            )
            confirm = "Close without revealing them: no more answers, no more reveals"
        else:
            confirm = "No more answers: close the workshop"
        sure = st.checkbox(confirm, key="fac.close_sure")
        if st.button("Close the workshop", disabled=not sure, icon=":material/lock:"):
            try:
                live.close_workshop(ctx, token)
            except ServiceError as error:
                st.error(ui.plain(error))
            else:
                st.rerun()
    else:
        st.info("Closed: no new participants, no new answers, no more reveals.", icon=":material/lock:")
