"""The top of the Results page tells the same story as page 1 of the team report (reports.summary)."""

from __future__ import annotations

import pytest

from services import assessment as journey
from services.context import InputError
from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_assessment_pages import pattern_answers, questionnaire_of, seed_respondents
from tests.app.test_start_options import join_and_answer, start_page


def test_results_lead_with_what_holds_the_stage_the_change_and_the_first_actions(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    tokens = seed_respondents(
        app_db.ctx,
        [pattern_answers(questionnaire, "full", levels) for levels in ([1, 2], [2, 1], [1, 3])],
    )
    at = open_page("pages/results.py", token=tokens[0])
    assert not at.exception, [e.value for e in at.exception]
    markdown = " ".join(m.value for m in at.markdown)
    captions = " ".join(c.value for c in at.caption)
    assert "Held there by Permission (layer 1" in markdown
    assert "**Top strength**" in markdown and "**Top 3 opportunities**" in markdown
    assert "**Paradox**" in markdown
    assert "First round: the next one will show the change per dimension" in captions
    assert "Next round recommended by" in captions
    # every chart says in words what it shows, right under it
    in_words = [m.value for m in at.markdown if m.value.startswith("**In words:**")]
    assert len(in_words) == len(at.get("vega_lite_chart")) >= 4
    assert any("Permission is highest" in text or "Permission lowest" in text for text in in_words), in_words
    first = next(
        frame.value for frame in at.dataframe if list(frame.value.columns) == ["#", "Action", "Owner", "Due"]
    )
    assert len(first) == 3 and list(first["#"]) == ["1", "2", "3"]
    assert all(due.startswith("within ") for due in first["Due"]), "no plan stored yet: no invented dates"


def test_start_asks_for_the_team_size_optionally_and_results_show_the_response_rate(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    at = start_page(open_page, "Claims")
    size = at.number_input(key="start_team_size")
    assert size.value is None, "optional: empty unless someone types it"
    size.set_value(6)
    at.button(key="start_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    token = at.query_params["token"]
    assert journey.get_outcomes(app_db.ctx, token).team_size == 6

    questionnaire = questionnaire_of(app_db.ctx)
    answers = pattern_answers(questionnaire, "pulse", [3, 4, 2])
    for item_id, choice in answers.items():
        journey.save_answer(app_db.ctx, token, item_id, choice)
    join_and_answer(app_db.ctx, journey.new_invitation(app_db.ctx, token), answers, count=2)
    results = open_page("pages/results.py", token=token)
    captions = " ".join(c.value for c in results.caption)
    assert "3 responses of 6 people (50 % response rate)" in captions


def test_a_wrong_team_size_is_named(app_db: AppDatabase) -> None:
    with pytest.raises(InputError) as raised:
        journey.start_assessment(
            app_db.ctx, team_name="Ops", mode="individual", form="pulse", role="leader", team_size=0
        )
    assert raised.value.errors == {
        "team_size": "the team size must be a whole number from 1 to 10,000 (got 0)"
    }


def test_the_plan_page_leads_with_its_focus_areas(open_page: PageOpener, app_db: AppDatabase) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    tokens = seed_respondents(
        app_db.ctx,
        [pattern_answers(questionnaire, "full", levels) for levels in ([1, 2], [2, 1], [1, 3])],
    )
    at = open_page("pages/action_plan.py", token=tokens[0])
    assert not at.exception, [e.value for e in at.exception]
    focus = next(m.value for m in at.markdown if m.value.startswith("**Focus**"))
    assert "1. **" in focus and ("holds" in focus or "lowest score" in focus)
