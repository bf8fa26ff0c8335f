"""WCAG 2.2 AA in a real browser: axe-core on every page in each state, and the form by keyboard alone.

axe-core comes from npm (``tests/e2e/.axe``: ``npm ci --prefix tests/e2e/.axe``, as ``.ci/run`` does) and is
injected into each page by Playwright; a serious or critical violation fails the test, named with its rule
and where it is. States: an empty database (every page as a first visitor sees it), a person's answers
page with answers, and the results and action plan of a team past the anonymity threshold.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.test_answering_e2e import new_assessment, saved_answers
from tests.e2e.test_assessment_e2e import DESKTOP, settle
from tests.e2e.test_offline_e2e import JOURNEY, PAGES, team_past_k

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    where: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200) + ' — '
                        + (n.failureSummary || '').slice(-160)), count: v.nodes.length}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    """The axe-core script (skips, or fails in CI, when ``npm ci --prefix tests/e2e/.axe`` has not run)."""
    if not AXE.exists():
        reason = f"{AXE} is missing: run npm ci --prefix tests/e2e/.axe"
        if os.environ.get("LAYERWISE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def violations(page: Any, axe_source: str) -> list[str]:
    """The serious and critical WCAG violations axe finds on the page as it is now."""
    page.add_script_tag(content=axe_source)
    found = page.evaluate(RUN_AXE, WCAG_TAGS)
    return [f"{v['impact']} {v['id']} ({v['count']}×: {v['help']}) at {v['where']}" for v in found]


def visit(page: Any, url: str) -> None:
    page.goto(url)
    page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]').first.wait_for()
    settle(page, 800)


def test_no_serious_accessibility_violation_on_any_page(
    start_server: StartServer, browser: Any, tmp_path: Path, axe_source: str
) -> None:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = start_server({"DATABASE_URL": database_url})
    page = browser.new_context(viewport=DESKTOP).new_page()
    found: dict[str, list[str]] = {}

    # empty: every page as a first visitor sees it
    for path in PAGES:
        visit(page, f"{server.url}/{path}")
        found[f"empty /{path}"] = violations(page, axe_source)

    # answered: a person's answers page with answers, and the finish screen
    token = new_assessment(database_url)
    visit(page, f"{server.url}/assess?token={token}")
    radios = page.locator('[data-testid="stRadio"]')
    radios.nth(0).locator('label:has(input[type="radio"])').nth(2).click()
    settle(page, 300)
    radios.nth(1).locator('label:has(input[type="radio"])').nth(5).click()
    settle(page, 300)
    assert len(saved_answers(database_url, token)) == 2
    found["answered /assess"] = violations(page, axe_source)
    visit(page, f"{server.url}/assess?token={token}&step=done")
    found["finished /assess"] = violations(page, axe_source)

    # results: a team past k, every journey page with the charts shown
    team = team_past_k(database_url)
    for path in sorted(JOURNEY):
        visit(page, f"{server.url}/{path}?token={team}")
        found[f"results /{path}"] = violations(page, axe_source)

    problems = {where: items for where, items in found.items() if items}
    assert not problems, "\n".join(f"{where}: {item}" for where, items in problems.items() for item in items)


FOCUS = """() => {
    const el = document.activeElement;
    if (!el) return {kind: 'none'};
    if (el.type === 'radio') {
        const groups = [...document.querySelectorAll('[data-testid="stRadio"]')];
        const group = groups.findIndex(g => g.contains(el));
        return {kind: 'radio', group, checked: !!groups[group].querySelector('input:checked')};
    }
    return {kind: el.tagName.toLowerCase(), text: (el.innerText || '').trim()};
}"""


def tab_to(page: Any, wanted: Any, *, backwards: bool = False, limit: int = 80) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused element is the wanted one; what is focused then."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        page.wait_for_timeout(40)
        focused = page.evaluate(FOCUS)
        if wanted(focused):
            return focused
        seen.append(focused)
    raise AssertionError(f"Tab never reached the wanted element; focused on the way: {seen}")


def choose_by_keyboard(page: Any, group: int, option: int) -> None:
    """With a question's radio focused: Space chooses the focused description, the down arrow moves on until
    the wanted one (0 = the first description) is chosen, as a keyboard user would."""
    page.keyboard.press("Space")
    settle(page, 200)
    for _ in range(6):
        checked = page.evaluate(
            """(group) => [...document.querySelectorAll('[data-testid="stRadio"]')[group]
                .querySelectorAll('input[type="radio"]')].findIndex(input => input.checked)""",
            group,
        )
        if checked == option:
            return
        page.keyboard.press("ArrowDown")
        settle(page, 200)
    raise AssertionError(f"the arrows never chose description {option} of question {group + 1}")


def test_the_whole_form_can_be_completed_with_the_keyboard_alone(
    start_server: StartServer, browser: Any, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = start_server({"DATABASE_URL": database_url})
    token = new_assessment(database_url)
    page = browser.new_context(viewport=DESKTOP).new_page()
    visit(page, f"{server.url}/assess?token={token}")
    for step in range(1, 6):
        page.get_by_text(f"Step {step} of 5").wait_for()
        settle(page, 300)
        # first question: its second description; second question: its first
        if step == 1:
            tab_to(page, lambda f: f["kind"] == "radio" and f["group"] == 0)
        else:  # from the "Next" button, back up to the step's first question
            tab_to(page, lambda f: f["kind"] == "radio" and f["group"] == 0, backwards=True)
        choose_by_keyboard(page, 0, 1)
        # second question: its first description
        tab_to(page, lambda f: f["kind"] == "radio" and f["group"] == 1)
        choose_by_keyboard(page, 1, 0)
        button = "Next" if step < 5 else "Finish"
        tab_to(page, lambda f, button=button: f["kind"] == "button" and button in f["text"].split())
        page.keyboard.press("Enter")
        settle(page, 300)
    page.get_by_text("Thank you: your answers are saved").wait_for()
    saved = saved_answers(database_url, token)
    assert sorted(saved.values(), key=str) == [1] * 5 + [2] * 5, saved
