"""The task map in a real browser: a service-desk template, its totals, the before/after chart drawn, and
the guide published and downloadable; photographed at desktop width into ``shots_dir``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services import assessment as journey
from services import taskmap as maps
from services.context import make_context
from tests.e2e.conftest import StartServer
from tests.e2e.test_assessment_e2e import DESKTOP, IDLE, MAIN_HEIGHT, settle

pytestmark = pytest.mark.e2e

# True once the chart under the given container has been drawn taller than 100 px.
CHART_DRAWN = """(selector) => {
  const box = document.querySelector(selector);
  const drawn = box && box.querySelector("canvas, svg");
  return Boolean(drawn) && box.getBoundingClientRect().height > 100;
}"""


def test_the_task_map_page_in_the_browser(
    start_server: StartServer, browser: Any, tmp_path: Path, shots_dir: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    ctx = make_context(url)
    token = journey.start_assessment(
        ctx, team_name="Service desk Łódź", mode="consensus", form="pulse", role="leader"
    ).token
    maps.start_from_template(ctx, token, "service-desk")
    maps.publish_guide(
        ctx,
        token,
        {
            "data_rules": [{"data_class": "Public information", "tools": "Copilot"}],
            "contact_name": "Anna Łukasiewicz",
            "contact_response": "within one working day",
            "review_date": date(2027, 2, 28),
        },
    )
    ctx.database.dispose()
    server = start_server({"DATABASE_URL": url})
    page = browser.new_context(viewport=DESKTOP).new_page()
    try:
        page.goto(f"{server.url}/assess?token={token}")
        page.wait_for_selector(IDLE, timeout=30_000)
        settle(page, 300)
        page.locator('[data-testid="stMain"]').get_by_role("link", name="Task map").click()
        settle(page, 300)
        page.screenshot(path=str(shots_dir / "task-map-first.png"))
        assert f"token={token}" in page.url and "/task-map" in page.url
        page.get_by_text("From the task map: 8 activities in 3 roles").wait_for(timeout=30_000)
        page.locator(".st-key-chart-role-week").wait_for(timeout=30_000)
        # Vega draws the chart after its container appears; on a loaded machine that takes a while, so wait
        # for the drawn height rather than reading it once (CI read 40 px: the empty container).
        page.wait_for_function(CHART_DRAWN, arg=".st-key-chart-role-week", timeout=30_000)
        page.get_by_role("button", name="Guide v1 (PDF)").wait_for(timeout=30_000)
        page.set_viewport_size({"width": DESKTOP["width"], "height": page.evaluate(MAIN_HEIGHT)})
        settle(page, 300)
        page.screenshot(path=str(shots_dir / "task-map-desktop.png"), full_page=True)
        assert not server.problems(), server.log
    finally:
        page.close()
