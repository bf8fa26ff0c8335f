"""The self-assessment journey driven through its pages with AppTest, on a real SQLite file.

Each test opens pages the way a browser would (a fresh session per person, the token in the URL) and checks
what a person would notice: answers that survive a reload, results that match ``scoring`` on the same
answers, messages that name the field, an edited action that stays edited.

AppTest note: after the app itself calls ``st.switch_page`` (e.g. "Start the assessment" → Answers), AppTest
keeps requesting the page it was last switched to by the test, so the tests switch to the destination
themselves, as the browser's URL change would.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from questionnaires.schema import Questionnaire
from scoring import RespondentAnswers, TeamResponses, score_team
from scoring.paradox import paradox_reading
from scoring.rules import RULES, format_score
from services import assessment as journey
from services.context import AppContext
from tests.app.conftest import AppDatabase, PageOpener

DONT_KNOW = journey.DONT_KNOW


def questionnaire_of(ctx: AppContext) -> Questionnaire:
    return ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)


def pattern_answers(questionnaire: Questionnaire, form: str, pattern: list[Any]) -> dict[str, Any]:
    """Answers cycling through ``pattern`` over the items of a form (levels and "dont_know")."""
    items = questionnaire.items_for(form)  # type: ignore[arg-type]
    return {item.id: pattern[index % len(pattern)] for index, item in enumerate(items)}


def stored_value(choice: Any) -> int | None:
    return None if choice == DONT_KNOW else int(choice)


def answer_radios(at: AppTest, answers: dict[str, Any]) -> None:
    """Choose the answers for the items shown on the current step (each choice saves at once)."""
    for radio in at.radio:
        if radio.key and radio.key.startswith("answer:"):
            item_id = radio.key.removeprefix("answer:")
            if item_id in answers:
                radio.set_value(answers[item_id])


def click(at: AppTest, label: str) -> AppTest:
    matches = [button for button in at.button if button.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0].click().run()


def complete_steps(at: AppTest, answers: dict[str, Any], comments: dict[str, str] | None = None) -> AppTest:
    """Answer every step through the Answers page (Next … Finish), writing the given comments."""
    for _ in range(10):
        answer_radios(at, answers)
        for area in at.text_area:
            dimension_id = (area.key or "").removeprefix("comment:")
            if comments and dimension_id in comments:
                area.set_value(comments[dimension_id])
        if any(button.label == "Finish" for button in at.button):
            return click(at, "Finish")
        click(at, "Next")
        assert not at.exception, [e.value for e in at.exception]
    raise AssertionError("the questionnaire never reached Finish")


def start_through_page(open_page: PageOpener, team: str, *, mode: str, form: str, role: str) -> AppTest:
    """Fill in the Start page and land on the Answers page of the new assessment."""
    at = open_page("pages/start.py")
    at.text_input(key="start_team_name").set_value(team)
    at.radio(key="start_mode").set_value(mode)
    at.radio(key="start_form").set_value(form)
    at.radio(key="start_role").set_value(role)
    at.button(key="start_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "token" in at.query_params, "starting did not put the resume token in the URL"
    return at.switch_page("pages/assess.py").run()


def join_through_page(open_page: PageOpener, share_code: str, role: str) -> AppTest:
    at = open_page("pages/start.py", assessment=share_code)
    at.radio(key="join_role").set_value(role)
    click(at, "Start answering")
    assert "token" in at.query_params
    return at.switch_page("pages/assess.py").run()


def share_code_on_page(at: AppTest) -> str:
    links = [code.value for code in at.code if "start?assessment=" in code.value]
    assert links, "the invitation link is not shown"
    return links[0].split("assessment=", 1)[1].strip()


def seed_respondents(ctx: AppContext, answer_sets: list[dict[str, Any]], *, form: str = "full") -> list[str]:
    """An individual assessment with one respondent per answer set, saved through the services; tokens."""
    lead = journey.start_assessment(ctx, team_name="Platform", mode="individual", form=form, role="leader")
    tokens = [lead.token]
    assert lead.share_code is not None
    for _ in answer_sets[1:]:
        tokens.append(journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token)
    for token, answers in zip(tokens, answer_sets, strict=True):
        for item_id, choice in answers.items():
            journey.save_answer(ctx, token, item_id, choice)
    return tokens


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


# --- the journey ------------------------------------------------------------------------------------------


def test_full_individual_assessment_with_three_respondents(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    answer_sets = [
        pattern_answers(questionnaire, "full", [4, 3, 5, 4]),
        pattern_answers(questionnaire, "full", [2, 3, DONT_KNOW, 2, 1]),
        pattern_answers(questionnaire, "full", [3, 3, 4, 2, 5, 1]),
    ]
    roles = ["leader", "manager", "contributor"]

    lead = start_through_page(open_page, "Service desk", mode="individual", form="full", role="leader")
    lead_token = lead.query_params["token"]
    share_code = share_code_on_page(lead)
    complete_steps(lead, answer_sets[0], comments={"permission": "We never talk about it."})
    assert "Thank you" in " ".join(s.value for s in lead.subheader)

    for answers, role in zip(answer_sets[1:], roles[1:], strict=True):
        member = join_through_page(open_page, share_code, role)
        assert member.query_params["token"] != lead_token
        complete_steps(member, answers)
        assert not member.warning, "every item was answered, yet a warning lists unanswered items"

    results = open_page("pages/results.py", token=lead_token)
    assert not results.exception, [e.value for e in results.exception]
    expected = score_team(
        questionnaire,
        TeamResponses(
            team="Service desk",
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            form="full",
            mode="individual",
            respondents=[
                RespondentAnswers(
                    respondent_id=f"R{index:03d}",
                    role=role,  # type: ignore[arg-type]
                    answers={item: stored_value(choice) for item, choice in answers.items()},
                )
                for index, (answers, role) in enumerate(zip(answer_sets, roles, strict=True), start=1)
            ],
        ),
    )
    assert not expected.suppressed
    assert metric(results, "Stage") == f"{expected.overall.stage} · {expected.overall.stage_name}"
    assert metric(results, "Index") == f"{expected.overall.index:g} / 100"
    assert metric(results, "Responses") == "3"
    # the tables read as words: headers, no internal ids
    for frame in results.dataframe:
        assert not [column for column in frame.value.columns if "_" in str(column)], list(frame.value.columns)
    ladder = next(frame.value for frame in results.dataframe if "Gated level" in frame.value.columns)
    for dimension in (d for d in expected.dimensions if d.layer is not None):
        row = ladder[ladder["Dimension"] == dimension.name].iloc[0]
        assert row["Score"] == dimension.score
        assert row["Gated level"] == dimension.gated_level
    items = next(frame.value for frame in results.dataframe if "Question" in frame.value.columns)
    means = {
        question: None if pd.isna(mean) else mean
        for question, mean in zip(items["Question"], items["Mean"], strict=True)
    }
    for dimension in expected.dimensions:
        for item in dimension.items:
            assert means[questionnaire.item(item.id).question.strip()] == item.mean, item.id

    # which paradox mechanism eats the gains: named from the item scores and the items' paradox tags
    reading = paradox_reading(questionnaire, expected)
    page_text = " ".join(str(m.value) for m in results.markdown)
    if reading.eating is not None:
        eating = next(m for m in reading.mechanisms if m.id == reading.eating)
        assert f"most likely eating the team's AI gains is {eating.name.lower()}" in page_text
    else:
        assert "No paradox mechanism stands out" in page_text
    mechanisms = next(frame.value for frame in results.dataframe if "Mechanism" in frame.value.columns)
    assert len(mechanisms) == 5
    assert list(mechanisms["Mean"]) == [
        "–" if m.mean is None else format_score(m.mean) for m in reading.mechanisms
    ]


def test_answers_are_restored_from_the_resume_link(open_page: PageOpener, app_db: AppDatabase) -> None:
    started = journey.start_assessment(
        app_db.ctx, team_name="Data", mode="individual", form="pulse", role="leader"
    )
    at = open_page("pages/assess.py", token=started.token)
    at.radio(key="answer:permission.one_page_guide").set_value(2)
    at.radio(key="answer:permission.safe_to_experiment").set_value(DONT_KNOW)
    assert any("saved a second after you stop typing" in c.value for c in at.caption)
    # the box's value reaches the server (on leaving it, Ctrl+Enter, or a second after typing stops) and is
    # saved then, without any button, and the page says so
    at.text_area(key="comment:permission").set_value("Nobody knows the guide.").run()
    assert journey.resume(app_db.ctx, started.token).comments == {"permission": "Nobody knows the guide."}
    assert any(re.fullmatch(r"Comment saved at \d\d:\d\d:\d\d UTC\.", c.value) for c in at.caption)
    click(at, "Next")
    at.radio(key="answer:definition.quality_beside_speed").set_value(5).run()
    assert at.query_params["step"] == "2"

    # a reload: a new browser session with nothing but the URL
    reloaded = open_page("pages/assess.py", token=started.token, step="2")
    assert reloaded.radio(key="answer:definition.quality_beside_speed").value == 5
    assert reloaded.radio(key="answer:definition.sustainable_output_targets").value is None
    click(reloaded, "Back")
    assert reloaded.radio(key="answer:permission.one_page_guide").value == 2
    assert reloaded.radio(key="answer:permission.safe_to_experiment").value == DONT_KNOW
    assert reloaded.text_area(key="comment:permission").value == "Nobody knows the guide."
    assert journey.resume(app_db.ctx, started.token).answers == {
        "permission.one_page_guide": 2,
        "permission.safe_to_experiment": None,
        "definition.quality_beside_speed": 5,
    }


def test_the_links_are_open_after_starting_and_open_on_request_later(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    lead = start_through_page(open_page, "Links", mode="individual", form="pulse", role="leader")
    token = lead.query_params["token"]
    assert any(f"assess?token={token}" in code.value for code in lead.code)
    assert share_code_on_page(lead)
    # each question is its radio's label, numbered
    assert lead.radio(key="answer:permission.one_page_guide").label.startswith("1. ")

    # coming back with the resume link: the links are folded away until the person opens them
    back = open_page("pages/assess.py", token=token)
    assert [expander.label for expander in back.expander] == ["Your links", "Delete my answers"]
    assert not back.code
    back.session_state["layerwise.links_open"] = True  # what clicking "Your links" does
    back.run()
    assert any(f"assess?token={token}" in code.value for code in back.code)
    # the invitation code is stored hashed: a later session cannot show it, only make a new one
    assert not [code for code in back.code if "start?assessment=" in code.value]
    first_code = share_code_on_page(lead)
    click(back, "Make a new invitation link")
    new_code = share_code_on_page(back)
    assert new_code != first_code
    assert journey.shared_assessment(app_db.ctx, new_code).team == "Links"
    # answering keeps them open, and keeps autosaving
    back.radio(key="answer:permission.one_page_guide").set_value(4).run()
    assert share_code_on_page(back) == new_code
    assert journey.resume(app_db.ctx, token).answers == {"permission.one_page_guide": 4}


def test_a_consensus_assessment_is_one_answer_set_and_never_suppressed(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    answers = pattern_answers(questionnaire, "pulse", [2, 4, 3])
    at = start_through_page(open_page, "Finance", mode="consensus", form="pulse", role="manager")
    assert not [code for code in at.code if "start?assessment=" in code.value], (
        "consensus needs no invitation"
    )
    complete_steps(at, answers)

    results = open_page("pages/results.py", token=at.query_params["token"])
    expected = journey.score_assessment(
        app_db.ctx, journey.resume(app_db.ctx, at.query_params["token"]).assessment_id
    )
    assert expected.mode == "consensus" and not expected.suppressed
    assert metric(results, "Responses") == "Consensus"
    assert metric(results, "Stage") == f"{expected.overall.stage} · {expected.overall.stage_name}"
    assert not [info for info in results.info if "hidden" in info.value]


def test_results_under_k_say_why_and_show_own_scores(open_page: PageOpener, app_db: AppDatabase) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    tokens = seed_respondents(
        app_db.ctx, [pattern_answers(questionnaire, "full", [3]), pattern_answers(questionnaire, "full", [4])]
    )
    at = open_page("pages/results.py", token=tokens[0])
    assert any("needs at least 3 responses; 2 so far" in info.value for info in at.info)
    assert not at.metric, "no team numbers may be shown under k"
    own = at.dataframe[-1].value
    assert list(own["Your score"]) == ["3.0"] * 5
    # under k the team's scores are not shown, and the table says so in words (never "None")
    assert list(own["Team score"]) == ["not shown"] * 5
    assert not own.isna().any().any()


def test_finishing_with_unanswered_items_lists_them_and_does_not_block(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    started = journey.start_assessment(
        app_db.ctx, team_name="Ops", mode="individual", form="pulse", role="leader"
    )
    at = open_page("pages/assess.py", token=started.token)
    at.radio(key="answer:permission.one_page_guide").set_value(3)
    for _ in range(4):
        click(at, "Next")
    click(at, "Finish")
    assert at.query_params["step"] == "done"
    assert any("9 items are still unanswered" in warning.value for warning in at.warning)
    listed = " ".join(m.value for m in at.markdown)
    assert "Is it safe in this team to try AI on a task nobody has used it for yet?" in listed
    assert journey.resume(app_db.ctx, started.token).submitted
    # "Answer it" goes back to the step of that item
    at.button(key="goto:definition.quality_beside_speed").click().run()
    assert at.query_params["step"] == "2"


def test_outcomes_name_the_wrong_field_and_keep_what_was_typed(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    started = journey.start_assessment(
        app_db.ctx, team_name="Risk", mode="consensus", form="pulse", role="leader"
    )
    at = open_page("pages/outcomes.py", token=started.token)
    at.number_input(key="outcome:rework_rate").set_value(120.0)
    at.number_input(key="outcome:ai_hours_per_week").set_value(70.0)
    at.number_input(key="outcome:meta_work_hours").set_value(12.0)
    at.number_input(key="outcome:team_size").set_value(0)
    at.button[0].click().run()
    errors = [error.value for error in at.error]
    assert any("Rework rate must be between 0 and 100" in error for error in errors)
    assert any("People doing this work must be a whole number from 1" in error for error in errors)
    assert at.number_input(key="outcome:rework_rate").value == 120.0, "what was typed must stay"
    assert journey.get_outcomes(app_db.ctx, started.token).kpis == {}, (
        "nothing is saved while a field is wrong"
    )

    at.number_input(key="outcome:rework_rate").set_value(12.0)
    at.number_input(key="outcome:team_size").set_value(6)
    at.number_input(key="outcome:task_time_reduction").set_value(30.0)
    at.number_input(key="outcome:redeployed_share").set_value(50.0)
    at.button[0].click().run()
    errors = [error.value for error in at.error]
    assert any(
        "AI-assisted hours (70 h) and meta-work (12 h) together cannot exceed 80" in error for error in errors
    )

    at.number_input(key="outcome:ai_hours_per_week").set_value(10.0)
    at.number_input(key="outcome:meta_work_hours").set_value(2.0)
    at.button[0].click().run()
    assert not at.error
    assert any("saved" in success.value for success in at.success)
    saved = journey.get_outcomes(app_db.ctx, started.token)
    assert saved.ai_hours_per_week == 10.0
    assert saved.team_size == 6
    assert saved.kpis == {
        "rework_rate": 12.0,
        "meta_work_hours": 2.0,
        "task_time_reduction": 30.0,
        "redeployed_share": 50.0,
    }


def test_an_edited_action_stays_edited(open_page: PageOpener, app_db: AppDatabase) -> None:
    questionnaire = questionnaire_of(app_db.ctx)
    tokens = seed_respondents(
        app_db.ctx,
        [
            pattern_answers(questionnaire, "full", pattern)
            for pattern in ([1, 2], [2, 3, 2], [1, 2, DONT_KNOW])
        ],
    )
    at = open_page("pages/action_plan.py", token=tokens[0])
    assert not at.exception, [e.value for e in at.exception]
    plan = journey.action_plan(app_db.ctx, tokens[0])
    assert len(plan.actions) == 7, "the top recommendations become the plan on first view"
    first = plan.actions[0]
    at.text_input(key=f"action:{first.id}:owner").set_value("Dana Smith")
    at.selectbox(key=f"action:{first.id}:status").set_value("in_progress")
    at.date_input(key=f"action:{first.id}:due_date").set_value(date(2027, 1, 15))
    at.run()
    at.run()  # a rerun keeps the edit
    assert at.text_input(key=f"action:{first.id}:owner").value == "Dana Smith"
    assert at.selectbox(key=f"action:{first.id}:status").value == "in_progress"

    teammate = open_page("pages/action_plan.py", token=tokens[1])
    assert teammate.text_input(key=f"action:{first.id}:owner").value == "Dana Smith"
    assert teammate.selectbox(key=f"action:{first.id}:status").value == "in_progress"
    assert teammate.date_input(key=f"action:{first.id}:due_date").value == date(2027, 1, 15)

    # reorder and remove
    second = plan.actions[1]
    at.button(key=f"action:{first.id}:down").click().run()
    assert [a.id for a in journey.action_plan(app_db.ctx, tokens[0]).actions][:2] == [second.id, first.id]
    at.button(key=f"action:{second.id}:remove").click().run()
    remaining = journey.action_plan(app_db.ctx, tokens[0]).actions
    assert second.id not in [a.id for a in remaining] and len(remaining) == 6
    # a removal can be undone: the action comes back at its place, with its text
    assert any(f"Removed from the plan: {second.title}" in info.value for info in at.info)
    at.button(key="undo_remove").click().run()
    restored = journey.action_plan(app_db.ctx, tokens[0]).actions
    assert [a.title for a in restored][:2] == [second.title, first.title] and len(restored) == 7
    assert not [info for info in at.info if "Removed from the plan" in info.value]
    at.button(key=f"action:{restored[0].id}:remove").click().run()

    # a custom action: a missing title names the field and keeps the owner typed
    at.text_input(key="custom_owner").set_value("Sam")
    at.form_submit_button[0].click().run()
    assert any("Title: an action needs a title" in error.value for error in at.error)
    assert at.text_input(key="custom_owner").value == "Sam"
    at.text_input(key="custom_title").set_value("Book a monthly AI retro")
    at.form_submit_button[0].click().run()
    titles = [a.title for a in journey.action_plan(app_db.ctx, tokens[0]).actions]
    assert titles[-1] == "Book a monthly AI retro"
    csv_text = journey.plan_csv(app_db.ctx, tokens[0]).decode("utf-8")
    assert "Book a monthly AI retro,Sam" in csv_text
    assert "Dana Smith,2027-01-15,in_progress" in csv_text


def test_how_scoring_works_shows_every_rule(open_page: PageOpener) -> None:
    at = open_page("pages/how_scoring_works.py")
    text = " ".join(m.value for m in at.markdown)
    for rule in RULES:
        # word for word from scoring.rules (a sentence that starts with its own name drops the repetition)
        sentence = rule.sentence.removeprefix(f"{rule.name}:").strip()
        assert sentence[1:] in text, rule.name
    assert "Definition: own level 4, counts as 3" in text
    # the ledger's worked example: 20 h now at 30 % less took 28.6 h before, so 8.6 h are freed (not 6)
    assert "took 28.6 h before (30 % less, gross): AI frees 8.6 h" in text
    assert "For the team (8 people)" in text


def test_a_wrong_link_says_so_and_offers_a_way_in(open_page: PageOpener) -> None:
    at = open_page("pages/assess.py", token="not-a-real-token-at-all-123456")
    assert any("does not open an assessment" in error.value for error in at.error)
    assert at.text_input[0].label == "Your resume link"
    for page in ("pages/results.py", "pages/action_plan.py", "pages/outcomes.py"):
        other = open_page(page)
        assert any("resume link" in info.value for info in other.info), page


def test_start_names_the_missing_team_and_keeps_the_choices(open_page: PageOpener) -> None:
    at = open_page("pages/start.py")
    at.radio(key="start_form").set_value("pulse")
    at.button(key="start_submit").click().run()
    assert any("Team: enter the team's name" in error.value for error in at.error)
    assert at.radio(key="start_form").value == "pulse"
    assert "token" not in at.query_params


def test_a_wrong_invitation_says_so(open_page: PageOpener) -> None:
    at = open_page("pages/start.py", assessment="abcdefghijklmnop")
    assert any("invitation link does not open an assessment" in error.value for error in at.error)


def test_the_answers_page_says_how_to_choose_between_levels(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    """Levels 4 and 5 bundle several conditions: the page says to pick the best fit, and the lower of two."""
    started = journey.start_assessment(
        app_db.ctx, team_name="Data", mode="individual", form="full", role="leader"
    )
    at = open_page("pages/assess.py", token=started.token)
    assert not at.exception, [e.value for e in at.exception]
    notes = " ".join(str(info.value) for info in at.info)
    assert "pick the description that fits your team best" in notes
    assert "When you are between two descriptions, pick the lower one." in notes


def test_the_invitation_preselects_no_role(open_page: PageOpener, app_db: AppDatabase) -> None:
    started = journey.start_assessment(
        app_db.ctx, team_name="Roles", mode="individual", form="pulse", role="leader"
    )
    at = open_page("pages/start.py", assessment=started.share_code)
    assert at.radio(key="join_role").value is None
    click(at, "Start answering")
    assert "token" not in at.query_params, "an invitee without a role was let in"
    assert any("pick your role: Team lead, Manager, Team member" in message.value for message in at.error)
    # nobody was counted: the lead is still the only respondent
    assert journey.shared_assessment(app_db.ctx, started.share_code).respondents == 1
    join_through_page(open_page, started.share_code, "contributor")
    assert journey.shared_assessment(app_db.ctx, started.share_code).respondents == 2


def test_the_resume_link_reopens_the_step_the_person_was_on(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    started = journey.start_assessment(
        app_db.ctx, team_name="Resume", mode="individual", form="pulse", role="leader"
    )
    at = open_page("pages/assess.py", token=started.token)
    click(at, "Next")
    click(at, "Next")
    assert at.query_params["step"] == "3"
    # the resume link has no step in it: a new session opens step 3, not step 1
    reopened = open_page("pages/assess.py", token=started.token)
    assert reopened.query_params["step"] == "3"
    assert any(bar.text.startswith("Step 3 of 5") for bar in reopened.get("progress"))
