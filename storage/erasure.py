"""Erasing a person's answers, in the database: what is deleted, what is scrubbed, and what retention finds.

Keyword-only functions taking a ``Session``, like ``storage.repository``. What a scrubbed release looks like
is decided in ``scoring.disclosure`` (pure) and put together in ``services.erasure``; this module deletes the
person's rows, rewrites the release payloads it is handed and finds the people retention would erase.

An erased respondent keeps their row (pseudonym, role, resume-token hash and ``erased_at``) so that their
link can say their answers were deleted, and so that their place in earlier published releases stays
known; everything they gave (answers, comments, workshop votes) is deleted, and the hash of an imported id
(``import_key``) with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import (
    Answer,
    Assessment,
    Comment,
    PublishedRelease,
    PublishedResult,
    Respondent,
    Team,
    WorkshopVote,
    utc_now,
)


@dataclass(frozen=True)
class ErasedRows:
    """How many rows of each kind an erasure deleted."""

    answers: int
    comments: int
    votes: int


def delete_contributions(session: Session, *, respondent_id: int, at: datetime | None = None) -> ErasedRows:
    """Delete a respondent's answers, comments and votes, forget their import key and mark them erased."""
    respondent = session.get(Respondent, respondent_id)
    if respondent is None:
        raise LookupError(f"respondent {respondent_id} does not exist")
    counts = [
        int(session.execute(delete(table).where(table.respondent_id == respondent_id)).rowcount or 0)  # type: ignore[attr-defined]
        for table in (Answer, Comment, WorkshopVote)
    ]
    respondent.import_key = None
    respondent.submitted_at = None
    respondent.erased_at = at or utc_now()
    session.flush()
    return ErasedRows(answers=counts[0], comments=counts[1], votes=counts[2])


def release_rows(session: Session, *, assessment_id: int) -> list[PublishedRelease]:
    """Every release row of the assessment, by dimension, kind and number (oldest first)."""
    return list(
        session.scalars(
            select(PublishedRelease)
            .where(PublishedRelease.assessment_id == assessment_id)
            .order_by(PublishedRelease.dimension_id, PublishedRelease.kind, PublishedRelease.seq)
        )
    )


def result_rows(session: Session, *, assessment_id: int) -> list[PublishedResult]:
    """Every published result row of the assessment, oldest first."""
    return list(
        session.scalars(
            select(PublishedResult)
            .where(PublishedResult.assessment_id == assessment_id)
            .order_by(PublishedResult.seq)
        )
    )


def replace_payload(row: PublishedRelease, payload: dict[str, Any]) -> None:
    """Store a new payload in a release row (a new object, so the JSON column is written)."""
    row.payload = payload


def replace_result(row: PublishedResult, result: dict[str, Any]) -> None:
    """Store a new result in a published result row (a new object, so the JSON column is written)."""
    row.result = result


@dataclass(frozen=True)
class Expiring:
    """A respondent whose last answer or comment is older than a cut-off (retention), with where they are."""

    respondent_id: int
    assessment_id: int
    team: str
    assessment_ref: str
    answers: int
    comments: int


def last_activity_before(
    session: Session, *, cutoff: datetime, assessment_id: int | None = None
) -> list[Expiring]:
    """The respondents not yet erased whose last answer or comment (or, with neither, their joining) was
    before ``cutoff``, ordered by team and assessment (``assessment_id``: of that assessment only)."""
    answers = (
        select(
            Answer.respondent_id.label("respondent_id"),
            func.count().label("answers"),
            func.max(Answer.updated_at).label("last"),
        )
        .group_by(Answer.respondent_id)
        .subquery()
    )
    comments = (
        select(
            Comment.respondent_id.label("respondent_id"),
            func.count().label("comments"),
            func.max(Comment.updated_at).label("last"),
        )
        .group_by(Comment.respondent_id)
        .subquery()
    )
    query = (
        select(
            Respondent.id,
            Respondent.assessment_id,
            Respondent.created_at,
            Team.name,
            Assessment.external_id,
            answers.c.answers,
            answers.c.last,
            comments.c.comments,
            comments.c.last,
        )
        .join(Assessment, Assessment.id == Respondent.assessment_id)
        .join(Team, Team.id == Assessment.team_id)
        .outerjoin(answers, answers.c.respondent_id == Respondent.id)
        .outerjoin(comments, comments.c.respondent_id == Respondent.id)
        .where(Respondent.erased_at.is_(None))
        .order_by(Team.name, Assessment.external_id, Respondent.id)
    )
    if assessment_id is not None:
        query = query.where(Respondent.assessment_id == assessment_id)
    found = []
    for (
        rid,
        assessment_id,
        created,
        team,
        ref,
        n_answers,
        last_answer,
        n_comments,
        last_comment,
    ) in session.execute(query):
        stamps = [_aware(when) for when in (last_answer, last_comment) if when is not None]
        last = max(stamps) if stamps else _aware(created)
        if last < cutoff:
            found.append(Expiring(rid, assessment_id, team, ref, n_answers or 0, n_comments or 0))
    return found


def respondents_of(session: Session, *, respondent_ids: Sequence[int]) -> list[Respondent]:
    """The respondents with these ids (those that exist), in id order."""
    if not respondent_ids:
        return []
    return list(
        session.scalars(
            select(Respondent).where(Respondent.id.in_(list(respondent_ids))).order_by(Respondent.id)
        )
    )


def _aware(when: datetime | str) -> datetime:
    from datetime import UTC

    if isinstance(when, str):  # SQLite hands back max() over a timestamp column as text
        when = datetime.fromisoformat(when)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
