"""AppTest: the room screen (``/room?code=…``) the facilitator puts on the shared screen instead of their page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services import workshop as live
from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_workshop_pages import button, texts, workshop


def everything(at: AppTest) -> str:
    """Every element of the page in full (its protobuf: labels, links, query strings, code, images), and the URL."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts.extend(f"{key}={value}" for key, value in at.query_params.items())
    return "\n".join(parts)


def query(at: AppTest) -> dict[str, str]:
    """The page's query parameters as the browser's address shows them."""
    return {
        key: value[0] if isinstance(value, list) else str(value) for key, value in at.query_params.items()
    }


def test_the_room_screen_shows_the_code_the_counts_and_no_token(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=2)
    at = open_page("pages/room.py", code=created.code.lower())  # as typed: case does not matter
    assert not at.exception
    shown = texts(at)
    assert "Support, March" in shown
    assert created.code in shown and f"/join?code={created.code}" in shown
    assert len(at.get("image")) == 1  # the QR code
    assert "People joined 2" in shown  # the lobby: how to join, and how many are in
    assert "Group score" not in shown and not at.get("vega_lite_chart")  # nothing revealed yet
    assert not at.button and not at.checkbox and not at.text_input  # no controls
    assert query(at) == {"code": created.code}
    assert created.facilitator_token not in everything(at)
    assert "/facilitate?token" not in everything(at)


