"""The self-assessment in a real browser: start, answer by clicking, reload midway, results, PDF.

The app runs under ``streamlit run`` on a free port with a temporary SQLite file; Chromium is Debian's
``/usr/bin/chromium``. The lead opens the Start page as the server's very first request (a deep link) and
completes a pulse assessment by clicking; a teammate joins through the invitation link and answers too; a
third answer set is stored through the services on the same database, so the team passes k = 3. Every page
is photographed at desktop (1280 px) and phone (390 px) width into ``shots_dir`` (``LAYERWISE_SHOTS_DIR``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey
from services.context import make_context
from tests.e2e.conftest import Server, StartServer

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}
PHONE_WIDTH = 390
MAIN_HEIGHT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return Math.max(main ? main.scrollHeight : 0, document.body.scrollHeight);
}"""
#: Streamlit marks its root with the script's state; "notRunning" means the rerun finished.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def settle(page: Any, ms: int = 60) -> None:
    """Wait until Streamlit has finished the rerun the last interaction started."""
    page.wait_for_timeout(ms)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.wait_for_timeout(60)


def photograph(page: Any, folder: Path, name: str) -> None:
    """Whole-page screenshots at desktop and phone width (the main area scrolls, so the viewport grows)."""
    for width, tag in ((DESKTOP["width"], "desktop"), (PHONE_WIDTH, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        height = int(page.evaluate(MAIN_HEIGHT))
        page.set_viewport_size({"width": width, "height": min(max(height + 40, 700), 14_000)})
        page.wait_for_timeout(200)
        page.screenshot(path=str(folder / f"{name}-{tag}.png"))
    page.set_viewport_size(DESKTOP)
    settle(page)


def choose(page: Any, item_index: int, option_index: int) -> None:
    """Click the ``option_index``-th description (5 = "Don't know") of the ``item_index``-th item on the step."""
    radio = page.locator('[data-testid="stRadio"]').nth(item_index)
    radio.locator('label:has(input[type="radio"])').nth(option_index).click()
    settle(page)


def checked_options(page: Any) -> list[int]:
    """For each item on the step, the index of the chosen description (-1 when none)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stRadio"]')].map(group =>
            [...group.querySelectorAll('input[type="radio"]')].findIndex(input => input.checked))"""
    )


def step_text(page: Any) -> str:
    return page.locator('[data-testid="stProgress"]').first.inner_text()


def answer_step(page: Any, options: list[int]) -> None:
    for index, option in enumerate(options):
        choose(page, index, option)


def click_button(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settle(page, 150)


def test_pulse_assessment_in_the_browser(
    start_server: StartServer, browser: Any, tmp_path: Path, shots_dir: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server: Server = start_server(
        {"DATABASE_URL": database_url, "LAYERWISE_ADMIN_PASSCODE": "e2e-passcode-123"}
    )
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()

    # The very first request of the server is a deep link: it must still get the app's navigation.
    page.goto(f"{server.url}/start")
    page.get_by_role("heading", name="Start a self-assessment").wait_for()
    settle(page)
    assert "Self-assessment" in page.locator('[data-testid="stSidebar"]').inner_text()
    photograph(page, shots_dir, "01-start")

    page.get_by_label("Team name").fill("Service desk")
    page.get_by_label("Team name").press("Enter")
    settle(page)
    page.get_by_text("Pulse: 10 items").click()
    settle(page)
    click_button(page, "Start the assessment")
    page.get_by_text("Step 1 of 5").wait_for()
    assert "/assess?token=" in page.url
    resume_url = page.url.split("&")[0]
    invitation = page.locator("code", has_text="start?assessment=").inner_text().strip()
    photograph(page, shots_dir, "02-assess-step1")

    lead_choices = [[1, 2], [3, 5], [2, 2], [4, 3], [0, 1]]
    answer_step(page, lead_choices[0])
    click_button(page, "Next")
    page.get_by_text("Step 2 of 5").wait_for()
    answer_step(page, lead_choices[1])
    photograph(page, shots_dir, "03-assess-step2-answered")

    # Reload midway: every answer comes back from the database.
    page.reload()
    page.get_by_text("Step 2 of 5").wait_for()
    settle(page)
    assert checked_options(page) == lead_choices[1]
    click_button(page, "Back")
    page.get_by_text("Step 1 of 5").wait_for()
    assert checked_options(page) == lead_choices[0]
    click_button(page, "Next")
    for step in range(2, 5):
        click_button(page, "Next")
        page.get_by_text(f"Step {step + 1} of 5").wait_for()
        answer_step(page, lead_choices[step])
    click_button(page, "Finish")
    page.get_by_text("Thank you: your answers are saved").wait_for()
    photograph(page, shots_dir, "04-finished")

    # A teammate joins through the invitation link on a phone and answers the first step by clicking; the
    # rest of their answers and a third answer set are stored through the services on the same database,
    # which takes the team past k = 3.
    phone = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844})
    teammate = phone.new_page()
    teammate.goto(invitation)
    teammate.get_by_role("heading", name="Join your team's self-assessment").wait_for()
    settle(teammate)
    photograph(teammate, shots_dir, "05-join")
    teammate.get_by_text("Team member").click()
    settle(teammate)
    click_button(teammate, "Start answering")
    teammate.get_by_text("Step 1 of 5").wait_for()
    answer_step(teammate, [2, 2])
    teammate_token = teammate.url.split("token=", 1)[1].split("&", 1)[0]
    phone.close()

    ctx = make_context(database_url)
    try:
        lead = journey.resume(ctx, resume_url.split("token=", 1)[1])
        assert len(lead.answers) == 10
        share_code = invitation.split("assessment=", 1)[1]  # stored hashed: the page showed it once
        assert journey.resume(ctx, teammate_token).answers == {
            "permission.one_page_guide": 3,
            "permission.safe_to_experiment": 3,
        }
        third = journey.join_assessment(ctx, share_code=share_code, role="manager")
        questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
        for index, item in enumerate(questionnaire.items_for("pulse")):
            journey.save_answer(ctx, third.token, item.id, index % 5 + 1)
            if index >= 2:
                journey.save_answer(ctx, teammate_token, item.id, (index + 2) % 5 + 1)
    finally:
        ctx.database.dispose()

    page.goto(resume_url.replace("/assess?", "/outcomes?"))
    page.get_by_role("heading", name="Outcome figures").wait_for()
    settle(page)
    for label, value in (
        ("Hours the AI-assisted tasks take per person per week now", "20"),
        ("Task-time reduction from AI (%)", "30"),
        ("AI meta-work per person (hours/week)", "2"),
        ("Freed capacity deliberately redeployed (%)", "25"),
        ("Rework rate (%)", "12"),
    ):
        page.get_by_role("spinbutton", name=label, exact=True).fill(value)
    click_button(page, "Save outcome figures")
    page.get_by_text("Outcome figures saved.").wait_for()
    photograph(page, shots_dir, "06-outcomes")

    page.goto(resume_url.replace("/assess?", "/results?"))
    page.get_by_role("heading", name="Service desk: results").wait_for()
    page.locator('[data-testid="stVegaLiteChart"] svg').nth(4).wait_for()
    settle(page)
    assert page.get_by_text("Team results are hidden").count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 3
    photograph(page, shots_dir, "07-results")

    page.goto(resume_url.replace("/assess?", "/action-plan?"))
    page.get_by_role("heading", name="Service desk: action plan").wait_for()
    settle(page)
    photograph(page, shots_dir, "08-action-plan")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Team report (PDF)").click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = "".join(page_.extract_text() or "" for page_ in PdfReader(io.BytesIO(data)).pages)
    assert "Service desk" in text

    page.goto(f"{server.url}/how-scoring-works")
    page.get_by_role("heading", name="How scoring works").wait_for()
    settle(page)
    photograph(page, shots_dir, "09-how-scoring-works")
    page.goto(f"{server.url}/")
    page.get_by_role("heading", name="Layerwise").first.wait_for()
    settle(page)
    photograph(page, shots_dir, "00-home")
    context.close()

    assert not server.problems(), "the server log shows problems:\n" + "\n".join(server.problems())
