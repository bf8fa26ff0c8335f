"""A PostgreSQL connection that breaks while an answer is being saved: one retry, never a duplicate.

The connection is really cut: just before the answer's INSERT runs, another connection ends the app
connection's server process (``pg_terminate_backend``), as a PostgreSQL restart or a network drop would
mid-request. ``pool_pre_ping`` cannot see this (the connection was alive when it was checked out); the save
is run once more on a fresh connection (``retry_once_on_dropped_connection``). When the second try breaks
too, the person gets ``StorageBusyError`` (the database did not respond), and nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, make_url, select

from questionnaires.loader import Catalog
from services import assessment as journey
from services import workshop as live
from services.context import AppContext, StorageBusyError, make_context
from storage.models import Answer

pytestmark = pytest.mark.postgres

ITEM = "permission.one_page_guide"


@pytest.fixture
def ctx(postgres_url: str, catalog: Catalog) -> Iterator[AppContext]:
    context = make_context(postgres_url, catalog=catalog)
    yield context
    context.database.dispose()


class ConnectionCutter:
    """Ends the app connection's PostgreSQL backend just before its next ``INSERT INTO answers`` runs, for the
    next ``times`` such statements."""

    def __init__(self, ctx: AppContext, postgres_url: str) -> None:
        url = make_url(postgres_url)
        self.dsn = dict(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database)
        self.times = 0
        self.cut = 0
        event.listen(ctx.database.engine, "before_cursor_execute", self._before)

    def _before(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.times <= 0 or not statement.lstrip().upper().startswith("INSERT INTO ANSWERS"):
            return
        self.times -= 1
        pid = connection.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(**self.dsn, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        self.cut += 1


def answer_rows(ctx: AppContext, item_id: str) -> list[int | None]:
    with ctx.read() as session:
        return list(session.scalars(select(Answer.value).where(Answer.item_id == item_id)))


def test_a_workshop_answer_cut_off_once_is_saved_once(ctx: AppContext, postgres_url: str) -> None:
    created = live.create_workshop(ctx, name="Support, March", team_names=["Support"], form="pulse")
    joined = live.join_workshop(ctx, code=created.code, role="contributor", client_key="reconnect")
    cutter = ConnectionCutter(ctx, postgres_url)

    cutter.times = 1
    live.save_answer(ctx, joined.token, ITEM, 4)  # no error: the retry saved it

    assert cutter.cut == 1, "the connection was really cut once"
    assert live.participant(ctx, joined.token).choice(ITEM) == 4
    assert answer_rows(ctx, ITEM) == [4], "saved exactly once"

    # and a change after the cut overwrites it in place (still one row)
    cutter.times = 1
    live.save_answer(ctx, joined.token, ITEM, 2)
    assert cutter.cut == 2 and answer_rows(ctx, ITEM) == [2]


def test_a_self_assessment_answer_cut_off_once_is_saved_once(ctx: AppContext, postgres_url: str) -> None:
    token = journey.start_assessment(
        ctx, team_name="Support", mode="consensus", form="pulse", role="leader"
    ).token
    cutter = ConnectionCutter(ctx, postgres_url)
    cutter.times = 1
    journey.save_answer(ctx, token, ITEM, 3)
    assert cutter.cut == 1
    assert journey.resume(ctx, token).answers == {ITEM: 3}
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == 1


def test_an_answer_cut_off_twice_is_not_saved_and_says_the_database_did_not_respond(
    ctx: AppContext, postgres_url: str
) -> None:
    created = live.create_workshop(ctx, name="Support, March", team_names=["Support"], form="pulse")
    joined = live.join_workshop(ctx, code=created.code, role="contributor", client_key="reconnect")
    cutter = ConnectionCutter(ctx, postgres_url)

    cutter.times = 2
    with pytest.raises(StorageBusyError) as raised:
        live.save_answer(ctx, joined.token, ITEM, 5)
    assert cutter.cut == 2, "exactly one retry, not more"
    assert raised.value.unreachable and "unreachable" in str(raised.value)
    assert answer_rows(ctx, ITEM) == []

    live.save_answer(ctx, joined.token, ITEM, 5)  # the same choice, sent again once the database answers
    assert answer_rows(ctx, ITEM) == [5]
