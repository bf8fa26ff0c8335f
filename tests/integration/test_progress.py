"""A team's progress on a real database: the demo's three-round team sees its change, its path and what
became of its earlier actions; the report's due dates are the stored plan's, fixed when the plan was made."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from services import assessment as journey
from services.context import AppContext, make_context
from services.progress import seed_demo_plans, timeline
from services.publication import publish_stale
from storage import repository as repo
from storage.demo import generate_demo, store_demo


@pytest.fixture
def demo_ctx(sqlite_url: str) -> Iterator[AppContext]:
    ctx = make_context(sqlite_url)
    questionnaire = ctx.questionnaire("human-system-design")
    with ctx.write() as session:
        store_demo(session, generate_demo(questionnaire, teams=2, respondents=7, seed=1))
    with ctx.read() as session:
        publish_stale(ctx, [a.id for a in repo.list_assessments(session)])
    yield ctx
    ctx.database.dispose()


def _rounds(ctx: AppContext, team: str) -> list[int]:
    with ctx.read() as session:
        return [a.id for a in repo.list_assessments(session) if a.team.name == team]


def test_the_third_round_shows_change_path_and_the_earlier_actions(demo_ctx: AppContext) -> None:
    assert seed_demo_plans(demo_ctx) == 3  # Claims Operations' first two rounds, Risk Reporting's first
    assert seed_demo_plans(demo_ctx) == 0, "running it again adds nothing"
    questionnaire = demo_ctx.questionnaire("human-system-design")
    first, second, third = _rounds(demo_ctx, "Claims Operations")
    found = timeline(demo_ctx, third, questionnaire)
    assert (found.round_label, found.team_size) == ("2026 Q3", 9)
    assert found.change is not None and found.change.before_label == "2026 Q2"
    assert found.paths[0] == "Index: 19.8 → 42.0 → 66.8 over three rounds (2026 Q1 to 2026 Q3)"
    assert len(found.follow_ups) == 7
    sentences = [f.sentence for f in found.follow_ups]
    assert sentences[0].startswith("Done in Jun 2026; Capacity governance item")
    assert sum(s.startswith("In progress") for s in sentences) == 2
    assert sum(s.startswith("Not started") for s in sentences) == 2
    # the second round compares with the first only
    assert timeline(demo_ctx, second, questionnaire).paths == []
    assert timeline(demo_ctx, first, questionnaire).change is None


def test_report_due_dates_are_the_stored_plans_not_the_print_date(demo_ctx: AppContext) -> None:
    [latest] = _rounds(demo_ctx, "Risk Reporting")[-1:]
    made = date(2026, 10, 1)
    plan = journey.action_plan_for_assessment(demo_ctx, latest, today=made)
    due = {action.due_date for action in plan.actions}
    assert due <= {made + timedelta(days=days) for days in (30, 60, 90)}
    later = datetime(2027, 3, 1, tzinfo=UTC)
    pdf = journey.team_report_pdf_for_assessment(demo_ctx, latest, generated_at=later)
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "31 Oct 2026" in text  # 1 Oct + 30 days, as stored
    assert "31 Mar 2027" not in text  # never the print date + 30 days


def test_a_report_made_before_anyone_opened_the_plan_fixes_and_stores_it(demo_ctx: AppContext) -> None:
    [latest] = _rounds(demo_ctx, "Risk Reporting")[-1:]
    with demo_ctx.read() as session:
        assert repo.list_actions(session, assessment_id=latest) == []
    journey.team_report_pdf_for_assessment(demo_ctx, latest)
    with demo_ctx.read() as session:
        stored = repo.list_actions(session, assessment_id=latest)
    assert len(stored) == 7 and all(row.due_date is not None and row.source_item_id for row in stored)
