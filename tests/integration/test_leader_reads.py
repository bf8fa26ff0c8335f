"""The leader view's batch reads give exactly what the one-assessment read gives.

The leader view reads a thousand teams at once (issue 15), so it reads published results from their stored
JSON text and teams with nothing published from a count of who answered; these tests hold both to
``published_result``, the read every other page uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from services import leader, publication
from services.context import AppContext, make_context
from services.publication import published_result, published_results, unpublished_results
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
    # the leader view shows that very result for the team with nothing published
    shown = {result.team: result for result in view.latest}
    assert shown["Two so far"] == single


def _statements_of_opening(ctx: AppContext) -> int:
    """How many SQL statements opening the leader view sends."""
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(ctx.database.engine, "before_cursor_execute", count)
    try:
        leader.leader_view(ctx)
    finally:
        event.remove(ctx.database.engine, "before_cursor_execute", count)
    return statements


def test_opening_the_leader_view_takes_as_many_queries_for_many_teams_as_for_few(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # answers older than the margin, as when a leader opens the view: nothing is left to publish
    monkeypatch.setattr(publication, "STALE_MARGIN", timedelta(0))
    team(ctx, "Published", 3)
    team(ctx, "Two so far", 2)
    leader.leader_view(ctx)  # the first opening publishes what was answered
    few = _statements_of_opening(ctx)
    team(ctx, "Published too", 3)
    team(ctx, "Waiting too", 2)
    view = leader.leader_view(ctx)
    assert len(view.latest) == 4
    assert sum(not result.suppressed for result in view.latest) == 2
    assert _statements_of_opening(ctx) == few
