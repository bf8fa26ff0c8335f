"""Browser test (issue 15): the organisation passcode drills from the organisation to a unit; a unit
passcode sees only its unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services import leader, units
from services.context import make_context
from tests.e2e.conftest import StartServer
from tests.e2e.test_assessment_e2e import DESKTOP, photograph, settle
from tests.integration.test_units import STRUCTURE, team

PASSCODE = "e2e-organisation-passcode"


def open_leader_view(page: Any, url: str, passcode: str) -> None:
    page.goto(f"{url}/leader")
    page.get_by_role("heading", name="Leader view").wait_for()
    settle(page)
    page.get_by_label("Leader passcode").fill(passcode)
    page.get_by_role("button", name="Open").click()
    page.get_by_role("tab", name="Units").wait_for(timeout=60_000)
    settle(page)


def options_of(page: Any, label: str) -> list[str]:
    """The options a picker offers (opened, read, closed again)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option").first.wait_for(timeout=30_000)
    options = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    options = [option for option in options if option != "Select all"]  # the multiselect's own entry
    page.keyboard.press("Escape")
    settle(page)
    return options


def test_units_drill_down_and_a_unit_leader_sees_only_their_unit(
    start_server: StartServer, browser: Any, tmp_path: Path, shots_dir: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'units.db'}"
    ctx = make_context(database_url)
    try:
        for name, people in (("Claims A", 4), ("Claims B", 3), ("Desk", 5), ("Ledger", 3)):
            team(ctx, name, people)
        units.import_structure(ctx, STRUCTURE)
        unit_passcode = units.make_unit_passcode(ctx, "Claims")
        leader.leader_view(ctx)  # publishes what the answers allow
    finally:
        ctx.database.dispose()
    server = start_server({"DATABASE_URL": database_url, "LAYERWISE_ADMIN_PASSCODE": PASSCODE})

    page = browser.new_context(viewport=DESKTOP).new_page()
    open_leader_view(page, server.url, PASSCODE)
    assert [o.strip() for o in options_of(page, "Unit")] == [
        "The whole organisation",
        "Finance",
        "Operations",
        "Claims",
        "Service desk",
    ]
    photograph(page, shots_dir, "units-01-organisation")
    page.get_by_role("combobox", name="Unit", exact=True).click()
    page.get_by_role("option", name="Operations").click()
    settle(page)
    page.get_by_text("Operations, pooled:").wait_for()
    assert sorted(options_of(page, "Teams")) == ["Claims A", "Claims B", "Desk"]
    photograph(page, shots_dir, "units-02-operations")

    unit_page = browser.new_context(viewport=DESKTOP).new_page()
    open_leader_view(unit_page, server.url, unit_passcode)
    unit_page.get_by_text("Unit leader's view: Claims").wait_for()
    shown = unit_page.locator('[data-testid="stMain"]').inner_text()
    for other in ("Ledger", "Desk", "Finance", "Operations"):
        assert other not in shown, other
    assert options_of(unit_page, "Unit") == ["Claims"]
    assert sorted(options_of(unit_page, "Teams")) == ["Claims A", "Claims B"]
    photograph(unit_page, shots_dir, "units-03-unit-leader")
    assert not server.problems(), server.problems()
