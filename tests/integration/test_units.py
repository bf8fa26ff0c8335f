"""Units on real databases: the structure import (all or nothing), roll-ups over published results only,
the complement rule across siblings, and a unit leader's scope."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey
from services import leader, units
from services.context import AppContext, InputError, make_context
from storage import units as unit_repo
from storage.models import Unit

STRUCTURE = """unit,parent_unit,team
Operations,,
Claims,Operations,Claims A
Claims,Operations,Claims B
Service desk,Operations,Desk
Finance,,Ledger
"""


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


def team(ctx: AppContext, name: str, people: int, level: int = 3) -> str:
    """A pulse self-assessment of ``people`` respondents who answered everything; the lead's token."""
    lead = journey.start_assessment(ctx, team_name=name, mode="individual", form="pulse", role="leader")
    assert lead.share_code
    tokens = [lead.token] + [
        journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        for _ in range(people - 1)
    ]
    items = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse")
    for offset, token in enumerate(tokens):
        for index, item in enumerate(items):
            journey.save_answer(ctx, token, item.id, (level + index + offset) % 5 + 1)
    return lead.token


@pytest.fixture
def organisation(ctx: AppContext) -> AppContext:
    for name, people in (("Claims A", 4), ("Claims B", 2), ("Desk", 5), ("Ledger", 3)):
        team(ctx, name, people)
    units.import_structure(ctx, STRUCTURE)
    return ctx


def test_the_structure_is_imported_and_exported_unchanged(organisation: AppContext) -> None:
    exported = units.export_structure(organisation).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {(row["unit"], row["parent_unit"], row["team"]) for row in rows} == {
        ("Claims", "Operations", "Claims A"),
        ("Claims", "Operations", "Claims B"),
        ("Service desk", "Operations", "Desk"),
        ("Finance", "", "Ledger"),
        ("Operations", "", ""),
    }
    units.import_structure(organisation, exported)
    assert units.export_structure(organisation).decode("utf-8") == exported


def test_a_bad_file_changes_nothing_and_names_the_lines(organisation: AppContext) -> None:
    before = units.export_structure(organisation)
    with pytest.raises(InputError) as caught:
        units.import_structure(organisation, STRUCTURE + "Finance,,Nobody\nLoop,Finance,\nFinance,Loop,\n")
    message = caught.value.errors["file"]
    assert "line 9: unit 'Finance' has parent 'Loop' here but '(none)' on line 6" in message
    with pytest.raises(InputError, match="line 7: there is no team named 'Nobody'"):
        units.import_structure(organisation, STRUCTURE + "Finance,,Nobody\n")
    assert units.export_structure(organisation) == before


def test_a_unit_rolls_up_only_what_its_teams_published(organisation: AppContext) -> None:
    view = leader.leader_view(organisation)
    claims = {node.name: node.id for node in units.unit_tree(organisation)}["Claims"]
    pooled = units.unit_result(organisation, view, claims)
    claims_a = next(result for result in view.latest if result.team == "Claims A")
    claims_b = next(result for result in view.latest if result.team == "Claims B")
    assert claims_b.suppressed  # 2 people, k = 3: nothing published
    # the hidden sibling adds nothing: unit minus its shown team is nobody (the complement rule)
    assert pooled.respondents == claims_a.respondents == 4
    for unit_dimension, team_dimension in zip(pooled.dimensions, claims_a.dimensions, strict=True):
        assert unit_dimension.score == team_dimension.score
    assert all(segment.score is None for segment in pooled.segments)
    operations = {node.name: node.id for node in units.unit_tree(organisation)}["Operations"]
    assert units.unit_result(organisation, view, operations).respondents == 4 + 5
    rows = {row.name: row for row in units.unit_rows(organisation, view, parent=None, scope=None)}
    assert rows["Operations"].teams == 3 and rows["Operations"].teams_with_numbers == 2
    assert rows["Finance"].teams_with_numbers == 1


def test_a_unit_leader_sees_their_unit_and_below_only(organisation: AppContext) -> None:
    operations = {node.name: node.id for node in units.unit_tree(organisation)}["Operations"]
    passcode = units.make_unit_passcode(organisation, "Operations")
    with organisation.read() as session:
        stored = session.get(Unit, operations)
        assert stored is not None and stored.passcode_hash and passcode not in stored.passcode_hash
    assert units.check_unit_passcode(organisation, passcode, client_key="unit") == operations
    assert units.check_unit_passcode(organisation, passcode + "x", client_key="other") is None
    assert units.check_unit_passcode(organisation, f"u999-{passcode[3:]}", client_key="other2") is None

    view = leader.leader_view(organisation, unit_id=operations, teams=["Ledger", "Desk"])
    assert [result.team for result in view.latest] == ["Desk"]  # Ledger is in Finance: never shown
    assert "Ledger" not in view.all_teams
    assert set(leader.list_team_names(organisation, unit_id=operations)) == {"Claims A", "Claims B", "Desk"}
    exported = leader.export_results(organisation, view, "csv").decode("utf-8")
    assert "Ledger" not in exported and "Finance" not in exported
    assert [node.name for node in units.unit_tree(organisation, scope=operations)] == [
        "Operations",
        "Claims",
        "Service desk",
    ]


