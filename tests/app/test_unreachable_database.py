"""PostgreSQL stops answering while a person answers (the workshop page, the Answers page): the page says it
could not save, keeps the choice, and saves it (once) when the database is back.

The database "goes down" for this app only: its own throwaway database refuses new connections
(``ALLOW_CONNECTIONS false``) and the app's open connections are ended, so other tests on the same server
are not disturbed. Skips without PostgreSQL unless ``LAYERWISE_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import ui
from services import assessment as journey
from services import workshop as live
from services.context import AppContext, make_context
from storage.models import Answer
from tests.app.conftest import APP, TIMEOUT, _reset_caches
from tests.e2e.test_workshop_e2e import throwaway_postgres  # noqa: F401 - the fixture
from tests.postgres_support import database_refusing_connections

pytestmark = pytest.mark.postgres

ITEM = "permission.one_page_guide"


@pytest.fixture
def pg_ctx(
    throwaway_postgres: str,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[AppContext]:
    """The app on a throwaway PostgreSQL database, and a services context on it."""
    monkeypatch.setenv("DATABASE_URL", throwaway_postgres)
    _reset_caches()
    ctx = make_context(throwaway_postgres)
    try:
        yield ctx
    finally:
        ctx.database.dispose()
        _reset_caches()


def alerts(at: AppTest) -> str:
    return "\n".join(str(element.value) for element in [*at.warning, *at.error])


def saved(ctx: AppContext) -> list[int | None]:
    with ctx.read() as session:
        return list(session.scalars(select(Answer.value).where(Answer.item_id == ITEM)))


def test_a_workshop_answer_given_while_postgresql_does_not_respond_is_kept_and_saved_once(
    pg_ctx: AppContext,
    throwaway_postgres: str,  # noqa: F811 - the fixture imported above
) -> None:
    created = live.create_workshop(pg_ctx, name="Support, March", team_names=["Support"], form="pulse")
    joined = live.join_workshop(pg_ctx, code=created.code, role="contributor", client_key="down")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.query_params.update(resume=joined.token)
    at.switch_page("pages/join.py").run()
    assert not at.exception, [e.value for e in at.exception]

    with database_refusing_connections(throwaway_postgres):
        at.radio(key=f"ws.answer:{ITEM}").set_value(4).run()
        assert not at.exception, [e.value for e in at.exception]
        assert ui.COULD_NOT_SAVE in alerts(at), alerts(at)
        assert "Traceback" not in alerts(at)
        assert at.radio(key=f"ws.answer:{ITEM}").value == 4, "the choice stays on screen"
        at.run()  # a retry while the database is still down keeps it and says so again
        assert not at.exception and ui.COULD_NOT_SAVE in alerts(at)
    assert saved(pg_ctx) == []

    at.run()  # the database is back: the kept choice is saved
    assert not at.exception, [e.value for e in at.exception]
    assert ui.COULD_NOT_SAVE not in alerts(at)
    assert saved(pg_ctx) == [4], "saved exactly once"
    assert at.radio(key=f"ws.answer:{ITEM}").value == 4


def test_a_self_assessment_answer_given_while_postgresql_does_not_respond_is_kept_and_saved_once(
    pg_ctx: AppContext,
    throwaway_postgres: str,  # noqa: F811 - the fixture imported above
) -> None:
    token = journey.start_assessment(
        pg_ctx, team_name="Support", mode="consensus", form="pulse", role="leader"
    ).token
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.query_params.update(token=token)
    at.switch_page("pages/assess.py").run()
    assert not at.exception, [e.value for e in at.exception]

    with database_refusing_connections(throwaway_postgres):
        at.radio(key=f"answer:{ITEM}").set_value(2).run()
        assert not at.exception, [e.value for e in at.exception]
        assert ui.COULD_NOT_SAVE in alerts(at), alerts(at)
        assert at.radio(key=f"answer:{ITEM}").value == 2, "the choice stays on screen"
    assert saved(pg_ctx) == []

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert ui.COULD_NOT_SAVE not in alerts(at)
    assert saved(pg_ctx) == [2]
    assert journey.resume(pg_ctx, token).answers == {ITEM: 2}
