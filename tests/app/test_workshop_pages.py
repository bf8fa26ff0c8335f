"""AppTest: the workshop pages (join, facilitate) as participants and a facilitator use them."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from services import workshop as live
from tests.app.conftest import MARKDOWN_ELEMENTS, AppDatabase, PageOpener

ITEM = "permission.one_page_guide"


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, captions, alerts, metrics, code, headings), for assertions."""
    parts: list[str] = []
    for kind in (*MARKDOWN_ELEMENTS, "code"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(f"{metric.label} {metric.value}" for metric in at.metric)
    parts.extend(str(progress.proto.text) for progress in at.get("progress"))
    parts.extend(str(tab.label) for tab in at.tabs)
    return "\n".join(parts)


def workshop(
    app_db: AppDatabase, people: int = 0, *, level: int = 4
) -> tuple[live.CreatedWorkshop, list[str]]:
    """A pulse workshop with ``people`` participants who answered every pulse item (at ``level``)."""
    created = live.create_workshop(app_db.ctx, name="Support, March", team_names=["Support"], form="pulse")
    questionnaire = live.workshop_questionnaire(app_db.ctx, created.workshop_id)
    tokens = []
    for index in range(people):
        token = live.join_workshop(
            app_db.ctx, code=created.code, role="contributor", client_key=str(index)
        ).token
        for item in questionnaire.items_for("pulse"):
            live.save_answer(app_db.ctx, token, item.id, level + (index % 2))
        tokens.append(token)
    return created, tokens


def button(at: AppTest, label: str, key_prefix: str | None = None):  # type: ignore[no-untyped-def]
    """The button with this label (and key prefix, when several share the label)."""
    matches = [
        b for b in at.button if b.label == label and (key_prefix is None or str(b.key).startswith(key_prefix))
    ]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


# --- participants -----------------------------------------------------------------------------------------


def test_a_wrong_code_says_so_and_opens_nothing(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db)
    at = open_page("pages/join.py")
    at.text_input(key="ws.code_input").input("ZZZZZZ")
    button(at, "Continue").click()
    at.run()
    assert not at.exception
    assert "No workshop has this code" in texts(at)
    assert "Support, March" not in texts(at)
    assert not [radio for radio in at.radio if radio.key == "ws.role"]
    assert created.code not in texts(at)


def test_repeated_wrong_codes_are_slowed_down(app_db: AppDatabase, open_page: PageOpener) -> None:
    at = open_page("pages/join.py")
    for attempt in range(5):
        at.text_input(key="ws.code_input").input(f"ZZZZZ{attempt + 2}")
        button(at, "Continue").click()
        at.run()
    assert re.search(r"Too many wrong codes were tried\. Please wait \d+ seconds", texts(at))


def test_join_with_the_link_pick_a_role_and_answer_with_autosave(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db)
    at = open_page("pages/join.py", code=created.code)
    assert "Support, March" in texts(at)
    at.radio(key="ws.role").set_value("manager")
    button(at, "Join").click()
    at.run()
    assert not at.exception
    token = (
        at.query_params["resume"][0]
        if isinstance(at.query_params["resume"], list)
        else at.query_params["resume"]
    )
    assert "Your resume link" in [expander.label for expander in at.expander]
    assert f"/join?resume={token}" in texts(at)
    at.radio(key=f"ws.answer:{ITEM}").set_value(4)
    at.run()
    assert live.participant(app_db.ctx, token).choice(ITEM) == 4  # saved at once
    assert "1 of 2 answered" in texts(at)

    # the resume link restores the answer in a fresh session: it opens at the first unanswered question
    again = open_page("pages/join.py", resume=token)
    assert not [radio for radio in again.radio if radio.key == f"ws.answer:{ITEM}"]
    again.button(key="ws.previous").click().run()
    assert again.radio(key=f"ws.answer:{ITEM}").value == 4
    assert "Manager" in texts(again)


def test_a_participant_sees_the_revealed_group_result_never_anyones_answers(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, tokens = workshop(app_db, people=3)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    live.set_current_dimension(app_db.ctx, created.facilitator_token, "permission")
    at = open_page("pages/join.py", resume=tokens[0])
    assert not at.exception
    shown = texts(at)
    assert "The group's result: Permission" in shown
    assert "Group score **4.33**" in shown
    assert "R001" not in shown and "R002" not in shown
    assert not [radio for radio in at.radio if str(radio.key).startswith("ws.answer:")]


def test_a_locked_dimension_cannot_be_changed(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, tokens = workshop(app_db, people=1)
    live.lock_dimension(app_db.ctx, created.facilitator_token, "permission")
    at = open_page("pages/join.py", resume=tokens[0])
    next(box for box in at.selectbox if box.label == "Dimension").set_value("permission").run()
    assert "locked by the facilitator" in texts(at)
    assert at.radio(key=f"ws.answer:{ITEM}").disabled


def test_a_closed_workshop_refuses_answers_and_new_people_with_a_clear_message(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, tokens = workshop(app_db, people=1)
    live.close_workshop(app_db.ctx, created.facilitator_token)
    at = open_page("pages/join.py", resume=tokens[0])
    assert "This workshop is closed" in texts(at)
    assert all(radio.disabled for radio in at.radio if str(radio.key).startswith("ws.answer:"))
    newcomer = open_page("pages/join.py", code=created.code)
    assert "closed and accepts no new participants" in texts(newcomer)
    assert not [radio for radio in newcomer.radio if radio.key == "ws.role"]


def test_a_wrong_resume_link_opens_nothing(app_db: AppDatabase, open_page: PageOpener) -> None:
    workshop(app_db, people=3)
    at = open_page("pages/join.py", resume="not-a-real-token-at-all-0123456789abcdef")
    assert "does not open a workshop" in texts(at)
    assert not at.radio and not at.metric


# --- the facilitator --------------------------------------------------------------------------------------


def test_create_a_workshop_and_land_on_the_private_panel(app_db: AppDatabase, open_page: PageOpener) -> None:
    at = open_page("pages/facilitate.py")
    at.text_input[0].input("Claims kick-off")
    at.text_input[1].input("Claims, Support")
    at.radio[0].set_value("pulse")
    button(at, "Create the workshop").click()
    at.run()
    assert not at.exception
    token = at.query_params["token"]
    token = token[0] if isinstance(token, list) else token
    workshop_id = live.facilitator_workshop(app_db.ctx, token)
    panel = live.live_panel(app_db.ctx, workshop_id)
    shown = texts(at)
    assert panel.code in shown and f"/join?code={panel.code}" in shown
    assert "private facilitator link" in shown
    assert panel.teams == ("Claims", "Support") and panel.form == "pulse" and panel.k == 3
    assert len(at.get("image")) == 1  # the QR code


def test_creating_without_a_name_says_what_is_missing(app_db: AppDatabase, open_page: PageOpener) -> None:
    at = open_page("pages/facilitate.py")
    button(at, "Create the workshop").click()
    at.run()
    assert "Name: give the workshop a name" in texts(at)
    assert "Teams: name at least one team" in texts(at)


def test_a_wrong_facilitator_token_sees_nothing(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db, people=3)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    for wrong in ("wrong", created.facilitator_token[:-2], created.code):
        at = open_page("pages/facilitate.py", token=wrong)
        assert not at.exception
        shown = texts(at)
        assert "does not open a workshop" in shown
        assert created.code not in shown and "Support, March" not in shown
        assert not at.metric and not at.tabs and not at.get("image")
        assert not [b for b in at.button if b.label in ("Reveal", "Lock", "Close the workshop")]


def test_the_live_panel_counts_and_controls_a_dimension(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db, people=2)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    shown = texts(at)
    assert "People joined 2" in shown and "Finished every dimension 2" in shown
    assert "4 of 4 answers · 2 started · 2 done" in shown
    button(at, "Lock", "lock:permission").click()
    at.run()
    assert live.live_panel(app_db.ctx, created.workshop_id).dimensions[0].locked
    button(at, "Unlock", "unlock:permission").click()
    at.run()
    assert not live.live_panel(app_db.ctx, created.workshop_id).dimensions[0].locked


def test_a_group_of_two_at_k3_shows_no_numbers_when_revealed(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, tokens = workshop(app_db, people=2, level=3)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    button(at, "Reveal", "reveal:permission").click()
    at.run()
    shown = texts(at)
    assert "Not revealed: Permission needs answers from at least 3 people of one team" in shown
    assert "Group score" not in shown and "Revealed" not in [heading.value for heading in at.subheader]
    assert not at.get("vega_lite_chart") and not at.tabs
    assert not re.search(r"\b3\.5\b|\bMean\b", shown)  # the two people's mean (3 and 4) appears nowhere
    participant = open_page("pages/join.py", resume=tokens[0])
    assert "Group score" not in texts(participant) and "3.5" not in texts(participant)


def test_reveal_shows_the_distribution_and_divided_items_first(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db)
    questionnaire = live.workshop_questionnaire(app_db.ctx, created.workshop_id)
    pulse = [item.id for item in questionnaire.dimension("permission").pulse_items]
    for index, (first, second) in enumerate(((1, 3), (5, 3), (1, 3), (5, 3))):
        token = live.join_workshop(
            app_db.ctx, code=created.code, role="contributor", client_key=str(index)
        ).token
        live.save_answer(app_db.ctx, token, pulse[0], first)
        live.save_answer(app_db.ctx, token, pulse[1], second)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    button(at, "Reveal", "reveal:permission").click()
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Permission is revealed and locked." in shown
    assert "Group score **3.0** · level **3 Defined** · consensus **divided**" in shown
    assert "What would level 4 look like here?" in shown
    first_question = questionnaire.item(pulse[0]).question.strip()
    assert shown.index(first_question) < shown.index(questionnaire.item(pulse[1]).question.strip())
    assert "levels 1: 2 · 2: 0 · 3: 0 · 4: 0 · 5: 2" in shown
    assert len(at.get("vega_lite_chart")) >= 1


def test_agreed_actions_and_closing(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db, people=1)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    action_input = next(field for field in at.text_input if field.label == "Action")
    action_input.input("Publish a one-page AI-use guide")
    next(field for field in at.text_input if field.label == "Owner").input("Ops lead")
    button(at, "Add the action").click()
    at.run()
    assert "**Publish a one-page AI-use guide** · Ops lead" in texts(at)
    at.checkbox(key="fac.close_sure").check().run()
    button(at, "Close the workshop").click()
    at.run()
    assert "This workshop is closed" in texts(at)
    assert not [b for b in at.button if b.label == "Reveal"]
    assert live.live_panel(app_db.ctx, created.workshop_id).status == "closed"


# --- one-step reveal, closing with unrevealed dimensions, copy ---------------------------------------------


def test_one_reveal_click_points_the_room_and_every_phone_at_the_result(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, tokens = workshop(app_db, people=3)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    button(at, "Reveal", "reveal:permission").click()
    at.run()
    assert "The room screen and every phone show it." in texts(at)
    assert button(at, "The room is here", "current:permission")  # no second step needed
    phone = open_page("pages/join.py", resume=tokens[0])  # never pointed by hand
    assert "The group's result: Permission" in texts(phone)
    room = open_page("pages/room.py", code=created.code)
    assert "The group's result: Permission" in texts(room)


def test_closing_with_unrevealed_dimensions_asks_first_and_labels_them(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=3)
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    shown = texts(at)
    assert "Not revealed yet: Definition, Boundaries, Coaching, Capacity governance" in shown
    assert at.checkbox(key="fac.close_sure").label.startswith("Close without revealing them")
    assert button(at, "Close the workshop").disabled
    at.checkbox(key="fac.close_sure").check().run()
    button(at, "Close the workshop").click()
    at.run()
    shown = texts(at)
    assert "Closed: no new participants, no new answers, no more reveals." in shown
    assert "not revealed · 2 items" in shown and "open · 2 items" not in shown
    room = open_page("pages/room.py", code=created.code)
    assert "This workshop is closed." in texts(room)


def test_a_wait_of_one_second_reads_as_one_second() -> None:
    assert live.seconds(1) == "1 second" and live.seconds(4) == "4 seconds"
    error = live._throttled_message("codes", 1)
    assert "Please wait 1 second and try again." in str(error)


def test_an_action_without_a_title_says_so_in_a_sentence(app_db: AppDatabase, open_page: PageOpener) -> None:
    created, _ = workshop(app_db)
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    button(at, "Add the action").click()
    at.run()
    messages = [str(error.value) for error in at.error]
    assert messages and all(message[:1].isupper() for message in messages), messages


def test_an_action_with_a_typo_is_corrected_and_another_removed(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=1)
    live.add_action(app_db.ctx, created.facilitator_token, title="Publsh a one-page guide", owner="Ops")
    live.add_action(app_db.ctx, created.facilitator_token, title="Budget the meta-work")
    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    title = next(field for field in at.text_input if field.label == "Action title")
    title.input("Publish a one-page guide")
    button(at, "Save").click()
    at.run()
    assert "**Publish a one-page guide** · Ops" in texts(at) and "Publsh" not in texts(at)
    [_, second] = [b for b in at.button if b.label == "Remove"]
    second.click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert "Budget the meta-work" not in texts(at)
    assert [a.title for a in live.workshop_actions(app_db.ctx, created.workshop_id)] == [
        "Publish a one-page guide"
    ]


def test_a_phone_answers_one_question_at_a_time_and_says_where_the_room_is(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, _ = workshop(app_db, people=2)
    joined = live.join_workshop(app_db.ctx, code=created.code, role="contributor", client_key="phone")
    phone = open_page("pages/join.py", resume=joined.token)
    assert "Waiting for the facilitator to start · 3 people joined." in texts(phone)
    live.step_room(app_db.ctx, created.facilitator_token, 1)
    phone.run()
    assert "Permission: 2 of 3 people answered." in texts(phone)
    answers = [radio for radio in phone.radio if str(radio.key).startswith("ws.answer:")]
    assert len(answers) == 1  # one question on the screen, with its five levels and "Don't know"
    assert len(answers[0].options) == 6
    answers[0].set_value(3).run()
    second = [radio for radio in phone.radio if str(radio.key).startswith("ws.answer:")]
    assert len(second) == 1 and second[0].key != answers[0].key  # moved on to the next question
    second[0].set_value(live.DONT_KNOW).run()
    assert "Permission: 3 of 3 people answered. Waiting for the facilitator to reveal the result." in texts(
        phone
    )
    live.reveal_dimension(app_db.ctx, created.facilitator_token, "permission")
    phone.run()
    assert "Permission is being discussed." in texts(phone)
    assert "The group's result: Permission" in texts(phone)
    live.close_workshop(app_db.ctx, created.facilitator_token)
    phone.run()
    assert "The workshop is closed." in texts(phone)


def test_a_new_workshop_is_a_pulse_by_default_with_its_duration_estimated(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    at = open_page("pages/facilitate.py")
    assert at.radio(key="fac.form").value == "pulse"
    assert "About 45 minutes: about 5 of answering on phones" in texts(at)  # 10 items, 5 dimensions
    at.radio(key="fac.form").set_value("full").run()
    assert "About 58 minutes: about 18 of answering on phones" in texts(at)  # 35 items
    dimensions = next(widget for widget in at.multiselect if widget.label == "Dimensions")
    dimensions.set_value(["permission"]).run()
    assert "About 12 minutes: about 4 of answering on phones" in texts(at)
    at.text_input[0].input("Claims kick-off")
    at.text_input[1].input("Claims")
    button(at, "Create the workshop").click()
    at.run()
    token = at.query_params["token"]
    panel = live.live_panel(
        app_db.ctx, live.facilitator_workshop(app_db.ctx, token[0] if isinstance(token, list) else token)
    )
    assert panel.form == "full" and [d.id for d in panel.dimensions] == ["permission"]


def test_phones_vote_for_the_actions_and_the_facilitator_sees_the_ranking(
    app_db: AppDatabase, open_page: PageOpener
) -> None:
    created, tokens = workshop(app_db, people=2)
    guide = live.add_action(app_db.ctx, created.facilitator_token, title="Publish a one-page guide")
    budget = live.add_action(app_db.ctx, created.facilitator_token, title="Budget the meta-work")
    for token in tokens:
        phone = open_page("pages/join.py", resume=token)
        assert "3 votes, one per action: 3 left" in texts(phone)
        phone.checkbox(key=f"ws.vote:{budget.id}").check().run()
        assert "3 votes, one per action: 2 left" in texts(phone)
    facilitator = open_page("pages/facilitate.py", token=created.facilitator_token)
    shown = texts(facilitator)
    assert "1. **2** votes · Budget the meta-work" in shown
    assert "2. **0** votes · Publish a one-page guide" in shown
    assert guide.id != budget.id
