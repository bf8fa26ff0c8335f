"""A facilitator runs a pulse workshop for real: two servers on one PostgreSQL, a room screen and five phones.

The facilitator works on server A, the room screen (1280×900, a projector) and a co-facilitator on server B,
and the five phones alternate between the two. Stage by stage: the lobby (people joined rising), the first
dimension being answered ("People done"), the one-step reveal (the result on the room screen, with its top
inside the first screen, and on every phone, nobody reloading or clicking there), votes on the proposed
actions from the phones, a typo corrected on server A and seen on server B, closing with a confirmation,
and the workshop PDF. A screenshot of the room screen and of one phone is written at each stage
(``LAYERWISE_SHOTS_DIR``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.test_workshop_e2e import (
    PHONE,
    TIMEOUT_MS,
    create_workshop,
    join_and_answer,
    throwaway_postgres,  # noqa: F401 - the fixture
    wait_for_metric,
)
from tests.integration.pdf_support import all_text

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PROJECTOR = {"width": 1280, "height": 900}
PHONES = 5
ROLES = ("Team lead / leader", "Team member", "Manager", "Team member", "Team member")
#: (first item, second item) of Permission for each phone: the first item divides the room
LEVELS = ((1, 3), (5, 3), (1, 4), (5, 3), (2, 3))


def shoot(room: Any, phone: Any, folder: Path, stage: str) -> None:
    """The room screen (exactly the projector's 1280×900) and one phone (its first screen) at this stage."""
    room.screenshot(path=str(folder / f"run-room-{stage}.png"))
    phone.screenshot(path=str(folder / f"run-phone-{stage}.png"))


def test_a_pulse_workshop_from_lobby_to_pdf_on_two_servers(
    throwaway_postgres: str,  # noqa: F811 - the fixture imported above
    start_server: StartServer,
    browser: Any,
    shots_dir: Path,
) -> None:
    env = {"DATABASE_URL": throwaway_postgres, "LAYERWISE_ADMIN_PASSCODE": "e2e-passcode"}
    server_a, server_b = start_server(env), start_server(env)

    facilitator = browser.new_context(viewport={"width": 1280, "height": 2400}, accept_downloads=True)
    page = facilitator.new_page()
    code, facilitator_url = create_workshop(page, server_a, "Support, March")
    token = re.search(r"token=([^&]+)", facilitator_url).group(1)  # type: ignore[union-attr]

    # --- the lobby: the room screen (server B) shows how to join, people joined rises --------------------
    screen = browser.new_context(viewport=PROJECTOR)
    room = screen.new_page()
    room.goto(f"{server_b.url}/room?code={code}")
    room.get_by_text(code, exact=True).wait_for(timeout=TIMEOUT_MS)
    wait_for_metric(room, "People joined", "0")
    phones = [browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True) for _ in range(PHONES)]
    phone_pages = []
    for number, (context, levels, role) in enumerate(zip(phones, LEVELS, ROLES, strict=True), start=1):
        server = server_a if number % 2 else server_b
        phone_pages.append(join_and_answer(context, server, code, levels, role))
        wait_for_metric(room, "People joined", str(number))
    phone = phone_pages[1]
    phone.get_by_text("Waiting for the facilitator to start · 5 people joined.").wait_for(timeout=TIMEOUT_MS)
    shoot(room, phone, shots_dir, "1-lobby")

    # --- Next: the room and the phones move to the first dimension -------------------------------------
    page.get_by_role("button", name="Next").click()
    page.get_by_text("1 of 5: Permission").wait_for(timeout=TIMEOUT_MS)
    room.get_by_text("Dimension 1 of 5").wait_for(timeout=TIMEOUT_MS)
    wait_for_metric(room, "People done", "5 of 5")
    phone.get_by_text("Permission: 5 of 5 people answered.").wait_for(timeout=TIMEOUT_MS)
    shoot(room, phone, shots_dir, "2-answering")

    # --- one click reveals: the room screen and every phone show the result by themselves ----------------
    page.get_by_role("button", name="Reveal").first.click()
    page.get_by_text("Permission is revealed and locked.").wait_for(timeout=TIMEOUT_MS)
    heading = room.get_by_text("The group's result: Permission")
    heading.wait_for(timeout=TIMEOUT_MS)
    chart = room.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=TIMEOUT_MS)
    for element in (heading, room.get_by_text("Group score").first, chart):
        box = element.bounding_box()
        assert box is not None and 0 <= box["y"] < PROJECTOR["height"], box  # its top is on the first screen
    room.get_by_text("What would level 4 look like here?").first.wait_for(timeout=TIMEOUT_MS)
    for participant in phone_pages:
        participant.get_by_text("The group's result: Permission").wait_for(timeout=TIMEOUT_MS)
        participant.get_by_text("Permission is being discussed.").wait_for(timeout=TIMEOUT_MS)
    shoot(room, phone, shots_dir, "3-revealed")

    # --- actions proposed, voted on the phones, ranked live ---------------------------------------------
    for title in ("Publsh a one-page AI-use guide", "Budget the meta-work"):
        page.get_by_role("textbox", name="Action", exact=True).fill(title)
        page.get_by_role("button", name="Add the action").click()
        page.get_by_text(title).first.wait_for(timeout=TIMEOUT_MS)
    for number, participant in enumerate(phone_pages):
        participant.get_by_text("Prioritise the actions").wait_for(timeout=TIMEOUT_MS)
        choice = "Budget the meta-work" if number < 3 else "Publsh a one-page AI-use guide"
        participant.locator('[data-testid="stCheckbox"]').filter(has_text=choice).click()
        participant.get_by_text("3 votes, one per action: 2 left").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("3 votes · Budget the meta-work").wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("2 votes · Publsh a one-page AI-use guide").wait_for(timeout=TIMEOUT_MS)
    shoot(room, phone, shots_dir, "4-votes")

    # --- a typo corrected on server A appears on the co-facilitator's page on server B ------------------
    co_facilitator = browser.new_context(viewport={"width": 1280, "height": 2400}).new_page()
    co_facilitator.goto(f"{server_b.url}/facilitate?token={token}")
    co_facilitator.get_by_text("Publsh a one-page AI-use guide").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Edit").first.click()
    popover = page.locator('[data-testid="stPopoverBody"]')
    popover.get_by_role("textbox", name="Action title").fill("Publish a one-page AI-use guide")
    popover.get_by_role("button", name="Save").click()
    page.get_by_text("Publish a one-page AI-use guide").first.wait_for(timeout=TIMEOUT_MS)
    co_facilitator.get_by_text("Publish a one-page AI-use guide").first.wait_for(timeout=TIMEOUT_MS)
    assert co_facilitator.get_by_text("Publsh").count() == 0

    # --- close: the page asks first (four dimensions are not revealed), every screen says so -------------
    page.get_by_text("Close without revealing them").click()
    page.get_by_role("button", name="Close the workshop").click()
    page.get_by_text("Closed: no new participants, no new answers, no more reveals.").wait_for(
        timeout=TIMEOUT_MS
    )
    room.get_by_text("This workshop is closed.").wait_for(timeout=TIMEOUT_MS)
    phone.get_by_text("The workshop is closed.").first.wait_for(timeout=TIMEOUT_MS)
    shoot(room, phone, shots_dir, "5-closed")

    # --- the workshop PDF: revealed result, the corrected action ----------------------------------------
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download the workshop PDF")
    button.get_by_role("button").wait_for(timeout=TIMEOUT_MS * 2)
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        button.get_by_role("button").click()
    pdf = Path(download.value.path()).read_bytes()
    text = all_text(pdf)
    assert pdf.startswith(b"%PDF") and "Publish a one-page AI-use guide" in text and "Publsh" not in text
    for server in (server_a, server_b):
        assert not server.problems(), server.problems()
