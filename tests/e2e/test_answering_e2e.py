"""Answering in a real browser: clicks land on the question the person sees, or visibly not at all.

Each test starts the app on a fresh SQLite file, opens an assessment made through the services, and clicks
as a person would; what was saved is read back from the database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from services import assessment as journey
from services.context import make_context
from tests.e2e.conftest import StartServer
from tests.e2e.test_assessment_e2e import DESKTOP, checked_options, choose, settle

pytestmark = pytest.mark.e2e

#: The radio inputs of the step on screen, in order (item by item, five levels then "Don't know").
RADIO_INPUTS = '[data-testid="stRadio"] input[type="radio"]'
#: One description (or "Don't know") of a question.
OPTION = 'label:has(input[type="radio"])'


#: For each question on the step, the index of the chosen description (-1 when none), in the page.
CHECKED_OPTIONS = """() => [...document.querySelectorAll('[data-testid="stRadio"]')].map(group =>
    [...group.querySelectorAll('input[type="radio"]')].findIndex(input => input.checked))"""
#: The WebSocket between the page and the app (Streamlit's protocol buffers both ways).
STREAM = re.compile(r"/_stcore/stream$")
#: The id of the request :meth:`HeldStream.wait_until_the_server_has_read` sends to the server itself.
PROBE = "held-stream-probe"


def _is_probe_answer(raw: bytes) -> bool:
    message = ForwardMsg()
    message.ParseFromString(raw)
    return message.file_urls_response.response_id == PROBE


class HeldStream:
    """The page's connection to the app, routed through the test (``page.route_web_socket``).

    What the page sends goes through at once. What the server sends to the page goes through too, unless it
    is being held (:meth:`hold`): then it waits, in order, until :meth:`release`, and the page keeps showing
    what it shows. The test reads the held messages to know how far the server got.
    """

    def __init__(self) -> None:
        self.holding = False
        self.held: list[bytes] = []
        self.reruns_sent = 0
        self._page_side: Any = None
        self._server_side: Any = None

    def route(self, websocket: Any) -> None:
        """The handler given to ``page.route_web_socket``."""
        self._page_side = websocket
        self._server_side = websocket.connect_to_server()
        self._server_side.on_message(self._from_server)
        websocket.on_message(self._from_page)

    def _from_page(self, message: str | bytes) -> None:
        self._server_side.send(message)
        if isinstance(message, bytes):
            request = BackMsg()
            request.ParseFromString(message)
            self.reruns_sent += request.HasField("rerun_script")

    def _from_server(self, message: str | bytes) -> None:
        if self.holding:
            self.held.append(message if isinstance(message, bytes) else message.encode())
        else:
            self._page_side.send(message)

    def hold(self) -> None:
        """Keep what the server sends from now on away from the page."""
        self.holding = True

    def held_messages(self) -> list[ForwardMsg]:
        parsed = []
        for raw in self.held:
            message = ForwardMsg()
            message.ParseFromString(raw)
            parsed.append(message)
        return parsed

    def wait_for(self, page: Any, found: Callable[[ForwardMsg], bool], what: str = "") -> None:
        """Wait until the server has sent a (held) message for which ``found`` is true."""
        for _ in range(3000):  # Playwright delivers the messages while the page waits
            if any(found(message) for message in self.held_messages()):
                return
            page.wait_for_timeout(10)
        raise AssertionError(f"the server never sent {what or 'the message waited for'}")

    def wait_until_the_server_has_read(self, page: Any, *, reruns: int) -> None:
        """Return once the page has sent ``reruns`` rerun requests in all (a click, a button) and the server
        has taken in everything the page sent.

        A request the server answers at once, from the connection's own loop (upload addresses for no
        file), is sent after them; the server handles a connection's messages in order, so its answer means
        the ones before it were handled (each rerun request registered with the session).
        """
        for _ in range(3000):
            if self.reruns_sent >= reruns:
                break
            page.wait_for_timeout(10)
        else:
            raise AssertionError(f"the page sent {self.reruns_sent} rerun requests, not {reruns}")
        probe = BackMsg()
        probe.file_urls_request.request_id = PROBE
        self._server_side.send(probe.SerializeToString())
        self.wait_for(
            page, lambda message: message.file_urls_response.response_id == PROBE, "the answer to the probe"
        )
        self.held = [raw for raw in self.held if not _is_probe_answer(raw)]

    def release(self) -> None:
        """Pass everything held on to the page, in order, and stop holding."""
        for raw in self.held:
            self._page_side.send(raw)
        self.held.clear()
        self.holding = False


def new_assessment(database_url: str, *, form: str = "pulse") -> str:
    """A fresh individual assessment for the team "Platform"; the lead's resume token."""
    ctx = make_context(database_url)
    try:
        session = journey.start_assessment(
            ctx, team_name="Platform", mode="individual", form=form, role="leader"
        )
        return session.token
    finally:
        ctx.database.dispose()


