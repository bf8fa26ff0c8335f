"""Locks, tokens and teams (issue 12) through the pages, with AppTest on a real SQLite file.

A workshop participant's link opened on a self-assessment page says it is a workshop link and leads to the
join page, and nothing else; starting under an existing team's name needs its invitation link or the leader
passcode (and the Start page lists teams only to a leader); the leader view marks consensus results; an
invitation link can be made again.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from services import assessment as journey
from services import workshop as live
from services.context import TEAM_EXISTS_MESSAGE
from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_leader_page import heatmap_table


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


def start_page(open_page: PageOpener, *, leader: bool = False) -> AppTest:
    at = open_page("pages/start.py")
    if leader:
        at.session_state["leader.ok"] = True  # what entering the passcode on the leader page remembers
        at.run()
    return at


def test_the_start_page_lists_existing_teams_only_to_a_leader(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    journey.start_assessment(app_db.ctx, team_name="Support", mode="individual", form="pulse", role="leader")
    visitor = start_page(open_page)
    assert not visitor.selectbox, "a visitor sees no list of teams"
    assert "Support" not in " ".join(m.value for m in visitor.markdown)
    leader = start_page(open_page, leader=True)
    assert "Support" in leader.selectbox(key="start_team_pick").options


def test_starting_under_an_existing_name_says_so_keeps_what_was_typed_and_works_with_the_link(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    lead = journey.start_assessment(
        app_db.ctx, team_name="Support", mode="individual", form="pulse", role="leader"
    )
    at = start_page(open_page)
    at.text_input(key="start_team_name").set_value("support")
    at.radio(key="start_mode").set_value("consensus")
    at.button(key="start_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"Team: {TEAM_EXISTS_MESSAGE}"]
    assert "token" not in at.query_params
    assert at.text_input(key="start_team_name").value == "support"  # nothing typed is lost
    assert at.radio(key="start_mode").value == "consensus"

    at.text_input(key="start_team_invitation").set_value(
        f"https://example.org/start?assessment={lead.share_code}"
    )
    at.button(key="start_submit").click().run()
    assert not at.error and not at.exception
    started = journey.resume(app_db.ctx, at.query_params["token"])
    assert (started.team, started.mode) == ("Support", "consensus")


def test_the_leader_view_marks_consensus_results(app_db: AppDatabase, open_page: PageOpener) -> None:
    agreed = journey.start_assessment(
        app_db.ctx, team_name="Agreed", mode="consensus", form="pulse", role="leader"
    )
    for item in app_db.ctx.questionnaire("human-system-design").items_for("pulse"):
        journey.save_answer(app_db.ctx, agreed.token, item.id, 4)
    at = open_page("pages/leader.py")
    at.session_state["leader.ok"] = True
    at.run()
    assert not at.exception
    assert any("Consensus results" in info.value for info in at.info)
    assert "Agreed" in [text.value for text in at.text]
    table = heatmap_table(at)
    assert set(table.loc[table["Team"] == "Agreed", "Mode"]) == {"consensus"}
