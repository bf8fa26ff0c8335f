"""A live workshop in real browsers against ``streamlit run``.

1. One facilitator page and three participant browser contexts (phone-sized): participants join with the
   code and answer; the facilitator's counts rise without a manual reload; the reveal shows the distribution.
   The room screen (``/room?code=…``, the shared screen's page) shows the code, its counts rise and it
   follows the reveal, all without the facilitator token.
2. Two ``streamlit run`` servers on different ports sharing one PostgreSQL database: a participant on one,
   the facilitator on the other, and the facilitator sees the answers. It uses a throwaway database
   (``layerwise_e2e_<random>``, dropped afterwards), and skips with the reason without PostgreSQL or
   Chromium unless ``LAYERWISE_REQUIRE_POSTGRES=1`` / ``LAYERWISE_REQUIRE_BROWSER=1`` make that a failure.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL, _postgres_unreachable
from tests.e2e.conftest import Server, StartServer

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}


def metric(page: Any, label: str) -> str:
    """The value of the metric with this label, as shown."""
    block = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return str(block.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def wait_for_metric(page: Any, label: str, value: str, timeout: float = 30) -> None:
    """Wait (without reloading the page) until a metric shows ``value``."""
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        try:
            shown = metric(page, label)
        except Exception:  # the fragment is being redrawn
            shown = ""
        if shown == value:
            return
        time.sleep(0.3)
    raise AssertionError(f"metric {label!r} shows {shown!r}, expected {value!r} within {timeout:.0f} s")


def create_workshop(page: Any, server: Server, name: str) -> tuple[str, str]:
    """Create a pulse workshop on the Facilitate page; returns (join code, facilitator URL)."""
    page.goto(f"{server.url}/facilitate")
    page.get_by_role("textbox", name="Workshop name").fill(name)
    page.get_by_role("textbox", name="Team(s)").fill("Support")
    page.get_by_text("Pulse: 2 items per dimension").click()
    page.get_by_role("button", name="Create the workshop").click()
    page.get_by_text("People joined").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_url(re.compile(r"token="), timeout=TIMEOUT_MS)
    code = re.search(r"code=([A-Z0-9]{6})", page.get_by_text("/join?code=").first.inner_text())
    assert code, "no join code on the facilitator page"
    return code.group(1), page.url


def join_and_answer(context: Any, server: Server, code: str, levels: tuple[int, int], role: str) -> Any:
    """A participant joins with the code on a phone-sized page and answers the first dimension."""
    page = context.new_page()
    page.goto(f"{server.url}/join")
    code_box = page.get_by_role("textbox", name="Join code")
    code_box.fill(code)
    code_box.press("Enter")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Your role").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text(role, exact=True).click()
    page.get_by_role("button", name="Join", exact=True).click()
    page.get_by_text("Your resume link").wait_for(timeout=TIMEOUT_MS)
    answer_dimension(page, levels)
    return page


def answer_dimension(page: Any, levels: tuple[int, ...], *, first: int = 0) -> None:
    """Answer the open dimension's questions one at a time, from question ``first`` (counted from 0) on:
    ``levels`` holds the level chosen for each, and its length is how many questions the dimension has."""
    for index, level in enumerate(levels):
        if index < first:
            continue
        # the question on the screen: its number, then its radio group (named by the question), so a click
        # never lands on the previous question while the page is still redrawing
        number = page.get_by_text(re.compile(rf"^{index + 1}\. ")).first
        number.wait_for(timeout=TIMEOUT_MS)
        question = number.inner_text().split(". ", 1)[1].strip()
        radio = page.get_by_role("radiogroup", name=question)
        answered = page.get_by_text(f"{index + 1} of {len(levels)} answered")
        # On a loaded machine a click can land while the previous answer's rerun is still redrawing the
        # radios and go nowhere; choosing the same level again is harmless, so try up to three times.
        for attempt in range(3):
            radio.locator('[data-testid="stRadioOption"]').nth(level - 1).click()
            try:
                answered.wait_for(timeout=TIMEOUT_MS // 3)
                break
            except Exception:
                if attempt == 2:
                    raise


def test_participants_join_answer_and_the_facilitator_reveals(
    app_server: Server, browser: Any, shots_dir: Path
) -> None:
    facilitator = browser.new_context(viewport={"width": 1280, "height": 2200})
    page = facilitator.new_page()
    code, facilitator_url = create_workshop(page, app_server, "Support, live")
    assert metric(page, "People joined") == "0"
    token = re.search(r"token=([^&]+)", facilitator_url).group(1)  # type: ignore[union-attr]

    # the shared screen opens the room screen from the facilitator's link: the join code only, no token
    href = page.get_by_role("link", name="Open the room screen").get_attribute("href") or ""
    assert href.rsplit("/", 1)[-1] == f"room?code={code}" and token not in href
    screen = browser.new_context(viewport={"width": 1280, "height": 800})
    room = screen.new_page()
    room.goto(f"{app_server.url}/room?code={code}")
    room.get_by_text(code, exact=True).wait_for(timeout=TIMEOUT_MS)
    wait_for_metric(room, "People joined", "0")
    room.screenshot(path=str(shots_dir / "workshop-room-screen.png"))  # what the projector shows

    phones = [browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True) for _ in range(3)]
    answers = ((1, 3), (5, 3), (3, 3))
    roles = ("Team lead / leader", "Team member", "Manager")
    participant_pages = []
    for number, (phone, levels, role) in enumerate(zip(phones, answers, roles, strict=True), start=1):
        participant_pages.append(join_and_answer(phone, app_server, code, levels, role))
        # the facilitator's page was never reloaded: its fragment polls the database
        wait_for_metric(page, "People joined", str(number))
    page.get_by_text("6 of 6 answers · 3 started · 3 done").wait_for(timeout=TIMEOUT_MS)
    # so was the room screen's (its lobby), which counts too
    wait_for_metric(room, "People joined", "3")
    participant_pages[1].screenshot(path=str(shots_dir / "workshop-participant-phone.png"))
    page.screenshot(path=str(shots_dir / "workshop-facilitator-live.png"))

    page.get_by_role("button", name="Reveal").first.click()
    page.get_by_text("Permission is revealed and locked.").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("levels 1: 1 · 2: 0 · 3: 1 · 4: 0 · 5: 1").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("What would level 4 look like here?").first.wait_for(timeout=TIMEOUT_MS)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "workshop-facilitator-revealed.png"))

    # a participant's page follows the reveal by itself and shows the group's result
    participant = participant_pages[0]
    participant.get_by_text("The group's result: Permission").wait_for(timeout=TIMEOUT_MS)
    participant.get_by_text("Group score 3.0").wait_for(timeout=TIMEOUT_MS)
    # a revealed dimension shows the group's result only: no answer widgets, nobody's answers
    assert participant.locator('[data-testid="stRadio"]').count() == 0
    participant.screenshot(path=str(shots_dir / "workshop-participant-revealed.png"), full_page=True)

    # the room screen follows the reveal by itself too, and never shows the token
    room.get_by_text("The group's result: Permission").wait_for(timeout=TIMEOUT_MS)
    room.get_by_text("Group score 3.0").wait_for(timeout=TIMEOUT_MS)
    room.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=TIMEOUT_MS)
    assert token not in room.url and token not in room.content()
    room.set_viewport_size({"width": 1280, "height": 2000})  # Streamlit scrolls inside: a tall window
    room.screenshot(path=str(shots_dir / "workshop-room-screen-revealed.png"))
    assert not app_server.problems(), app_server.problems()
    for context in (facilitator, screen, *phones):
        context.close()


# --- two servers, one PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture
def throwaway_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database ``layerwise_e2e_<random>`` (dropped afterwards) and its URL."""
    problem = _postgres_unreachable()
    if problem:
        if os.environ.get("LAYERWISE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{problem}; LAYERWISE_REQUIRE_POSTGRES=1 makes PostgreSQL tests mandatory")
        pytest.skip(f"{problem}; set LAYERWISE_REQUIRE_POSTGRES=1 to make this a failure")
    import psycopg
    from sqlalchemy import make_url

    url = make_url(POSTGRES_URL)
    name = f"layerwise_e2e_{uuid.uuid4().hex[:10]}"
    dsn = dict(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, dbname=url.database
    )
    with psycopg.connect(**dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_two_servers_sharing_one_postgresql(
    throwaway_postgres: str, start_server: StartServer, browser: Any, shots_dir: Path
) -> None:
    env = {"DATABASE_URL": throwaway_postgres, "LAYERWISE_ADMIN_PASSCODE": "e2e-passcode"}
    facilitator_server = start_server(env)
    participant_server = start_server(env)
    assert facilitator_server.url != participant_server.url

    facilitator = browser.new_context(viewport={"width": 1280, "height": 1800})
    page = facilitator.new_page()
    code, _ = create_workshop(page, facilitator_server, "Two servers")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    join_and_answer(phone, participant_server, code, (4, 2), "Team member")

    # the facilitator, on the other server, sees the participant and both answers without a reload
    wait_for_metric(page, "People joined", "1")
    page.get_by_text("2 of 2 answers · 1 started · 1 done").wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=str(shots_dir / "workshop-two-servers-facilitator.png"))
    for server in (facilitator_server, participant_server):
        assert not server.problems(), server.problems()
    facilitator.close()
    phone.close()
