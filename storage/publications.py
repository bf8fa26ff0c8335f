"""Published results in the database: the releases of each dimension and the scored results made from them.

Keyword-only functions taking a ``Session``, like ``storage.repository``. Whether a release may be
published is decided in ``scoring.disclosure`` (pure); this module only stores and reads what was decided.
A publication locks the assessment row first (``lock_for_publication``), so two servers publishing the same
assessment at once take turns instead of both writing release number n.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, select, tuple_
from sqlalchemy.orm import Session

from storage.engine import among
from storage.models import (
    Answer,
    Assessment,
    Comment,
    PublishedRelease,
    PublishedResult,
    Respondent,
    WorkshopAssessment,
    utc_now,
)
from storage.repository import NotFoundError


def lock_for_publication(session: Session, *, assessment_id: int) -> Assessment:
    """The assessment, row-locked until the transaction ends (PostgreSQL; SQLite writers are serialised)."""
    assessment = session.scalars(
        select(Assessment).where(Assessment.id == assessment_id).with_for_update()
    ).one_or_none()
    if assessment is None:
        raise NotFoundError(f"assessment {assessment_id} does not exist")
    return assessment


def list_releases(session: Session, *, assessment_id: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every release of the assessment: (dimension id, kind) → payloads, oldest first."""
    releases: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in session.scalars(
        select(PublishedRelease)
        .where(PublishedRelease.assessment_id == assessment_id)
        .order_by(PublishedRelease.dimension_id, PublishedRelease.kind, PublishedRelease.seq)
    ):
        releases.setdefault((row.dimension_id, row.kind), []).append(row.payload)
    return releases


def add_release(
    session: Session, *, assessment_id: int, dimension_id: str, kind: str, payload: dict[str, Any]
) -> int:
    """Store the next release of a dimension (``kind`` "answers" or "comments"); returns its number."""
    last = session.scalar(
        select(func.max(PublishedRelease.seq)).where(
            PublishedRelease.assessment_id == assessment_id,
            PublishedRelease.dimension_id == dimension_id,
            PublishedRelease.kind == kind,
        )
    )
    seq = (last or 0) + 1
    session.add(
        PublishedRelease(
            assessment_id=assessment_id, dimension_id=dimension_id, kind=kind, seq=seq, payload=payload
        )
    )
    session.flush()
    return seq


def add_published_result(
    session: Session,
    *,
    assessment_id: int,
    result: dict[str, Any],
    respondents: int,
    summary: dict[str, Any] | None,
    final: bool = False,
    at: datetime | None = None,
) -> PublishedResult:
    """Store a new published result of the assessment (it becomes the current one), with its summary
    (``scoring.summary``; None only when the result cannot be summarised)."""
    last = session.scalar(
        select(func.max(PublishedResult.seq)).where(PublishedResult.assessment_id == assessment_id)
    )
    row = PublishedResult(
        assessment_id=assessment_id,
        seq=(last or 0) + 1,
        respondents=respondents,
        final=final,
        result=result,
        summary=summary,
        published_at=at or utc_now(),
    )
    session.add(row)
    session.flush()
    return row


def latest_published(session: Session, *, assessment_id: int) -> PublishedResult | None:
    """The current published result of an assessment, or None when nothing was published yet."""
    return latest_published_many(session, assessment_ids=[assessment_id]).get(assessment_id)


def latest_published_many(session: Session, *, assessment_ids: Iterable[int]) -> dict[int, PublishedResult]:
    """The current published result of each of the assessments that has one (one query)."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = session.scalars(select(PublishedResult).where(_is_newest(session, ids)))
    return {row.assessment_id: row for row in rows}


def latest_published_json_many(session: Session, *, assessment_ids: Iterable[int]) -> dict[int, str]:
    """The current published result of each assessment that has one, as the stored JSON text (one query).

    The text is what :class:`~scoring.models.TeamResult` validates straight from JSON, which is about twice
    as fast as decoding it to Python objects first: the leader view reads a thousand of these on opening.
    """
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(PublishedResult.assessment_id, cast(PublishedResult.result, Text)).where(
            _is_newest(session, ids)
        )
    )
    return {assessment_id: text for assessment_id, text in rows}


def latest_summary_json_many(
    session: Session, *, assessment_ids: Iterable[int]
) -> dict[int, tuple[int, str | None]]:
    """The current published result of each assessment that has one, as (its ``seq``, its stored summary's
    JSON text or None when it has none), in one query: what the leader view's first screen reads."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(PublishedResult.assessment_id, PublishedResult.seq, cast(PublishedResult.summary, Text)).where(
            _is_newest(session, ids)
        )
    )
    return {assessment_id: (seq, text) for assessment_id, seq, text in rows}