def saved_answers(database_url: str, token: str) -> dict[str, int | None]:
    """The answers stored for ``token`` (item id → value; ``None`` is "Don't know")."""
    ctx = make_context(database_url)
    try:
        return dict(journey.resume(ctx, token).answers)
    finally:
        ctx.database.dispose()


def open_step_one(start_server: StartServer, browser: Any, tmp_path: Path) -> tuple[Any, str, str]:
    """The app on a fresh database, a new assessment, and a page on its first step."""
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = start_server({"DATABASE_URL": database_url})
    token = new_assessment(database_url)
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{server.url}/assess?token={token}")
    page.get_by_text("Step 1 of 5").wait_for()
    settle(page)
    return page, database_url, token


def test_a_click_on_the_previous_step_after_next_changes_no_answer(
    start_server: StartServer, browser: Any, tmp_path: Path
) -> None:
    page, database_url, token = open_step_one(start_server, browser, tmp_path)
    choose(page, 0, 2)
    choose(page, 1, 3)
    before = saved_answers(database_url, token)
    assert sorted(before.values(), key=str) == [3, 4]

    # A person clicks "Next" and at once clicks where the new step's first question will be: the old step is
    # still on screen there. Nothing of step 1 may change.
    old_option = page.locator('[data-testid="stRadio"]').nth(0).locator(OPTION).nth(2)
    box = old_option.bounding_box()
    page.get_by_role("button", name="Next").click(no_wait_after=True)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("Step 2 of 5").wait_for()
    settle(page, 300)
    after = saved_answers(database_url, token)
    assert {item: after[item] for item in before} == before

    # The same click sent straight to the old step's radio (no mouse, so no screen rule can stop it) right
    # after "Back", while the page still shows step 2: the server refuses it and says so, on step 1. Nothing
    # here depends on timing. The page's connection runs through the test, which holds back what the server
    # sends, so the page keeps showing step 2. The test holds the database's write lock, so the server is
    # still saving an earlier answer when "Back" and the click reach it (as on a busy day); it then runs
    # "Back", and after it the click (a rerun of step 2's questions alone).
    stream = HeldStream()
    page.route_web_socket(STREAM, stream.route)
    page.reload()  # a new connection, through the route; the URL reopens step 2
    page.get_by_text("Step 2 of 5").wait_for()
    settle(page)
    choose(page, 0, 0)
    # what must be saved in the end: step 2's first answer changed once more (below), nothing else
    expected = {**saved_answers(database_url, token), "definition.quality_beside_speed": 2}
    database = sqlite3.connect(tmp_path / "e2e.db", isolation_level=None)
    try:
        database.execute("BEGIN IMMEDIATE")  # the app's next save waits for it
        stream.hold()
        reruns = stream.reruns_sent
        page.locator('[data-testid="stRadio"]').nth(0).locator(OPTION).nth(1).click()  # its save waits
        stream.wait_until_the_server_has_read(page, reruns=reruns + 1)
        stream.wait_for(page, lambda message: message.session_status_changed.script_is_running, "a run")
        page.get_by_role("button", name="Back").click()
        page.locator(RADIO_INPUTS).nth(6 + 3).evaluate("input => input.click()")  # step 2, question 2
        stream.wait_until_the_server_has_read(page, reruns=reruns + 3)
    finally:
        database.rollback()
        database.close()
    stream.release()
    page.get_by_text("Step 1 of 5").wait_for()
    page.get_by_text("Not saved:").wait_for()
    settle(page, 300)
    assert saved_answers(database_url, token) == expected
    assert page.get_by_text("Not saved:").count() == 1
    # Step 1 shows its saved choices. Once in about six runs of this file they were read unchosen right after
    # the redraw (cause not found), and never in nine runs that read them again 3 s later: so wait for them.
    page.wait_for_function(f"() => ({CHECKED_OPTIONS})().join() === '2,3'", timeout=10_000)
    assert checked_options(page) == [2, 3]


