"""The attacks of issue 12, played through the services on real databases (SQLite and PostgreSQL).

Each test collects what a user can obtain (the Results view, the team PDF's text, the leader view and its
CSV/JSON/XLSX downloads, the workshop reveal and report) before and after one person joins, changes answers
or leaves, and checks that nothing can be subtracted to fewer than k people.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from scoring.disclosure import _release_views, _Variables, dimension_forms
from services import assessment as journey
from services import leader
from services import workshop as live
from services.context import AppContext, make_context
from services.publication import _release_from, published_result
from storage import publications as pub
from storage import repository as repo

WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


@pytest.fixture
def sqlite_ctx(sqlite_url: str) -> Iterator[AppContext]:
    context = make_context(sqlite_url)
    yield context
    context.database.dispose()


def answer_everything(ctx: AppContext, token: str, level: int, *, form: str = "full") -> None:
    for index, item in enumerate(ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for(form)):  # type: ignore[arg-type]
        journey.save_answer(ctx, token, item.id, (level + index) % 5 + 1)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_cells(data: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def everything_shown(ctx: AppContext, token: str) -> dict[str, object]:
    """Every view of the team a member or a leader can obtain, in comparable form."""
    view = journey.results(ctx, token)
    assessment_id = view.session.assessment_id
    leaders = leader.leader_view(ctx)
    return {
        "results page": view.result.model_dump(mode="json"),
        "team pdf": pdf_text(journey.team_report_pdf_for_assessment(ctx, assessment_id, generated_at=WHEN)),
        "leader view": [result.model_dump(mode="json") for result in leaders.latest],
        "leader csv": leader.export_results(ctx, leaders, "csv"),
        "leader json": json.loads(leader.export_results(ctx, leaders, "json")),
        "leader xlsx": xlsx_cells(leader.export_results(ctx, leaders, "xlsx")),
        "plan": [action.title for action in journey.recommended_plan(ctx, assessment_id).actions],
    }


def test_a_fourth_respondent_changes_nothing_anyone_can_see(ctx: AppContext) -> None:
    """Black-box case of the issue: 3 answer, every view; a 4th answers: every view is the same."""
    lead = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="full", role="leader")
    assert lead.share_code
    tokens = [lead.token] + [
        journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token for _ in range(2)
    ]
    for level, token in enumerate(tokens):
        answer_everything(ctx, token, level)
        journey.finish(ctx, token)
    before = everything_shown(ctx, lead.token)
    assert not journey.results(ctx, lead.token).result.suppressed

    fourth = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
    answer_everything(ctx, fourth, 4)
    journey.finish(ctx, fourth)
    journey.save_answer(ctx, tokens[1], "permission.one_page_guide", 5)  # a change by someone published
    # comments are shown without names, but one that appears between two views has one author
    journey.save_comment(ctx, fourth, "permission", "Written by the fourth person")
    journey.save_comment(ctx, tokens[1], "definition", "Written by someone already published")
    after = everything_shown(ctx, lead.token)
    for name in before:
        assert after[name] == before[name], f"{name} changed when one person answered"
    view = journey.results(ctx, fourth)
    assert view.update_note and "2 more people" in view.update_note
    assert view.own is not None  # the newcomer sees their own scores, live

    for level in (1, 3):
        token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        answer_everything(ctx, token, level)
    later = everything_shown(ctx, lead.token)
    assert later["results page"] != before["results page"]
    assert journey.results(ctx, lead.token).result.respondents == 6


def test_a_pooled_workshop_reveal_never_covers_a_team_under_k(ctx: AppContext) -> None:
    """3 + 1 people in a two-team workshop: the pooled figure is the big team's, the lone member's has no
    number anywhere, so pooled minus big team reveals nothing."""
    created = live.create_workshop(ctx, name="Two teams", team_names=["Big", "Lone"], form="pulse", k=3)
    questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
    items = [item.id for item in live.dimension_items(questionnaire, "pulse", "permission")]
    people = [("Big", 2), ("Big", 3), ("Big", 4), ("Lone", 1)]
    for number, (team, level) in enumerate(people):
        token = live.join_workshop(
            ctx, code=created.code, role="contributor", team=team, client_key=f"c{number}"
        )
        for item in items:
            live.save_answer(ctx, token.token, item, level)
    revealed = live.reveal_dimension(ctx, created.facilitator_token, "permission")
    assert revealed.hidden_teams == ("Lone",)
    assert [team for team, _ in revealed.teams] == ["Big"]
    big = revealed.teams[0][1]
    assert revealed.result.respondents == big.respondents == 3
    assert revealed.result.score == big.score  # pooled minus Big = nothing

    live.close_workshop(ctx, created.facilitator_token)
    view = leader.leader_view(ctx)
    lone = next(result for result in view.latest if result.team == "Lone")
    assert lone.suppressed and all(dimension.score is None for dimension in lone.dimensions)
    rows = list(csv.DictReader(io.StringIO(leader.export_results(ctx, view, "csv").decode("utf-8"))))
    assert all(row["score"] == "" and row["index"] == "" for row in rows if row["team"] == "Lone")
    _, result, _, _ = live.workshop_result(ctx, created.workshop_id)
    assert result.dimension("permission").score == big.score


def test_the_leader_filters_never_recompute_a_team_over_fewer_people(ctx: AppContext) -> None:
    tokens = []
    for team in ("Alpha", "Beta"):
        lead = journey.start_assessment(ctx, team_name=team, mode="individual", form="pulse", role="leader")
        assert lead.share_code
        tokens.append(lead.token)
        for level in range(4):
            token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
            answer_everything(ctx, token, level, form="pulse")
    everyone = {result.team: result for result in leader.leader_view(ctx).latest}
    today = datetime.now(UTC).date()
    for view in (
        leader.leader_view(ctx, teams=["Alpha"]),
        leader.leader_view(ctx, since=today, until=today),
        leader.leader_view(ctx, teams=["Beta"], since=today),
    ):
        for result in view.latest:
            assert result == everyone[result.team]


# --- random arrival orders, through the services ------------------------------------------------------------

events = st.lists(
    st.tuples(st.sampled_from(["join", "join", "change", "leave"]), st.integers(0, 20), st.integers(1, 5)),
    min_size=3,
    max_size=10,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(3, 4), steps=events)
def test_every_view_is_published_and_releases_differ_by_k(
    sqlite_ctx: AppContext, k: int, steps: list[tuple[str, int, int]]
) -> None:
    ctx = sqlite_ctx
    lead = journey.start_assessment(
        ctx, team_name=f"Team {len(repo_teams(ctx))}", mode="individual", form="pulse", role="leader", k=k
    )
    assert lead.share_code
    members = [lead.token]
    answer_everything(ctx, lead.token, 2, form="pulse")
    for kind, who, level in steps:
        if kind == "join" or len(members) < 2:
            role = "leader" if who % 3 == 0 else "contributor"
            token = journey.join_assessment(ctx, share_code=lead.share_code, role=role).token
            answer_everything(ctx, token, level, form="pulse")
            members.append(token)
        elif kind == "change":
            journey.save_answer(ctx, members[who % len(members)], "permission.one_page_guide", level)
        else:
            token = members.pop(1 + who % (len(members) - 1))
            with ctx.write() as session:
                respondent = repo.find_respondent_by_token(session, token=token)
                assert respondent is not None
                repo.delete_respondent(session, respondent_id=respondent.id)
        # what a member sees is exactly the stored published result (never a live score)
        shown = journey.results(ctx, members[0]).result
        stored = published_result(ctx, lead.assessment_id).result
        assert shown == stored
        # and every pair of releases of any variable differs by 0 or at least k people
        with ctx.read() as session:
            releases = pub.list_releases(session, assessment_id=lead.assessment_id)
        questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
        for dimension in dimension_forms(questionnaire, "pulse"):
            variables = _Variables()
            for payload in releases.get((dimension.id, "answers"), []):
                _release_views(dimension, _release_from(payload), variables)
            for views in variables.views.values():
                shown_views = [view for view in views if view]
                for index, first in enumerate(shown_views):
                    for second in shown_views[index + 1 :]:
                        differing = len({person for person, _ in first ^ second})
                        assert differing == 0 or differing >= k


def repo_teams(ctx: AppContext) -> list[str]:
    with ctx.read() as session:
        return [team.name for team in repo.list_teams(session)]


def test_a_unit_moves_only_when_one_of_its_teams_publishes(ctx: AppContext) -> None:
    """Units: one person joining a team of the unit changes neither the team nor the unit; a team under k
    adds nothing to its unit, so unit minus the shown sibling is nobody."""
    from services import units

    tokens = {}
    for name, people in (("North", 3), ("South", 2)):
        lead = journey.start_assessment(ctx, team_name=name, mode="individual", form="pulse", role="leader")
        assert lead.share_code
        tokens[name] = (lead.share_code, lead.token)
        answer_everything(ctx, lead.token, 1, form="pulse")
        for level in range(people - 1):
            token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
            answer_everything(ctx, token, level + 2, form="pulse")
    units.import_structure(ctx, "unit,parent_unit,team\nRegion,,North\nRegion,,South\n")
    region = units.unit_tree(ctx)[0].id

    def unit_view() -> dict[str, object]:
        view = leader.leader_view(ctx)
        return units.unit_result(ctx, view, region).model_dump(mode="json")

    before = unit_view()
    assert before["respondents"] == 3  # South (2 people) adds nothing
    token = journey.join_assessment(ctx, share_code=tokens["North"][0], role="contributor").token
    answer_everything(ctx, token, 4, form="pulse")
    assert unit_view() == before
    # South reaches k: it is published on its own, and only then does the unit move (by all 3 of South)
    token = journey.join_assessment(ctx, share_code=tokens["South"][0], role="contributor").token
    answer_everything(ctx, token, 5, form="pulse")
    after = unit_view()
    assert after["respondents"] == 6


def test_a_published_assessment_is_not_attempted_again_until_an_answer_changes(ctx: AppContext) -> None:
    """The leader view attempts publication only for assessments with newer answers (it was every one)."""
    from datetime import timedelta

    lead = journey.start_assessment(ctx, team_name="Quiet", mode="individual", form="pulse", role="leader")
    assert lead.share_code
    answer_everything(ctx, lead.token, 1, form="pulse")
    journey.results(ctx, lead.token)
    with ctx.read() as session:
        assert pub.stale_assessments(session, assessment_ids=[lead.assessment_id]) == []
        # within the margin after the newest answer, another attempt is still made
        recent = pub.stale_assessments(
            session, assessment_ids=[lead.assessment_id], margin=timedelta(hours=1)
        )
        assert recent == [lead.assessment_id]
    journey.save_answer(ctx, lead.token, "permission.one_page_guide", 5)
    with ctx.read() as session:
        assert pub.stale_assessments(session, assessment_ids=[lead.assessment_id]) == [lead.assessment_id]
