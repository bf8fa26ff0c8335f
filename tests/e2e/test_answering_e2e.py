"""Answering in a real browser: clicks land on the question the person sees, or visibly not at all.

Each test starts the app on a fresh SQLite file, opens an assessment made through the services, and clicks
as a person would; what was saved is read back from the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services import assessment as journey
from services.context import make_context
from tests.e2e.conftest import StartServer
from tests.e2e.test_assessment_e2e import DESKTOP, checked_options, choose, settle

pytestmark = pytest.mark.e2e

#: The radio inputs of the step on screen, in order (item by item, five levels then "Don't know").
RADIO_INPUTS = '[data-testid="stRadio"] input[type="radio"]'
#: One description (or "Don't know") of a question.
OPTION = 'label:has(input[type="radio"])'


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

    # The same click sent straight to the old radio (no mouse, so no screen rule can stop it), once the
    # server already runs the move back to step 1: the server refuses it and says so.
    choose(page, 0, 0)
    before = saved_answers(database_url, token)
    page.evaluate(
        """(selector) => {
            const inputs = [...document.querySelectorAll(selector)];
            const target = inputs[6 + 3];  // step 2, second question, fourth description
            const app = document.querySelector('[data-testid="stApp"]');
            [...document.querySelectorAll('button')].find(b => /(^|\\s)Back$/.test(b.innerText.trim())).click();
            return new Promise(resolve => {
                const started = Date.now();
                const poll = () => {
                    if (app.getAttribute('data-test-script-state') === 'running' || Date.now() - started > 2000) {
                        target.click();
                        resolve();
                    } else {
                        setTimeout(poll, 2);
                    }
                };
                poll();
            });
        }""",
        RADIO_INPUTS,
    )
    page.get_by_text("Step 1 of 5").wait_for()
    settle(page, 300)
    assert saved_answers(database_url, token) == before
    # The server refuses the click and says so ("Not saved: …"). On a loaded machine the page has sometimes
    # already moved on before the click is sent, and then nothing reaches the server at all (seen in CI runs).
    # Either way no answer changed (above), and the refusal is never said twice.
    assert page.get_by_text("Not saved:").count() <= 1
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
