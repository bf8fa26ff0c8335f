"""AppTest: a unit leader's passcode opens their unit and the units below it, and nothing of another unit:
not by the unit picker, the team filter, the tables or the downloads."""

from __future__ import annotations

from services import leader, units
from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_leader_page import enter
from tests.app.test_workshop_pages import texts
from tests.integration.test_units import STRUCTURE, team


def everything(at) -> str:  # type: ignore[no-untyped-def]
    """What the page shows: its texts, every table's cells and every picker's options."""
    parts = [texts(at)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    for box in (*at.selectbox, *at.multiselect):
        parts += [str(option) for option in box.options]  # AppTest gives the options as shown
    return "\n".join(parts)


def test_a_unit_passcode_sees_its_unit_only(app_db: AppDatabase, open_page: PageOpener) -> None:
    for name, people in (("Claims A", 4), ("Claims B", 3), ("Desk", 5), ("Ledger", 3)):
        team(app_db.ctx, name, people)
    units.import_structure(app_db.ctx, STRUCTURE)
    passcode = units.make_unit_passcode(app_db.ctx, "Claims")
    leader.leader_view(app_db.ctx)  # publishes what the teams' answers allow

    at = enter(open_page("pages/leader.py"), passcode)
    assert not at.exception, [e.value for e in at.exception]
    shown = everything(at)
    assert "Unit leader's view: Claims" in shown
    assert "Claims A" in shown
    for other in ("Ledger", "Desk", "Finance", "Service desk", "Operations"):
        assert other not in shown, other
    unit_picker = next(box for box in at.selectbox if box.label == "Unit")
    assert list(unit_picker.options) == ["Claims"]
    team_filter = next(box for box in at.multiselect if box.label == "Teams")
    assert set(team_filter.options) == {"Claims A", "Claims B"}
    # a filter naming another unit's team cannot widen the view
    team_filter.set_value(["Claims A"]).run()
    assert "Ledger" not in everything(at) and not at.exception
    # the download tab's buttons (a button reads "… (preparing…)" until its file is made)
    labels = " ".join(str(element.proto.label) for element in at.get("download_button"))
    labels += " ".join(button.label for button in at.button)
    assert "Unit report (PDF)" in labels and "Organisation PDF" not in labels


def test_the_organisation_passcode_drills_from_the_organisation_to_a_unit(
    app_db: AppDatabase, open_page: PageOpener, monkeypatch
) -> None:
    from settings import get_settings

    monkeypatch.setenv("LAYERWISE_ADMIN_PASSCODE", "organisation passcode")
    get_settings.cache_clear()
    for name, people in (("Claims A", 4), ("Desk", 5), ("Ledger", 3)):
        team(app_db.ctx, name, people)
    units.import_structure(
        app_db.ctx,
        "unit,parent_unit,team\nOperations,,\nClaims,Operations,Claims A\n"
        "Service desk,Operations,Desk\nFinance,,Ledger\n",
    )
    at = enter(open_page("pages/leader.py"), "organisation passcode")
    assert not at.exception
    unit_picker = next(box for box in at.selectbox if box.label == "Unit")
    assert unit_picker.options[0] == "The whole organisation" and unit_picker.value is None
    top = at.dataframe[0].value
    assert list(top["Unit"]) == ["Finance", "Operations"]
    operations = {node.name: node.id for node in units.unit_tree(app_db.ctx)}["Operations"]
    unit_picker.set_value(operations).run()
    assert not at.exception
    below = at.dataframe[0].value
    assert list(below["Unit"]) == ["Claims", "Service desk"]
    # the drilled view covers Operations only (the organisation's "move a team" form still lists every team)
    assert "Ledger" not in texts(at) + "".join(frame.value.to_csv() for frame in at.dataframe)
    team_filter = next(box for box in at.multiselect if box.label == "Teams")
    assert set(team_filter.options) == {"Claims A", "Desk"}