def _is_newest(session: Session, assessment_ids: list[int]) -> ColumnElement[bool]:
    """True for the newest published result (highest ``seq``) of each of ``assessment_ids``."""
    newest = (
        select(PublishedResult.assessment_id, func.max(PublishedResult.seq))
        .where(among(session, PublishedResult.assessment_id, assessment_ids))
        .group_by(PublishedResult.assessment_id)
    )
    return tuple_(PublishedResult.assessment_id, PublishedResult.seq).in_(newest)


def set_published_through(session: Session, *, assessment_id: int, at: datetime | None) -> None:
    """Record the newest answer time a publication attempt has considered."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is not None:
        assessment.published_through = at


def latest_activity(session: Session, *, assessment_id: int) -> datetime | None:
    """When an answer or comment of the assessment last changed (None when it has none)."""
    return latest_activity_many(session, assessment_ids=[assessment_id]).get(assessment_id)


def latest_activity_many(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, datetime]:
    """Per assessment, when an answer or comment last changed (assessments without any are left out)."""
    if not assessment_ids:
        return {}
    latest: dict[int, datetime] = {}
    for table in (Answer, Comment):
        # each respondent's newest change is one seek in the (respondent_id, updated_at) index (migration
        # 0017), instead of reading every answer row of every assessment
        respondent_latest = (
            select(func.max(table.updated_at)).where(table.respondent_id == Respondent.id).scalar_subquery()
        )
        rows = session.execute(
            select(Respondent.assessment_id, func.max(respondent_latest))
            .where(among(session, Respondent.assessment_id, assessment_ids))
            .group_by(Respondent.assessment_id)
        )
        for assessment_id, when in rows:
            if when is None:
                continue
            when = _aware(when)
            if assessment_id not in latest or when > latest[assessment_id]:
                latest[assessment_id] = when
    return latest


def stale_assessments(
    session: Session,
    *,
    assessment_ids: Sequence[int],
    margin: timedelta = timedelta(0),
    activity: Mapping[int, datetime] | None = None,
) -> list[int]:
    """The self-assessments (not workshop ones) whose answers changed after their last publication attempt,
    or whose newest answer is less than ``margin`` old (one that is still being committed may come in).

    ``activity`` is :func:`latest_activity_many` of the same assessments when the caller has read it already.
    """
    if not assessment_ids:
        return []
    in_workshop = set(
        session.scalars(
            select(WorkshopAssessment.assessment_id).where(
                among(session, WorkshopAssessment.assessment_id, assessment_ids)
            )
        )
    )
    checked = {
        row.id: row.published_through
        for row in session.execute(
            select(Assessment.id, Assessment.published_through).where(
                among(session, Assessment.id, assessment_ids)
            )
        )
    }
    stale = []
    if activity is None:
        activity = latest_activity_many(session, assessment_ids=assessment_ids)
    for assessment_id, when in activity.items():
        if assessment_id in in_workshop:
            continue
        through = checked.get(assessment_id)
        if through is None or when > _aware(through) or when > utc_now() - margin:
            stale.append(assessment_id)
    return sorted(stale)


def in_workshop(session: Session, *, assessment_id: int) -> bool:
    """Whether the assessment is one team's part of a workshop (published only at reveals and closing)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(WorkshopAssessment)
            .where(WorkshopAssessment.assessment_id == assessment_id)
        )
        or 0
    ) > 0


def _aware(when: datetime) -> datetime:
    from datetime import UTC

    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
