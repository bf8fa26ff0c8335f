"""The repository functions the workshop and leader services added, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import repository as repo
from tests.integration.storage_support import Database, database  # noqa: F401 - the fixture


def _workshop(db: Database) -> tuple[int, str, int]:
    with db.session() as session:
        team = repo.create_team(session, name="Support")
        assessment = repo.create_assessment(
            session,
            team_id=team.id,
            questionnaire_id="human-system-design",
            questionnaire_version="1.0.0",
            form="full",
            mode="individual",
            k=3,
        )
        workshop, token = repo.create_workshop(
            session, name="W", form="full", k=3, dimensions=["permission"], assessment_ids=[assessment.id]
        )
        return workshop.id, token, assessment.id


def test_a_facilitator_token_finds_its_workshop_only(database: Database) -> None:  # noqa: F811
    workshop_id, token, assessment_id = _workshop(database)
    with database.session(read_only=True) as session:
        found = repo.find_workshop_by_facilitator_token(session, token=token)
        assert found is not None and found.id == workshop_id
        for wrong in ("", " ", token[:-1], token + "x", "x" * 500, repo.hash_token(token)):
            assert repo.find_workshop_by_facilitator_token(session, token=wrong) is None
        assert repo.find_workshop_of_assessment(session, assessment_id=assessment_id).id == workshop_id  # type: ignore[union-attr]
        assert repo.find_workshop_of_assessment(session, assessment_id=assessment_id + 99) is None


def test_answer_keys_list_who_answered_what_without_values(database: Database) -> None:  # noqa: F811
    _, _, assessment_id = _workshop(database)
    with database.session() as session:
        first, _ = repo.create_respondent(session, assessment_id=assessment_id, role="contributor")
        second, _ = repo.create_respondent(session, assessment_id=assessment_id, role="leader")
        repo.save_answer(session, respondent_id=first.id, item_id="permission.one_page_guide", value=4)
        repo.save_answer(session, respondent_id=first.id, item_id="permission.named_contact", value=None)
        first_id, second_id = first.id, second.id
    with database.session(read_only=True) as session:
        respondents, keys = repo.list_answer_keys(session, assessment_ids=[assessment_id])
        assert repo.list_answer_keys(session, assessment_ids=[]) == ([], [])
    assert respondents == [first_id, second_id]
    assert sorted(keys) == [(first_id, "permission.named_contact"), (first_id, "permission.one_page_guide")]


def test_a_setting_is_added_only_once(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        assert repo.add_setting_if_absent(session, key="k", value="first")
        assert not repo.add_setting_if_absent(session, key="k", value="second")
    with database.session() as session:
        assert not repo.add_setting_if_absent(session, key="k", value="third")
        assert repo.lock_setting(session, key="k") == "first"
        assert repo.lock_setting(session, key="missing") is None


def test_old_settings_with_a_prefix_are_deleted(database: Database) -> None:  # noqa: F811
    with database.session() as session:
        repo.set_setting(session, key="throttle.a", value="1")
        repo.set_setting(session, key="throttle.b", value="2")
        repo.set_setting(session, key="throttle_c", value="3")  # '_' is not a wildcard here
        repo.set_setting(session, key="keep", value="4")
    later = datetime.now(UTC) + timedelta(seconds=5)
    with database.session() as session:
        assert (
            repo.delete_settings(
                session, prefix="throttle.", updated_before=datetime.now(UTC) - timedelta(hours=1)
            )
            == 0
        )
        assert repo.delete_settings(session, prefix="throttle.", updated_before=later) == 2
    with database.session(read_only=True) as session:
        assert repo.get_setting(session, key="throttle_c") == "3"
        assert repo.get_setting(session, key="keep") == "4"
