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
from services import leader
from services import taskmap as maps
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
PASSCODE = "e2e-leader-passcode"
#: A phone's browser (Chrome on Android): the app draws the phone layout of its charts for it.
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def team_past_k(
    database_url: str, team_name: str = "Łódź platform", roles: tuple[str, ...] = ("manager", "contributor")
) -> str:
    """A pulse assessment with complete answer sets from a leader and ``roles``; the lead's resume token."""
    ctx = make_context(database_url)
    try:
        lead = journey.start_assessment(
            ctx, team_name=team_name, mode="individual", form="pulse", role="leader"
        )
        others = [
            journey.join_assessment(ctx, share_code=lead.share_code or "", role=role).token for role in roles
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


#: Each chart on screen: its drawn width, and the width it was laid out at (its text at full size).
CHART_WIDTHS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(chart => chart.offsetParent !== null)
    .map(chart => {
        const drawn = chart.querySelector('canvas, svg.marks') || chart;
        const own = drawn.tagName === 'CANVAS' ? drawn.width / window.devicePixelRatio
            : parseFloat(drawn.getAttribute('width') || '0');
        return [Math.round(drawn.getBoundingClientRect().width), Math.round(own)];
    })"""
COLUMN_WIDTH = """() => document.querySelector(
    '[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"]').getBoundingClientRect().width"""
#: True once every chart container on screen holds a drawing (Vega draws after the container appears; on a
#: loaded machine that takes a while).
CHARTS_DRAWN = """(count) => {
  const shown = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
      .filter(chart => chart.offsetParent !== null);
  return shown.length >= count && shown.every(chart => {
      const drawn = chart.querySelector('canvas, svg.marks');
      return Boolean(drawn) && drawn.getBoundingClientRect().height > 30;
  });
}"""


def fits_the_column(page: Any, where: str, least: int = 1) -> list[int]:
    """Every chart on screen is drawn within the phone's column and was laid out within it too (so
    nothing is shrunk: its text is at full size); their laid-out widths."""
    page.wait_for_function(CHARTS_DRAWN, arg=least, timeout=60_000)
    settle(page, 300)
    column = page.evaluate(COLUMN_WIDTH)
    shown = page.evaluate(CHART_WIDTHS)
    assert len(shown) >= least, f"{where}: {len(shown)} charts on screen, expected {least} or more"
    widths = [drawn for drawn, _ in shown]
    assert max(widths) <= column, f"{where}: charts {widths} px wide in a {column:.0f} px column"
    laid_out = [own for _, own in shown]
    assert max(laid_out) <= column, (
        f"{where}: charts laid out {laid_out} px wide and shrunk into a {column:.0f} px column"
    )
    return laid_out


def test_charts_fit_a_phone_screen(
    start_server: StartServer, browser: Any, tmp_path: Path, shots_dir: Path
) -> None:
    """On a 390 px phone every chart of Results, the task map and each tab of the leader view is laid out
    within the column (its phone layout), not wide and shrunk."""
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    token = team_past_k(database_url)
    # a second team with a long name, and one with three leaders and three others: a perception gap
    team_past_k(database_url, "Claims operations and customer care, second line")
    team_past_k(database_url, "Risk", ("leader", "leader", "contributor", "contributor", "contributor"))
    ctx = make_context(database_url)
    try:
        maps.start_from_template(ctx, token, "service-desk")
        leader.leader_view(ctx)  # publishes what the answers allow
    finally:
        ctx.database.dispose()
    server = start_server({"DATABASE_URL": database_url, "LAYERWISE_ADMIN_PASSCODE": PASSCODE})
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, user_agent=PHONE_AGENT, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{server.url}/results?token={token}")
    fits_the_column(page, "results", least=4)
    height = int(page.evaluate(MAIN_HEIGHT))
    page.set_viewport_size({"width": 390, "height": min(height + 40, 14_000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots_dir / "results-phone.png"))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{server.url}/task-map?token={token}")
    page.locator(".st-key-chart-role-week").wait_for(timeout=60_000)
    fits_the_column(page, "task map")
    page.locator(".st-key-chart-role-week").screenshot(path=str(shots_dir / "task-map-phone-chart.png"))

    page.goto(f"{server.url}/leader")
    page.get_by_label("Leader passcode").fill(PASSCODE)
    page.get_by_role("button", name="Open").click()
    page.get_by_role("tab", name="Units").wait_for(timeout=60_000)
    settle(page)
    for tab, chart in (("Teams at a glance", "teams"), ("Trend", "trend"), ("Perception gaps", "gaps")):
        page.get_by_role("tab", name=tab).click()
        fits_the_column(page, f"leader view, {tab}")
        page.locator(f".st-key-chart-{chart}").screenshot(path=str(shots_dir / f"leader-phone-{chart}.png"))
    assert not server.problems(), server.problems()
    context.close()
