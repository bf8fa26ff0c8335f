"""Nothing a page needs comes from outside the server: every request of every page stays on 127.0.0.1.

The app runs on a fresh SQLite file with a team past the anonymity threshold (three answer sets), so the
journey pages show their full state (results, charts, the action plan).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey
from services.context import make_context
from tests.e2e.conftest import StartServer
from tests.e2e.test_assessment_e2e import DESKTOP, MAIN_HEIGHT, settle

pytestmark = pytest.mark.e2e

#: Every page of the app (url paths from app.py); the journey pages get the resume token.
PAGES = (
    "home",
    "questionnaires",
    "how-scoring-works",
    "start",
    "assess",
    "outcomes",
    "results",
    "action-plan",
    "join",
    "facilitate",
    "room",
    "leader",
)
JOURNEY = {"assess", "outcomes", "results", "action-plan"}
#: A phone's browser (Chrome on Android): the app draws the phone layout of its charts for it.
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def team_past_k(database_url: str) -> str:
    """A pulse assessment with three complete answer sets; the lead's resume token."""
    ctx = make_context(database_url)
    try:
        lead = journey.start_assessment(
            ctx, team_name="Łódź platform", mode="individual", form="pulse", role="leader"
        )
        others = [
            journey.join_assessment(ctx, share_code=lead.share_code or "", role=role).token
            for role in ("manager", "contributor")
        ]
        items = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse")
        for offset, token in enumerate([lead.token, *others]):
            for index, item in enumerate(items):
                journey.save_answer(ctx, token, item.id, (index + offset) % 5 + 1)
        return lead.token
    finally:
        ctx.database.dispose()


def test_no_page_fetches_anything_from_outside_the_server(
    start_server: StartServer, browser: Any, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = start_server({"DATABASE_URL": database_url})
    token = team_past_k(database_url)
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    outside: list[str] = []
    context.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlsplit(request.url).hostname not in {"127.0.0.1", None}
            and not request.url.startswith("data:")
            else None
        ),
    )
    page = context.new_page()
    for path in PAGES:
        query = f"?token={token}" if path in JOURNEY else ""
        page.goto(f"{server.url}/{path}{query}")
        page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]').first.wait_for()
        settle(page, 800)
    assert outside == [], f"requests left the server: {sorted(set(outside))}"

    # the team is "Łódź platform": the file the browser saves spells the name out in ASCII letters
    page.goto(f"{server.url}/action-plan?token={token}")
    button = page.get_by_role("button", name="Action plan (CSV)")
    button.wait_for(timeout=60_000)
    settle(page, 300)
    with page.expect_download(timeout=60_000) as download_info:
        button.click()
    assert download_info.value.suggested_filename == "layerwise-lodz-platform.csv"
    context.close()


def test_results_charts_fit_a_phone_screen(
    start_server: StartServer, browser: Any, tmp_path: Path, shots_dir: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = start_server({"DATABASE_URL": database_url})
    token = team_past_k(database_url)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, user_agent=PHONE_AGENT, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{server.url}/results?token={token}")
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').nth(
        3
    ).wait_for()
    settle(page, 500)
    column = page.evaluate(
        """() => document.querySelector('[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"]')
            .getBoundingClientRect().width"""
    )
    # each chart on screen: its drawn width, and the width it was laid out at (its text at full size)
    shown = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
            .filter(chart => chart.offsetParent !== null)
            .map(chart => {
                const drawn = chart.querySelector('canvas, svg.marks') || chart;
                const own = drawn.tagName === 'CANVAS' ? drawn.width / window.devicePixelRatio
                    : parseFloat(drawn.getAttribute('width') || '0');
                return [Math.round(drawn.getBoundingClientRect().width), Math.round(own)];
            })"""
    )
    widths = [drawn for drawn, _ in shown]
    height = int(page.evaluate(MAIN_HEIGHT))
    page.set_viewport_size({"width": 390, "height": min(height + 40, 14_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots_dir / "results-phone.png"))
    assert widths, "no chart on the results page"
    assert max(widths) <= column, f"charts {widths} px wide in a {column:.0f} px column"
    # not squeezed to fit: the phone layouts are laid out within the column, so nothing is shrunk
    laid_out = [own for _, own in shown]
    assert max(laid_out) <= column, (
        f"charts laid out {laid_out} px wide and shrunk into a {column:.0f} px column"
    )
    context.close()
