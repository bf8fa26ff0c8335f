"""The "Task map" page: add, edit and remove rows; bad hours refused field by field, nothing typed lost;
a template; totals and the ledger sentence; publishing a guide."""

from __future__ import annotations

from services import assessment as journey
from services import taskmap as maps
from tests.app.conftest import AppDatabase, PageOpener


def _start(app_db: AppDatabase) -> str:
    return journey.start_assessment(
        app_db.ctx, team_name="Service desk Łódź", mode="consensus", form="pulse", role="leader"
    ).token


def _errors(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [error.value for error in at.error]


def test_add_edit_and_remove_rows(open_page: PageOpener, app_db: AppDatabase) -> None:
    token = _start(app_db)
    at = open_page("pages/taskmap.py", token=token)
    assert not at.exception
    at.text_input(key="tm:roles:name").set_value("Agent")
    at.number_input(key="tm:roles:people").set_value(6)
    at.button(key="FormSubmitter:tm-roles-Add role").click().run()
    assert not at.exception, at.exception
    stored = maps.task_map(app_db.ctx, token).task_map
    assert stored is not None and [(r.name, r.people) for r in stored.roles] == [("Agent", 6)]

    # add an activity
    at.selectbox(key="tm:activities:role").set_value("Agent")
    at.text_input(key="tm:activities:name").set_value("Drafting replies")
    at.number_input(key="tm:activities:hours_per_week").set_value(10.0)
    at.selectbox(key="tm:activities:decision").set_value("ai_with_review")
    at.number_input(key="tm:activities:reduction_pct").set_value(40.0)
    at.number_input(key="tm:activities:review_minutes").set_value(2.0)
    at.number_input(key="tm:activities:occurrences_per_week").set_value(90.0)
    at.button(key="FormSubmitter:tm-activities-Add activity").click().run()
    assert not _errors(at), _errors(at)
    view = maps.task_map(app_db.ctx, token)
    assert view.task_map is not None and view.task_map.activities[0].name == "Drafting replies"
    assert any("From the task map:" in m.value for m in at.markdown)

    # edit it: pick row 1, change the hours
    at.selectbox(key="tm:activities:pick").set_value(0).run()
    assert at.number_input(key="tm:activities:hours_per_week").value == 10.0
    at.number_input(key="tm:activities:hours_per_week").set_value(12.0)
    at.button(key="FormSubmitter:tm-activities-Save changes").click().run()
    assert not _errors(at), _errors(at)
    assert maps.task_map(app_db.ctx, token).task_map.activities[0].hours_per_week == 12.0  # type: ignore[union-attr]

    # remove it
    at.selectbox(key="tm:activities:pick").set_value(0).run()
    at.button(key="FormSubmitter:tm-activities-Remove").click().run()
    assert maps.task_map(app_db.ctx, token).task_map.activities == []  # type: ignore[union-attr]


def test_bad_hours_are_refused_field_by_field_and_what_was_typed_stays(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    token = _start(app_db)
    maps.save_task_map(app_db.ctx, token, {"roles": [{"name": "Agent", "people": 6}]})
    at = open_page("pages/taskmap.py", token=token)
    at.selectbox(key="tm:activities:role").set_value("Agent")
    at.text_input(key="tm:activities:name").set_value("Drafting replies")
    at.number_input(key="tm:activities:hours_per_week").set_value(-3.0)
    at.selectbox(key="tm:activities:decision").set_value("ai_with_review")
    at.number_input(key="tm:activities:reduction_pct").set_value(120.0)
    at.number_input(key="tm:activities:review_hours_per_week").set_value(1.0)
    at.button(key="FormSubmitter:tm-activities-Add activity").click().run()
    errors = _errors(at)
    assert any(e.startswith("Hours per person per week, now: must be at least 0") for e in errors), errors
    assert any(e.startswith("Expected task-time reduction (%): must be below 100") for e in errors), errors
    assert any("Not saved" in w.value for w in at.warning)
    assert at.number_input(key="tm:activities:hours_per_week").value == -3.0, "what was typed must stay"
    assert at.text_input(key="tm:activities:name").value == "Drafting replies"
    assert maps.task_map(app_db.ctx, token).task_map.activities == []  # type: ignore[union-attr]

    # fixed, it saves
    at.number_input(key="tm:activities:hours_per_week").set_value(10.0)
    at.number_input(key="tm:activities:reduction_pct").set_value(40.0)
    at.button(key="FormSubmitter:tm-activities-Add activity").click().run()
    assert not _errors(at), _errors(at)
    assert len(maps.task_map(app_db.ctx, token).task_map.activities) == 1  # type: ignore[union-attr]


def test_a_template_gives_totals_the_chart_and_a_guide(open_page: PageOpener, app_db: AppDatabase) -> None:
    token = _start(app_db)
    at = open_page("pages/taskmap.py", token=token)
    at.selectbox(key="tm:template").set_value("service-desk")
    at.button(key="tm:use-template").click().run()
    assert not at.exception
    assert any("From the task map: 8 activities in 3 roles (8 people)" in m.value for m in at.markdown)
    at.text_input(key="tm:guide:contact_name").set_value("Anna Łukasiewicz")
    at.text_input(key="tm:guide:tools0").set_value("Copilot")
    at.button(key="FormSubmitter:tm-guide-Publish the guide").click().run()
    assert not _errors(at), _errors(at)
    assert [guide.version for guide in maps.guides(app_db.ctx, token)] == [1]
    assert any("Published versions: 1" in m.value for m in at.markdown)


def test_publishing_without_a_contact_names_the_field(open_page: PageOpener, app_db: AppDatabase) -> None:
    token = _start(app_db)
    maps.start_from_template(app_db.ctx, token, "software")
    at = open_page("pages/taskmap.py", token=token)
    at.button(key="FormSubmitter:tm-guide-Publish the guide").click().run()
    assert "Who decides grey zones: is required" in _errors(at), _errors(at)
    assert maps.guides(app_db.ctx, token) == []


def test_results_and_outcomes_say_the_ledger_comes_from_the_task_map(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    from datetime import date

    token = _start(app_db)
    maps.start_from_template(app_db.ctx, token, "service-desk")
    maps.publish_guide(
        app_db.ctx,
        token,
        {
            "data_rules": [{"data_class": "Public", "tools": "Copilot"}],
            "contact_name": "Anna",
            "contact_response": "same day",
            "review_date": date(2027, 2, 28),
        },
    )
    outcomes = open_page("pages/outcomes.py", token=token)
    assert any("comes from it" in info.value for info in outcomes.info)
    results = open_page("pages/results.py", token=token)
    assert not results.exception
    assert any(m.value.startswith("**In words:** From the task map: 8 activities") for m in results.markdown)
    assert any(i.value.startswith("Your team's AI-use guide: version 1, published") for i in results.info)


def test_a_facilitator_edits_the_task_map_of_each_workshop_team(
    open_page: PageOpener, app_db: AppDatabase
) -> None:
    from services import workshop as live

    created = live.create_workshop(app_db.ctx, name="March", team_names=["Support", "Claims"], form="pulse")
    at = open_page("pages/taskmap.py", workshop=created.facilitator_token)
    assert not at.exception
    assert at.selectbox(key="tm:team").options == ["Support", "Claims"]
    at.selectbox(key="tm:team").set_value(1).run()
    at.selectbox(key="tm:template").set_value("marketing")
    at.button(key="tm:use-template").click().run()
    teams = maps.workshop_teams(app_db.ctx, created.facilitator_token)
    assert [
        maps.task_map_for_assessment(app_db.ctx, team.assessment_id).task_map is not None for team in teams
    ] == [
        False,
        True,
    ]
    wrong = open_page("pages/taskmap.py", workshop="not-a-facilitator-link")
    assert any("does not open a workshop" in error.value for error in wrong.error)
    assert not wrong.selectbox


def test_role_and_activity_names_show_as_typed(open_page: PageOpener, app_db: AppDatabase) -> None:
    from tests.app.test_user_text import EVIL, assert_shown_as_typed

    token = _start(app_db)
    role = f"Ops {EVIL}"
    maps.save_task_map(
        app_db.ctx,
        token,
        {
            "roles": [{"name": role, "people": 2}, {"name": "Lead", "people": 1}],
            "activities": [
                {
                    "role": role,
                    "name": EVIL,
                    "hours_per_week": 5,
                    "decision": "ai_freely",
                    "reduction_pct": 20,
                }
            ],
        },
    )
    at = open_page("pages/taskmap.py", token=token)
    at.selectbox(key="tm:roles:pick").set_value(0).run()
    at.button(key="FormSubmitter:tm-roles-Remove").click().run()  # its activity still names it: refused
    assert any("is not a role of this map" in error.value for error in at.error)
    assert_shown_as_typed(at, role)
