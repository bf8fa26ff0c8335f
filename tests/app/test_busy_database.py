"""A database held by another writer past the busy timeout: the choice stays, is retried, and is saved.

Another process holds SQLite's write lock (``BEGIN IMMEDIATE`` on a connection of its own) while a person
answers on the Answers page or the workshop page; the app's busy timeout is made short for the test
(``LAYERWISE_SQLITE_BUSY_TIMEOUT_MS``). The page must say the answer is not saved yet, show no error page,
keep the choice on screen and save it once the lock is gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from streamlit.testing.v1 import AppTest

from services import assessment as journey
from services import workshop as live
from settings import get_settings
from tests.app.conftest import AppDatabase, PageOpener

ITEM = "permission.one_page_guide"


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAYERWISE_SQLITE_BUSY_TIMEOUT_MS", "200")
    get_settings.cache_clear()


@contextmanager
def write_lock_held(app_db: AppDatabase) -> Iterator[None]:
    """Another process's view of the file: a connection of its own holding the write lock."""
    connection = sqlite3.connect(app_db.url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        connection.rollback()
        connection.close()


@pytest.fixture
def token(app_db: AppDatabase) -> str:
    """The resume token of a new consensus assessment (pulse form) with no answers yet."""
    return journey.start_assessment(
        app_db.ctx, team_name="Support", mode="consensus", form="pulse", role="leader"
    ).token


def warnings(at: AppTest) -> str:
    return "\n".join(str(element.value) for element in [*at.warning, *at.error])


def test_an_answer_given_while_the_database_is_locked_is_kept_and_saved_later(
    open_page: PageOpener, app_db: AppDatabase, token: str
) -> None:
    at = open_page("pages/assess.py", token=token)
    assert not at.exception, [e.value for e in at.exception]

    with write_lock_held(app_db):
        at.radio(key=f"answer:{ITEM}").set_value(4).run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Not saved yet, retrying" in warnings(at)
        assert at.radio(key=f"answer:{ITEM}").value == 4, "the choice stays on screen"
        assert journey.resume(app_db.ctx, token).answers == {}
        at.run()  # a retry while the lock is still held keeps waiting
        assert not at.exception and "Not saved yet, retrying" in warnings(at)

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Not saved yet" not in warnings(at)
    assert journey.resume(app_db.ctx, token).answers == {ITEM: 4}
    assert at.radio(key=f"answer:{ITEM}").value == 4


def test_a_workshop_answer_given_while_the_database_is_locked_is_kept_and_saved_later(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    created = live.create_workshop(app_db.ctx, name="Support, March", team_names=["Support"], form="pulse")
    joined = live.join_workshop(app_db.ctx, code=created.code, role="contributor", client_key="busy")
    at = open_page("pages/join.py", resume=joined.token)
    assert not at.exception, [e.value for e in at.exception]

    with write_lock_held(app_db):
        at.radio(key=f"ws.answer:{ITEM}").set_value(2).run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Not saved yet, retrying" in warnings(at)
        assert at.radio(key=f"ws.answer:{ITEM}").value == 2
        assert live.participant(app_db.ctx, joined.token).choice(ITEM) is None

    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Not saved yet" not in warnings(at)
    assert live.participant(app_db.ctx, joined.token).choice(ITEM) == 2


def test_a_page_that_cannot_write_to_the_database_says_so_and_keeps_what_was_typed(
    open_page: PageOpener, app_db: AppDatabase, token: str
) -> None:
    at = open_page("pages/action_plan.py", token=token)
    with write_lock_held(app_db):
        at.text_input(key="custom_title").set_value("Book a retro")
        at.form_submit_button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "The database is busy right now" in warnings(at)
        assert at.text_input(key="custom_title").value == "Book a retro", "what was typed stays"
