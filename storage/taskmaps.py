"""Task maps and AI-use guides in the database: a team's task map per assessment and its guide's versions.

Keyword-only functions taking a ``Session``, like ``storage.repository``. Payloads are stored as the JSON of
validated models; validating is the caller's job (``services.taskmap``). Guide versions are numbered 1, 2,
… per assessment under a lock of the assessment row, so two publications at once cannot take one number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.engine import among
from storage.models import AiGuide, Assessment, TaskMap, utc_now
from storage.repository import NotFoundError


def get_task_map(session: Session, *, assessment_id: int) -> dict[str, Any] | None:
    """The stored task map of an assessment (its JSON), or None when the team has not made one."""
    return session.scalars(
        select(TaskMap.payload).where(TaskMap.assessment_id == assessment_id)
    ).one_or_none()


def get_task_maps(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The stored task maps of several assessments, in one query (those without one are left out)."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(TaskMap.assessment_id, TaskMap.payload).where(among(session, TaskMap.assessment_id, ids))
    )
    return {row.assessment_id: row.payload for row in rows}


def task_map_times(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of several assessments' task maps last changed, in one query (those without one are left
    out): whether a report made from them is still current, without reading them."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(TaskMap.assessment_id, TaskMap.updated_at).where(among(session, TaskMap.assessment_id, ids))
    )
    return {row.assessment_id: row.updated_at for row in rows}


def save_task_map(session: Session, *, assessment_id: int, payload: dict[str, Any]) -> None:
    """Store (or replace) the assessment's task map."""
    row = session.scalars(select(TaskMap).where(TaskMap.assessment_id == assessment_id)).one_or_none()
    if row is None:
        session.add(TaskMap(assessment_id=assessment_id, payload=payload))
    else:
        row.payload = payload
        row.updated_at = utc_now()
    session.flush()


def delete_task_map(session: Session, *, assessment_id: int) -> None:
    """Remove the assessment's task map (its guides stay: each keeps the task map it was made from)."""
    row = session.scalars(select(TaskMap).where(TaskMap.assessment_id == assessment_id)).one_or_none()
    if row is not None:
        session.delete(row)
        session.flush()


@dataclass(frozen=True)
class StoredGuide:
    """One published version of a guide as stored."""

    assessment_id: int
    version: int
    form: dict[str, Any]
    task_map: dict[str, Any]
    published_at: datetime


def _stored(row: AiGuide) -> StoredGuide:
    return StoredGuide(row.assessment_id, row.version, dict(row.form), dict(row.task_map), row.published_at)


def add_guide(
    session: Session, *, assessment_id: int, form: dict[str, Any], task_map: dict[str, Any]
) -> StoredGuide:
    """Publish the next version of the assessment's guide (1 for the first) and return it."""
    locked = session.scalars(
        select(Assessment.id).where(Assessment.id == assessment_id).with_for_update()
    ).one_or_none()
    if locked is None:
        raise NotFoundError(f"assessment {assessment_id} does not exist")
    latest = session.scalar(select(func.max(AiGuide.version)).where(AiGuide.assessment_id == assessment_id))
    row = AiGuide(assessment_id=assessment_id, version=(latest or 0) + 1, form=form, task_map=task_map)
    session.add(row)
    session.flush()
    return _stored(row)


def list_guides(session: Session, *, assessment_ids: Sequence[int]) -> list[StoredGuide]:
    """Every published guide version of these assessments, oldest first."""
    ids = list(assessment_ids)
    if not ids:
        return []
    rows = session.scalars(
        select(AiGuide).where(AiGuide.assessment_id.in_(ids)).order_by(AiGuide.published_at, AiGuide.id)
    )
    return [_stored(row) for row in rows]


def get_guide(session: Session, *, assessment_id: int, version: int | None = None) -> StoredGuide | None:
    """A version of the assessment's guide (the newest when ``version`` is None), or None."""
    query = select(AiGuide).where(AiGuide.assessment_id == assessment_id)
    if version is not None:
        query = query.where(AiGuide.version == version)
    row = session.scalars(query.order_by(AiGuide.version.desc()).limit(1)).one_or_none()
    return None if row is None else _stored(row)
