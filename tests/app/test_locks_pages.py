"""Locks, tokens and teams (issue 12) through the pages, with AppTest on a real SQLite file.

A workshop participant's link opened on a self-assessment page says it is a workshop link and leads to the
join page, and nothing else; starting under an existing team's name needs its invitation link or the leader
passcode (and the Start page lists teams only to a leader); the leader view marks consensus results; an
invitation link can be made again.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from services import workshop as live
from tests.app.conftest import AppDatabase, PageOpener


def workshop_participant(app_db: AppDatabase) -> tuple[live.CreatedWorkshop, str]:
    created = live.create_workshop(
        app_db.ctx, name="Support, March", team_names=["Support"], form="full", k=3,
        dimension_ids=["permission"],
    )  # fmt: skip
    token = live.join_workshop(app_db.ctx, code=created.code, role="contributor", client_key="phone").token
    return created, token


def texts(at: AppTest) -> str:
    return " ".join(
        [e.value for e in at.error] + [m.value for m in at.markdown] + [r.label for r in at.radio]
    )


@pytest.mark.parametrize(
    "page", ["pages/assess.py", "pages/results.py", "pages/outcomes.py", "pages/action_plan.py"]
)
def test_a_workshop_link_on_a_self_assessment_page_says_so_and_leads_to_the_join_page(
    app_db: AppDatabase, open_page: PageOpener, page: str
) -> None:
    _, token = workshop_participant(app_db)
    at = open_page(page, token=token)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("This is a workshop link" in e and f"/join?resume={token}" in e for e in errors), errors
    assert not [r for r in at.radio if (r.key or "").startswith("answer:")]  # no question is offered
    assert not at.text_input  # not even the box to paste another link: this one belongs to the join page
