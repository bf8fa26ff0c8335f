"""The self-assessment use cases (``services.assessment``) on real databases: SQLite and PostgreSQL.

What a team lead or a teammate would notice: a share code that lets people join and opens nothing else,
answers saved at once, messages that name the field, a plan seeded once and then the team's own, results
equal to ``scoring`` on the same answers, and exports that are safe to open.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from scoring import score_team
from services import assessment as journey
from services.context import AccessError, AppContext, InputError, ServiceError, make_context
from storage import repository as repo


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    """A services context on a fresh, migrated database (once SQLite, once PostgreSQL)."""
    context = make_context(db_url)
    yield context
    context.database.dispose()


@pytest.fixture
def sqlite_ctx(sqlite_url: str) -> Iterator[AppContext]:
    context = make_context(sqlite_url)
    yield context
    context.database.dispose()


def team_with_answers(
    ctx: AppContext, team: str, levels: list[Any], *, form: str = "pulse", size: int = 3
) -> list[str]:
    """An individual assessment of ``size`` respondents answering in a cycle of ``levels``; their tokens."""
    lead = journey.start_assessment(ctx, team_name=team, mode="individual", form=form, role="leader")
    assert lead.share_code
    tokens = [lead.token]
    tokens += [
        journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        for _ in range(size - 1)
    ]
    items = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for(form)  # type: ignore[arg-type]
    for offset, token in enumerate(tokens):
        for index, item in enumerate(items):
            journey.save_answer(ctx, token, item.id, levels[(index + offset) % len(levels)])
    return tokens


def test_a_share_code_lets_teammates_join_and_opens_nothing_else(ctx: AppContext) -> None:
    lead = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="full", role="leader")
    assert lead.share_code and lead.share_code not in (lead.token, lead.assessment_ref)
    shared = journey.shared_assessment(ctx, lead.share_code)
    assert (shared.team, shared.form, shared.mode, shared.respondents) == ("Claims", "full", "individual", 1)

    member = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor")
    assert member.assessment_id == lead.assessment_id and member.token != lead.token
    assert member.pseudonym == "R002" and member.share_code == lead.share_code
    with pytest.raises(AccessError):
        journey.resume(ctx, lead.share_code)  # a share code is not a resume token
    with pytest.raises(AccessError):
        journey.shared_assessment(ctx, "no-such-code-0000")
    consensus = journey.start_assessment(  # the team's next round: its invitation link shows it belongs
        ctx, team_name="Claims", mode="consensus", form="pulse", role="manager", share_code=lead.share_code
    )
    assert consensus.share_code is None

    with ctx.write() as session:
        repo.delete_assessment(session, assessment_id=lead.assessment_id)
    with pytest.raises(AccessError):
        journey.shared_assessment(ctx, lead.share_code)  # a stale code opens nothing, ever


def test_start_names_every_wrong_field(ctx: AppContext) -> None:
    with pytest.raises(InputError) as raised:
        journey.start_assessment(ctx, team_name="  ", mode="solo", form="long", role="boss")
    assert set(raised.value.errors) == {"team", "mode", "form", "role"}
    assert "team's name" in raised.value.errors["team"]


def test_answers_are_saved_at_once_changed_and_cleared(ctx: AppContext) -> None:
    started = journey.start_assessment(ctx, team_name="Ops", mode="individual", form="pulse", role="leader")
    item = "permission.one_page_guide"
    journey.save_answer(ctx, started.token, item, 2)
    journey.save_answer(ctx, started.token, item, 4)
    journey.save_answer(ctx, started.token, "permission.safe_to_experiment", journey.DONT_KNOW)
    assert journey.resume(ctx, started.token).answers == {item: 4, "permission.safe_to_experiment": None}
    assert journey.resume(ctx, started.token).choice("permission.safe_to_experiment") == journey.DONT_KNOW
    journey.save_answer(ctx, started.token, item, None)
    assert item not in journey.resume(ctx, started.token).answers

    with pytest.raises(InputError, match="not an item of this pulse form"):
        journey.save_answer(ctx, started.token, "permission.named_contact", 3)  # a full-form item
    with pytest.raises(InputError, match="level 1–5"):
        journey.save_answer(ctx, started.token, item, 7)
    with pytest.raises(AccessError):
        journey.save_answer(ctx, "wrong-token-wrong-token", item, 3)
    with ctx.write() as session:
        repo.close_assessment(session, assessment_id=started.assessment_id)
    with pytest.raises(ServiceError, match="closed"):
        journey.save_answer(ctx, started.token, item, 1)


@pytest.mark.parametrize(
    ("kpis", "hours", "field", "message"),
    [
        ({"rework_rate": 120.0}, None, "rework_rate", "Rework rate must be between 0 and 100 % (got 120)"),
        ({"satisfaction": 0.0}, None, "satisfaction", "Employee satisfaction must be between 1 and 5"),
        ({}, 90.0, "ai_hours_per_week", "between 0 and 80 hours per person per week (got 90)"),
        (
            {"task_time_reduction": 30.0, "meta_work_hours": 12.0, "redeployed_share": 50.0},
            70.0,
            "meta_work_hours",
            "AI-assisted hours (70 h) and meta-work (12 h) together cannot exceed 80",
        ),
        (
            {"task_time_reduction": 100.0, "meta_work_hours": 2.0, "redeployed_share": 50.0},
            10.0,
            "task_time_reduction",
            "must be a percentage from 0 to below 100 (got 100)",
        ),
        ({"made_up": 1.0}, None, "made_up", "not an outcome figure"),
    ],
)
def test_outcomes_name_the_wrong_field(
    sqlite_ctx: AppContext, kpis: dict[str, float], hours: float | None, field: str, message: str
) -> None:
    started = journey.start_assessment(
        sqlite_ctx, team_name="Risk", mode="consensus", form="pulse", role="leader"
    )
    with pytest.raises(InputError) as raised:
        journey.save_outcomes(sqlite_ctx, started.token, kpis=kpis, ai_hours_per_week=hours)
    assert message in raised.value.errors[field]
    assert journey.get_outcomes(sqlite_ctx, started.token).kpis == {}


def test_the_plan_is_seeded_once_then_belongs_to_the_team(ctx: AppContext) -> None:
    tokens = team_with_answers(ctx, "Platform", [1, 2, 2, 3])
    first = journey.action_plan(ctx, tokens[0], today=date(2026, 11, 23))
    assert len(first.actions) == 7
    assert first.actions[0].due_date == date(2026, 11, 23) + timedelta(
        days=first.actions[0].horizon_days or 0
    )
    again = journey.action_plan(ctx, tokens[1])  # a teammate's first view adds nothing
    assert [a.id for a in again.actions] == [a.id for a in first.actions]
    assert {s.item_id for s in again.suggestions}.isdisjoint({a.source_item_id for a in again.actions})

    edited = journey.update_action(ctx, tokens[1], first.actions[0].id, owner="Dana", status="done")
    assert (edited.owner, edited.status) == ("Dana", "done")
    with pytest.raises(InputError) as raised:
        journey.update_action(ctx, tokens[0], first.actions[0].id, status="finished")
    assert "status" in raised.value.errors

    other_team = team_with_answers(ctx, "Elsewhere", [3])
    with pytest.raises(AccessError):
        journey.update_action(ctx, other_team[0], first.actions[0].id, owner="Mallory")
    with pytest.raises(AccessError):
        journey.remove_action(ctx, other_team[0], first.actions[0].id)

    for action in first.actions:
        journey.remove_action(ctx, tokens[0], action.id)
    assert journey.action_plan(ctx, tokens[0]).actions == [], (
        "an emptied plan is not refilled behind the team's back"
    )
    added = journey.add_recommended_action(ctx, tokens[0], first.actions[2].source_item_id or "")
    assert journey.action_plan(ctx, tokens[0]).actions == [added]


def test_results_equal_scoring_and_without_peers_or_a_pack_compare_with_the_target(ctx: AppContext) -> None:
    tokens = team_with_answers(ctx, "Service desk", [2, 3, journey.DONT_KNOW, 4])
    view = journey.results(ctx, tokens[0])
    responses = journey.team_responses_for_assessment(ctx, view.session.assessment_id)
    assert view.result == score_team(view.questionnaire, responses)
    assert view.own is not None and view.own.respondent_id == "R001"
    assert (view.benchmark_against, view.benchmark) == ("none", None)
    assert "needs at least 5 peer teams" in view.benchmark_label
    assert "no measured benchmark pack imported" in view.benchmark_label
    assert set(view.target_levels.values()) == {4}
    assert view.previous is None


def test_peer_percentiles_from_five_peer_teams(sqlite_ctx: AppContext) -> None:
    tokens = team_with_answers(sqlite_ctx, "Team 0", [3, 4])
    for number, levels in enumerate(([1, 2], [2, 3], [3, 3], [4, 5], [5, 4]), start=1):
        team_with_answers(sqlite_ctx, f"Team {number}", levels)
    view = journey.results(sqlite_ctx, tokens[0])
    assert view.benchmark_against == "peers"
    assert all(c.percentile is not None for c in view.benchmark)  # type: ignore[union-attr]


def test_finishing_lists_the_unanswered_items(ctx: AppContext) -> None:
    started = journey.start_assessment(ctx, team_name="Data", mode="individual", form="pulse", role="leader")
    journey.save_answer(ctx, started.token, "permission.one_page_guide", journey.DONT_KNOW)
    report = journey.finish(ctx, started.token)
    assert (report.answered, report.total) == (1, 10)
    assert [item.step for item in report.unanswered][:3] == [1, 2, 2]
    assert journey.resume(ctx, started.token).submitted


def test_exports_are_safe_to_open(sqlite_ctx: AppContext) -> None:
    tokens = team_with_answers(sqlite_ctx, "R&D <Lab>", [2, 3, 4])
    journey.action_plan(sqlite_ctx, tokens[0])
    journey.add_custom_action(sqlite_ctx, tokens[0], title='=HYPERLINK("http://x")', owner="@sam")
    csv_text = journey.plan_csv(sqlite_ctx, tokens[0]).decode("utf-8")
    assert csv_text.splitlines()[0] == ",".join(journey.PLAN_CSV_COLUMNS)
    assert "'=HYPERLINK" in csv_text and "'@sam" in csv_text

    pdf = journey.team_report_pdf(sqlite_ctx, tokens[0])
    assert pdf.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "R&D <Lab>" in text
    assert journey.report_file_name("R&D <Lab>", "pdf") == "layerwise-r-d-lab.pdf"
    # letters without a decomposition are spelled out, not dropped
    assert journey.report_file_name("Łódź Platform team", "pdf") == "layerwise-lodz-platform-team.pdf"
    assert journey.report_file_name("Øresund Straße", "csv") == "layerwise-oresund-strasse.csv"


def test_repository_share_codes_and_seeding(ctx: AppContext) -> None:
    """The storage functions behind share codes and the first plan (``storage.repository``)."""
    started = journey.start_assessment(ctx, team_name="Legal", mode="individual", form="pulse", role="leader")
    with ctx.write() as session:
        code = repo.create_share_code(session, assessment_id=started.assessment_id)
        assert code != started.share_code, "a second call makes a new code"
        assert repo.find_assessment_by_share_code(session, code=code).id == started.assessment_id  # type: ignore[union-attr]
        assert repo.find_assessment_by_share_code(session, code=started.share_code or "") is None, "replaced"
        for malformed in ("", "   ", "short", "x" * 65, "has spaces in it", "../../etc/passwd", None):
            assert repo.find_assessment_by_share_code(session, code=malformed) is None  # type: ignore[arg-type]
        rows = [{"title": "First"}, {"title": "Second", "owner": "Ann"}]
        assert repo.seed_actions(session, assessment_id=started.assessment_id, actions=rows)
        assert not repo.seed_actions(session, assessment_id=started.assessment_id, actions=rows)
        assert [a.title for a in repo.list_actions(session, assessment_id=started.assessment_id)] == [
            "First",
            "Second",
        ]


def test_an_assessment_of_questionnaire_1_0_0_keeps_its_items_and_results_after_1_1_0_ships(
    sqlite_ctx: AppContext,
) -> None:
    """1.1.0 is the default for new assessments; one started on 1.0.0 keeps answering and publishing 1.0.0,
    including an item 1.1.0 retired."""
    from services.publication import published_result

    ctx = sqlite_ctx
    assert ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).version == "1.1.0"
    lead = journey.start_assessment(
        ctx, team_name="Old", mode="individual", form="full", role="leader", questionnaire_version="1.0.0"
    )
    assert lead.share_code
    tokens = [lead.token] + [
        journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token for _ in range(2)
    ]
    previous = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID, "1.0.0")
    for token in tokens:
        for item in previous.items_for("full"):
            journey.save_answer(ctx, token, item.id, 3)
    assessment_id = journey.resume(ctx, lead.token).assessment_id
    view = published_result(ctx, assessment_id, refresh=True)
    assert view.result.questionnaire_version == "1.0.0"
    definition = next(d for d in view.result.dimensions if d.id == "definition")
    assert "definition.target_setting" in {item.id for item in definition.items}
    assert view.result.overall.stage == 3
