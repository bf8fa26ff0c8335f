"""Item wording is recorded with each assessment, so a later change of wording is detected and named.

On real databases (SQLite and PostgreSQL): an assessment stores the wording hash of every item on its form;
when the questionnaire is edited afterwards (same id and version, different question text) the results, the
team report and the service say which items changed; an unchanged questionnaire, or an assessment from
before wording was recorded, says nothing. The JSON export carries the hashes and older exports without
them still import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from questionnaires.loader import Catalog, get_catalog, load_questionnaire
from questionnaires.wording import WordingChange
from reports import exchange
from services import assessment as journey
from services.context import AppContext, InputError, make_context
from storage import repository as repo
from tests.integration.pdf_support import all_text
from tests.variant_support import make_variant, remove_item, reword

VARIANT_ID = "acme-variant"
REWORDED = "permission.one_page_guide"
NEW_QUESTION = "Is there a one-page AI-use guide that sorts uses into three kinds, updated every quarter?"


@pytest.fixture
def questionnaires(tmp_path: Path) -> Path:
    """A folder holding an organisation's variant of the shipped questionnaire (editable by the test)."""
    root = tmp_path / "questionnaires"
    make_variant(root, questionnaire_id=VARIANT_ID, title="Acme variant")
    return root


def context_for(url: str, questionnaires: Path) -> AppContext:
    """A services context that loads the questionnaires as they are on disk now."""
    return make_context(url, catalog=get_catalog([questionnaires]))


@pytest.fixture
def started(db_url: str, questionnaires: Path) -> Iterator[tuple[str, journey.RespondentSession]]:
    """A pulse assessment on the variant, with three people's answers (so its results are not hidden)."""
    ctx = context_for(db_url, questionnaires)
    lead = journey.start_assessment(
        ctx, team_name="Claims", mode="individual", form="pulse", role="leader", questionnaire_id=VARIANT_ID
    )
    assert lead.share_code
    tokens = [lead.token] + [
        journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token for _ in range(2)
    ]
    for offset, token in enumerate(tokens):
        for index, item in enumerate(ctx.questionnaire(VARIANT_ID).items_for("pulse")):
            journey.save_answer(ctx, token, item.id, 1 + (index + offset) % 5)
    ctx.database.dispose()
    yield db_url, lead


def test_an_assessment_records_the_wording_of_every_item_on_its_form(
    started: tuple[str, journey.RespondentSession], questionnaires: Path
) -> None:
    url, lead = started
    ctx = context_for(url, questionnaires)
    try:
        with ctx.read() as session:
            recorded = repo.get_assessment(session, assessment_id=lead.assessment_id).item_wording
        pulse = ctx.questionnaire(VARIANT_ID).items_for("pulse")
        assert recorded == {item.id: item.wording_hash for item in pulse}
    finally:
        ctx.database.dispose()


def test_an_unchanged_questionnaire_gives_no_warning(
    started: tuple[str, journey.RespondentSession], questionnaires: Path
) -> None:
    url, lead = started
    ctx = context_for(url, questionnaires)
    try:
        assert journey.wording_changes_for_assessment(ctx, lead.assessment_id) == []
        view = journey.results(ctx, lead.token)
        assert view.wording_changes == [] and view.wording_warning is None
    finally:
        ctx.database.dispose()


def test_a_reworded_item_is_named_in_the_results_after_the_questionnaire_was_edited(
    started: tuple[str, journey.RespondentSession], questionnaires: Path
) -> None:
    url, lead = started
    reword(questionnaires / VARIANT_ID, REWORDED, NEW_QUESTION)  # same id, same version, new wording
    ctx = context_for(url, questionnaires)
    try:
        edited = ctx.questionnaire(VARIANT_ID)
        assert edited.version == lead.questionnaire_version
        assert journey.wording_changes_for_assessment(ctx, lead.assessment_id) == [
            WordingChange(item_id=REWORDED, kind="changed", question=NEW_QUESTION)
        ]
        view = journey.results(ctx, lead.token)
        assert view.wording_warning == (
            f"The wording of 1 item changed after this assessment was taken: “{NEW_QUESTION}” ({REWORDED}); "
            "compare answers across the change with care."
        )
        assert not view.result.suppressed, "the results are still shown, with the warning beside them"
    finally:
        ctx.database.dispose()