def test_two_quick_clicks_are_both_saved(start_server: StartServer, browser: Any, tmp_path: Path) -> None:
    page, database_url, token = open_step_one(start_server, browser, tmp_path)
    radios = page.locator('[data-testid="stRadio"]')
    radios.nth(0).locator(OPTION).nth(1).click()
    page.wait_for_timeout(50)
    radios.nth(1).locator(OPTION).nth(4).click()
    settle(page, 300)
    assert sorted(saved_answers(database_url, token).values(), key=str) == [2, 5]
    assert checked_options(page) == [1, 4]
    assert page.get_by_text("Not saved:").count() == 0


def test_steps_follow_the_browser_history_and_the_resume_link(
    start_server: StartServer, browser: Any, tmp_path: Path
) -> None:
    page, _, token = open_step_one(start_server, browser, tmp_path)
    for step in (2, 3):
        page.get_by_role("button", name="Next").click()
        page.get_by_text(f"Step {step} of 5").wait_for()
        settle(page)

    # The browser's Back and Forward move through the steps.
    page.go_back()
    page.get_by_text("Step 2 of 5").wait_for()
    settle(page)
    page.go_back()
    page.get_by_text("Step 1 of 5").wait_for()
    settle(page)
    page.go_forward()
    page.get_by_text("Step 2 of 5").wait_for()
    settle(page)
    assert "step=2" in page.url

    # The resume link (no step in it), opened in another browser, reopens where the person left off.
    other = browser.new_context(viewport=DESKTOP).new_page()
    other.goto(page.url.split("/assess?", 1)[0] + f"/assess?token={token}")
    other.get_by_text("Step 2 of 5").wait_for()
    other.context.close()


def test_answer_it_scrolls_to_the_item_and_a_comment_says_when_it_was_saved(
    start_server: StartServer, browser: Any, tmp_path: Path
) -> None:
    page, _, _ = open_step_one(start_server, browser, tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})

    # A comment is saved a second after the typing stops, without leaving the box, and the page says so;
    # a reload keeps it.
    box = page.get_by_role("textbox", name="Anything to add about")
    box.press_sequentially("We pilot in one team first.")
    page.get_by_text("Comment saved at").wait_for()
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA", "the box keeps the focus"
    page.reload()
    page.get_by_text("Step 1 of 5").wait_for()
    settle(page)
    assert page.get_by_role("textbox", name="Anything to add about").input_value() == (
        "We pilot in one team first."
    )

    for _ in range(4):
        page.get_by_role("button", name="Next").click()
        settle(page, 150)
    page.get_by_role("button", name="Finish").click()
    page.get_by_text("Thank you: your answers are saved").wait_for()
    settle(page)
    # The sixth unanswered item is the second question of step 3: "Answer it" shows that very question.
    page.get_by_role("button", name="Answer it").nth(5).click()
    page.get_by_text("Step 3 of 5").wait_for()
    settle(page, 400)
    target = page.locator('[data-testid="stRadio"]').nth(1)
    top = target.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top <= 300, f"the question is {top:.0f} px from the top of the window"
    assert page.evaluate("() => document.activeElement.type") == "radio"