def test_moving_a_team_changes_its_unit(organisation: AppContext) -> None:
    units.assign_team(organisation, "Ledger", "Claims")
    with organisation.read() as session:
        claims = unit_repo.find_unit(session, name="Claims")
        assert claims is not None and "Ledger" in unit_repo.teams_in_unit(session, unit_id=claims.id)
    with pytest.raises(InputError, match="no unit named 'Nowhere'"):
        units.assign_team(organisation, "Ledger", "Nowhere")


def test_the_org_commands_import_export_and_make_passcodes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    from settings import get_settings

    get_settings.cache_clear()
    ctx = make_context(sqlite_url)
    try:
        for name in ("Claims A", "Claims B", "Desk", "Ledger"):
            team(ctx, name, 1)
    finally:
        ctx.database.dispose()
    source = tmp_path / "units.csv"
    source.write_text(STRUCTURE, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli.cli, ["org", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "4 units, 4 teams placed" in result.output
    out = tmp_path / "out.csv"
    assert runner.invoke(cli.cli, ["org", "export", "--out", str(out)]).exit_code == 0
    assert "Claims,Operations,Claims A" in out.read_text(encoding="utf-8")
    made = runner.invoke(cli.cli, ["org", "passcode", "Claims"])
    assert made.exit_code == 0 and "passcode for the leader of Claims" in made.output
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,parent_unit,team\nA,B,\nB,A,\n", encoding="utf-8")
    refused = runner.invoke(cli.cli, ["org", "import", str(bad)])
    assert refused.exit_code != 0 and "units form a cycle" in refused.output
    get_settings.cache_clear()


def test_the_unit_report_covers_the_unit_only(organisation: AppContext) -> None:
    from pypdf import PdfReader

    claims = {node.name: node.id for node in units.unit_tree(organisation)}["Claims"]
    view = leader.leader_view(organisation, unit_id=claims)
    data = units.unit_pdf(organisation, view, claims)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    assert "unit Claims" in text and "Claims A" in text
    for other in ("Ledger", "Desk"):
        assert other not in text


def test_the_leader_view_filters_teams_by_stage_and_blocker(organisation: AppContext) -> None:
    view = leader.leader_view(organisation)
    stages, blockers = leader.standing_options(view)
    assert stages and stages == sorted(stages, key=lambda label: (label == leader.NO_STAGE, label))
    for stage in stages:
        filtered = leader.filter_by_standing(view, stages=[stage])
        assert filtered.latest and all(leader.stage_label(result) == stage for result in filtered.latest)
        # only which teams are listed changes: every team's numbers stay its published result
        assert all(result in view.latest for result in filtered.latest)
    for name in blockers:
        filtered = leader.filter_by_standing(view, blockers=[name])
        assert all(leader.blocker_label(result) == name for result in filtered.latest)
    assert leader.filter_by_standing(view) is view


def test_the_structure_is_edited_as_a_table_all_or_nothing(organisation: AppContext) -> None:
    rows = units.structure_rows(organisation)
    assert {"unit": "Claims", "parent_unit": "Operations", "team": "Claims A"} in rows
    # a new unit between Operations and Claims, a unit without teams, an empty cell as a data editor sends it
    edited = [
        {**row, "parent_unit": "Claims and desk"} if row["unit"] == "Claims" else row for row in rows
    ] + [
        {"unit": "Claims and desk", "parent_unit": "Operations", "team": float("nan")},
        {"unit": "Projects", "parent_unit": None, "team": None},
    ]
    saved = units.save_structure_rows(organisation, edited)
    assert saved.units == len({row["unit"] for row in edited} | {"Operations"})
    tree = {node.name: node for node in units.unit_tree(organisation)}
    assert tree["Claims"].parent_id == tree["Claims and desk"].id
    assert tree["Claims and desk"].parent_id == tree["Operations"].id
    assert tree["Projects"].parent_id is None

    before = units.export_structure(organisation)
    broken = [
        *edited,
        {"unit": "Desk", "parent_unit": "Desk", "team": ""},
        {"unit": "Loop A", "parent_unit": "Loop B", "team": ""},
        {"unit": "Loop B", "parent_unit": "Loop A", "team": ""},
        {"unit": "Projects", "parent_unit": "", "team": "No such team"},
    ]
    with pytest.raises(InputError) as raised:
        units.save_structure_rows(organisation, broken)
    problems = raised.value.errors["structure"].splitlines()
    first_new = len(edited) + 1
    assert problems[0] == f"row {first_new}: unit 'Desk' cannot be its own parent"
    assert any(problem.startswith(f"row {first_new + 1}: units form a cycle") for problem in problems)
    assert units.export_structure(organisation) == before  # nothing changed
    with pytest.raises(InputError) as raised:
        units.save_structure_rows(
            organisation, [*edited, {"unit": "Projects", "parent_unit": "", "team": "Nobody"}]
        )
    assert raised.value.errors["structure"].startswith(f"row {first_new}: there is no team named 'Nobody'")