def test_an_assessment_from_before_wording_was_recorded_gives_no_warning(
    started: tuple[str, journey.RespondentSession], questionnaires: Path
) -> None:
    url, lead = started
    ctx = context_for(url, questionnaires)
    try:
        with ctx.write() as session:
            repo.get_assessment(session, assessment_id=lead.assessment_id).item_wording = None
        reword(questionnaires / VARIANT_ID, REWORDED, NEW_QUESTION)
        edited = context_for(url, questionnaires)
        try:
            assert journey.wording_changes_for_assessment(edited, lead.assessment_id) == []
            assert journey.results(edited, lead.token).wording_warning is None
        finally:
            edited.database.dispose()
    finally:
        ctx.database.dispose()


def test_the_team_report_names_the_reworded_item(sqlite_url: str, questionnaires: Path) -> None:
    ctx = context_for(sqlite_url, questionnaires)
    lead = journey.start_assessment(
        ctx, team_name="Claims", mode="consensus", form="pulse", role="leader", questionnaire_id=VARIANT_ID
    )
    for item in ctx.questionnaire(VARIANT_ID).items_for("pulse"):
        journey.save_answer(ctx, lead.token, item.id, 3)
    unchanged = all_text(journey.team_report_pdf(ctx, lead.token))
    assert "Wording changed" not in unchanged
    ctx.database.dispose()

    reword(questionnaires / VARIANT_ID, REWORDED, NEW_QUESTION)
    edited = context_for(sqlite_url, questionnaires)
    try:
        text = all_text(journey.team_report_pdf(edited, lead.token))
        assert "The wording of 1 item changed after this assessment was taken" in text
        assert REWORDED in text
    finally:
        edited.database.dispose()


def test_answers_to_an_item_removed_from_the_questionnaire_are_left_out_and_named(
    sqlite_url: str, questionnaires: Path
) -> None:
    ctx = context_for(sqlite_url, questionnaires)
    lead = journey.start_assessment(
        ctx, team_name="Claims", mode="consensus", form="full", role="leader", questionnaire_id=VARIANT_ID
    )
    full = ctx.questionnaire(VARIANT_ID).items_for("full")
    removed = next(item.id for item in full if not item.pulse)
    for item in full:
        journey.save_answer(ctx, lead.token, item.id, 4)
    ctx.database.dispose()

    remove_item(questionnaires / VARIANT_ID, removed)  # same id and version, one item fewer
    edited = context_for(sqlite_url, questionnaires)
    try:
        view = journey.results(edited, lead.token)  # scoring refuses unknown items: this used to raise
        assert view.wording_warning is not None and removed in view.wording_warning
        assert removed not in {item.id for dim in view.result.dimensions for item in dim.items}
        assert removed in all_text(journey.team_report_pdf(edited, lead.token))
    finally:
        edited.database.dispose()


