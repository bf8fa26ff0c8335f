"""Room screen: what to put on the shared screen during a workshop, at ``/room?code=ABC123``.

The join code is its only key (the facilitator's page is private: its address holds the facilitator token).
It shows the join link, the big code and its QR code, live counts that refresh by themselves (people joined,
answers per dimension, where the room is) and, once a dimension is revealed, the group's result exactly as
participants see it. No controls, no facilitator link, no token; a wrong code shows an error and counts
against the same throttle as joining.
"""

from __future__ import annotations

import streamlit as st

import ui
from services import workshop as live
from services.context import ServiceError

VERSION_KEY = "room.version"
OPENED_KEY = "room.opened"
RETRY_KEY = "room.retry"
#: The facilitator's token, kept by the Facilitate page in this browser session (see pages/facilitate.py).
FACILITATOR_TOKEN_KEY = "fac.token"
#: Sized for a projector: a code the back row can read, and less empty space above the title.
ROOM_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
.st-key-room-code p {
  font-size: clamp(2.5rem, 5vw, 4.5rem); font-weight: 700; letter-spacing: .4rem; line-height: 1.1;
  white-space: nowrap; margin: 0;
}
.st-key-room-join p { font-size: 1.3rem; }
</style>
"""


def address_holds_only(code: str) -> None:
    """Keep the join code and nothing else in the address.

    Rewritten only when it differs: each rewrite is a step in the browser's history, and Back should not land
    on a room screen without its code.
    """
    if st.query_params.to_dict() != {"code": code}:
        st.query_params.from_dict({"code": code})


def try_again_in(seconds: int) -> None:
    """Run the whole page again after ``seconds`` (without anyone touching the shared screen)."""

    @st.fragment(run_every=max(seconds, 1))
    def wait_then_rerun() -> None:
        if st.session_state.pop(RETRY_KEY, False):
            st.rerun()
        st.session_state[RETRY_KEY] = True  # the first call is the page's own run: rerun at the next tick

    wait_then_rerun()


ctx = ui.context()
# Opened from the Facilitate page in the same tab, this session still holds the facilitator token: forget
# it, so that nothing on the shared screen (not even the sidebar's Facilitate link) can lead back to it.
st.session_state.pop(FACILITATOR_TOKEN_KEY, None)

code = (st.query_params.get("code") or "").strip()
if not code:
    st.error(
        "Open the room screen with the workshop's join code, e.g. /room?code=ABC234: "
        "the facilitator's page links to it."
    )
    st.stop()
try:
    view = live.room_view(ctx, code, client_key=ui.client_key())
except live.ThrottledError as error:
    # Wrong codes tried anywhere (the throttle for all browsers) can block even the right code for a few
    # seconds; a screen that was showing this workshop waits and tries again by itself.
    address_holds_only(code)
    st.error(ui.plain(error))
    if st.session_state.get(OPENED_KEY) == code:
        st.caption("This screen tries again by itself.")
        try_again_in(error.retry_after)
    st.stop()
except ServiceError as error:
    address_holds_only(code)
    st.error(ui.plain(error))
    st.stop()
address_holds_only(view.panel.code)
st.session_state[OPENED_KEY] = view.panel.code
workshop_id = view.panel.workshop_id
st.session_state[VERSION_KEY] = view.panel.state_version

st.set_page_config(page_title=f"Room screen · {view.panel.name}", initial_sidebar_state="collapsed")
st.html(ROOM_CSS)
st.title(ui.plain(view.panel.name))
st.caption(
    f"{ui.plain(', '.join(view.panel.teams))} · {view.panel.form} form · anonymity threshold k = {view.panel.k}"
)


def join_panel() -> None:
    """How to join: the link, the big code and its QR code (or, once closed, that nobody can join)."""
    if not view.is_open:
        st.info(
            "This workshop is closed: no new participants, no new answers. The revealed results stay here.",
            icon=":material/lock:",
        )
        return
    join_url = ui.app_url("join", {"code": view.panel.code}, here="room")
    st.subheader("Join")
    with st.container(key="room-join"):
        st.markdown("On your phone, open")
        st.code(join_url, language=None, wrap_lines=True)
        st.markdown("with the code")
    with st.container(key="room-code"):
        st.markdown(view.panel.code)
    st.image(live.qr_png(join_url), caption="Scan to join", width=220)


@st.fragment(run_every=3)
def live_counts() -> None:
    """People joined, answers per dimension and where the room is: counts only, refreshed every 3 seconds."""
    current = live.live_panel(ctx, workshop_id)
    if current.state_version != st.session_state.get(VERSION_KEY, current.state_version):
        st.session_state[VERSION_KEY] = current.state_version
        st.rerun()  # revealed, moved or closed: redraw the whole screen
    joined, done, revealed = st.columns(3)
    joined.metric("People joined", current.joined)
    done.metric("Finished every dimension", current.done)
    revealed.metric(
        "Dimensions revealed", f"{sum(d.revealed for d in current.dimensions)} of {len(current.dimensions)}"
    )
    names = {dimension.id: dimension.name for dimension in current.dimensions}
    if current.current_dimension in names:
        st.markdown(
            f"#### :material/arrow_forward: The room is on {ui.plain(names[current.current_dimension])}"
        )
    for dimension in current.dimensions:
        state = dimension.state
        icon = ui.DIMENSION_STATE_ICONS
        here = " :blue-badge[the room is here]" if dimension.id == current.current_dimension else ""
        head, counts = st.columns([2, 5], vertical_alignment="center")
        head.markdown(
            f"{icon[state]} **{ui.plain(dimension.name)}**  \n:gray[{state} · {dimension.items} items]{here}"
        )
        share = dimension.answers / dimension.expected_answers if dimension.expected_answers else 0.0
        counts.progress(
            min(share, 1.0),
            text=f"{dimension.answers} of {dimension.expected_answers} answers · {dimension.started} started · "
            f"{dimension.done} done",
        )
    st.caption(
        "Refreshes every 3 seconds. Counts only: a group's result appears when the facilitator reveals it."
    )


join_col, live_col = st.columns([2, 3], gap="large")
with join_col:
    join_panel()
with live_col:
    st.subheader("Live")
    live_counts()

if view.revealed:
    st.subheader("Revealed results")
    latest = max(
        view.revealed, key=lambda result: result.revealed_at.timestamp() if result.revealed_at else 0
    )
    shown = next((r for r in view.revealed if r.dimension_id == view.panel.current_dimension), latest)
    tabs = st.tabs([ui.plain(result.name) for result in view.revealed], default=ui.plain(shown.name))
    for tab, result in zip(tabs, view.revealed, strict=True):
        with tab:
            st.markdown(f"##### The group's result: {ui.plain(result.name)}")
            ui.workshop_reveal(view.questionnaire, result)
