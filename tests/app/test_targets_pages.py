"""Target profiles on the pages: a team sets its own target on Results, a leader sets the organisation's
default on the leader page, and both pages measure teams against the target that applies (issue 13)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from services import assessment as journey
from services import targets
from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_assessment_pages import pattern_answers, questionnaire_of, seed_respondents
from tests.app.test_leader_page import enter, passcode  # noqa: F401 (passcode is a fixture)
from tests.app.test_workshop_pages import texts


def team(app_db: AppDatabase, name: str, level: int, people: int = 3) -> None:
    """A self-assessment team of ``people`` who each answered every pulse item at ``level``."""
    lead = journey.start_assessment(
        app_db.ctx, team_name=name, mode="individual", form="pulse", role="leader"
    )
    assert lead.share_code
    tokens = [lead.token] + [
        journey.join_assessment(app_db.ctx, share_code=lead.share_code, role="contributor").token
        for _ in range(people - 1)
    ]
    for token in tokens:
        for item in questionnaire_of(app_db.ctx).items_for("pulse"):
            journey.save_answer(app_db.ctx, token, item.id, level)


def _target_column(at: AppTest) -> dict[str, int]:
    table = next(frame.value for frame in at.dataframe if "Gap to target" in frame.value.columns)
    return dict(zip(table["Dimension"], table["Target"], strict=True))


def _slider(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    return next(slider for slider in at.select_slider if slider.key == key)


def test_a_team_sets_its_own_target_and_can_go_back_to_the_default(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    tokens = seed_respondents(app_db.ctx, [pattern_answers(questionnaire, "pulse", [3])] * 3, form="pulse")
    at = open_page("pages/results.py", token=tokens[0])
    assert not at.exception
    assert set(_target_column(at).values()) == {4}
    assert "Target: Layerwise's default target: level 4 (Managed) on every dimension." in texts(at)

    _slider(at, "target:coaching").set_value(5)
    _slider(at, "target:capacity_governance").set_value(2)
    next(button for button in at.button if button.label == "Save the team's target").click()
    at.run()
    assert not at.exception
    shown = _target_column(at)
    names = {d.id: d.name for d in questionnaire.dimensions}
    assert shown[names["coaching"]] == 5 and shown[names["capacity_governance"]] == 2
    assert shown[names["permission"]] == 4
    assert "Target: the team's own target." in texts(at)
    # a teammate opening Results sees the same target; the team PDF uses it too
    teammate = journey.results(app_db.ctx, tokens[1])
    assert teammate.target_levels["coaching"] == 5

    next(button for button in at.button if button.label == "Use the organisation's default").click()
    at.run()
    assert set(_target_column(at).values()) == {4}


def test_a_leader_sets_the_default_target_and_sees_each_team_against_its_own(
    app_db: AppDatabase,
    open_page: PageOpener,
    passcode: str,  # noqa: F811
) -> None:
    team(app_db, "Support", 3)
    team(app_db, "Claims", 4)
    questionnaire = questionnaire_of(app_db.ctx)
    targets.set_team_targets(app_db.ctx, questionnaire, "Claims", {"permission": 5})
    at = enter(open_page("pages/leader.py"), passcode)
    assert not at.exception
    rows = next(frame.value for frame in at.dataframe if "Below target" in frame.value.columns)
    by_team = {row["Team"]: row for row in rows.to_dict("records")}
    assert by_team["Claims"]["Target"] == "own"
    assert by_team["Support"]["Target"] == "default (4 everywhere)"
    assert "Permission 3.0 of 3.4" in by_team["Support"]["Below target"]  # level 3 is under level 4's 3.4

    for dimension in questionnaire.dimensions:
        _slider(at, f"organisation-target:{dimension.id}").set_value(2)
    next(button for button in at.button if button.label == "Save the default target").click()
    at.run()
    rows = next(frame.value for frame in at.dataframe if "Below target" in frame.value.columns)
    by_team = {row["Team"]: row for row in rows.to_dict("records")}
    assert by_team["Support"]["Target"] == "organisation's"
    assert by_team["Support"]["Below target"] == "none: every scored dimension reaches it"
    assert by_team["Claims"]["Target"] == "own"  # a team's own target wins over the default
