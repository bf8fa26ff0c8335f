"""The top of the Results page tells the same story as page 1 of the team report (reports.summary)."""

from __future__ import annotations

from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_assessment_pages import pattern_answers, questionnaire_of, seed_respondents


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
    first = next(
        frame.value for frame in at.dataframe if list(frame.value.columns) == ["#", "Action", "Owner", "Due"]
    )
    assert len(first) == 3 and list(first["#"]) == ["1", "2", "3"]
    assert all(due.startswith("within ") for due in first["Due"]), "no plan stored yet: no invented dates"
