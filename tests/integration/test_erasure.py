"""Erasure ("Delete my answers") and retention on real databases (a SQLite file, then PostgreSQL).

The story of issue 19: a team publishes with more than k people, one of them deletes their answers, more
people answer and the team publishes again. Nothing the erased person gave is left in the database, no
combination of published releases singles them out, the published result stayed as it was until the next
publication, and that publication does not include them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, Catalog
from scoring.disclosure import (
    HELD_REASON,
    _release_views,
    _Variables,
    dimension_forms,
    smallest_isolated_group,
)
from services import assessment as journey
from services import erasure
from services.context import AccessError, AnswersErasedError, AppContext, InputError, make_context
from services.publication import _release_from, publish, published_result
from storage import publications as pub
from storage import repository as repo
from storage.models import Answer, Comment, Respondent

SECRET = "Our manager never reads the AI guide (ZQX-7731)"


def answer_everything(ctx: AppContext, token: str, level: int) -> None:
    for index, item in enumerate(ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse")):
        journey.save_answer(ctx, token, item.id, (level + index) % 5 + 1)


def team_of(ctx: AppContext, people: int, *, name: str = "Erasure team") -> tuple[int, str, list[str]]:
    lead = journey.start_assessment(ctx, team_name=name, mode="individual", form="pulse", role="leader", k=3)
    assert lead.share_code
    tokens = [lead.token]
    answer_everything(ctx, lead.token, 0)
    for level in range(1, people):
        token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        answer_everything(ctx, token, level)
        tokens.append(token)
    return lead.assessment_id, lead.share_code, tokens


def every_row(ctx: AppContext) -> str:
    """Every row of every table, as text (what anyone with the database could read)."""
    dump = []
    with ctx.read() as session:
        for table in inspect(session.get_bind()).get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                dump.append(json.dumps([str(value) for value in row], ensure_ascii=False))
    return "\n".join(dump)


def isolated_by_releases(ctx: AppContext, assessment_id: int) -> list[int]:
    """The smallest groups any combination of the assessment's releases isolates, per variable."""
    questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    with ctx.read() as session:
        releases = pub.list_releases(session, assessment_id=assessment_id)
    found = []
    for dimension in dimension_forms(questionnaire, "pulse"):
        variables = _Variables()
        for payload in releases.get((dimension.id, "answers"), []):
            _release_views(dimension, _release_from(payload), variables)
        for views in variables.views.values():
            smallest = smallest_isolated_group(views, 3)
            if smallest is not None:
                found.append(smallest)
    return found


