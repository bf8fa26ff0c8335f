"""The Start page's choices beyond team, mode, form and role: which questionnaire, and the anonymity k.

An organisation's own questionnaire (a folder in ``LAYERWISE_QUESTIONNAIRE_DIRS``) can be picked on the
Start page, and everything after it (the questions on the Answers page, the results, the stored
assessment) uses that questionnaire. k chosen on the Start page is the k the results apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, ENV_DIRS
from services import assessment as journey
from services.context import AppContext
from settings import get_settings
from storage import repository as repo
from tests.app.conftest import AppDatabase, PageOpener
from tests.app.test_assessment_pages import complete_steps, pattern_answers
from tests.variant_support import make_variant, reword

VARIANT_ID = "acme-variant"
VARIANT_QUESTION = "Acme: is there a one-page guide to AI use that everybody at Acme can find?"


@pytest.fixture
def variant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An organisation's variant of the questionnaire, found through ``LAYERWISE_QUESTIONNAIRE_DIRS``."""
    root = tmp_path / "our-questionnaires"
    folder = make_variant(root, questionnaire_id=VARIANT_ID, title="Acme variant", language="de")
    reword(folder, "permission.one_page_guide", VARIANT_QUESTION)
    monkeypatch.setenv(ENV_DIRS, str(root))
    get_settings.cache_clear()
    st.cache_resource.clear()  # the catalog is cached at the UI edge
    yield folder


def start_page(open_page: PageOpener, team: str, *, mode: str = "individual", form: str = "pulse") -> AppTest:
    at = open_page("pages/start.py")
    at.text_input(key="start_team_name").set_value(team)
    at.radio(key="start_mode").set_value(mode)
    at.radio(key="start_form").set_value(form)
    at.radio(key="start_role").set_value("leader")
    return at


def stored_assessment(ctx: AppContext, token: str) -> tuple[str, str, int]:
    with ctx.read() as session:
        respondent = repo.find_respondent_by_token(session, token=token)
        assert respondent is not None
        assessment = repo.get_assessment(session, assessment_id=respondent.assessment_id)
        return assessment.questionnaire_id, assessment.questionnaire_version, assessment.k


def join_and_answer(ctx: AppContext, share_code: str, answers: dict[str, object], count: int) -> None:
    for _ in range(count):
        token = journey.join_assessment(ctx, share_code=share_code, role="contributor").token
        for item_id, choice in answers.items():
            journey.save_answer(ctx, token, item_id, choice)  # type: ignore[arg-type]


# --- which questionnaire ------------------------------------------------------------------------------------


