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
from reports.wording import plural
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
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 1rem; }
[data-testid="stHeader"] { display: none; }
.st-key-room-code p {
  font-size: clamp(3rem, 7vw, 6rem); font-weight: 700; letter-spacing: .4rem; line-height: 1.1;
  white-space: nowrap; margin: 0;
}
.st-key-room-join p { font-size: 1.4rem; }
.st-key-room-joined [data-testid="stMetricValue"], .st-key-room-progress [data-testid="stMetricValue"] {
  font-size: 5rem; line-height: 1.1;
}
.st-key-room-stage h1 { font-size: 4.5rem; padding: 0; }
.st-key-room-prompts p { font-size: 1.15rem; }
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

st.set_page_config(
    page_title=f"Room screen · {view.panel.name}", initial_sidebar_state="collapsed", layout="wide"
)
st.html(ROOM_CSS)
panel = view.panel
join_url = ui.app_url("join", {"code": panel.code}, here="room")
on = panel.current  # the dimension the facilitator moved the room to (None: the lobby)
shown = next((result for result in view.revealed if on is not None and result.dimension_id == on.id), None)
if not view.is_open and shown is None and view.revealed:
    shown = view.revealed[-1]  # closed: the last revealed result stays up


def join_line() -> None:
    """One line at the top of every stage after the lobby: late arrivals can still join (never once closed)."""
    title_col, join_col = st.columns([3, 2], vertical_alignment="center")
    title_col.markdown(f"**{ui.plain(panel.name)}** · {ui.plain(', '.join(panel.teams))}")
    if view.is_open:
        join_col.markdown(f"Join: `{join_url}` · code **{panel.code}**")
    else:
        join_col.markdown(":material/lock: **This workshop is closed.** The revealed results stay here.")


def lobby() -> None:
    """Before the first dimension: how to join, big, and how many people are in (rising live)."""
    st.title(ui.plain(panel.name))
    st.caption(
        f"{ui.plain(', '.join(panel.teams))} · {panel.form} form · anonymity threshold k = {panel.k} · "
        + ui.plain(" · ".join(dimension.name for dimension in panel.dimensions))
    )
    if not view.is_open:
        st.info(
            "This workshop is closed: no new participants, no new answers. The revealed results stay here.",
            icon=":material/lock:",
        )
        return
    join_col, qr_col = st.columns([3, 2], vertical_alignment="center", gap="large")
    with join_col:
        with st.container(key="room-join"):
            st.markdown("On your phone, open")
            st.code(join_url, language=None, wrap_lines=True)
            st.markdown("with the code")
        with st.container(key="room-code"):
            st.markdown(panel.code)
        live_counts()
    with qr_col:
        st.image(live.qr_png(join_url), caption="Scan to join", width=340)


def answering() -> None:
    """A dimension being answered: its name, big, and how many people are done (rising live)."""
    assert on is not None
    join_line()
    with st.container(key="room-stage"):
        st.markdown(panel.room_position)
        st.markdown(f"# {ui.plain(on.name)}")
    live_counts()


def result() -> None:
    """A revealed dimension: the group's result fills the screen, divided items first with their prompt."""
    assert shown is not None
    join_line()
    st.markdown(f"## The group's result: {ui.plain(shown.name)}")
    ui.presenter_reveal(view.questionnaire, shown)
    live_counts()


@st.fragment(run_every=3)
def live_counts() -> None:
    """Counts only, refreshed every 3 seconds; a reveal, a move or closing redraws the whole screen."""
    current = live.live_panel(ctx, workshop_id)
    if current.state_version != st.session_state.get(VERSION_KEY, current.state_version):
        st.session_state[VERSION_KEY] = current.state_version
        st.rerun()  # revealed, moved or closed: redraw the whole screen
    here = current.current
    if shown is not None:
        return  # the result is frozen: nothing to count, only to notice the next move
    if here is None:
        with st.container(key="room-joined"):
            st.metric("People joined", current.joined)
        return
    with st.container(key="room-progress"):
        done_col, timer_col = st.columns(2)
        done_col.metric("People done", f"{here.done} of {current.joined}")
        left = current.timer_left(live.now())
        if left:
            timer_col.metric("Timer", left)
        st.progress(
            current.current_done_share,
            text=f"{here.done} of {plural(current.joined, 'person', 'people')} done · "
            f"{here.answers} of {here.expected_answers} "
            f"answers · {here.started} started · {here.done} done",
        )
        if here.locked:
            st.markdown(":material/lock: Answers are closed: the result comes next.")


if shown is not None:
    result()
elif on is not None and view.is_open:
    answering()
else:
    lobby()