def test_erased_answers_leave_no_trace_and_the_next_publication_drops_them(ctx: AppContext) -> None:
    assessment_id, share_code, tokens = team_of(ctx, 5)
    dimension_id = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).dimensions[0].id
    journey.save_comment(ctx, tokens[2], dimension_id, SECRET)
    assert publish(ctx, assessment_id)
    before = published_result(ctx, assessment_id)
    assert before.respondents == 5
    assert SECRET in before.result.comments[dimension_id]

    report = erasure.erase_my_answers(ctx, tokens[2])
    assert report.answers == len(ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse"))
    assert report.comments == 1 and report.releases > 0

    # the published figures stay as they were until the next publication; the comment is gone at once
    after = published_result(ctx, assessment_id, refresh=True)
    assert after.respondents == 5
    assert after.result.dimensions == before.result.dimensions
    assert after.result.overall == before.result.overall
    assert SECRET not in after.result.comments.get(dimension_id, [])
    assert SECRET not in every_row(ctx)

    assert journey.resume(ctx, tokens[0]).respondents == 4  # "4 joined so far": the erased one is not counted
    # the link says so, and cannot be used to answer again (no new empty answer set)
    with pytest.raises(AnswersErasedError, match="deleted on"):
        journey.resume(ctx, tokens[2])
    with pytest.raises(AnswersErasedError):
        journey.save_answer(ctx, tokens[2], "permission.one_page_guide", 3)
    with pytest.raises(AnswersErasedError):
        erasure.erase_my_answers(ctx, tokens[2])

    # three more people answer: the next publication covers 4 + 3 people, never the erased one
    for level in range(3):
        answer_everything(
            ctx, journey.join_assessment(ctx, share_code=share_code, role="contributor").token, level
        )
    assert publish(ctx, assessment_id)
    latest = published_result(ctx, assessment_id)
    assert latest.respondents == 7
    assert not any(dimension.suppressed for dimension in latest.result.dimensions)
    with ctx.read() as session:
        erased = session.scalars(select(Respondent).where(Respondent.erased_at.is_not(None))).one()
        releases = pub.list_releases(session, assessment_id=assessment_id)
        assert session.scalars(select(Answer).where(Answer.respondent_id == erased.id)).all() == []
        assert session.scalars(select(Comment).where(Comment.respondent_id == erased.id)).all() == []
    person = erased.external_id
    for (_, kind), payloads in releases.items():
        assert person not in payloads[-1].get("answers" if kind == "answers" else "texts", {})
        for payload in payloads:
            frozen = payload.get("answers" if kind == "answers" else "texts", {})
            if person in frozen:  # an earlier release: their cells are tokens, their values are gone
                values = frozen[person].values() if kind == "answers" else [frozen[person]]
                assert all(str(value).startswith("erased:") for value in values)
    # no combination of every release ever published isolates fewer than k people
    assert isolated_by_releases(ctx, assessment_id) == []
    assert SECRET not in every_row(ctx)


def test_a_dimension_waits_without_the_erased_person_and_the_others_publish(ctx: AppContext) -> None:
    """Erase one of four; one newcomer answers only another dimension: the erased person's dimension is held
    back (no figures) at the next publication instead of being re-scored without them."""
    assessment_id, share_code, tokens = team_of(ctx, 4)
    questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    assert publish(ctx, assessment_id)
    erasure.erase_my_answers(ctx, tokens[1])
    forms = dimension_forms(questionnaire, "pulse")
    first, second = forms[0], forms[1]
    # enough new people for the second dimension only
    for level in range(3):
        token = journey.join_assessment(ctx, share_code=share_code, role="contributor").token
        for item_id in second.item_ids:
            journey.save_answer(ctx, token, item_id, level + 1)
    assert publish(ctx, assessment_id)
    result = published_result(ctx, assessment_id).result
    held = result.dimension(first.id)
    assert held.suppressed and held.suppressed_reason == HELD_REASON
    assert held.score is None and all(item.mean is None for item in held.items)
    assert not result.dimension(second.id).suppressed
    assert isolated_by_releases(ctx, assessment_id) == []


def test_a_consensus_link_and_a_wrong_link_delete_nothing(ctx: AppContext) -> None:
    team = journey.start_assessment(ctx, team_name="Agreed", mode="consensus", form="pulse", role="leader")
    answer_everything(ctx, team.token, 2)
    with pytest.raises(Exception, match="agreed answer set"):
        erasure.erase_my_answers(ctx, team.token)
    with pytest.raises(AccessError, match="nothing was deleted"):
        erasure.erase_my_answers(ctx, "not-a-token")
    assert journey.resume(ctx, team.token).answers


# --- retention ------------------------------------------------------------------------------------------------


def backdate(ctx: AppContext, assessment_id: int, when: datetime) -> None:
    with ctx.write() as session:
        ids = [r.id for r in repo.list_respondents(session, assessment_id=assessment_id)]
        for table in (Answer, Comment):
            for row in session.scalars(select(table).where(table.respondent_id.in_(ids))):
                row.updated_at = when
        for respondent in repo.list_respondents(session, assessment_id=assessment_id):
            respondent.created_at = when


def test_retention_dry_run_then_apply_keeps_published_results(ctx: AppContext) -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    old_id, _, old_tokens = team_of(ctx, 4, name="Old team")
    journey.save_comment(ctx, old_tokens[0], "permission", SECRET)
    new_id, _, new_tokens = team_of(ctx, 3, name="New team")
    assert publish(ctx, old_id)
    shown = published_result(ctx, old_id).result
    backdate(ctx, old_id, now - timedelta(days=400))

    plan = erasure.retention_plan(ctx, 12, now=now)
    assert plan.cutoff == datetime(2025, 11, 30, 12, 0, tzinfo=UTC)
    assert [(group.team, group.people, group.comments) for group in plan.groups] == [("Old team", 4, 1)]
    assert journey.resume(ctx, old_tokens[0]).answers  # a dry run deletes nothing

    done = erasure.apply_retention(ctx, 12, now=now)
    assert done.people == 4
    for token in old_tokens:
        with pytest.raises(AnswersErasedError):
            journey.resume(ctx, token)
    assert journey.resume(ctx, new_tokens[0]).answers
    kept = published_result(ctx, old_id, refresh=True).result
    assert kept.dimensions == shown.dimensions and kept.overall == shown.overall
    assert SECRET not in every_row(ctx)
    assert erasure.retention_plan(ctx, 12, now=now).groups == []  # done: nothing left to erase
    assert new_id != old_id


@pytest.mark.parametrize(
    ("value", "message"),
    [(0, "got 0"), (-3, "got -3"), ("abc", "got 'abc'"), ("1.5", "got '1.5'"), ("", "got ''")],
)
def test_retention_months_must_be_a_whole_number_of_at_least_one(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        erasure.retention_months(value)


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert erasure.months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert erasure.months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(2024, 12, 15, tzinfo=UTC)


@pytest.fixture
def sqlite_file_ctx(tmp_path: Path) -> Iterator[tuple[AppContext, Path]]:
    file = tmp_path / "erase.db"
    context = make_context(f"sqlite:///{file}")
    yield context, file
    context.database.dispose()


def test_the_sqlite_file_holds_no_erased_comment(sqlite_file_ctx: tuple[AppContext, Path]) -> None:
    """The deleted text is not left behind in the file's free pages (SQLite's secure_delete)."""
    ctx, file = sqlite_file_ctx
    with ctx.read() as session:  # on for every connection, also with an SQLite built with it off
        assert session.execute(text("PRAGMA secure_delete")).scalar() == 1
    assessment_id, _, tokens = team_of(ctx, 5)
    journey.save_comment(ctx, tokens[3], "permission", SECRET)
    publish(ctx, assessment_id)
    erasure.erase_my_answers(ctx, tokens[3])
    ctx.database.dispose()
    engine = create_engine(f"sqlite:///{file}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    data = b"".join(path.read_bytes() for path in file.parent.glob("erase.db*"))
    assert SECRET.encode() not in data


def test_an_export_leaves_the_erased_person_out_and_an_old_file_cannot_bring_them_back(
    ctx: AppContext, catalog: Catalog
) -> None:
    from reports import exchange

    assessment_id, _, tokens = team_of(ctx, 3)
    with ctx.read() as session:
        before = exchange.export_json(session, assessment_ids=[assessment_id])
    erasure.erase_my_answers(ctx, tokens[1])
    with ctx.read() as session:
        after = exchange.export_json(session, assessment_ids=[assessment_id])
    exported = json.loads(after)["assessments"][0]["respondents"]
    assert len(exported) == 2
    with ctx.write() as session:  # the database's own export goes back in and changes nothing
        again = exchange.import_bytes(session, after, file="after.json", catalog=catalog)
    assert again.respondents_created == 0
    refused = pytest.raises(Exception, match="had their answers erased; leave them out of the file")
    with refused, ctx.write() as session:
        exchange.import_bytes(session, before, file="before.json", catalog=catalog)
    with pytest.raises(AnswersErasedError):
        journey.resume(ctx, tokens[1])
