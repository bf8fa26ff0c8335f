"""A workshop participant's link opened on the self-assessment Answers page, in a real browser (issue 12).

The attack: the participant's resume token is a respondent's token, so ``/assess?token=…`` used to open
the self-assessment page, where answers of a dimension the facilitator had locked could still be changed.
Now the page says it is a workshop link, leads to the join page, offers no question, and the database
answer stays what it was. The app runs under ``streamlit run`` on a temporary SQLite file; Chromium is
Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services import workshop as live
from services.context import make_context
from storage import repository as repo
from tests.e2e.conftest import StartServer

pytestmark = pytest.mark.e2e


def test_a_workshop_link_on_the_answers_page_cannot_change_a_locked_dimension(
    start_server: StartServer, browser: Any, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    ctx = make_context(database_url)
    try:
        created = live.create_workshop(
            ctx, name="Support, March", team_names=["Support"], form="full", k=3, dimension_ids=["permission"]
        )
        token = live.join_workshop(ctx, code=created.code, role="contributor", client_key="phone").token
        questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
        items = [item.id for item in live.dimension_items(questionnaire, "full", "permission")]
        for item_id in items:
            live.save_answer(ctx, token, item_id, 2)
        live.lock_dimension(ctx, created.facilitator_token, "permission")

        server = start_server({"DATABASE_URL": database_url})
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{server.url}/assess?token={token}")
        page.get_by_text("This is a workshop link").wait_for()
        assert f"/join?resume={token}" in page.get_by_text("This is a workshop link").inner_text()
        assert page.get_by_role("radio").count() == 0, "the Answers page offers no question to change"
        link = page.get_by_role("link", name="Open the workshop")
        link.wait_for()
        assert f"resume={token}" in (link.get_attribute("href") or "")

        with ctx.read() as session:
            respondent = repo.find_respondent_by_token(session, token=token)
            assert respondent is not None
            answers = repo.get_answers(session, respondent_id=respondent.id)
        assert answers == dict.fromkeys(items, 2), "the locked answers are unchanged"
        assert not server.problems(), server.log()
    finally:
        ctx.database.dispose()
