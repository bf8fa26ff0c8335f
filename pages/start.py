"""Start: open a self-assessment for a team, or join a teammate's one with an invitation link.

``/start`` opens a new assessment (team, questionnaire, mode, form, role, and under "Advanced" the
anonymity threshold k); ``/start?assessment=<share code>`` is the invitation a team lead shares in
individual mode: it adds a respondent of one's own to that assessment. Either way the person lands on
``/assess?token=…`` with their own resume link.
"""

from __future__ import annotations

import streamlit as st

import ui
from services import assessment as journey
from services.context import AccessError, InputError, ServiceError

NEW_TEAM = "__new__"
ERRORS_KEY = "layerwise.start_errors"

ctx = ui.context()


def field_error(name: str) -> None:
    """Show the message for one field of the last attempt, right under the field."""
    message = st.session_state.get(ERRORS_KEY, {}).get(name)
    if message:
        st.error(f"{name.capitalize()}: {ui.plain(message)}", icon=":material/error:")


def go_to_answers(token: str, invitation: str | None) -> None:
    """Remember who this tab is (and the invitation code, shown only now) and open the first step."""
    st.session_state.pop(ERRORS_KEY, None)
    ui.remember_token(token)
    ui.remember_invitation(token, invitation)
    st.session_state["layerwise.just_started"] = True
    st.switch_page("pages/assess.py", query_params={"token": token})


share_code = st.query_params.get("assessment")
if share_code:
    st.title("Join your team's self-assessment")
    try:
        shared = journey.shared_assessment(ctx, share_code)
    except AccessError as error:
        st.error(ui.plain(error))
        st.page_link(
            "pages/start.py", label="Start a self-assessment of your own", icon=":material/play_arrow:"
        )
        st.stop()
    st.markdown(
        f"You are invited to **{ui.plain(shared.team)}**'s self-assessment: "
        f"{journey.FORM_LABELS[shared.form].lower()}. "
        "Everyone answers on their own; the team sees only combined results, and only once at least "
        "a few people have answered."
    )
    st.caption(f"{ui.plain(shared.questionnaire_title)} · {shared.respondents} joined so far")
    if shared.status != "open":
        st.warning("This assessment is closed and accepts no new answers.")
        st.stop()
    role = st.radio(
        "Your role",
        options=list(journey.ROLE_LABELS),
        format_func=journey.ROLE_LABELS.__getitem__,
        index=None,  # nobody is a team lead by default: that would skew the perception gap
        horizontal=True,
        key="join_role",
    )
    field_error("role")
    if st.button("Start answering", type="primary", icon=":material/arrow_forward:"):
        try:
            joined = journey.join_assessment(ctx, share_code=share_code, role=role or "")
        except InputError as error:
            st.session_state[ERRORS_KEY] = error.errors
            st.rerun()
        except ServiceError as error:
            st.error(ui.plain(error))
        else:
            go_to_answers(joined.token, joined.share_code)
    st.stop()

st.title("Start a self-assessment")
st.markdown(
    "Answer on behalf of your team: for each practice, pick the description that fits your team best. "
    "Every answer is saved as you go, and you get a link to come back to it."
)

# existing teams are listed to leaders only (passcode entered in this session): anyone else names a new
# team, or proves with the team's invitation link that they belong to an existing one
leader_unlocked = ui.leader_unlocked()
teams = journey.list_team_names(ctx) if leader_unlocked else []
invitation_link = ""
default_k = min(max(ctx.default_k, journey.MIN_K), journey.MAX_K)
choices = ui.questionnaire_choices("no assessment can be started")
with st.container(border=True):
    if teams:
        picked = st.selectbox(
            "Team",
            options=[NEW_TEAM, *teams],
            format_func=lambda option: "A new team…" if option == NEW_TEAM else option,
            key="start_team_pick",
            help="Pick your team if it has taken part before, so its rounds can be compared.",
        )
    else:
        picked = NEW_TEAM
    team_name = picked
    if picked == NEW_TEAM:
        team_name = st.text_input(
            "Team name", key="start_team_name", max_chars=200, placeholder="e.g. Service desk EMEA"
        )
        if not leader_unlocked:
            invitation_link = st.text_input(
                "Your team's invitation link (only if your team has taken part before)",
                key="start_team_invitation",
                placeholder="https://…/start?assessment=…",
                help=(
                    "A new round for an existing team needs that team's invitation link (ask its team lead), "
                    "so that nobody can add answers under another team's name."
                ),
            )
    field_error("team")

    questionnaire_choice = ui.questionnaire_picker(
        choices,
        key="start_questionnaire",
        help=(
            "The questionnaire shipped with Layerwise comes first; the others are variants or "
            "translations added to this installation. Everyone on the team answers the one you pick."
        ),
    )
    field_error("questionnaire")

    mode = st.radio(
        "How will you answer?",
        options=list(journey.MODE_LABELS),
        format_func=journey.MODE_LABELS.__getitem__,
        captions=[
            "You get a link to share; each member answers alone and results appear once k people "
            f"have answered (k = {default_k} unless you change it under Advanced).",
            "You answer together, for example in a meeting: one set of answers for the whole team.",
        ],
        key="start_mode",
    )
    field_error("mode")
    form = st.radio(
        "Which form?",
        options=list(journey.FORM_LABELS),
        format_func=journey.FORM_LABELS.__getitem__,
        key="start_form",
    )
    field_error("form")
    role = st.radio(
        "Your role",
        options=list(journey.ROLE_LABELS),
        format_func=journey.ROLE_LABELS.__getitem__,
        horizontal=True,
        key="start_role",
    )
    field_error("role")
    team_size = st.number_input(
        "People on the team (optional)",
        min_value=1,
        max_value=journey.TEAM_SIZE_MAXIMUM,
        value=None,
        step=1,
        key="start_team_size",
        help="How many people the team has, answering or not: for the response rate and the team's capacity "
        "totals. You can change it later on the Outcomes page.",
    )
    field_error("team_size")

    with st.expander("Advanced", icon=":material/tune:"):
        k = st.number_input(
            "Anonymity threshold k",
            min_value=journey.MIN_K,
            max_value=journey.MAX_K,
            value=default_k,
            step=1,
            key="start_k",
            help=journey.K_HELP,
        )
        st.caption(f"Team results appear once {k} people have answered (consensus mode: at once).")
    field_error("k")

    if st.button("Start the assessment", type="primary", icon=":material/arrow_forward:", key="start_submit"):
        try:
            started = journey.start_assessment(
                ctx,
                team_name=team_name or "",
                mode=mode or "",
                form=form or "",
                role=role or "",
                questionnaire_id=questionnaire_choice.id,
                questionnaire_version=questionnaire_choice.version,
                k=int(k) if k is not None else None,
                share_code=journey.invitation_code(invitation_link),
                leader_unlocked=leader_unlocked,
                team_size=int(team_size) if team_size is not None else None,
            )
        except InputError as error:
            st.session_state[ERRORS_KEY] = error.errors
            st.rerun()
        except ServiceError as error:
            st.error(ui.plain(error))
        else:
            go_to_answers(started.token, started.share_code)

st.caption(
    "Already started? Open your resume link, or paste it on the "
    "Answers page. Nothing you type here is shared until you start."
)
