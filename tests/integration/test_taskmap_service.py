"""The task map and the guide on real databases (SQLite and PostgreSQL): saved per assessment, the ledger of
Results and the team PDF taken from it, guide versions kept, the guide action marked done, and the guide's
date shown to the next round."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.exchange import ImportFileError
from services import assessment as journey
from services import taskmap as maps
from services.context import AccessError, AppContext, InputError, make_context
from tests.integration.test_assessment_service import team_with_answers

FORM = {
    "data_rules": [{"data_class": "Public information", "tools": "Copilot"}],
    "contact_name": "Anna Łukasiewicz",
    "contact_response": "within one working day",
    "review_date": date(2027, 2, 28),
}


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


def test_the_ledger_comes_from_the_task_map_once_there_is_one(ctx: AppContext) -> None:
    tokens = team_with_answers(ctx, "Service desk", [2, 3, 3, 4])
    journey.save_outcomes(
        ctx,
        tokens[0],
        kpis={"task_time_reduction": 30.0, "meta_work_hours": 2.0, "redeployed_share": 25.0},
        ai_hours_per_week=20.0,
        team_size=8,
    )
    before = journey.results(ctx, tokens[1]).result.ledger
    assert before is not None and not before.summary.startswith("From the task map")

    maps.start_from_template(ctx, tokens[1], "service-desk")  # a teammate may edit the team's map
    ledger = journey.results(ctx, tokens[2]).result.ledger
    assert ledger is not None
    assert ledger.summary.startswith("From the task map: 8 activities in 3 roles (8 people).")
    assert (ledger.team_size, ledger.team_hours_freed, ledger.team_net_freed_hours) == (8, 79.0, 57.0)

    assessment_id = journey.resume(ctx, tokens[0]).assessment_id
    pdf = journey.team_report_pdf_for_assessment(ctx, assessment_id)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "From the task map: 8 activities in 3 roles" in " ".join(text.split())

    maps.clear_task_map(ctx, tokens[0])
    back = journey.results(ctx, tokens[0]).result.ledger
    assert back is not None and back.summary == before.summary


def test_a_bad_save_names_the_row_and_keeps_the_stored_map(ctx: AppContext) -> None:
    lead = journey.start_assessment(ctx, team_name="Risk", mode="consensus", form="pulse", role="leader")
    maps.start_from_template(ctx, lead.token, "risk-reporting")
    with pytest.raises(maps.TaskMapInputError) as raised:
        maps.save_row(
            ctx,
            lead.token,
            "activities",
            0,
            {
                "role": "Risk analyst",
                "name": "X",
                "hours_per_week": -2,
                "decision": "ai_freely",
                "reduction_pct": 10,
            },
        )
    assert raised.value.errors == {"Activities row 1, hours per week": "must be at least 0 (got -2)"}
    assert maps.task_map(ctx, lead.token).task_map.activities[0].name == "Data pulls and reconciliation"  # type: ignore[union-attr]
    # renaming a role renames it in its activities and redeployments
    view = maps.save_row(ctx, lead.token, "roles", 0, {"name": "Analyst", "people": 5})
    assert {a.role for a in view.task_map.activities} == {"Analyst", "Reporting lead"}  # type: ignore[union-attr]
    with pytest.raises(maps.TaskMapInputError) as raised:
        maps.remove_row(ctx, lead.token, "roles", 0)
    assert "Activities row 1, role" in raised.value.errors


def test_csv_import_is_all_or_nothing(ctx: AppContext) -> None:
    lead = journey.start_assessment(ctx, team_name="Software", mode="consensus", form="pulse", role="leader")
    maps.start_from_template(ctx, lead.token, "software")
    assessment_id = journey.resume(ctx, lead.token).assessment_id
    data = maps.export_csv_for_assessment(ctx, assessment_id)
    broken = data.replace(b"Writing routine code and tests,,12,", b"Writing routine code and tests,,eleven,")
    with pytest.raises(ImportFileError) as raised:
        maps.import_csv(ctx, lead.token, broken.replace(b"role,Tester,,1,", b"role,Tester,,0,"))
    assert sorted(raised.value.errors) == [
        "line 3, people: must be at least 1 (got 0)",
        "line 5, hours_per_week: must be a number (got 'eleven')",
    ]
    assert maps.export_csv_for_assessment(ctx, assessment_id) == data, "nothing was imported"
    changed = data.replace(b"Writing routine code and tests,,12,", b"Writing routine code and tests,,14,")
    view = maps.import_csv(ctx, lead.token, changed)
    assert view.task_map.activities[0].hours_per_week == 14  # type: ignore[union-attr]


def test_guides_are_versioned_mark_the_action_done_and_reach_the_next_round(ctx: AppContext) -> None:
    tokens = team_with_answers(ctx, "Platform", [1, 1, 2])
    plan = journey.action_plan(ctx, tokens[0], today=date(2026, 11, 30))
    if not any(a.source_item_id == maps.GUIDE_ITEM_ID for a in plan.actions):
        journey.add_recommended_action(ctx, tokens[0], maps.GUIDE_ITEM_ID)
    with pytest.raises(InputError) as raised:
        maps.publish_guide(ctx, tokens[0], FORM)
    assert "task map" in raised.value.errors
    maps.start_from_template(ctx, tokens[0], "service-desk")
    with pytest.raises(InputError) as raised:
        maps.publish_guide(ctx, tokens[0], FORM | {"contact_name": ""})
    assert raised.value.errors == {"who decides grey zones": "is required"}

    first = maps.publish_guide(ctx, tokens[1], FORM)
    start = maps.guide_form_start(ctx, journey.resume(ctx, tokens[0]).assessment_id, date(2026, 12, 1))
    assert start["contact_name"] == "Anna Łukasiewicz", "the next version starts from the last one"
    assert start["review_date"] == date(2027, 3, 1)
    second = maps.publish_guide(ctx, tokens[2], FORM | {"contact_name": "Omar"})
    assert (first.version, second.version) == (1, 2)
    action = next(
        a for a in journey.action_plan(ctx, tokens[0]).actions if a.source_item_id == maps.GUIDE_ITEM_ID
    )
    assert action.status == "done"

    assessment_id = journey.resume(ctx, tokens[0]).assessment_id
    old, name = maps.guide_file_for_assessment(ctx, assessment_id, "md", version=1)
    assert "Anna Łukasiewicz" in old.decode() and "Omar" not in old.decode()
    assert name.endswith("-ai-use-guide-v1.md")
    pdf, _ = maps.guide_file(ctx, tokens[0], "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and "Omar" in reader.pages[0].extract_text()
    html, _ = maps.guide_file(ctx, tokens[0], "html")
    assert html.decode().startswith('<section class="ai-use-guide"')

    # the next round of the same team sees the guide's date
    share = journey.new_invitation(ctx, tokens[0])
    code = journey.invitation_code(share)
    nxt = journey.start_assessment(
        ctx, team_name="Platform", mode="consensus", form="pulse", role="leader", share_code=code
    )
    note = maps.latest_team_guide(ctx, journey.resume(ctx, nxt.token).assessment_id)
    assert note is not None and note.version == 2
    assert note.sentence.startswith("Your team's AI-use guide: version 2, published ")
    assert "28 Feb 2027" in note.sentence


def test_a_link_that_opens_nothing_edits_nothing(ctx: AppContext) -> None:
    with pytest.raises(AccessError):
        maps.start_from_template(ctx, "not-a-token", "software")


def test_cli_writes_the_guide_in_each_format(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    import cli
    from settings import get_settings

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    try:
        context = make_context(sqlite_url)
        lead = journey.start_assessment(
            context, team_name="Łódź desk", mode="consensus", form="pulse", role="leader"
        )
        assessment_id = journey.resume(context, lead.token).assessment_id
        runner = CliRunner()
        missing = runner.invoke(
            cli.cli, ["guide", "--assessment", str(assessment_id), "--out", str(tmp_path / "g.pdf")]
        )
        assert missing.exit_code == 2 and "this team has not published a guide yet" in missing.output
        maps.start_from_template(context, lead.token, "marketing")
        maps.publish_guide(context, lead.token, FORM)
        context.database.dispose()
        for fmt in ("pdf", "md", "html"):
            out = tmp_path / f"guide.{fmt}"
            result = runner.invoke(
                cli.cli, ["guide", "--assessment", str(assessment_id), "--out", str(out), "--format", fmt]
            )
            assert result.exit_code == 0, result.output
        assert len(PdfReader(io.BytesIO((tmp_path / "guide.pdf").read_bytes())).pages) == 1
        assert "First drafts of posts and newsletters" in (tmp_path / "guide.md").read_text(encoding="utf-8")
        assert "Łódź desk" in (tmp_path / "guide.html").read_text(encoding="utf-8")
        unknown = runner.invoke(cli.cli, ["guide", "--assessment", "999", "--out", str(tmp_path / "x.pdf")])
        assert unknown.exit_code == 2 and "assessment 999 does not exist" in unknown.output
    finally:
        get_settings.cache_clear()
