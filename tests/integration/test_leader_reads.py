"""The leader view's batch reads give exactly what the one-assessment read gives.

The leader view reads a thousand teams at once (issue 15), so it reads the summaries stored beside the
published results (``scoring.summary``) and teams with nothing published from a count of who answered; these
tests hold both to ``published_result``, the read every other page uses, and hold the summaries to the full
results: every figure the page shows is the same, and what is suppressed stays suppressed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, update

from reports.charts import gap_table, org_heatmap_table, same_teams_trend_table, trend_table
from reports.content import ORG_DETAIL_TEAMS, org_report_content
from scoring.summary import item_flags, summarise, summary_json
from services import leader, publication
from services.context import AppContext, make_context
from services.publication import publish_stale, published_result, published_results, unpublished_results
from storage import publications as pub
from storage import repository as repo
from storage.demo import generate_demo, store_demo
from storage.models import PublishedResult
from tests.integration.test_units import team


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


def test_batch_reads_match_the_single_read(ctx: AppContext) -> None:
    team(ctx, "Published", 4)
    team(ctx, "Two so far", 2)
    view = leader.leader_view(ctx)
    ids = {entry.team: entry.assessment_id for entry in view.history}
    assert set(ids) == {"Published", "Two so far"}

    batch = published_results(ctx, list(ids.values()))
    assert set(batch) == {ids["Published"]}  # nothing is published of a team of two
    assert batch[ids["Published"]] == published_result(ctx, ids["Published"]).result

    waiting = unpublished_results(ctx, [ids["Two so far"]])
    single = published_result(ctx, ids["Two so far"]).result
    assert waiting[ids["Two so far"]] == single
    assert single.suppressed and single.respondents == 2
    # the leader view shows the summary of that very result for the team with nothing published, and the
    # full results it reads for reports are those results themselves
    shown = {result.team: result for result in view.latest}
    assert shown["Two so far"] == summarise(single).result
    full = {result.team: result for result in leader.with_full_results(ctx, view).latest}
    assert full["Two so far"] == single
    assert full["Published"] == published_result(ctx, ids["Published"]).result


def _parameters_of_opening(ctx: AppContext) -> list[int]:
    """How many parameters each SQL statement of opening the leader view carries."""
    parameters: list[int] = []

    def count(_connection: object, _cursor: object, _statement: str, given: object, *_: object) -> None:
        parameters.append(len(given) if isinstance(given, dict | list | tuple) else 0)

    event.listen(ctx.database.engine, "before_cursor_execute", count)
    try:
        leader.leader_view(ctx)
    finally:
        event.remove(ctx.database.engine, "before_cursor_execute", count)
    return parameters


def test_opening_the_leader_view_takes_as_many_queries_for_many_teams_as_for_few(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # answers older than the margin, as when a leader opens the view: nothing is left to publish
    monkeypatch.setattr(publication, "STALE_MARGIN", timedelta(0))
    team(ctx, "Published", 3)
    team(ctx, "Two so far", 2)
    leader.leader_view(ctx)  # the first opening publishes what was answered
    few = _parameters_of_opening(ctx)
    team(ctx, "Published too", 3)
    team(ctx, "Waiting too", 2)
    view = leader.leader_view(ctx)
    assert len(view.latest) == 4
    assert sum(not result.suppressed for result in view.latest) == 2
    many = _parameters_of_opening(ctx)
    assert len(many) == len(few)
    if ctx.database.engine.dialect.name == "postgresql":
        # the assessment ids go as one array each time, not a placeholder per id (psycopg parses every
        # placeholder in Python: about a third of an opening at 1,000 teams)
        assert many == few


@pytest.fixture
def demo_organisation(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    """Twelve demo teams of every profile (divided, gaps, rounds, one too small to show), published, and a
    team of two with nothing published."""
    monkeypatch.setattr(publication, "STALE_MARGIN", timedelta(0))
    questionnaire = ctx.questionnaire("human-system-design")
    with ctx.write() as session:
        store_demo(session, generate_demo(questionnaire, teams=12, respondents=7, seed=1))
        ids = [assessment.id for assessment in repo.list_assessments(session)]
    publish_stale(ctx, ids)
    team(ctx, "Two so far", 2)
    return ctx


def _shown(view: leader.LeaderView) -> dict[str, object]:
    """Everything of the view that the leader page's first screen shows, as tables (JSON: a missing number
    is null, which equals itself)."""
    return {
        "teams": org_heatmap_table(view.latest).to_json(orient="records"),
        "gaps": gap_table(list(view.latest)).to_json(orient="records"),
        "trend": trend_table(list(view.rounds)).to_json(orient="records"),
        "same teams": same_teams_trend_table(list(view.rounds)).to_json(orient="records"),
        "peers": view.peers,
        "hotspots": view.hotspots,
        "stages": [(leader.stage_label(result), leader.blocker_label(result)) for result in view.latest],
        "results": leader.result_rows(view.latest),
    }


def test_the_summaries_show_every_figure_of_the_full_results(demo_organisation: AppContext) -> None:
    ctx = demo_organisation
    view = leader.leader_view(ctx)
    full = leader.with_full_results(ctx, view)
    assert not view.full_results and full.full_results
    assert gc.isenabled(), "the collector paused while reading is running again"
    # the page's downloads each ask for them: read once per view
    assert leader.with_full_results(ctx, view) is full and leader.with_full_results(ctx, full) is full
    assert len(view.history) > len(view.latest) > 10  # rounds, and every team
    # every result of every round is the summary of the full result, which is the one-assessment read
    for summary, whole in zip(view.history, full.history, strict=True):
        assert summary.assessment_id == whole.assessment_id
        assert whole.result == published_result(ctx, whole.assessment_id).result
        assert summary.result == summarise(whole.result).result
    for result in full.latest:
        assert view.item_flags[result.team] == item_flags(result)
    assert _shown(view) == _shown(full)
    assert leader.target_rows(ctx, view) == leader.target_rows(ctx, full)
    # filtering by standing counts the hotspots of the teams left, from their summaries as from the results
    stage = leader.stage_label(view.latest[0])
    assert _shown(leader.filter_by_standing(view, stages=[stage])) == _shown(
        leader.filter_by_standing(full, stages=[stage])
    )


def test_a_suppressed_team_stays_suppressed_in_its_summary(demo_organisation: AppContext) -> None:
    ctx = demo_organisation
    view = leader.leader_view(ctx)
    full = {result.team: result for result in leader.with_full_results(ctx, view).latest}
    suppressed = [result for result in view.latest if result.suppressed]
    assert {result.team for result in suppressed} >= {"Two so far"}
    assert len(suppressed) >= 2, "the demo's team too small to show, and the team of two"
    for result in suppressed:
        assert full[result.team].suppressed
        assert result.overall.index is None and result.overall.stage is None
        assert all(d.score is None and d.gated_level is None for d in result.dimensions)
        assert all(gap.gap is None for gap in result.gaps)
        assert view.item_flags[result.team].counted == []
    # a suppressed dimension or gap of a team with numbers has none in the summary either
    for result in view.latest:
        whole = full[result.team]
        for dimension, whole_dimension in zip(result.dimensions, whole.dimensions, strict=True):
            assert dimension.suppressed == whole_dimension.suppressed
            if whole_dimension.suppressed:
                assert dimension.score is None and dimension.gated_level is None
        assert [gap.gap for gap in result.gaps] == [gap.gap for gap in whole.gaps]


def test_each_published_result_is_stored_with_its_summary(demo_organisation: AppContext) -> None:
    ctx = demo_organisation
    view = leader.leader_view(ctx)
    with ctx.read() as session:
        stored = pub.latest_published_many(session, assessment_ids=[e.assessment_id for e in view.history])
    assert stored
    for assessment_id, row in stored.items():
        assert row.summary == summary_json(published_result(ctx, assessment_id).result)


def test_a_result_stored_without_a_summary_is_summarised_from_the_full_result(
    demo_organisation: AppContext,
) -> None:
    ctx = demo_organisation
    before = leader.leader_view(ctx)
    ids = [entry.assessment_id for entry in before.history]
    with ctx.write() as session:  # as an older server would have stored them, and a summary of another shape
        session.execute(
            update(PublishedResult).where(PublishedResult.assessment_id == ids[0]).values(summary=None)
        )
        session.execute(
            update(PublishedResult)
            .where(PublishedResult.assessment_id == ids[1])
            .values(summary={"version": 0, "result": {}})
        )
    after = leader.leader_view(ctx)
    assert after.history == before.history
    assert _shown(after) == _shown(before)


def test_teams_with_nothing_published_read_together_as_each_alone(ctx: AppContext) -> None:
    # teams alike but for their names (scored once for all of them), and teams that differ in size or roles
    for name in ("Two A", "Two B", "Two C"):
        team(ctx, name, 2)
    team(ctx, "One", 1)
    ids = {entry.team: entry.assessment_id for entry in leader.leader_view(ctx).history}
    assert set(ids) == {"Two A", "Two B", "Two C", "One"}
    with ctx.write() as session:  # outcome figures of one of them: its own, never another's
        repo.save_kpis(
            session, assessment_id=ids["Two B"], kpis={"task_time_reduction_pct": 20}, ai_hours_per_week=5
        )
    view = leader.leader_view(ctx)
    together = unpublished_results(ctx, list(ids.values()))
    summaries = {result.team: result for result in view.latest}
    for name, assessment_id in ids.items():
        alone = published_result(ctx, assessment_id).result
        assert together[assessment_id] == alone, name
        assert summaries[name] == summarise(alone).result, name
    assert together[ids["Two B"]].kpis == {"task_time_reduction_pct": 20.0}
    assert together[ids["Two A"]].kpis == {}


def test_the_downloads_are_made_again_when_what_only_the_full_results_hold_changes(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page makes each download once per fingerprint: a team's outcome figures change its report's
    ledger without changing its summary, so the fingerprint must change with them."""
    monkeypatch.setattr(publication, "STALE_MARGIN", timedelta(0))
    team(ctx, "Published", 3)
    first = leader.leader_view(ctx)
    assert leader.leader_view(ctx).fingerprint == first.fingerprint  # nothing changed: the files are kept
    (assessment_id,) = first.assessment_ids
    with ctx.write() as session:
        repo.save_kpis(session, assessment_id=assessment_id, kpis={"task_time_reduction_pct": 20})
    second = leader.leader_view(ctx)
    assert second.latest == first.latest  # the summaries hold no outcome figures
    assert second.fingerprint != first.fingerprint
    with ctx.write() as session:
        repo.save_kpis(session, assessment_id=assessment_id, kpis={}, team_size=8)
    assert leader.leader_view(ctx).fingerprint not in (first.fingerprint, second.fingerprint)


