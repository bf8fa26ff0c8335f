"""The repository on real databases: what a respondent, a facilitator and an admin would notice."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from scoring import score_team
from storage import repository as repo
from storage.models import Answer, AppSetting, Respondent, Workshop
from tests.integration.storage_support import QUESTIONNAIRE, Database, database, sqlite_database

__all__ = ["database", "sqlite_database"]

ITEMS = [item.id for item in QUESTIONNAIRE.items_for("full")]


def _assessment(db: Database, *, team: str = "Claims Operations", mode: str = "individual") -> int:
    with db.session() as session:
        found = repo.get_or_create_team(session, name=team)
        return repo.create_assessment(
            session,
            team_id=found.id,
            questionnaire_id=QUESTIONNAIRE.id,
            questionnaire_version=QUESTIONNAIRE.version,
            form="full",
            mode=mode,  # type: ignore[arg-type]
            k=3,
            round_label="2026 Q4",
        ).id


def _respondent(db: Database, assessment_id: int, role: str = "contributor") -> tuple[int, str]:
    with db.session() as session:
        respondent, token = repo.create_respondent(session, assessment_id=assessment_id, role=role)
        return respondent.id, token


# --- teams and assessments ------------------------------------------------------------------------------


def test_team_names_are_unique_and_demo_teams_can_be_left_out(sqlite_database: Database) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    with database.session() as session:
        repo.create_team(session, name="Claims Operations")
        repo.create_team(session, name="Risk Reporting", is_demo=True)
        assert repo.get_or_create_team(session, name="Claims Operations").is_demo is False
    with pytest.raises(repo.ConflictError, match="already exists"), database.session() as session:
        repo.create_team(session, name="Claims Operations")
    with database.session(read_only=True) as session:
        assert [t.name for t in repo.list_teams(session)] == ["Claims Operations", "Risk Reporting"]
        assert [t.name for t in repo.list_teams(session, include_demo=False)] == ["Claims Operations"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"form": "long"}, "form must be one of full, pulse"),
        ({"mode": "solo"}, "mode must be one of individual, consensus"),
        ({"k": 2}, "at least 3"),
        ({"k": True}, "at least 3"),
        ({"questionnaire_version": " "}, "questionnaire version must not be empty"),
    ],
)
def test_create_assessment_refuses_values_the_model_does_not_allow(
    sqlite_database: Database, changes: dict[str, object], message: str
) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    arguments: dict[str, object] = {
        "questionnaire_id": QUESTIONNAIRE.id,
        "questionnaire_version": QUESTIONNAIRE.version,
        "form": "full",
        "mode": "individual",
        "k": 3,
    }
    with pytest.raises(repo.InvalidValueError, match=message), database.session() as session:
        team = repo.create_team(session, name="Finance Close")
        repo.create_assessment(session, team_id=team.id, **{**arguments, **changes})  # type: ignore[arg-type]


def test_assessments_list_filter_close_and_reopen(database: Database) -> None:
    first = _assessment(database)
    second = _assessment(database, team="Risk Reporting")
    with database.session() as session:
        closed = repo.close_assessment(session, assessment_id=first)
        assert closed.status == "closed" and closed.closed_at is not None
        assert closed.closed_at.tzinfo is UTC
    with database.session(read_only=True) as session:
        assert [a.id for a in repo.list_assessments(session)] == [first, second]
        assert [a.id for a in repo.list_assessments(session, status="open")] == [second]
        assert repo.list_assessments(session, status="closed")[0].team.name == "Claims Operations"
    with database.session() as session:
        assert repo.reopen_assessment(session, assessment_id=first).status == "open"


# --- respondents, tokens and answers ------------------------------------------------------------------


def test_resume_token_is_stored_only_as_its_hash_and_brings_the_respondent_back(database: Database) -> None:
    assessment_id = _assessment(database)
    respondent_id, token = _respondent(database, assessment_id, role="leader")
    assert len(token) >= 40
    with database.engine.connect() as connection:
        stored = connection.execute(select(Respondent.token_hash)).scalar_one()
        everything = " ".join(
            str(v) for row in connection.exec_driver_sql("SELECT * FROM respondents") for v in row
        )
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in everything
    with database.session(read_only=True) as session:
        found = repo.find_respondent_by_token(session, token=token)
        assert found is not None and found.id == respondent_id and found.role == "leader"
        assert found.external_id == "R001"
        assert (
            repo.find_respondent_by_token(session, token=token[:-1] + ("A" if token[-1] != "A" else "B"))
            is None
        )
        assert repo.find_respondent_by_token(session, token="") is None
        assert repo.find_respondent_by_token(session, token="x" * 10_000) is None


def test_respondents_get_consecutive_pseudonyms(sqlite_database: Database) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    assessment_id = _assessment(database)
    for _ in range(3):
        _respondent(database, assessment_id)
    with database.session(read_only=True) as session:
        names = [r.external_id for r in repo.list_respondents(session, assessment_id=assessment_id)]
    assert names == ["R001", "R002", "R003"]


def test_saving_an_answer_again_updates_it_in_place(database: Database) -> None:
    respondent_id, _ = _respondent(database, _assessment(database))
    item = ITEMS[0]
    with database.session() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id=item, value=2)
    with database.session(read_only=True) as session:
        first = session.scalars(select(Answer)).one()
        created, updated = first.created_at, first.updated_at
    with database.session() as session:
        repo.save_answer(
            session, respondent_id=respondent_id, item_id=item, value=4, at=updated + timedelta(seconds=5)
        )
        repo.save_answer(session, respondent_id=respondent_id, item_id=ITEMS[1], value=None)  # don't know
    with database.session(read_only=True) as session:
        rows = {row.item_id: row for row in session.scalars(select(Answer))}
        assert repo.get_answers(session, respondent_id=respondent_id) == {item: 4, ITEMS[1]: None}
    assert len(rows) == 2
    assert rows[item].created_at == created and rows[item].updated_at > updated
    assert rows[item].questionnaire_version == QUESTIONNAIRE.version
    assert rows[item].updated_at.tzinfo is UTC


def test_clearing_an_answer_makes_the_item_unanswered_not_dont_know(database: Database) -> None:
    respondent_id, _ = _respondent(database, _assessment(database))
    with database.session() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id=ITEMS[0], value=3)
        assert repo.clear_answer(session, respondent_id=respondent_id, item_id=ITEMS[0]) is True
        assert repo.clear_answer(session, respondent_id=respondent_id, item_id=ITEMS[0]) is False
        assert repo.get_answers(session, respondent_id=respondent_id) == {}


@pytest.mark.parametrize("value", [0, 6, 7, -1, True, "3", 2.5])
def test_answers_outside_levels_1_to_5_are_refused(sqlite_database: Database, value: object) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    respondent_id, _ = _respondent(database, _assessment(database))
    with pytest.raises(repo.InvalidValueError, match="level 1–5"), database.session() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id=ITEMS[0], value=value)  # type: ignore[arg-type]
    assert database.counts()["answers"] == 0


def test_a_closed_assessment_accepts_no_answers_and_no_respondents(database: Database) -> None:
    assessment_id = _assessment(database)
    respondent_id, _ = _respondent(database, assessment_id)
    with database.session() as session:
        repo.close_assessment(session, assessment_id=assessment_id)
    with pytest.raises(repo.ClosedError, match="closed"), database.session() as session:
        repo.save_answer(session, respondent_id=respondent_id, item_id=ITEMS[0], value=3)
    with pytest.raises(repo.ClosedError), database.session() as session:
        repo.create_respondent(session, assessment_id=assessment_id, role="leader")


def test_a_consensus_assessment_holds_one_answer_set(database: Database) -> None:
    assessment_id = _assessment(database, mode="consensus")
    _respondent(database, assessment_id, role="leader")
    with pytest.raises(repo.ConflictError, match="consensus"), database.session() as session:
        repo.create_respondent(session, assessment_id=assessment_id, role="leader")


def test_answers_store_no_ip_address_or_user_agent(sqlite_database: Database) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    columns = {column["name"] for column in inspect(database.engine).get_columns("answers")}
    assert columns == {
        "id",
        "respondent_id",
        "item_id",
        "value",
        "questionnaire_version",
        "created_at",
        "updated_at",
    }


def test_comments_and_kpis_are_saved_and_loaded_for_scoring(database: Database) -> None:
    assessment_id = _assessment(database)
    with database.session() as session:
        for index in range(5):
            respondent, _ = repo.create_respondent(
                session, assessment_id=assessment_id, role="leader" if index < 2 else "contributor"
            )
            for position, item_id in enumerate(ITEMS):
                repo.save_answer(
                    session, respondent_id=respondent.id, item_id=item_id, value=(position + index) % 5 + 1
                )
            repo.save_comment(
                session, respondent_id=respondent.id, dimension_id="permission", text=f"note {index}"
            )
        repo.save_comment(session, respondent_id=respondent.id, dimension_id="coaching", text="draft")
        repo.save_comment(
            session, respondent_id=respondent.id, dimension_id="coaching", text="  "
        )  # removes it
        outcomes = repo.save_kpis(
            session,
            assessment_id=assessment_id,
            kpis={"task_time_reduction": 30, "meta_work_hours": 4.5, "redeployed_share": 25},
            ai_hours_per_week=20,
        )
        assert outcomes.ai_hours_per_week == 20.0
        repo.save_kpis(session, assessment_id=assessment_id, kpis={"rework_rate": 12.5}, replace=False)
    with database.session(read_only=True) as session:
        outcomes = repo.get_outcomes(session, assessment_id=assessment_id)
        responses = repo.load_team_responses(session, assessment_id=assessment_id)
    assert outcomes.kpis == {
        "meta_work_hours": 4.5,
        "redeployed_share": 25.0,
        "rework_rate": 12.5,
        "task_time_reduction": 30.0,
    }
    assert outcomes.ai_hours_per_week == 20.0  # kept: not named in the second call
    assert responses.team == "Claims Operations" and len(responses.respondents) == 5
    assert [r.respondent_id for r in responses.respondents] == ["R001", "R002", "R003", "R004", "R005"]
    assert responses.respondents[4].comments == {"permission": "note 4"}
    result = score_team(QUESTIONNAIRE, responses)
    assert not result.suppressed and result.ledger is not None
    assert sorted(result.comments["permission"]) == [f"note {i}" for i in range(5)]


@pytest.mark.parametrize(
    ("kpis", "hours", "message"),
    [
        ({"rework_rate": float("nan")}, 1.0, "finite"),
        ({"rework_rate": "12"}, 1.0, "finite"),
        ({}, -3.0, "negative"),
    ],
)
def test_impossible_kpis_are_refused(
    sqlite_database: Database, kpis: dict[str, object], hours: float, message: str
) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    assessment_id = _assessment(database)
    with pytest.raises(repo.InvalidValueError, match=message), database.session() as session:
        repo.save_kpis(session, assessment_id=assessment_id, kpis=kpis, ai_hours_per_week=hours)  # type: ignore[arg-type]


def test_only_respondents_who_answered_are_scored(database: Database) -> None:
    assessment_id = _assessment(database)
    answered, _ = _respondent(database, assessment_id)
    _respondent(database, assessment_id)  # opened the link, answered nothing
    with database.session() as session:
        repo.save_answer(session, respondent_id=answered, item_id=ITEMS[0], value=None)
    with database.session(read_only=True) as session:
        responses = repo.load_team_responses(session, assessment_id=assessment_id)
        assert [r.respondent_id for r in responses.respondents] == ["R001"]
        assert (
            repo.load_team_responses(session, assessment_id=assessment_id, only_submitted=True).respondents
            == []
        )
    with database.session() as session:
        repo.mark_submitted(session, respondent_id=answered)
    with database.session(read_only=True) as session:
        submitted = repo.load_team_responses(session, assessment_id=assessment_id, only_submitted=True)
        assert len(submitted.respondents) == 1


# --- deleting -------------------------------------------------------------------------------------------


def _fill(db: Database) -> tuple[int, int]:
    assessment_id = _assessment(db)
    with db.session() as session:
        respondent, _ = repo.create_respondent(session, assessment_id=assessment_id, role="manager")
        for item_id in ITEMS[:5]:
            repo.save_answer(session, respondent_id=respondent.id, item_id=item_id, value=3)
        repo.save_comment(session, respondent_id=respondent.id, dimension_id="permission", text="x")
        repo.save_kpis(session, assessment_id=assessment_id, kpis={"rework_rate": 10}, ai_hours_per_week=5)
        repo.add_action(session, assessment_id=assessment_id, title="Write the one-page guide")
        repo.create_workshop(
            session,
            name="Kick-off",
            form="full",
            k=3,
            dimensions=["permission"],
            assessment_ids=[assessment_id],
        )
        return assessment_id, respondent.id


def test_deleting_an_assessment_removes_everything_that_belongs_to_it(database: Database) -> None:
    assessment_id, _ = _fill(database)
    other_id, _ = _fill(database)  # a second assessment of the same team, which must stay
    with database.session() as session:
        repo.delete_assessment(session, assessment_id=assessment_id)
    counts = database.counts()
    assert counts["assessments"] == 1 and counts["teams"] == 1
    for table in ("respondents", "comments", "outcome_kpis", "action_items", "workshop_assessments"):
        assert counts[table] == 1, table
    assert counts["answers"] == 5
    with database.session(read_only=True) as session:
        assert repo.load_team_responses(session, assessment_id=other_id).respondents
        with pytest.raises(repo.NotFoundError, match=f"assessment {assessment_id} does not exist"):
            repo.get_assessment(session, assessment_id=assessment_id)


def _settings(db: Database) -> list[str]:
    with db.session(read_only=True) as session:
        return sorted(session.scalars(select(AppSetting.key)))


def test_deleting_an_assessment_or_a_team_leaves_no_share_code_or_plan_marker_behind(
    database: Database,
) -> None:
    gone, _ = _fill(database)
    kept, _ = _fill(database)
    with database.session() as session:
        gone_code = repo.create_share_code(session, assessment_id=gone)
        kept_code = repo.create_share_code(session, assessment_id=kept)
        for assessment_id in (gone, kept):
            repo.seed_actions(session, assessment_id=assessment_id, actions=[{"title": "Name an owner"}])
    assert len(_settings(database)) == 6
    with database.session() as session:
        repo.delete_assessment(session, assessment_id=gone)
    left = _settings(database)
    assert len(left) == 3 and not any(gone_code in key or key.endswith(f":{gone}") for key in left), left
    with database.session(read_only=True) as session:
        assert repo.find_assessment_by_share_code(session, code=kept_code).id == kept  # type: ignore[union-attr]
    with database.session() as session:
        team_id = repo.get_assessment(session, assessment_id=kept).team_id
        workshop, _ = repo.create_workshop(
            session, name="Retro", form="pulse", k=3, dimensions=["permission"], team_id=team_id
        )
        repo.set_setting(session, key=f"workshop.{workshop.id}.reveal.permission", value="{}")
        repo.set_setting(session, key="leader_passcode_hash", value="x")
        repo.delete_team(session, team_id=team_id)
    assert _settings(database) == ["leader_passcode_hash"]


def test_deleting_one_respondents_answers_keeps_everyone_elses(database: Database) -> None:
    assessment_id, respondent_id = _fill(database)
    other, _ = _respondent(database, assessment_id)
    with database.session() as session:
        repo.save_answer(session, respondent_id=other, item_id=ITEMS[0], value=5)
        assert repo.delete_respondent_answers(session, respondent_id=respondent_id) == 5
    counts = database.counts()
    assert counts["answers"] == 1 and counts["comments"] == 0 and counts["respondents"] == 2
    with database.session() as session:
        repo.delete_respondent(session, respondent_id=other)
    assert database.counts()["answers"] == 0 and database.counts()["respondents"] == 1


def test_demo_data_is_removed_with_everything_it_holds(database: Database) -> None:
    _fill(database)
    with database.session() as session:
        team = repo.create_team(session, name="Payroll Services", is_demo=True)
        demo = repo.create_assessment(
            session,
            team_id=team.id,
            questionnaire_id=QUESTIONNAIRE.id,
            questionnaire_version=QUESTIONNAIRE.version,
            form="pulse",
            mode="individual",
            k=3,
            is_demo=True,
        )
        respondent, _ = repo.create_respondent(session, assessment_id=demo.id, role="leader")
        repo.save_answer(session, respondent_id=respondent.id, item_id=ITEMS[0], value=1)
    with database.session() as session:
        assert repo.delete_demo_data(session) == 1
    counts = database.counts()
    assert counts["teams"] == 1 and counts["assessments"] == 1 and counts["answers"] == 5


# --- workshops ------------------------------------------------------------------------------------------


def test_workshop_join_code_and_facilitator_token(database: Database) -> None:
    assessment_id = _assessment(database)
    with database.session() as session:
        workshop, token = repo.create_workshop(
            session,
            name="Quarterly review",
            form="pulse",
            k=3,
            dimensions=["permission", "definition"],
            assessment_ids=[assessment_id],
        )
        workshop_id, code = workshop.id, workshop.code
    assert len(code) == repo.JOIN_CODE_LENGTH and set(code) <= set(repo.JOIN_CODE_ALPHABET)
    with database.session(read_only=True) as session:
        typed = f" {code[:3].lower()}-{code[3:]} "
        assert repo.find_workshop_by_code(session, code=typed).id == workshop_id  # type: ignore[union-attr]
        assert repo.find_workshop_by_code(session, code="") is None
        assert repo.verify_facilitator_token(session, workshop_id=workshop_id, token=token)
        assert not repo.verify_facilitator_token(session, workshop_id=workshop_id, token=token + "x")
        assert not repo.verify_facilitator_token(session, workshop_id=workshop_id + 1, token=token)
        stored = session.scalars(select(Workshop.facilitator_token_hash)).one()
        assert token not in stored
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
    assert state.assessment_ids == (assessment_id,)
    assert [d.dimension_id for d in state.dimensions] == ["permission", "definition"]


def test_workshop_lock_reveal_and_close_are_shared_state_with_a_version(database: Database) -> None:
    with database.session() as session:
        workshop, _ = repo.create_workshop(
            session, name="Room 4", form="full", k=3, dimensions=["permission", "definition", "coaching"]
        )
        workshop_id = workshop.id
    with database.session() as session:
        repo.set_current_dimension(session, workshop_id=workshop_id, dimension_id="permission")
        repo.lock_dimension(session, workshop_id=workshop_id, dimension_id="permission")
        state = repo.reveal_dimension(session, workshop_id=workshop_id, dimension_id="permission")
    assert state.current_dimension == "permission" and state.state_version == 3
    assert state.dimension("permission").locked and state.dimension("permission").revealed
    assert not state.dimension("definition").locked
    with database.session() as session:
        repo.unlock_dimension(session, workshop_id=workshop_id, dimension_id="permission")
        state = repo.hide_dimension(session, workshop_id=workshop_id, dimension_id="permission")
        assert not state.dimension("permission").locked and not state.dimension("permission").revealed
        assert repo.get_state_version(session, workshop_id=workshop_id) == 5
    with pytest.raises(repo.NotFoundError, match="does not cover"), database.session() as session:
        repo.lock_dimension(session, workshop_id=workshop_id, dimension_id="boundaries")
    with database.session() as session:
        assert repo.close_workshop(session, workshop_id=workshop_id).status == "closed"
    with pytest.raises(repo.ClosedError), database.session() as session:
        repo.lock_dimension(session, workshop_id=workshop_id, dimension_id="coaching")
    with database.session(read_only=True) as session:
        assert [w.id for w in repo.list_workshops(session, status="closed")] == [workshop_id]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"dimensions": []}, "at least one dimension"),
        ({"dimensions": ["permission", "permission"]}, "once"),
        ({"k": 1}, "at least 3"),
        ({"form": "short"}, "form must be"),
        ({"name": ""}, "must not be empty"),
    ],
)
def test_create_workshop_refuses_bad_settings(
    sqlite_database: Database, arguments: dict[str, object], message: str
) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    values: dict[str, object] = {
        "name": "W",
        "form": "full",
        "k": 3,
        "dimensions": ["permission"],
        **arguments,
    }
    with pytest.raises(repo.InvalidValueError, match=message), database.session() as session:
        repo.create_workshop(session, **values)  # type: ignore[arg-type]


# --- action items ---------------------------------------------------------------------------------------


def test_action_items_keep_the_teams_order(database: Database) -> None:
    assessment_id = _assessment(database)
    with database.session() as session:
        guide = repo.add_action(
            session,
            assessment_id=assessment_id,
            title="Publish a one-page AI-use guide",
            finding="Permission is at level 1",
            owner="Team lead",
            due_date=date(2027, 1, 31),
            source_item_id="permission.one_page_guide",
            kpi="Share of people who know what they may use",
            first_step="Draft it in the next team meeting",
            horizon_days=30,
        )
        budget = repo.add_action(session, assessment_id=assessment_id, title="Budget meta-work")
        first = repo.add_action(
            session, assessment_id=assessment_id, title="Agree disclosure norms", position=0
        )
        ids = [first.id, guide.id, budget.id]
    with database.session() as session:
        assert [a.id for a in repo.list_actions(session, assessment_id=assessment_id)] == ids
        assert [a.position for a in repo.list_actions(session, assessment_id=assessment_id)] == [0, 1, 2]
        updated = repo.update_action(session, action_id=guide.id, status="in_progress", owner="Ops manager")
        assert updated.status == "in_progress" and updated.due_date == date(2027, 1, 31)
        repo.reorder_actions(session, assessment_id=assessment_id, action_ids=[budget.id, guide.id, first.id])
        repo.delete_action(session, action_id=guide.id)
    with database.session(read_only=True) as session:
        actions = repo.list_actions(session, assessment_id=assessment_id)
    assert [(a.id, a.position) for a in actions] == [(budget.id, 0), (first.id, 1)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "finished"}, "status must be one of open, in_progress, done"),
        ({"colour": "red"}, "no field"),
        ({"title": ""}, "must not be empty"),
        ({"due_date": "2027-01-01"}, "must be a date"),
        ({"due_date": datetime(2027, 1, 1, tzinfo=UTC)}, "must be a date"),
    ],
)
def test_action_updates_are_checked(
    sqlite_database: Database, changes: dict[str, object], message: str
) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    assessment_id = _assessment(database)
    with database.session() as session:
        action_id = repo.add_action(session, assessment_id=assessment_id, title="Something").id
    with pytest.raises(repo.InvalidValueError, match=message), database.session() as session:
        repo.update_action(session, action_id=action_id, **changes)


def test_reorder_must_name_every_action_once(sqlite_database: Database) -> None:
    database = sqlite_database  # checks of values: the database makes no difference
    assessment_id = _assessment(database)
    with database.session() as session:
        a = repo.add_action(session, assessment_id=assessment_id, title="A").id
        repo.add_action(session, assessment_id=assessment_id, title="B")
    with pytest.raises(repo.InvalidValueError, match="each action"), database.session() as session:
        repo.reorder_actions(session, assessment_id=assessment_id, action_ids=[a, a])


# --- settings -------------------------------------------------------------------------------------------


def test_app_settings_are_upserted(database: Database) -> None:
    with database.session() as session:
        repo.set_setting(session, key="admin_passcode_hash", value="one")
        repo.set_setting(session, key="admin_passcode_hash", value="two")
    with database.session() as session:
        assert repo.get_setting(session, key="admin_passcode_hash") == "two"
        assert repo.delete_setting(session, key="admin_passcode_hash") is True
        assert repo.get_setting(session, key="admin_passcode_hash") is None
