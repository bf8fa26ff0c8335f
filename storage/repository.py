"""Keyword-only functions that read and write the database, each taking a ``Session`` first.

None of them commits: the caller owns the transaction (``with unit_of_work(factory) as session:``), so a
use case that calls several of them is all-or-nothing. Functions raise :class:`NotFoundError` for a missing
row, :class:`ClosedError` when writing to something closed and :class:`InvalidValueError` for a value the
data model does not allow; every message says which row and which value.

Answers are written with an idempotent upsert (``INSERT … ON CONFLICT DO UPDATE``), so saving the same
answer twice, or saving it again after a dropped connection, leaves exactly one row with the last value.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal

from sqlalchemy import Row, Table, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from scoring.models import ROLES, RespondentAnswers, TeamResponses
from storage.engine import among
from storage.models import (
    ACTION_STATUSES,
    ASSESSMENT_STATUSES,
    FORMS,
    MODES,
    ActionItem,
    Answer,
    AppSetting,
    Assessment,
    Comment,
    OutcomeKpi,
    Respondent,
    Team,
    Workshop,
    WorkshopAssessment,
    WorkshopDimension,
    utc_now,
)

#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH: Final = 6
#: Pseudonyms given to respondents: R001, R002, …
PSEUDONYM_PATTERN: Final = re.compile(r"^R(\d{3,9})$")
MIN_K: Final = 3
MAX_TOKEN_LENGTH: Final = 200


# --- errors --------------------------------------------------------------------------------------------


class StorageError(Exception):
    """Base of the errors the repository raises on purpose."""


class NotFoundError(StorageError, LookupError):
    """The row asked for does not exist."""


class ClosedError(StorageError):
    """A write to an assessment or workshop that is closed."""


class InvalidValueError(StorageError, ValueError):
    """A value the data model does not allow (the message names it)."""


class ConflictError(StorageError):
    """Incoming data contradicts what the database already holds (e.g. another questionnaire version)."""


class LockedDimensionError(StorageError):
    """An answer of a workshop dimension that is locked or revealed: it can no longer be given or changed.

    ``dimension_id`` names the dimension, so a service can say it by its name.
    """

    def __init__(self, message: str, *, dimension_id: str) -> None:
        self.dimension_id = dimension_id
        super().__init__(message)


# --- helpers -------------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new unguessable token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def _upsert_insert(dialect: str, table: Table) -> Any:
    """The dialect's ``insert`` (with ``on_conflict_do_update``) for ``table``."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    raise StorageError(f"upserts are implemented for SQLite and PostgreSQL, not {dialect}")


@functools.cache
def _upsert_statement(dialect: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Any:
    """The upsert statement for a table, built once per shape: building ``excluded`` copies every column of
    the table, which cost a third of an autosave's CPU time when it was done for every answer."""
    statement = _upsert_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={column: statement.excluded[column] for column in update}
    )


