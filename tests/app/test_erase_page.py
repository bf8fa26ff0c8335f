""" "Delete my answers" on the Answers page, through AppTest on a real SQLite file: cancel, a wrong
confirmation, then the real deletion, and what the resume link says afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey
from storage.models import Answer, Comment
from tests.app.conftest import AppDatabase, PageOpener


def started(app_db: AppDatabase) -> str:
    person = journey.start_assessment(
        app_db.ctx, team_name="Erasers", mode="individual", form="pulse", role="contributor"
    )
    for item in app_db.ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse"):
        journey.save_answer(app_db.ctx, person.token, item.id, 4)
    journey.save_comment(app_db.ctx, person.token, "permission", "a comment of mine")
    return person.token


def open_erasure(at: AppTest) -> AppTest:
    at.session_state["layerwise.erase_open"] = True  # what clicking "Delete my answers" does
    return at.run()


def button(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


def stored_rows(app_db: AppDatabase) -> int:
    with app_db.ctx.read() as session:
        return len(session.scalars(select(Answer)).all()) + len(session.scalars(select(Comment)).all())


def test_cancel_and_a_wrong_word_delete_nothing(open_page: PageOpener, app_db: AppDatabase) -> None:
    token = started(app_db)
    rows = stored_rows(app_db)
    at = open_page("pages/assess.py", token=token)
    assert not at.exception
    at = open_erasure(at)
    assert any("There is no undo" in text.value for text in at.markdown)
    at.text_input(key="layerwise.erase_confirm").set_value("delet")
    at = button(at, "layerwise.erase_confirmed")
    assert any('Nothing was deleted: type "delete"' in error.value for error in at.error)
    at.text_input(key="layerwise.erase_confirm").set_value("delete")
    at = button(at, "layerwise.erase_cancel")
    assert not at.exception
    assert at.session_state["layerwise.erase_confirm"] == ""
    assert at.session_state["layerwise.erase_open"] is False  # the panel folds away
    assert stored_rows(app_db) == rows
    assert journey.resume(app_db.ctx, token).answers


def test_confirmed_deletion_empties_the_answers_and_the_link_says_so(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    token = started(app_db)
    at = open_erasure(open_page("pages/assess.py", token=token))
    at.text_input(key="layerwise.erase_confirm").set_value("Delete")
    at = button(at, "layerwise.erase_confirmed")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Deleted:" in success.value and "1 comment" in success.value for success in at.success)
    assert stored_rows(app_db) == 0
    # the link afterwards: says the answers were deleted, offers no questionnaire to fill in again
    again = open_page("pages/assess.py", token=token)
    assert not again.exception
    assert any("were deleted on" in error.value for error in again.error)
    assert not [radio for radio in again.radio if (radio.key or "").startswith("answer:")]
    assert stored_rows(app_db) == 0


def test_a_workshop_participant_deletes_their_answers_on_the_join_page(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    from services import workshop as live
    from services.context import AnswersErasedError

    created = live.create_workshop(app_db.ctx, name="Erase run", team_names=["Support"], form="pulse")
    token = live.join_workshop(app_db.ctx, code=created.code, role="contributor", client_key="1").token
    live.save_answer(app_db.ctx, token, "permission.one_page_guide", 3)
    at = open_page("pages/join.py", resume=token)
    assert not at.exception
    at.session_state["ws.erase_open"] = True
    at.run()
    at.text_input(key="ws.erase_confirm").set_value("delete")
    at = button(at, "ws.erase_confirmed")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Deleted: 1 answer(s)" in success.value for success in at.success)
    assert stored_rows(app_db) == 0
    again = open_page("pages/join.py", resume=token)
    assert any("were deleted on" in error.value for error in again.error)
    with pytest.raises(AnswersErasedError):  # the link cannot start a new answer set
        live.save_answer(app_db.ctx, token, "permission.one_page_guide", 4)
    assert stored_rows(app_db) == 0