def test_the_json_export_carries_the_wording_and_old_exports_still_import(
    started: tuple[str, journey.RespondentSession], questionnaires: Path, sqlite_url: str
) -> None:
    url, lead = started
    source = context_for(url, questionnaires)
    target = context_for(sqlite_url, questionnaires)
    catalog = get_catalog([questionnaires])
    try:
        with source.read() as session:
            recorded = repo.get_assessment(session, assessment_id=lead.assessment_id).item_wording
            document = json.loads(exchange.export_json(session, assessment_ids=[lead.assessment_id]))
        assert document["assessments"][0]["item_wording"] == recorded

        with target.write() as session:
            summary = exchange.import_bytes(
                session, json.dumps(document).encode(), file="claims.json", catalog=catalog
            )
            assert (
                repo.get_assessment(session, assessment_id=summary.assessment_ids[0]).item_wording == recorded
            )

        # an export made before wording was recorded has no such field: it imports, with nothing recorded
        del document["assessments"][0]["item_wording"]
        document["assessments"][0]["id"] = "older-round"
        with target.write() as session:
            summary = exchange.import_bytes(
                session, json.dumps(document).encode(), file="older.json", catalog=catalog
            )
            assert repo.get_assessment(session, assessment_id=summary.assessment_ids[0]).item_wording is None

        document["assessments"][0]["item_wording"] = {REWORDED: "not a hash"}
        document["assessments"][0]["id"] = "broken-round"
        with pytest.raises(exchange.ImportFileError) as refused, target.write() as session:
            exchange.import_bytes(session, json.dumps(document).encode(), file="broken.json", catalog=catalog)
        assert refused.value.errors == [
            f'assessments[0].item_wording["{REWORDED}"]: must be a wording hash of 8–64 hex digits '
            '(not "not a hash")'
        ]
    finally:
        source.database.dispose()
        target.database.dispose()


def test_k_is_refused_outside_3_to_50_naming_the_field(db_url: str) -> None:
    ctx = make_context(db_url)
    try:
        for k in (2, 51, True):
            with pytest.raises(InputError) as refused:
                journey.start_assessment(
                    ctx, team_name="Finance", mode="individual", form="pulse", role="leader", k=k
                )
            assert set(refused.value.errors) == {"k"}
            assert ("at least 3" if k != 51 else "at most 50") in refused.value.errors["k"]
        assert journey.list_team_names(ctx) == [], "nothing was created"
        started = journey.start_assessment(
            ctx, team_name="Finance", mode="individual", form="pulse", role="leader", k=50
        )
        assert started.k == 50
    finally:
        ctx.database.dispose()


def test_the_leader_view_names_teams_on_another_questionnaire_and_survives_removed_items(
    sqlite_url: str, questionnaires: Path
) -> None:
    from services import leader

    ctx = context_for(sqlite_url, questionnaires)
    shipped = journey.start_assessment(ctx, team_name="Support", mode="consensus", form="full", role="leader")
    for item in ctx.questionnaire(shipped.questionnaire_id).items_for("full"):
        journey.save_answer(ctx, shipped.token, item.id, 3)
    variant = journey.start_assessment(
        ctx,
        team_name="Acme Claims",
        mode="consensus",
        form="pulse",
        role="leader",
        questionnaire_id=VARIANT_ID,
    )
    for item in ctx.questionnaire(VARIANT_ID).items_for("pulse"):
        journey.save_answer(ctx, variant.token, item.id, 4)
    view = leader.leader_view(ctx)
    assert [result.team for result in view.latest] == ["Support"]
    [reason] = view.left_out
    assert reason.startswith("Acme Claims (") and "Acme variant (acme-variant)" in reason
    ctx.database.dispose()

    # the shipped questionnaire's files lose an item the team answered (same id and version)
    edited_root = questionnaires.parent / "edited"
    folder = make_variant(edited_root, questionnaire_id=shipped.questionnaire_id, title="Edited")
    removed = next(i.id for i in ctx.questionnaire(shipped.questionnaire_id).items_for("full") if not i.pulse)
    remove_item(folder, removed)
    catalog = Catalog()
    edited_questionnaire = load_questionnaire(folder)
    catalog.questionnaires[(edited_questionnaire.id, edited_questionnaire.version)] = edited_questionnaire
    edited = make_context(sqlite_url, catalog=catalog)
    try:  # scoring refuses unknown items: this used to raise
        assert [result.team for result in leader.leader_view(edited).latest] == ["Support"]
        assert "not installed here" in leader.leader_view(edited).left_out[0]
    finally:
        edited.database.dispose()