def _upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows`` into ``table``; where ``keys`` already exist, overwrite the ``update`` columns."""
    if not rows:
        return
    statement = _upsert_statement(session.get_bind().dialect.name, table, tuple(keys), tuple(update))
    session.execute(statement, [dict(row) for row in rows])


def _check_value(value: object, *, item_id: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidValueError(
            f"answer to '{item_id}' must be a level 1–5 or None (don't know), not {value!r}"
        )
    return value


def _check_choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise InvalidValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _check_text(name: str, value: str, *, max_length: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"{name} must be text, not {type(value).__name__}")
    value = value.strip()
    if not value and not allow_empty:
        raise InvalidValueError(f"{name} must not be empty")
    if len(value) > max_length:
        raise InvalidValueError(f"{name} is {len(value)} characters long; at most {max_length} are allowed")
    return value


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidValueError(f"{name} must be a finite number, not {value!r}")
    return float(value)


def _get(session: Session, model: type[Any], row_id: int, what: str) -> Any:
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"{what} {row_id} does not exist")
    return row


def _lock_assessment(session: Session, assessment_id: int) -> Assessment:
    """The assessment, row-locked on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    assessment = session.scalars(
        select(Assessment)
        .where(Assessment.id == assessment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if assessment is None:
        raise NotFoundError(f"assessment {assessment_id} does not exist")
    return assessment


def _new_external_id(at: datetime) -> str:
    return f"{at:%Y%m%d}-{secrets.token_hex(3)}"


# --- teams ---------------------------------------------------------------------------------------------


def create_team(session: Session, *, name: str, is_demo: bool = False) -> Team:
    """Create a team; ``ConflictError`` when the name is taken."""
    name = _check_text("team name", name, max_length=200)
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise ConflictError(f"a team named {name!r} already exists")
    team = Team(name=name, is_demo=is_demo)
    session.add(team)
    session.flush()
    return team


def get_team(session: Session, *, team_id: int) -> Team:
    """The team with this id (``NotFoundError`` otherwise)."""
    return _get(session, Team, team_id, "team")


def team_target_levels(session: Session, *, names: Sequence[str]) -> dict[str, dict[str, int] | None]:
    """Each named team's own target profile (dimension id → level), None where it set none (one query)."""
    rows = session.execute(select(Team.name, Team.target_levels).where(among(session, Team.name, names)))
    return {name: levels for name, levels in rows}


def find_team(session: Session, *, name: str) -> Team | None:
    """The team with this exact name, or None."""
    return session.scalars(select(Team).where(Team.name == name.strip())).one_or_none()


def team_name_key(name: str) -> str:
    """What two team names must share to read as the same team: Unicode-normalised (NFKC), whitespace
    runs collapsed, case folded (``"Support  team"``, ``" support team "`` and ``"SUPPORT TEAM"`` agree)."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def find_team_like(session: Session, *, name: str) -> Team | None:
    """The team whose name reads the same as ``name`` (see :func:`team_name_key`), the exact name first.

    Storage keeps names as typed (only trimmed), so ``"support"`` and ``"Support"`` could be two rows; the
    services use this look-up so that a look-alike name cannot pass for a new team.
    """
    exact = find_team(session, name=name)
    if exact is not None:
        return exact
    key = team_name_key(name)
    return next((team for team in list_teams(session) if team_name_key(team.name) == key), None)


def get_or_create_team(session: Session, *, name: str, is_demo: bool = False) -> Team:
    """The team with this name, created (with ``is_demo``) when there is none."""
    return find_team(session, name=name) or create_team(session, name=name, is_demo=is_demo)


def list_teams(session: Session, *, include_demo: bool = True) -> list[Team]:
    """All teams by name; ``include_demo=False`` leaves the demo teams out."""
    query = select(Team).order_by(Team.name)
    if not include_demo:
        query = query.where(Team.is_demo.is_(False))
    return list(session.scalars(query))


def delete_team(session: Session, *, team_id: int) -> None:
    """Delete a team with all its assessments, respondents, answers, comments, KPIs, actions, workshops."""
    team = get_team(session, team_id=team_id)
    _forget_settings_of_teams(session, [team_id])
    session.delete(team)
    session.flush()


def delete_demo_data(session: Session) -> int:
    """Delete every team flagged as demo (with everything it holds); returns how many teams went."""
    ids = list(session.scalars(select(Team.id).where(Team.is_demo.is_(True))))
    if ids:
        _forget_settings_of_teams(session, ids)
        session.execute(delete(Assessment).where(Assessment.team_id.in_(ids)))
        session.execute(delete(Team).where(Team.id.in_(ids)))
        session.expire_all()
    return len(ids)


# --- assessments ---------------------------------------------------------------------------------------


def create_assessment(
    session: Session,
    *,
    team_id: int,
    questionnaire_id: str,
    questionnaire_version: str,
    form: Literal["full", "pulse"],
    mode: Literal["individual", "consensus"],
    k: int,
    round_label: str | None = None,
    is_demo: bool = False,
    external_id: str | None = None,
    created_at: datetime | None = None,
    item_wording: Mapping[str, str] | None = None,
) -> Assessment:
    """Open a new assessment (one round of a questionnaire) for a team.

    ``external_id`` is the assessment's id in exported files; one is generated (``20261123-a1b2c3``) when
    not given. ``k`` (the anonymity threshold) must be at least 3. ``item_wording`` (item id → wording
    hash of the form's items) records the wording the assessment is taken with; see
    :func:`set_item_wording`.
    """
    get_team(session, team_id=team_id)
    _check_choice("form", form, FORMS)
    _check_choice("mode", mode, MODES)
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise InvalidValueError(
            f"k (the anonymity threshold) must be a whole number of at least {MIN_K}, not {k!r}"
        )
    created_at = created_at or utc_now()
    if external_id is None:
        external_id = _new_external_id(created_at)
    external_id = _check_text("assessment id", external_id, max_length=100)
    clash = session.scalar(
        select(Assessment.id).where(Assessment.team_id == team_id, Assessment.external_id == external_id)
    )
    if clash is not None:
        raise ConflictError(f"team {team_id} already has an assessment with id {external_id!r}")
    assessment = Assessment(
        team_id=team_id,
        external_id=external_id,
        questionnaire_id=_check_text("questionnaire id", questionnaire_id, max_length=100),
        questionnaire_version=_check_text("questionnaire version", questionnaire_version, max_length=30),
        form=form,
        mode=mode,
        k=k,
        round_label=None if round_label is None else _check_text("round label", round_label, max_length=100),
        status="open",
        is_demo=is_demo,
        respondent_seq=0,
        created_at=created_at,
        item_wording=None if item_wording is None else _check_item_wording(item_wording),
    )
    session.add(assessment)
    session.flush()
    return assessment


def get_assessment(session: Session, *, assessment_id: int) -> Assessment:
    """The assessment with this id (``NotFoundError`` otherwise)."""
    return _get(session, Assessment, assessment_id, "assessment")


def find_assessment(session: Session, *, team_id: int, external_id: str) -> Assessment | None:
    """The team's assessment with this external id, or None."""
    return session.scalars(
        select(Assessment).where(Assessment.team_id == team_id, Assessment.external_id == external_id)
    ).one_or_none()


def list_assessments(
    session: Session,
    *,
    team_id: int | None = None,
    status: Literal["open", "closed"] | None = None,
    include_demo: bool = True,
) -> list[Assessment]:
    """Assessments (with their team loaded), oldest first; optionally of one team or one status."""
    query = (
        select(Assessment)
        .options(selectinload(Assessment.team))
        .order_by(Assessment.created_at, Assessment.id)
    )
    if team_id is not None:
        query = query.where(Assessment.team_id == team_id)
    if status is not None:
        query = query.where(Assessment.status == _check_choice("status", status, ASSESSMENT_STATUSES))
    if not include_demo:
        query = query.where(Assessment.is_demo.is_(False))
    return list(session.scalars(query))


def list_assessment_rows(session: Session, *, include_demo: bool = True) -> list[Row[Any]]:
    """What the leader view needs of every assessment, oldest first, as plain rows (no ORM objects): ``id``,
    ``team`` (the team's name), ``external_id``, ``created_at``, ``questionnaire_id``, ``questionnaire_version``."""
    query = (
        select(
            Assessment.id,
            Team.name.label("team"),
            Assessment.external_id,
            Assessment.created_at,
            Assessment.questionnaire_id,
            Assessment.questionnaire_version,
        )
        .join(Team, Team.id == Assessment.team_id)
        .order_by(Assessment.created_at, Assessment.id)
    )
    if not include_demo:
        query = query.where(Assessment.is_demo.is_(False))
    return list(session.execute(query))


def close_assessment(session: Session, *, assessment_id: int, at: datetime | None = None) -> Assessment:
    """Close an assessment: no more answers are accepted. Closing a closed one changes nothing."""
    assessment = get_assessment(session, assessment_id=assessment_id)
    if assessment.status != "closed":
        assessment.status = "closed"
        assessment.closed_at = at or utc_now()
        session.flush()
    return assessment


def reopen_assessment(session: Session, *, assessment_id: int) -> Assessment:
    """Open a closed assessment again."""
    assessment = get_assessment(session, assessment_id=assessment_id)
    assessment.status = "open"
    assessment.closed_at = None
    session.flush()
    return assessment


def delete_assessment(session: Session, *, assessment_id: int) -> None:
    """Delete an assessment and everything that belongs to it (respondents, answers, comments, KPIs, actions)."""
    assessment = get_assessment(session, assessment_id=assessment_id)
    _forget_settings_of_assessments(session, [assessment])
    # the database cascades (ON DELETE CASCADE); a bulk delete does not load thousands of answers first
    session.execute(delete(Assessment).where(Assessment.id == assessment_id))
    session.expire_all()


# --- respondents ---------------------------------------------------------------------------------------


def create_respondent(
    session: Session, *, assessment_id: int, role: str, external_id: str | None = None
) -> tuple[Respondent, str]:
    """Add a respondent to an open assessment; returns it with its resume token (shown once, stored hashed).

    The respondent gets the next pseudonym of the assessment (R001, R002, …) unless ``external_id`` names
    one. A consensus assessment holds at most one respondent: the team's agreed answer set.
    """
    _check_choice("role", role, ROLES)
    assessment = _lock_assessment(session, assessment_id)
    if assessment.status == "closed":
        raise ClosedError(f"assessment {assessment_id} is closed; it accepts no new respondents")
    if assessment.mode == "consensus":
        existing = session.scalar(
            select(func.count(Respondent.id)).where(Respondent.assessment_id == assessment_id)
        )
        if existing:
            raise ConflictError(
                f"assessment {assessment_id} is a consensus assessment and already has its one answer set"
            )
    return _add_respondent(session, assessment, role=role, external_id=external_id)


def _add_respondent(
    session: Session, assessment: Assessment, *, role: str, external_id: str | None = None
) -> tuple[Respondent, str]:
    if external_id is None:
        assessment.respondent_seq += 1
        external_id = f"R{assessment.respondent_seq:03d}"
    else:
        external_id = _check_text("respondent id", external_id, max_length=100)
        match = PSEUDONYM_PATTERN.match(external_id)
        if match:
            assessment.respondent_seq = max(assessment.respondent_seq, int(match.group(1)))
    token = new_token()
    respondent = Respondent(
        assessment_id=assessment.id, external_id=external_id, role=role, token_hash=hash_token(token)
    )
    session.add(respondent)
    session.flush()
    return respondent, token


def get_respondent(session: Session, *, respondent_id: int) -> Respondent:
    """The respondent with this id (``NotFoundError`` otherwise)."""
    return _get(session, Respondent, respondent_id, "respondent")


def find_respondent_by_token(session: Session, *, token: str) -> Respondent | None:
    """The respondent whose resume token this is, or None (also for an empty or absurdly long token)."""
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token.strip())
    respondent = session.scalars(select(Respondent).where(Respondent.token_hash == digest)).one_or_none()
    if respondent is None or not hmac.compare_digest(respondent.token_hash, digest):
        return None
    return respondent


def find_respondent_and_workshop(session: Session, *, token: str) -> tuple[Respondent, int | None] | None:
    """The respondent of a resume token with the id of the workshop its assessment belongs to (None for a
    self-assessment), or None for a token that opens nothing; one query, so the autosave stays fast."""
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token.strip())
    row = session.execute(
        select(Respondent, WorkshopAssessment.workshop_id)
        .outerjoin(WorkshopAssessment, WorkshopAssessment.assessment_id == Respondent.assessment_id)
        .where(Respondent.token_hash == digest)
        .order_by(WorkshopAssessment.workshop_id.desc())
        .limit(1)
    ).first()
    if row is None or not hmac.compare_digest(row[0].token_hash, digest):
        return None
    return row[0], row[1]


def list_respondents(session: Session, *, assessment_id: int) -> list[Respondent]:
    """The respondents of an assessment in the order they joined."""
    return list(
        session.scalars(
            select(Respondent).where(Respondent.assessment_id == assessment_id).order_by(Respondent.id)
        )
    )


def mark_submitted(session: Session, *, respondent_id: int, at: datetime | None = None) -> Respondent:
    """Record that a respondent finished (they may still change answers while the assessment is open)."""
    respondent = get_respondent(session, respondent_id=respondent_id)
    respondent.submitted_at = at or utc_now()
    session.flush()
    return respondent


def set_current_step(session: Session, *, respondent_id: int, step: str) -> None:
    """Record the step of the questionnaire a respondent is on (``"1"``… or ``"done"``)."""
    respondent = get_respondent(session, respondent_id=respondent_id)
    respondent.current_step = step
    session.flush()


def delete_respondent_answers(session: Session, *, respondent_id: int) -> int:
    """Delete every answer and comment of one respondent (the token keeps working); returns answers deleted."""
    get_respondent(session, respondent_id=respondent_id)
    result = session.execute(delete(Answer).where(Answer.respondent_id == respondent_id))
    session.execute(delete(Comment).where(Comment.respondent_id == respondent_id))
    session.expire_all()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_respondent(session: Session, *, respondent_id: int) -> None:
    """Delete a respondent with all their answers and comments; their token stops working."""
    get_respondent(session, respondent_id=respondent_id)
    session.execute(delete(Respondent).where(Respondent.id == respondent_id))
    session.expire_all()


# --- answers and comments ------------------------------------------------------------------------------


def dimension_of_item(item_id: str) -> str:
    """The dimension id of an item id: the part before the first dot (``permission.one_page_guide`` →
    ``permission``), which the questionnaire schema requires of every item id."""
    return item_id.split(".", 1)[0]


def _frozen_dimension(dimension_id: Any) -> Any:
    """EXISTS: a workshop that discusses the (outer) assessment has locked or revealed this dimension.

    Two indexed look-ups (``workshop_assessments`` by assessment, ``workshop_dimensions`` by workshop and
    dimension), correlated with the enclosing query's ``assessments`` row.
    """
    return (
        select(WorkshopDimension.id)
        .join(WorkshopAssessment, WorkshopAssessment.workshop_id == WorkshopDimension.workshop_id)
        .where(
            WorkshopAssessment.assessment_id == Assessment.id,
            WorkshopDimension.dimension_id == dimension_id,
            or_(WorkshopDimension.locked.is_(True), WorkshopDimension.revealed.is_(True)),
        )
        .exists()
    )


def _writable_assessment_of(
    session: Session, respondent_id: int, item_id: str | None = None
) -> tuple[str, str]:
    """(questionnaire version, status) of the respondent's assessment; raises when missing or closed, and,
    given an ``item_id``, ``LockedDimensionError`` when a workshop has locked or revealed its dimension.

    One query, whatever is checked.
    """
    columns: list[Any] = [Assessment.questionnaire_version, Assessment.status, Assessment.id]
    if item_id is not None:
        columns.append(_frozen_dimension(dimension_of_item(item_id)).label("frozen"))
    row = session.execute(
        select(*columns)
        .join(Respondent, Respondent.assessment_id == Assessment.id)
        .where(Respondent.id == respondent_id)
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"respondent {respondent_id} does not exist")
    if row.status == "closed":
        raise ClosedError(f"assessment {row.id} is closed; answers can no longer be changed")
    if item_id is not None and row.frozen:
        dimension_id = dimension_of_item(item_id)
        raise LockedDimensionError(
            f"dimension {dimension_id!r} of assessment {row.id} is locked in its workshop; the answer to "
            f"{item_id!r} can no longer be given or changed",
            dimension_id=dimension_id,
        )
    return row.questionnaire_version, row.status


@functools.cache
def _save_answer_statement(dialect: str) -> Any:
    """One statement that saves an answer only where the respondent exists, the assessment is open and no
    workshop has locked or revealed the item's dimension.

    ``INSERT … SELECT`` from the respondent and its assessment (which also supplies the questionnaire
    version), ``ON CONFLICT`` overwriting the earlier answer: one round trip instead of a check and a
    write, built once per dialect (the autosave of a room full of people runs through here). The lock is a
    ``NOT EXISTS`` in the same statement, so it costs no extra round trip and no page, service or token
    can go around it.
    """
    table: Table = Answer.__table__  # type: ignore[assignment]
    source = (
        select(
            Respondent.id,
            bindparam("item_id", type_=table.c.item_id.type),
            bindparam("value", type_=table.c.value.type),
            Assessment.questionnaire_version,
            bindparam("created_at", type_=table.c.created_at.type),
            bindparam("updated_at", type_=table.c.updated_at.type),
        )
        .join(Assessment, Respondent.assessment_id == Assessment.id)
        .where(
            Respondent.id == bindparam("respondent_id"),
            Assessment.status != "closed",
            ~_frozen_dimension(
                bindparam("dimension_id", type_=WorkshopDimension.__table__.c.dimension_id.type)
            ),
        )
    )
    statement = _upsert_insert(dialect, table).from_select(
        ["respondent_id", "item_id", "value", "questionnaire_version", "created_at", "updated_at"], source
    )
    return statement.on_conflict_do_update(
        index_elements=["respondent_id", "item_id"],
        set_={
            column: statement.excluded[column] for column in ("value", "questionnaire_version", "updated_at")
        },
    ).returning(table.c.respondent_id)


def save_answer(
    session: Session, *, respondent_id: int, item_id: str, value: int | None, at: datetime | None = None
) -> None:
    """Save one answer at once (an idempotent upsert): a level 1–5, or None for "Don't know".

    Saving again overwrites the value in place; the row records the questionnaire version it answered.
    Raises ``NotFoundError`` for an unknown respondent, ``ClosedError`` when the assessment is closed and
    ``LockedDimensionError`` when a workshop discussing the assessment has locked or revealed the item's
    dimension (checked in the same statement as the write).
    """
    value = _check_value(value, item_id=item_id)
    item_id = _check_text("item id", item_id, max_length=200)
    now = at or utc_now()
    saved = session.execute(
        _save_answer_statement(session.get_bind().dialect.name),
        {
            "respondent_id": respondent_id,
            "item_id": item_id,
            "dimension_id": dimension_of_item(item_id),
            "value": value,
            "created_at": now,
            "updated_at": now,
        },
    ).first()
    # RETURNING gives a row only when the respondent exists, the assessment is open and the dimension is not
    # frozen (rowcount is not reliable across drivers for INSERT … SELECT … ON CONFLICT)
    if saved is None:
        # raises the reason: no such respondent, closed, or locked
        _writable_assessment_of(session, respondent_id, item_id)
        raise StorageError(f"the answer to {item_id!r} of respondent {respondent_id} was not saved")


def clear_answer(session: Session, *, respondent_id: int, item_id: str) -> bool:
    """Remove an answer, so the item counts as unanswered (not "Don't know"); True when there was one.

    Raises like :func:`save_answer` (``LockedDimensionError`` for a locked or revealed workshop dimension).
    """
    _writable_assessment_of(session, respondent_id, item_id)
    result = session.execute(
        delete(Answer).where(Answer.respondent_id == respondent_id, Answer.item_id == item_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def get_answers(session: Session, *, respondent_id: int) -> dict[str, int | None]:
    """A respondent's answers so far (item id → level or None), to resume where they left off."""
    rows = session.execute(select(Answer.item_id, Answer.value).where(Answer.respondent_id == respondent_id))
    return {row.item_id: row.value for row in rows}


def save_comment(
    session: Session, *, respondent_id: int, dimension_id: str, text: str, at: datetime | None = None
) -> None:
    """Save a respondent's comment on a dimension (upsert); empty text removes the comment."""
    dimension_id = _check_text("dimension id", dimension_id, max_length=100)
    text = _check_text("comment", text, max_length=5000, allow_empty=True)
    _writable_assessment_of(session, respondent_id)
    if not text:
        session.execute(
            delete(Comment).where(
                Comment.respondent_id == respondent_id, Comment.dimension_id == dimension_id
            )
        )
        return
    now = at or utc_now()
    _upsert(
        session,
        Comment.__table__,  # type: ignore[arg-type]
        [
            {
                "respondent_id": respondent_id,
                "dimension_id": dimension_id,
                "text": text,
                "created_at": now,
                "updated_at": now,
            }
        ],
        keys=("respondent_id", "dimension_id"),
        update=("text", "updated_at"),
    )


def get_comments(session: Session, *, respondent_id: int) -> dict[str, str]:
    """A respondent's comments (dimension id → text)."""
    rows = session.execute(
        select(Comment.dimension_id, Comment.text).where(Comment.respondent_id == respondent_id)
    )
    return {row.dimension_id: row.text for row in rows}


# --- outcome KPIs --------------------------------------------------------------------------------------


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


#: Default of ``save_kpis(ai_hours_per_week=...)``: leave the stored value as it is.
UNCHANGED: Final = _Unchanged()


@dataclass(frozen=True)
class Outcomes:
    """A team's outcome figures for one assessment: KPI id → value, and AI-assisted hours per person/week."""

    kpis: dict[str, float] = field(default_factory=dict)
    ai_hours_per_week: float | None = None
    team_size: int | None = None


def save_kpis(
    session: Session,
    *,
    assessment_id: int,
    kpis: Mapping[str, float],
    ai_hours_per_week: float | _Unchanged | None = UNCHANGED,
    team_size: int | _Unchanged | None = UNCHANGED,
    replace: bool = True,
) -> Outcomes:
    """Save the outcome KPIs of an assessment (team figures, not individual answers).

    With ``replace=True`` (default) the given KPIs become the whole set; with ``replace=False`` they are
    merged into what is stored. ``ai_hours_per_week`` and ``team_size`` are stored when given (None clears
    them).
    """
    assessment = get_assessment(session, assessment_id=assessment_id)
    clean = {
        _check_text("KPI id", kpi_id, max_length=100): _check_number(f"KPI {kpi_id!r}", value)
        for kpi_id, value in kpis.items()
    }
    if not isinstance(ai_hours_per_week, _Unchanged):
        if ai_hours_per_week is not None:
            ai_hours_per_week = _check_number("AI hours per week", ai_hours_per_week)
            if ai_hours_per_week < 0:
                raise InvalidValueError(f"AI hours per week must not be negative, not {ai_hours_per_week}")
        assessment.ai_hours_per_week = ai_hours_per_week
    if not isinstance(team_size, _Unchanged):
        if team_size is not None:
            size = _check_number("team size", team_size)
            if size < 1 or size != int(size):
                raise InvalidValueError(f"team size must be a whole number from 1 up, not {team_size}")
            team_size = int(size)
        assessment.team_size = team_size
    if replace:
        session.execute(delete(OutcomeKpi).where(OutcomeKpi.assessment_id == assessment_id))
    now = utc_now()
    _upsert(
        session,
        OutcomeKpi.__table__,  # type: ignore[arg-type]
        [
            {"assessment_id": assessment_id, "kpi_id": k, "value": v, "updated_at": now}
            for k, v in clean.items()
        ],
        keys=("assessment_id", "kpi_id"),
        update=("value", "updated_at"),
    )
    session.flush()
    session.expire(assessment, ["kpis"])
    return get_outcomes(session, assessment_id=assessment_id)


def get_outcomes(session: Session, *, assessment_id: int) -> Outcomes:
    """The outcome KPIs and AI hours of an assessment."""
    assessment = get_assessment(session, assessment_id=assessment_id)
    rows = session.execute(
        select(OutcomeKpi.kpi_id, OutcomeKpi.value)
        .where(OutcomeKpi.assessment_id == assessment_id)
        .order_by(OutcomeKpi.kpi_id)
    )
    return Outcomes(
        kpis={row.kpi_id: row.value for row in rows},
        ai_hours_per_week=assessment.ai_hours_per_week,
        team_size=assessment.team_size,
    )


def get_outcomes_many(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, Outcomes]:
    """The outcome figures of several assessments, in two queries (for the leader view)."""
    ids = list(assessment_ids)
    if not ids:
        return {}
    kpis: dict[int, dict[str, float]] = {assessment_id: {} for assessment_id in ids}
    for row in session.execute(
        select(OutcomeKpi.assessment_id, OutcomeKpi.kpi_id, OutcomeKpi.value)
        .where(among(session, OutcomeKpi.assessment_id, ids))
        .order_by(OutcomeKpi.assessment_id, OutcomeKpi.kpi_id)
    ):
        kpis[row.assessment_id][row.kpi_id] = row.value
    return {
        row.id: Outcomes(kpis=kpis[row.id], ai_hours_per_week=row.ai_hours_per_week, team_size=row.team_size)
        for row in session.execute(
            select(Assessment.id, Assessment.ai_hours_per_week, Assessment.team_size).where(
                among(session, Assessment.id, ids)
            )
        )
    }


def outcome_rows_many(session: Session, *, assessment_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """The outcome figures of several assessments as plain rows, in a fixed order (two queries): KPIs as
    (assessment id, KPI id, value), then (assessment id, AI hours, team size). For telling whether they
    changed, without building :class:`Outcomes` for each assessment."""
    ids = list(assessment_ids)
    if not ids:
        return []
    kpis = session.execute(
        select(OutcomeKpi.assessment_id, OutcomeKpi.kpi_id, OutcomeKpi.value)
        .where(among(session, OutcomeKpi.assessment_id, ids))
        .order_by(OutcomeKpi.assessment_id, OutcomeKpi.kpi_id)
    )
    figures = session.execute(
        select(Assessment.id, Assessment.ai_hours_per_week, Assessment.team_size)
        .where(among(session, Assessment.id, ids))
        .order_by(Assessment.id)
    )
    return [tuple(row) for row in kpis] + [tuple(row) for row in figures]


# --- the scoring input ---------------------------------------------------------------------------------


def load_team_responses(
    session: Session, *, assessment_id: int, only_submitted: bool = False
) -> TeamResponses:
    """Everything an assessment holds, as the input of scoring.

    Respondents appear under their pseudonym (``R001``) and only when they answered at least one item
    (``only_submitted=True``: only those who finished). ``assessment_id`` of the result is the assessment's
    external id; ``collected_at`` is when the last answer came in (the creation time when there is none).
    """
    assessment = session.scalars(
        select(Assessment).options(selectinload(Assessment.team)).where(Assessment.id == assessment_id)
    ).one_or_none()
    if assessment is None:
        raise NotFoundError(f"assessment {assessment_id} does not exist")
    respondent_query = (
        select(Respondent).where(Respondent.assessment_id == assessment_id).order_by(Respondent.id)
    )
    if only_submitted:
        respondent_query = respondent_query.where(Respondent.submitted_at.is_not(None))
    respondents = list(session.scalars(respondent_query))
    ids = [respondent.id for respondent in respondents]
    answers: dict[int, dict[str, int | None]] = {rid: {} for rid in ids}
    comments: dict[int, dict[str, str]] = {rid: {} for rid in ids}
    latest: datetime | None = None
    if ids:
        for row in session.execute(
            select(Answer.respondent_id, Answer.item_id, Answer.value, Answer.updated_at)
            .join(Respondent, Respondent.id == Answer.respondent_id)
            .where(Respondent.assessment_id == assessment_id)
            .order_by(Answer.respondent_id, Answer.id)
        ):
            if row.respondent_id in answers:
                answers[row.respondent_id][row.item_id] = row.value
                latest = row.updated_at if latest is None else max(latest, row.updated_at)
        for row in session.execute(
            select(Comment.respondent_id, Comment.dimension_id, Comment.text)
            .join(Respondent, Respondent.id == Comment.respondent_id)
            .where(Respondent.assessment_id == assessment_id)
        ):
            if row.respondent_id in comments:
                comments[row.respondent_id][row.dimension_id] = row.text
    people = [
        RespondentAnswers(
            respondent_id=respondent.external_id,
            role=respondent.role,  # type: ignore[arg-type]
            answers=answers[respondent.id],
            comments=comments[respondent.id],
        )
        for respondent in respondents
        if answers[respondent.id]
    ]
    outcomes = get_outcomes(session, assessment_id=assessment_id)
    return _team_responses(assessment, people, outcomes, latest or assessment.created_at)


def _team_responses(
    assessment: Assessment, people: list[RespondentAnswers], outcomes: Outcomes, collected_at: datetime
) -> TeamResponses:
    return TeamResponses(
        team=assessment.team.name,
        assessment_id=assessment.external_id,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=assessment.questionnaire_version,
        form=assessment.form,  # type: ignore[arg-type]
        mode=assessment.mode,  # type: ignore[arg-type]
        k=assessment.k,
        respondents=people,
        kpis=outcomes.kpis,
        ai_hours_per_week=outcomes.ai_hours_per_week,
        team_size=outcomes.team_size,
        collected_at=collected_at,
    )


def load_answer_counts_many(session: Session, *, assessment_ids: Sequence[int]) -> dict[int, TeamResponses]:
    """Who has answered in each of several assessments, without what they answered (four queries).

    Each value is the assessment's :func:`load_team_responses` with every respondent's answers and comments
    left out: their pseudonyms and roles only, for a result that says how many people answered and why
    nothing is shown yet (the leader view's teams that have nothing published).
    """
    ids = list(assessment_ids)
    if not ids:
        return {}
    answering = (
        select(Answer.respondent_id)
        .join(Respondent)
        .where(among(session, Respondent.assessment_id, ids))
        .distinct()
    )
    people: dict[int, list[RespondentAnswers]] = {assessment_id: [] for assessment_id in ids}
    for row in session.execute(
        select(Respondent.assessment_id, Respondent.external_id, Respondent.role)
        .where(Respondent.id.in_(answering))
        .order_by(Respondent.id)
    ):
        people[row.assessment_id].append(
            RespondentAnswers(respondent_id=row.external_id, role=row.role, answers={})  # type: ignore[arg-type]
        )
    outcomes = get_outcomes_many(session, assessment_ids=ids)
    assessments = session.scalars(
        select(Assessment).options(joinedload(Assessment.team)).where(among(session, Assessment.id, ids))
    )
    return {
        assessment.id: _team_responses(
            assessment, people[assessment.id], outcomes[assessment.id], assessment.created_at
        )
        for assessment in assessments
    }


@dataclass
class StoreSummary:
    """What :func:`store_team_responses` did: rows created and rows it found already there."""

    teams_created: int = 0
    assessments_created: int = 0
    assessments_matched: int = 0
    respondents_created: int = 0
    respondents_matched: int = 0
    answers_written: int = 0
    comments_written: int = 0
    assessment_ids: list[int] = field(default_factory=list)


def import_key(respondent_id: str) -> str:
    """The SHA-256 hex digest under which a non-pseudonymous respondent id from a file is remembered."""
    return hashlib.sha256(respondent_id.encode("utf-8")).hexdigest()


def _match_respondents(
    existing: Sequence[Respondent], incoming: Sequence[RespondentAnswers]
) -> dict[str, Respondent | None]:
    """For each incoming respondent id, the stored respondent it denotes (None: a new one).

    Pseudonyms (``R001``) match the stored pseudonym; any other id matches the stored hash of that id.
    """
    by_pseudonym = {r.external_id: r for r in existing}
    by_key = {r.import_key: r for r in existing if r.import_key}
    matches: dict[str, Respondent | None] = {}
    for respondent in incoming:
        rid = respondent.respondent_id
        if PSEUDONYM_PATTERN.match(rid):
            matches[rid] = by_pseudonym.get(rid)
        else:
            matches[rid] = by_key.get(import_key(rid))
    return matches


def check_team_responses(session: Session, responses: Sequence[TeamResponses]) -> list[str]:
    """Every way ``responses`` contradict the database (read only); empty when they can be stored.

    An assessment already in the database (same team, same external id) must have the same questionnaire,
    version, form and mode; a respondent already there must have the same role and must not have been
    erased; a consensus assessment keeps a single answer set.
    """
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for team_responses in responses:
        where = f"team {team_responses.team!r}, assessment {team_responses.assessment_id!r}"
        if not team_responses.assessment_id:
            problems.append(f"{where}: an assessment id is needed to import it")
            continue
        key = (team_responses.team, team_responses.assessment_id)
        if key in seen:
            problems.append(f"{where}: appears twice")
        seen.add(key)
        team = find_team(session, name=team_responses.team)
        if team is None:
            continue
        assessment = find_assessment(session, team_id=team.id, external_id=team_responses.assessment_id)
        if assessment is None:
            continue
        for attribute in ("questionnaire_id", "questionnaire_version", "form", "mode"):
            stored, incoming = getattr(assessment, attribute), getattr(team_responses, attribute)
            if stored != incoming:
                problems.append(
                    f"{where}: the database holds it with {attribute} {stored!r}, the file says {incoming!r}"
                )
        existing = list_respondents(session, assessment_id=assessment.id)
        matches = _match_respondents(existing, team_responses.respondents)
        for respondent in team_responses.respondents:
            match = matches[respondent.respondent_id]
            if match is not None and match.erased_at is not None:
                problems.append(
                    f"{where}: respondent {respondent.respondent_id!r} had their answers erased; leave them "
                    "out of the file (an erased person's answers are not imported again)"
                )
            elif match is not None and match.role != respondent.role:
                problems.append(
                    f"{where}: respondent {respondent.respondent_id!r} is a {match.role} in the database, "
                    f"a {respondent.role} in the file"
                )
        new = sum(match is None for match in matches.values())
        if assessment.mode == "consensus" and len(existing) + new > 1:
            problems.append(
                f"{where}: a consensus assessment holds one answer set; this would make it several"
            )
    return problems


def store_team_responses(
    session: Session,
    responses: Sequence[TeamResponses],
    *,
    is_demo: bool = False,
) -> StoreSummary:
    """Write scoring inputs (from an imported file or the demo generator) to the database, idempotently.

    Teams are found by name, assessments by (team, ``assessment_id``), respondents by their id within the
    assessment, answers by (respondent, item): storing the same responses twice creates nothing new; an
    answer already stored takes the incoming value. A respondent id that is not a pseudonym like ``R001``
    gets the assessment's next pseudonym and is remembered only as a hash (:func:`import_key`), so no
    export ever shows it. Answers are timestamped with ``collected_at``. Raises :class:`ConflictError`,
    before writing anything, when :func:`check_team_responses` finds a contradiction.
    """
    problems = check_team_responses(session, responses)
    if problems:
        raise ConflictError("; ".join(problems))
    summary = StoreSummary()
    for team_responses in responses:
        assert team_responses.assessment_id is not None  # checked above
        at = team_responses.collected_at or utc_now()
        team = find_team(session, name=team_responses.team)
        if team is None:
            team = create_team(session, name=team_responses.team, is_demo=is_demo)
            summary.teams_created += 1
        assessment = find_assessment(session, team_id=team.id, external_id=team_responses.assessment_id)
        if assessment is None:
            assessment = create_assessment(
                session,
                team_id=team.id,
                questionnaire_id=team_responses.questionnaire_id,
                questionnaire_version=team_responses.questionnaire_version,
                form=team_responses.form,
                mode=team_responses.mode,
                k=team_responses.k,
                is_demo=is_demo,
                external_id=team_responses.assessment_id,
                created_at=at,
            )
            summary.assessments_created += 1
        else:
            summary.assessments_matched += 1
        summary.assessment_ids.append(assessment.id)
        matches = _match_respondents(
            list_respondents(session, assessment_id=assessment.id), team_responses.respondents
        )
        # pseudonyms from the file first, so the numbers handed to the other ids cannot clash with them
        ordered = sorted(
            team_responses.respondents, key=lambda r: not PSEUDONYM_PATTERN.match(r.respondent_id)
        )
        stored: dict[str, Respondent] = {}
        for incoming in ordered:
            respondent = matches[incoming.respondent_id]
            if respondent is None:
                if PSEUDONYM_PATTERN.match(incoming.respondent_id):
                    respondent, _ = _add_respondent(
                        session, assessment, role=incoming.role, external_id=incoming.respondent_id
                    )
                else:
                    respondent, _ = _add_respondent(session, assessment, role=incoming.role)
                    respondent.import_key = import_key(incoming.respondent_id)
                respondent.created_at = at
                respondent.submitted_at = at
                summary.respondents_created += 1
            else:
                summary.respondents_matched += 1
            stored[incoming.respondent_id] = respondent
        session.flush()
        answer_rows: list[dict[str, Any]] = []
        comment_rows: list[dict[str, Any]] = []
        for incoming in team_responses.respondents:
            respondent_id = stored[incoming.respondent_id].id
            for item_id, value in incoming.answers.items():
                answer_rows.append(
                    {
                        "respondent_id": respondent_id,
                        "item_id": item_id,
                        "value": _check_value(value, item_id=item_id),
                        "questionnaire_version": team_responses.questionnaire_version,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
            for dimension_id, text in incoming.comments.items():
                if text.strip():
                    comment_rows.append(
                        {
                            "respondent_id": respondent_id,
                            "dimension_id": dimension_id,
                            "text": text.strip(),
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
        _upsert(
            session,
            Answer.__table__,  # type: ignore[arg-type]
            answer_rows,
            keys=("respondent_id", "item_id"),
            update=("value", "questionnaire_version", "updated_at"),
        )
        _upsert(
            session,
            Comment.__table__,  # type: ignore[arg-type]
            comment_rows,
            keys=("respondent_id", "dimension_id"),
            update=("text", "updated_at"),
        )
        summary.answers_written += len(answer_rows)
        summary.comments_written += len(comment_rows)
        if (
            team_responses.kpis
            or team_responses.ai_hours_per_week is not None
            or team_responses.team_size is not None
        ):
            save_kpis(
                session,
                assessment_id=assessment.id,
                kpis=team_responses.kpis,
                ai_hours_per_week=(
                    UNCHANGED
                    if team_responses.ai_hours_per_week is None
                    else team_responses.ai_hours_per_week
                ),
                team_size=UNCHANGED if team_responses.team_size is None else team_responses.team_size,
                replace=False,
            )
    session.flush()
    return summary


# --- workshops -----------------------------------------------------------------------------------------


def new_join_code(length: int = JOIN_CODE_LENGTH) -> str:
    """A random join code from :data:`JOIN_CODE_ALPHABET` (no 0/O or 1/I/L to confuse)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))


def normalise_join_code(code: str) -> str:
    """A join code as typed by a person, made comparable: upper case, spaces and dashes removed."""
    return re.sub(r"[\s\-_.]", "", code or "").upper()


@dataclass(frozen=True)
class DimensionState:
    """Whether a workshop dimension is locked (answers frozen) and revealed (results shown to the room)."""

    dimension_id: str
    position: int
    locked: bool
    revealed: bool


@dataclass(frozen=True)
class WorkshopState:
    """Everything a participant's or facilitator's screen needs to know about a workshop right now.

    ``state_version`` grows with every change: replicas poll it and re-read when it moved.
    """

    workshop_id: int
    code: str
    name: str
    status: str
    form: str
    k: int
    team_id: int | None
    current_dimension: str | None
    state_version: int
    dimensions: tuple[DimensionState, ...]
    assessment_ids: tuple[int, ...]

    def dimension(self, dimension_id: str) -> DimensionState:
        """The state of one dimension; ``KeyError`` names it when the workshop does not cover it."""
        for state in self.dimensions:
            if state.dimension_id == dimension_id:
                return state
        raise KeyError(f"workshop {self.code} does not cover dimension {dimension_id!r}")


def create_workshop(
    session: Session,
    *,
    name: str,
    form: Literal["full", "pulse"],
    k: int,
    dimensions: Sequence[str],
    assessment_ids: Sequence[int] = (),
    team_id: int | None = None,
) -> tuple[Workshop, str]:
    """Open a workshop; returns it with the facilitator token (shown once, stored hashed).

    The workshop gets a short join code for participants; it covers ``dimensions`` in the given order and
    discusses the given assessments (or, with ``team_id``, is tied to a team).
    """
    name = _check_text("workshop name", name, max_length=200)
    _check_choice("form", form, FORMS)
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise InvalidValueError(
            f"k (the anonymity threshold) must be a whole number of at least {MIN_K}, not {k!r}"
        )
    dimension_ids = [_check_text("dimension id", d, max_length=100) for d in dimensions]
    if not dimension_ids:
        raise InvalidValueError("a workshop needs at least one dimension")
    if len(set(dimension_ids)) != len(dimension_ids):
        raise InvalidValueError(f"each dimension may appear once in a workshop (got {dimension_ids})")
    if team_id is not None:
        get_team(session, team_id=team_id)
    for assessment_id in assessment_ids:
        get_assessment(session, assessment_id=assessment_id)
    for _ in range(20):
        code = new_join_code()
        if session.scalar(select(Workshop.id).where(Workshop.code == code)) is None:
            break
    else:  # pragma: no cover - 31^6 codes
        raise StorageError("could not find a free join code; close old workshops")
    token = new_token()
    workshop = Workshop(
        code=code,
        name=name,
        facilitator_token_hash=hash_token(token),
        team_id=team_id,
        form=form,
        k=k,
        status="open",
        state_version=0,
    )
    workshop.dimensions = [
        WorkshopDimension(dimension_id=d, position=index, locked=False, revealed=False)
        for index, d in enumerate(dimension_ids)
    ]
    workshop.assessment_links = [WorkshopAssessment(assessment_id=a) for a in dict.fromkeys(assessment_ids)]
    session.add(workshop)
    session.flush()
    return workshop, token


def get_workshop(session: Session, *, workshop_id: int) -> Workshop:
    """The workshop with this id (``NotFoundError`` otherwise)."""
    return _get(session, Workshop, workshop_id, "workshop")


def find_workshop_by_code(session: Session, *, code: str) -> Workshop | None:
    """The workshop with this join code (as a person typed it: case and dashes do not matter), or None."""
    normalised = normalise_join_code(code)
    if not normalised or len(normalised) > 20:
        return None
    return session.scalars(select(Workshop).where(Workshop.code == normalised)).one_or_none()


def verify_facilitator_token(session: Session, *, workshop_id: int, token: str) -> bool:
    """Whether ``token`` is the facilitator token of the workshop (compared in constant time)."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None or not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(workshop.facilitator_token_hash, hash_token(token.strip()))


def list_workshops(session: Session, *, status: Literal["open", "closed"] | None = None) -> list[Workshop]:
    """Workshops, newest first; optionally only open or closed ones."""
    query = select(Workshop).order_by(Workshop.created_at.desc(), Workshop.id.desc())
    if status is not None:
        query = query.where(Workshop.status == status)
    return list(session.scalars(query))


def link_workshop_assessment(session: Session, *, workshop_id: int, assessment_id: int) -> None:
    """Let a workshop discuss one more assessment (linking twice changes nothing)."""
    get_workshop(session, workshop_id=workshop_id)
    get_assessment(session, assessment_id=assessment_id)
    if session.get(WorkshopAssessment, (workshop_id, assessment_id)) is None:
        session.add(WorkshopAssessment(workshop_id=workshop_id, assessment_id=assessment_id))
        _bump(session, workshop_id)
        session.flush()


def _bump(session: Session, workshop_id: int) -> None:
    # one atomic UPDATE, so concurrent changes from two replicas both count
    session.execute(
        update(Workshop).where(Workshop.id == workshop_id).values(state_version=Workshop.state_version + 1)
    )


def touch_workshop(session: Session, *, workshop_id: int) -> None:
    """Count a change of the workshop that its state does not hold (e.g. its actions): panels redraw."""
    _bump(session, workshop_id)


def _open_workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = get_workshop(session, workshop_id=workshop_id)
    if workshop.status == "closed":
        raise ClosedError(f"workshop {workshop.code} is closed")
    return workshop


def get_workshop_state(session: Session, *, workshop_id: int) -> WorkshopState:
    """The current state of a workshop, read fresh from the database."""
    workshop = session.scalars(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .options(selectinload(Workshop.dimensions), selectinload(Workshop.assessment_links))
        .execution_options(populate_existing=True)
    ).one_or_none()
    if workshop is None:
        raise NotFoundError(f"workshop {workshop_id} does not exist")
    return WorkshopState(
        workshop_id=workshop.id,
        code=workshop.code,
        name=workshop.name,
        status=workshop.status,
        form=workshop.form,
        k=workshop.k,
        team_id=workshop.team_id,
        current_dimension=workshop.current_dimension,
        state_version=workshop.state_version,
        dimensions=tuple(
            DimensionState(d.dimension_id, d.position, d.locked, d.revealed) for d in workshop.dimensions
        ),
        assessment_ids=tuple(workshop.assessment_ids),
    )


def get_state_version(session: Session, *, workshop_id: int) -> int:
    """The workshop's state counter alone (cheap to poll)."""
    version = session.scalar(select(Workshop.state_version).where(Workshop.id == workshop_id))
    if version is None:
        raise NotFoundError(f"workshop {workshop_id} does not exist")
    return version


def _dimension_row(session: Session, workshop_id: int, dimension_id: str) -> WorkshopDimension:
    _open_workshop(session, workshop_id)
    row = session.scalars(
        select(WorkshopDimension).where(
            WorkshopDimension.workshop_id == workshop_id, WorkshopDimension.dimension_id == dimension_id
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"workshop {workshop_id} does not cover dimension {dimension_id!r}")
    return row


def set_dimension_state(
    session: Session,
    *,
    workshop_id: int,
    dimension_id: str,
    locked: bool | None = None,
    revealed: bool | None = None,
) -> WorkshopState:
    """Lock/unlock and reveal/hide one dimension of an open workshop (None leaves a flag as it is)."""
    row = _dimension_row(session, workshop_id, dimension_id)
    now = utc_now()
    if locked is not None and row.locked != locked:
        row.locked = locked
        row.locked_at = now if locked else None
    if revealed is not None and row.revealed != revealed:
        row.revealed = revealed
        row.revealed_at = now if revealed else None
    session.flush()
    _bump(session, workshop_id)
    return get_workshop_state(session, workshop_id=workshop_id)


def lock_dimension(session: Session, *, workshop_id: int, dimension_id: str) -> WorkshopState:
    """Lock a dimension: its answers are frozen for the discussion."""
    return set_dimension_state(session, workshop_id=workshop_id, dimension_id=dimension_id, locked=True)


def unlock_dimension(session: Session, *, workshop_id: int, dimension_id: str) -> WorkshopState:
    """Unlock a dimension: participants may change its answers again."""
    return set_dimension_state(session, workshop_id=workshop_id, dimension_id=dimension_id, locked=False)


def reveal_dimension(session: Session, *, workshop_id: int, dimension_id: str) -> WorkshopState:
    """Reveal a dimension's results to the room (the caller decides whether k allows it)."""
    return set_dimension_state(session, workshop_id=workshop_id, dimension_id=dimension_id, revealed=True)


def hide_dimension(session: Session, *, workshop_id: int, dimension_id: str) -> WorkshopState:
    """Hide a dimension's results again."""
    return set_dimension_state(session, workshop_id=workshop_id, dimension_id=dimension_id, revealed=False)


def set_current_dimension(session: Session, *, workshop_id: int, dimension_id: str | None) -> WorkshopState:
    """Move the room to a dimension (None: no dimension, e.g. the welcome screen)."""
    workshop = _open_workshop(session, workshop_id)
    if dimension_id is not None:
        _dimension_row(session, workshop_id, dimension_id)
    workshop.current_dimension = dimension_id
    session.flush()
    _bump(session, workshop_id)
    return get_workshop_state(session, workshop_id=workshop_id)


def close_workshop(session: Session, *, workshop_id: int, at: datetime | None = None) -> WorkshopState:
    """Close a workshop: the join code stops admitting people. Closing a closed one changes nothing."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    if workshop.status != "closed":
        workshop.status = "closed"
        workshop.closed_at = at or utc_now()
        session.flush()
        _bump(session, workshop_id)
    return get_workshop_state(session, workshop_id=workshop_id)


# --- action items --------------------------------------------------------------------------------------

_ACTION_FIELDS: Final = frozenset(
    {"title", "finding", "owner", "due_date", "status", "source_item_id", "kpi", "first_step", "horizon_days"}
)


def _clean_action_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - _ACTION_FIELDS)
    if unknown:
        raise InvalidValueError(f"action items have no field(s) {unknown}; allowed: {sorted(_ACTION_FIELDS)}")
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            clean[name] = _check_text("action title", value, max_length=300)
        elif name in ("finding", "first_step"):
            clean[name] = _check_text(f"action {name}", value or "", max_length=5000, allow_empty=True)
        elif name == "owner":
            clean[name] = _check_text("action owner", value or "", max_length=200, allow_empty=True)
        elif name in ("source_item_id", "kpi"):
            clean[name] = (
                None if value is None else _check_text(f"action {name}", value, max_length=300) or None
            )
        elif name == "status":
            clean[name] = _check_choice("action status", value, ACTION_STATUSES)
        elif name == "due_date":
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise InvalidValueError(f"action due date must be a date, not {value!r}")
            clean[name] = value
        elif name == "horizon_days":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise InvalidValueError(f"action horizon_days must be a whole number of days, not {value!r}")
            clean[name] = value
    return clean


def list_actions(session: Session, *, assessment_id: int) -> list[ActionItem]:
    """The action items of an assessment in the team's order."""
    return list(
        session.scalars(
            select(ActionItem)
            .where(ActionItem.assessment_id == assessment_id)
            .order_by(ActionItem.position, ActionItem.id)
            .execution_options(populate_existing=True)
        )
    )


def _renumber(session: Session, actions: Sequence[ActionItem]) -> None:
    for position, action in enumerate(actions):
        if action.position != position:
            action.position = position
    session.flush()


def add_action(
    session: Session,
    *,
    assessment_id: int,
    title: str,
    finding: str = "",
    owner: str = "",
    due_date: date | None = None,
    status: Literal["open", "in_progress", "done"] = "open",
    source_item_id: str | None = None,
    kpi: str | None = None,
    first_step: str = "",
    horizon_days: int | None = None,
    workshop_id: int | None = None,
    position: int | None = None,
    external_id: str | None = None,
) -> ActionItem:
    """Add an action item to an assessment's plan, at the end or at ``position`` (0 = first)."""
    _lock_assessment(session, assessment_id)
    fields = _clean_action_fields(
        {
            "title": title,
            "finding": finding,
            "owner": owner,
            "due_date": due_date,
            "status": status,
            "source_item_id": source_item_id,
            "kpi": kpi,
            "first_step": first_step,
            "horizon_days": horizon_days,
        }
    )
    if workshop_id is not None:
        get_workshop(session, workshop_id=workshop_id)
    existing = list_actions(session, assessment_id=assessment_id)
    action = ActionItem(
        assessment_id=assessment_id,
        workshop_id=workshop_id,
        external_id=_check_text("action id", external_id, max_length=100)
        if external_id
        else f"A-{new_token()[:12]}",
        position=len(existing),
        **fields,
    )
    session.add(action)
    session.flush()
    if position is not None and 0 <= position < len(existing):
        _renumber(session, [*existing[:position], action, *existing[position:]])
    return action


def get_action(session: Session, *, action_id: int) -> ActionItem:
    """The action item with this id (``NotFoundError`` otherwise)."""
    return _get(session, ActionItem, action_id, "action item")


def update_action(session: Session, *, action_id: int, **changes: Any) -> ActionItem:
    """Change fields of an action item (title, finding, owner, due_date, status, source_item_id, kpi,
    first_step, horizon_days); unknown fields are an error."""
    action = _lock_plan_of(session, action_id)
    for name, value in _clean_action_fields(changes).items():
        setattr(action, name, value)
    action.updated_at = utc_now()
    session.flush()
    return action


def delete_action(session: Session, *, action_id: int) -> None:
    """Delete an action item; the ones after it move up."""
    action = _lock_plan_of(session, action_id)
    assessment_id = action.assessment_id
    session.delete(action)
    session.flush()
    _renumber(session, list_actions(session, assessment_id=assessment_id))


def _lock_plan_of(session: Session, action_id: int) -> ActionItem:
    """An action item, read after its assessment's row lock is taken.

    Every write to a plan locks the assessment first (add, change, move, delete): they take turns, so a
    move never works on an order that an addition or removal changed meanwhile, and rows are always locked
    in the same order (assessment, then actions), which cannot deadlock.
    """
    assessment_id = get_action(session, action_id=action_id).assessment_id  # never changes
    _lock_assessment(session, assessment_id)
    return _get_fresh_action(session, action_id)


def _get_fresh_action(session: Session, action_id: int) -> ActionItem:
    action = session.scalars(
        select(ActionItem).where(ActionItem.id == action_id).execution_options(populate_existing=True)
    ).one_or_none()
    if action is None:
        raise NotFoundError(f"action item {action_id} does not exist")
    return action


def move_action(session: Session, *, action_id: int, offset: int) -> list[ActionItem]:
    """Move an action item ``offset`` places (−1 up, +1 down, stopping at either end) in its plan's order,
    read after the plan is locked; the plan in its new order."""
    action = _lock_plan_of(session, action_id)
    order = [row.id for row in list_actions(session, assessment_id=action.assessment_id)]
    index = order.index(action_id)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    return reorder_actions(session, assessment_id=action.assessment_id, action_ids=order)


def reorder_actions(session: Session, *, assessment_id: int, action_ids: Sequence[int]) -> list[ActionItem]:
    """Put an assessment's action items in the order of ``action_ids`` (which must name each exactly once)."""
    _lock_assessment(session, assessment_id)
    actions = {action.id: action for action in list_actions(session, assessment_id=assessment_id)}
    if sorted(action_ids) != sorted(actions):
        raise InvalidValueError(
            f"the new order must name each action of assessment {assessment_id} once: "
            f"expected {sorted(actions)}, got {list(action_ids)}"
        )
    _renumber(session, [actions[action_id] for action_id in action_ids])
    return list_actions(session, assessment_id=assessment_id)


# --- app settings --------------------------------------------------------------------------------------


def get_setting(session: Session, *, key: str) -> str | None:
    """The stored value of an application setting, or None."""
    return session.scalar(select(AppSetting.value).where(AppSetting.key == key))


def set_setting(session: Session, *, key: str, value: str) -> None:
    """Store an application setting (upsert)."""
    key = _check_text("setting key", key, max_length=100)
    if not isinstance(value, str):
        raise InvalidValueError(f"setting {key!r} must be text, not {type(value).__name__}")
    _upsert(
        session,
        AppSetting.__table__,  # type: ignore[arg-type]
        [{"key": key, "value": value, "updated_at": utc_now()}],
        keys=("key",),
        update=("value", "updated_at"),
    )


def delete_setting(session: Session, *, key: str) -> bool:
    """Remove an application setting; True when there was one."""
    result = session.execute(delete(AppSetting).where(AppSetting.key == key))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- workshops: facilitator tokens, live counts, shared counters (added for services/workshop.py) ------


def find_workshop_by_facilitator_token(session: Session, *, token: str) -> Workshop | None:
    """The workshop whose facilitator token this is, or None (a token opens exactly one workshop).

    The token is looked up by its SHA-256 digest and then compared in constant time.
    """
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token.strip())
    workshop = session.scalars(select(Workshop).where(Workshop.facilitator_token_hash == digest)).first()
    if workshop is None or not hmac.compare_digest(workshop.facilitator_token_hash, digest):
        return None
    return workshop


def list_answer_keys(
    session: Session, *, assessment_ids: Sequence[int]
) -> tuple[list[int], list[tuple[int, str]]]:
    """The respondent ids of the assessments and every (respondent id, item id) they answered.

    Values are not read: this feeds a live panel that shows counts only. Two queries, whatever the size.
    """
    if not assessment_ids:
        return [], []
    respondent_ids = list(
        session.scalars(
            select(Respondent.id)
            .where(Respondent.assessment_id.in_(list(assessment_ids)))
            .order_by(Respondent.id)
        )
    )
    keys = session.execute(
        select(Answer.respondent_id, Answer.item_id)
        .join(Respondent, Respondent.id == Answer.respondent_id)
        .where(Respondent.assessment_id.in_(list(assessment_ids)))
    ).all()
    return respondent_ids, [(row.respondent_id, row.item_id) for row in keys]


def add_setting_if_absent(session: Session, *, key: str, value: str) -> bool:
    """Store an application setting only when the key is not there yet; True when this call stored it.

    One ``INSERT … ON CONFLICT DO NOTHING``, so when two replicas race exactly one of them wins.
    """
    key = _check_text("setting key", key, max_length=100)
    if not isinstance(value, str):
        raise InvalidValueError(f"setting {key!r} must be text, not {type(value).__name__}")
    statement = (
        _upsert_insert(session.get_bind().dialect.name, AppSetting.__table__)  # type: ignore[arg-type]
        .values(key=key, value=value, updated_at=utc_now())
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(AppSetting.key)
    )
    # RETURNING gives a row only when this statement inserted one (rowcount is not reliable across drivers)
    return session.execute(statement).scalar() is not None


def lock_setting(session: Session, *, key: str) -> str | None:
    """The value of a setting, row-locked until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers), or None when there is none."""
    return session.scalar(
        select(AppSetting.value)
        .where(AppSetting.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def delete_settings(session: Session, *, prefix: str, updated_before: datetime) -> int:
    """Delete the settings whose key starts with ``prefix`` and that were last written before a time."""
    if not prefix:
        raise InvalidValueError("a prefix is needed to delete settings in bulk")
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = session.execute(
        delete(AppSetting).where(
            AppSetting.key.like(f"{escaped}%", escape="\\"), AppSetting.updated_at < updated_before
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def find_workshop_of_assessment(session: Session, *, assessment_id: int) -> Workshop | None:
    """The workshop that discusses an assessment (the newest, should several), or None."""
    return session.scalars(
        select(Workshop)
        .join(WorkshopAssessment, WorkshopAssessment.workshop_id == Workshop.id)
        .where(WorkshopAssessment.assessment_id == assessment_id)
        .order_by(Workshop.id.desc())
    ).first()


# --- self-assessment: share codes and the first action plan (added for services/assessment.py) --------
#
# Both live in ``app_settings`` (no schema change): a share code row maps the SHA-256 digest of the code to
# the assessment (the code itself is never stored, like every other token), a reverse row names the digest
# of the assessment's current code (so a new code can replace it), and a marker row records that the plan
# was seeded. Each row names the assessment by id *and* its team and external id, so a row left behind by a
# deleted assessment can never open another one that later reuses the id.
#
# Databases written before codes were hashed hold ``share_code:<code>`` rows and the plain code in the
# reverse row; :func:`hash_legacy_share_codes` converts them at every start, and a plain row written since
# (an older server still running beside a newer one) is still found by :func:`find_assessment_by_share_code`.

SHARE_CODE_PREFIX: Final = "share_code:"
SHARE_CODE_HASH_PREFIX: Final = "share_code_hash:"
SHARE_CODE_OF_PREFIX: Final = "share_code_of:"
#: The reverse row's value for a hashed code: this marker, then the digest.
_DIGEST_MARKER: Final = "sha256:"
PLAN_SEEDED_PREFIX: Final = "plan_seeded:"
_SHARE_CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _assessment_fingerprint(assessment: Assessment) -> str:
    return f"{assessment.id}:{assessment.team_id}:{assessment.external_id}"


def _share_code_keys(reverse_value: str) -> list[str]:
    """The forward row key(s) a reverse row's value names: the hashed row, or a legacy plain row."""
    if reverse_value.startswith(_DIGEST_MARKER):
        return [f"{SHARE_CODE_HASH_PREFIX}{reverse_value.removeprefix(_DIGEST_MARKER)}"]
    return [f"{SHARE_CODE_PREFIX}{reverse_value}", f"{SHARE_CODE_HASH_PREFIX}{hash_token(reverse_value)}"]


def create_share_code(session: Session, *, assessment_id: int) -> str:
    """A new share code of an assessment (an unguessable 128-bit code), returned once and stored hashed.

    A share code lets a teammate add a respondent of their own to the assessment; it opens nothing else
    (services also accept it as proof of belonging to the team). The code cannot be read back later: a new
    one replaces the assessment's earlier code, which stops working.
    """
    assessment = get_assessment(session, assessment_id=assessment_id)
    reverse_key = f"{SHARE_CODE_OF_PREFIX}{assessment_id}"
    earlier = get_setting(session, key=reverse_key)
    if earlier is not None:
        session.execute(delete(AppSetting).where(AppSetting.key.in_(_share_code_keys(earlier))))
    code = secrets.token_urlsafe(16)
    digest = hash_token(code)
    set_setting(session, key=f"{SHARE_CODE_HASH_PREFIX}{digest}", value=_assessment_fingerprint(assessment))
    set_setting(session, key=reverse_key, value=f"{_DIGEST_MARKER}{digest}")
    return code


def has_share_code(session: Session, *, assessment_id: int) -> bool:
    """Whether an assessment has a share code that still opens it (the code itself is not stored)."""
    reverse = get_setting(session, key=f"{SHARE_CODE_OF_PREFIX}{assessment_id}")
    if reverse is None:
        return False
    assessment = get_assessment(session, assessment_id=assessment_id)
    return any(
        get_setting(session, key=key) == _assessment_fingerprint(assessment)
        for key in _share_code_keys(reverse)
    )


def find_assessment_by_share_code(session: Session, *, code: str) -> Assessment | None:
    """The assessment a share code opens, or None (also for an empty, malformed or stale code).

    The code is looked up by its SHA-256 digest (a plain row of an older database is still found).
    """
    if not isinstance(code, str) or not _SHARE_CODE_PATTERN.fullmatch(code.strip()):
        return None
    code = code.strip()
    fingerprint = get_setting(session, key=f"{SHARE_CODE_HASH_PREFIX}{hash_token(code)}")
    if fingerprint is None:
        fingerprint = get_setting(session, key=f"{SHARE_CODE_PREFIX}{code}")
    if fingerprint is None:
        return None
    assessment_id = int(fingerprint.split(":", 1)[0])
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or _assessment_fingerprint(assessment) != fingerprint:
        return None
    return assessment


def hash_legacy_share_codes(session: Session) -> int:
    """Replace the plain share code rows of an older database by hashed ones; returns how many it converted.

    Run at every start (idempotent; several servers may run it at once): each ``share_code:<code>`` row
    becomes ``share_code_hash:<digest>``, and the reverse row keeps the digest instead of the code, so the
    codes people hold keep working and none is stored in clear any more.
    """
    legacy = session.execute(
        select(AppSetting.key, AppSetting.value).where(
            AppSetting.key.startswith(SHARE_CODE_PREFIX, autoescape=True)
        )
    ).all()
    for row in legacy:
        code = row.key.removeprefix(SHARE_CODE_PREFIX)
        digest = hash_token(code)
        set_setting(session, key=f"{SHARE_CODE_HASH_PREFIX}{digest}", value=row.value)
        reverse_key = f"{SHARE_CODE_OF_PREFIX}{row.value.split(':', 1)[0]}"
        if get_setting(session, key=reverse_key) == code:
            set_setting(session, key=reverse_key, value=f"{_DIGEST_MARKER}{digest}")
    if legacy:
        session.execute(delete(AppSetting).where(AppSetting.key.in_([row.key for row in legacy])))
    return len(legacy)


def _forget_settings_of_assessments(session: Session, assessments: Iterable[Assessment]) -> None:
    """Delete the ``app_settings`` rows that belong to these assessments: share codes and plan markers."""
    keys: list[str] = []
    for assessment in assessments:
        reverse = get_setting(session, key=f"{SHARE_CODE_OF_PREFIX}{assessment.id}")
        if reverse is not None:
            keys += [*_share_code_keys(reverse), f"{SHARE_CODE_OF_PREFIX}{assessment.id}"]
        digest = hashlib.sha256(_assessment_fingerprint(assessment).encode("utf-8")).hexdigest()[:32]
        keys.append(f"{PLAN_SEEDED_PREFIX}{digest}")
    if keys:
        session.execute(delete(AppSetting).where(AppSetting.key.in_(keys)))


#: ``app_settings`` keys of a workshop start with this (e.g. the reveal snapshots of services/workshop.py).
WORKSHOP_SETTINGS_PREFIX: Final = "workshop.{workshop_id}."


def _forget_settings_of_teams(session: Session, team_ids: Sequence[int]) -> None:
    """Delete the ``app_settings`` rows of these teams' assessments and workshops, before the teams go."""
    _forget_settings_of_assessments(
        session, session.scalars(select(Assessment).where(Assessment.team_id.in_(team_ids))).all()
    )
    for workshop_id in session.scalars(select(Workshop.id).where(Workshop.team_id.in_(team_ids))):
        prefix = WORKSHOP_SETTINGS_PREFIX.format(workshop_id=workshop_id)
        session.execute(delete(AppSetting).where(AppSetting.key.startswith(prefix, autoescape=True)))


def seed_actions(session: Session, *, assessment_id: int, actions: Sequence[Mapping[str, Any]]) -> bool:
    """Add an assessment's first action items, once: True when this call added them.

    The first call for an assessment writes a marker and the actions in the caller's transaction; every
    later call (also a concurrent one, and also after the team removed every action) adds nothing, so a
    plan the team edited is never re-filled behind its back. ``actions`` hold the fields of
    :func:`add_action` (``title`` required).
    """
    assessment = _lock_assessment(session, assessment_id)
    digest = hashlib.sha256(_assessment_fingerprint(assessment).encode("utf-8")).hexdigest()[:32]
    if not add_setting_if_absent(session, key=f"{PLAN_SEEDED_PREFIX}{digest}", value=utc_now().isoformat()):
        return False
    for fields in actions:
        add_action(session, assessment_id=assessment_id, **fields)
    return True


# --- item wording recorded with an assessment (added for the wording-change warning) -------------------

#: A wording hash as ``questionnaires.schema.Item.wording_hash`` makes it (hex; 16 characters today).
WORDING_HASH_PATTERN: Final = re.compile(r"^[0-9a-f]{8,64}$")


def _check_item_wording(item_wording: Mapping[str, str]) -> dict[str, str]:
    """``item_wording`` as a plain dict, or ``InvalidValueError`` naming the first bad entry."""
    if not isinstance(item_wording, Mapping):
        raise InvalidValueError(f"item wording must map item ids to wording hashes, not {item_wording!r}")
    checked: dict[str, str] = {}
    for item_id, wording_hash in item_wording.items():
        if not isinstance(item_id, str) or not item_id or len(item_id) > 100:
            raise InvalidValueError(f"item wording: {item_id!r} is not an item id")
        if not isinstance(wording_hash, str) or not WORDING_HASH_PATTERN.match(wording_hash):
            raise InvalidValueError(
                f"item wording of {item_id!r}: {wording_hash!r} is not a wording hash (8–64 hex digits)"
            )
        checked[item_id] = wording_hash
    return checked


def set_item_wording(
    session: Session, *, assessment_id: int, item_wording: Mapping[str, str], replace: bool = False
) -> bool:
    """Record the wording hashes an assessment was taken with; True when something was written.

    An assessment that already has a record keeps it unless ``replace`` is set: the record says what people
    saw when they answered, so a later import must not overwrite it with another wording.
    """
    assessment = get_assessment(session, assessment_id=assessment_id)
    checked = _check_item_wording(item_wording)
    if assessment.item_wording is not None and not replace:
        return False
    assessment.item_wording = checked
    session.flush()
    return True