def test_the_report_of_many_teams_says_from_its_slim_read_what_it_says_from_the_full_results(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over ORG_DETAIL_TEAMS teams the organisation report reads each team's latest result cut down to what
    it uses (``org_report_slim``), earlier rounds as summaries, and no plans: its content is the content
    made from the full results and the plans, as the report was made before."""
    monkeypatch.setattr(publication, "STALE_MARGIN", timedelta(0))
    questionnaire = ctx.questionnaire("human-system-design")
    with ctx.write() as session:
        store_demo(session, generate_demo(questionnaire, teams=ORG_DETAIL_TEAMS + 4, respondents=5, seed=3))
        ids = [assessment.id for assessment in repo.list_assessments(session)]
    publish_stale(ctx, ids)
    view = leader.leader_view(ctx)
    assert len(view.latest) > ORG_DETAIL_TEAMS and len(view.rounds) > 1
    when = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    slim = leader.org_report(ctx, view, organisation="Acme", generated_at=when)
    assert not view.__dict__.get("_full_view"), "the full results were not read"
    full = leader.with_full_results(ctx, view)
    # what the slim read must keep is there to be kept: hidden items and roles, outcome figures
    assert any(item.suppressed for r in full.latest for d in r.dimensions for item in d.items)
    assert any(segment.suppressed for r in full.latest for segment in r.segments)
    assert any(r.ledger is not None for r in full.latest) and any(r.kpis for r in full.latest)
    before = org_report_content(
        questionnaire,
        list(full.latest),
        leader._plans(ctx, full),
        pack=full.pack,
        generated_at=when,
        rounds=list(full.rounds),
        organisation="Acme",
    )
    assert slim.texts() == before.texts()
    assert (slim.suppressed, slim.ranking, slim.teams) == (before.suppressed, before.ranking, before.teams)
    assert [(f.name, f.caption, f.chart.to_dict()) for f in slim.figures()] == [
        (f.name, f.caption, f.chart.to_dict()) for f in before.figures()
    ]
    # a view whose full results were read already makes the report from them
    assert leader.org_report(ctx, view, organisation="Acme", generated_at=when).texts() == before.texts()