def test_after_a_reveal_the_room_sees_the_result_as_participants_do(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, tokens = workshop(app_db, people=3)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    live.set_current_dimension(app_db.ctx, created.facilitator_token, "permission")
    at = open_page("pages/room.py", code=created.code)
    assert not at.exception
    shown = texts(at)
    assert "The group's result: Permission" in shown
    assert "Group score **4.33**" in shown
    assert not at.tabs  # one dimension at a time, nothing to click on the shared screen
    assert len(at.get("vega_lite_chart")) == 1
    # the same frozen numbers a participant sees after the reveal
    participant = open_page("pages/join.py", resume=tokens[0])
    assert "Group score **4.33**" in texts(participant)
    assert created.facilitator_token not in everything(at)
    assert "R001" not in shown and tokens[0] not in everything(at)


def test_the_facilitators_session_forgets_its_token_on_the_room_screen(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=1)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    link = next(element for element in at.get("page_link") if element.proto.label == "Open the room screen")
    assert link.proto.page.endswith("room") and link.proto.query_string == f"code={created.code}"
    assert "Put this on the shared screen, not this page" in texts(at)
    # the facilitator follows the link in the same tab (same session): the address loses the token
    at.query_params.clear()
    at.query_params["code"] = created.code
    at.switch_page("pages/room.py").run()
    assert not at.exception
    assert query(at) == {"code": created.code}
    assert created.facilitator_token not in everything(at)
    # ... and so does the session: the sidebar's Facilitate link cannot lead back to the panel
    at.query_params.clear()
    at.switch_page("pages/facilitate.py").run()
    assert "Run a workshop" in [title.value for title in at.title]
    assert created.facilitator_token not in everything(at)


def test_a_token_pasted_into_the_room_address_is_dropped(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db, people=1)
    at = open_page("pages/room.py", code=created.code, token=created.facilitator_token)
    assert not at.exception and "People joined 1" in texts(at)
    assert query(at) == {"code": created.code}
    assert created.facilitator_token not in everything(at)


@pytest.mark.parametrize("wrong", ["ZZZZZZ", "", "ABC"])
def test_a_wrong_code_shows_an_error_and_nothing_else(
    app_db: AppDatabase, open_page: PageOpener, wrong: str
) -> None:
    created, _ = workshop(app_db, people=3)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    at = open_page("pages/room.py", code=wrong) if wrong else open_page("pages/room.py")
    assert not at.exception
    shown = texts(at)
    assert at.error and ("No workshop has this code" in shown or "join code" in shown)
    assert "Support, March" not in shown and created.code not in everything(at)
    assert not at.metric and not at.tabs and not at.get("image") and not at.get("progress")
    assert not at.get("vega_lite_chart") and "Group score" not in shown


def test_wrong_codes_count_against_the_join_throttle(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db, people=1)
    at = open_page("pages/room.py", code="ZZZZZ2")
    for attempt in range(4):  # the same browser session tries more codes
        at.query_params["code"] = f"ZZZZZ{attempt + 3}"
        at.run()
    assert re.search(r"Too many wrong codes were tried\. Please wait \d+ seconds", texts(at))
    # the same session is now slowed down on the join page too, even with the right code
    at.query_params.clear()
    at.query_params["code"] = created.code
    at.switch_page("pages/join.py").run()
    assert "Too many wrong codes" in texts(at)
    assert "Support, March" not in texts(at)


def test_a_screen_blocked_by_everyones_wrong_codes_comes_back(
    app_db: AppDatabase, open_page: PageOpener, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(live, "clock", lambda: now[0])
    created, _ = workshop(app_db, people=1)
    at = open_page("pages/room.py", code=created.code)
    assert "People joined 1" in texts(at)
    for attempt in range(live.JOIN_ALL_CLIENTS.free_failures):  # typos in every room of the venue
        with pytest.raises(live.AccessError):
            live.find_workshop(app_db.ctx, "ZZZZZZ", client_key=f"someone-{attempt}")
    at.run()  # e.g. the facilitator revealed something: the screen redraws while everyone is slowed down
    assert not at.exception and "Too many wrong codes" in texts(at)
    assert not at.metric and "Support, March" not in texts(at)
    now[0] += live.JOIN_ALL_CLIENTS.max_delay_seconds + 1
    at.run()  # the screen's own retry (a timer in the browser) after the wait
    assert "People joined 1" in texts(at) and not at.error


def test_a_group_of_two_at_k3_shows_no_numbers_on_the_room_screen(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=2, level=3)
    with pytest.raises(live.RevealRefusedError):
        live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    at = open_page("pages/room.py", code=created.code)
    assert not at.exception
    shown = texts(at)
    assert "People joined 2" in shown  # counts, never values
    assert "Group score" not in shown and "Revealed results" not in [h.value for h in at.subheader]
    assert not at.get("vega_lite_chart") and not at.tabs
    assert not re.search(r"\b3\.5\b|\bMean\b", shown)  # the two people's mean (3 and 4) appears nowhere


def test_a_closed_workshop_says_so_and_keeps_its_revealed_results(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=3)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    live.close_workshop(app_db.ctx, created.facilitator_token)
    at = open_page("pages/room.py", code=created.code)
    assert not at.exception
    shown = texts(at)
    assert "This workshop is closed" in shown
    assert "Group score **4.33**" in shown
    assert not at.get("image") and "/join?code=" not in shown  # nobody new can join


def test_the_presenter_moves_from_the_lobby_to_one_dimension_at_a_time(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=3)
    facilitator = open_page("pages/facilitate.py", token=created.facilitator_token)
    assert "The room screen shows:** Lobby" in texts(facilitator)
    assert button(facilitator, "Previous").disabled
    room = open_page("pages/room.py", code=created.code)
    assert "People joined 3" in texts(room) and room.get("image")  # the lobby: code, QR, people joined
    button(facilitator, "Next").click()
    facilitator.run()
    assert "The room screen shows:** 1 of 5: Permission" in texts(facilitator)
    room.run()
    shown = texts(room)
    assert "Dimension 1 of 5" in shown and "# Permission" in shown
    assert "People done 3 of 3" in shown and "Group score" not in shown
    assert not room.get("image")  # the join link stays as a line at the top, the QR code goes
    button(facilitator, "Next").click()
    facilitator.run()
    button(facilitator, "Previous").click()
    facilitator.run()
    assert live.live_panel(app_db.ctx, created.workshop_id).current_dimension == "permission"
    button(facilitator, "Reveal", "reveal:permission").click()
    facilitator.run()
    room.run()
    assert "The group's result: Permission" in texts(room)
    assert "Dimension 1 of 5" not in texts(room)


def test_an_optional_timer_counts_down_on_the_room_screen(
    app_db: AppDatabase, open_page: PageOpener, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    now = [datetime(2026, 11, 30, 10, 0, tzinfo=UTC)]
    monkeypatch.setattr(live, "now", lambda: now[0])
    created, _ = workshop(app_db, people=3)
    facilitator = open_page("pages/facilitate.py", token=created.facilitator_token)
    button(facilitator, "Next").click()
    facilitator.run()
    facilitator.selectbox(key="fac.timer_minutes").set_value(3).run()
    button(facilitator, "Start the timer").click()
    facilitator.run()
    assert "3:00 left (on the room screen)" in texts(facilitator)
    room = open_page("pages/room.py", code=created.code)
    assert "Timer 3:00 left" in texts(room)
    now[0] += timedelta(minutes=1, seconds=19)
    room.run()
    assert "Timer 1:41 left" in texts(room)
    now[0] += timedelta(minutes=5)
    room.run()
    assert "Timer Time is up" in texts(room)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    room.run()
    assert "Timer" not in texts(room)  # the result replaces the countdown