def test_an_organisations_own_questionnaire_can_be_picked_and_is_used_throughout(
    variant: Path, open_page: PageOpener, app_db: AppDatabase
) -> None:
    at = start_page(open_page, "Acme support")
    picker = at.selectbox(key="start_questionnaire")
    shipped = app_db.ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    assert picker.value == f"{DEFAULT_QUESTIONNAIRE_ID}@{shipped.version}", "the shipped one is the default"
    assert picker.options[0] == f"{shipped.title} · {shipped.version} · {shipped.language}"
    assert f"Acme variant · {shipped.version} · de" in picker.options

    picker.set_value(f"{VARIANT_ID}@{shipped.version}")
    at.button(key="start_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    token = at.query_params["token"]
    assert stored_assessment(app_db.ctx, token)[:2] == (VARIANT_ID, shipped.version)

    answers = at.switch_page("pages/assess.py").run()
    assert not answers.exception, [e.value for e in answers.exception]
    labels = [radio.label for radio in answers.radio]
    assert any(VARIANT_QUESTION in label for label in labels), "the Answers page asks the variant's questions"

    variant_questionnaire = app_db.ctx.questionnaire(VARIANT_ID)
    own_answers = pattern_answers(variant_questionnaire, "pulse", [4, 2, 3])
    complete_steps(answers, own_answers)
    invitation = journey.new_invitation(app_db.ctx, token)  # the code is stored hashed: make one
    join_and_answer(app_db.ctx, invitation, own_answers, count=2)

    results = open_page("pages/results.py", token=token)
    assert not results.exception, [e.value for e in results.exception]
    caption = " ".join(c.value for c in results.caption)
    assert "Acme variant" in caption
    assert not results.info, "three responses at the default k = 3 are not suppressed"
    assert any(metric.label == "Stage" for metric in results.metric)

    plan = open_page("pages/action_plan.py", token=token)
    assert not plan.exception, [e.value for e in plan.exception]


def test_with_only_the_shipped_questionnaire_the_page_says_which_one_is_used(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    at = open_page("pages/start.py")
    shipped = app_db.ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    assert not [box for box in at.selectbox if box.key == "start_questionnaire"]
    captions = [caption.value for caption in at.caption]
    assert f"Questionnaire: {shipped.title} · {shipped.version} · {shipped.language}" in captions


# --- k per assessment ---------------------------------------------------------------------------------------


def test_k_chosen_on_the_start_page_hides_results_of_three_people(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    at = start_page(open_page, "Legal")
    k_input = at.number_input(key="start_k")
    assert k_input.value == 3, "the default is the configured k"
    assert "anonymity threshold" in (k_input.help or "").lower()
    k_input.set_value(4)
    at.button(key="start_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    token = at.query_params["token"]
    assert stored_assessment(app_db.ctx, token)[2] == 4

    questionnaire = app_db.ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    answers = pattern_answers(questionnaire, "pulse", [3, 4, 2])
    for item_id, choice in answers.items():
        journey.save_answer(app_db.ctx, token, item_id, choice)
    invitation = journey.new_invitation(app_db.ctx, token)  # the code is stored hashed: make one
    join_and_answer(app_db.ctx, invitation, answers, count=2)

    results = open_page("pages/results.py", token=token)
    assert not results.exception, [e.value for e in results.exception]
    hidden = " ".join(info.value for info in results.info)
    assert "hidden to protect anonymity" in hidden and "4" in hidden
    assert not results.metric, "a suppressed team shows no stage or index"
    assert any("anonymity threshold k = 4" in caption.value for caption in results.caption)


def test_the_k_widget_allows_only_3_to_50_and_explains_k(open_page: PageOpener, app_db: AppDatabase) -> None:
    """Values outside the range cannot be entered; the service refuses them too (tests/integration)."""
    at = start_page(open_page, "Finance")
    k_input = at.number_input(key="start_k")
    assert (k_input.min, k_input.max) == (journey.MIN_K, journey.MAX_K) == (3, 50)
    assert "never below 3" in (k_input.help or "").lower()


def test_a_workshop_can_run_on_an_organisations_own_questionnaire(
    variant: Path, open_page: PageOpener, app_db: AppDatabase
) -> None:
    from services import workshop as live

    at = open_page("pages/facilitate.py")
    picker = at.selectbox(key="fac.questionnaire")
    assert picker.value.startswith(f"{DEFAULT_QUESTIONNAIRE_ID}@"), "the shipped questionnaire comes first"
    picker.set_value(next(option for option in picker.options if "Acme variant" in option)).run()
    at.text_input[0].input("Acme kick-off")
    at.text_input[1].input("Claims")
    at.radio[0].set_value("pulse")
    next(b for b in at.button if b.label == "Create the workshop").click()
    at.run()
    assert not at.exception
    token = at.query_params["token"]
    token = token[0] if isinstance(token, list) else token
    workshop_id = live.facilitator_workshop(app_db.ctx, token)
    questionnaire = live.workshop_questionnaire(app_db.ctx, workshop_id)
    assert questionnaire.id == VARIANT_ID
    assert VARIANT_QUESTION in [item.question for item in questionnaire.items_for("full")]
