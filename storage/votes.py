"""Workshop votes in the database: which participant voted for which proposed action.

Keyword-only functions taking a ``Session``, like ``storage.repository``. How many votes a person has is the
service's rule (``services.workshop``); one vote per action and person is the table's unique constraint. A
person's votes are changed under a lock of their respondent row (``lock_voter``), so two taps on two servers
cannot both spend the last vote.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storage.models import Respondent, WorkshopVote
from storage.repository import NotFoundError


def lock_voter(session: Session, *, respondent_id: int) -> None:
    """Row-lock the respondent (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    found = session.scalars(
        select(Respondent.id).where(Respondent.id == respondent_id).with_for_update()
    ).one_or_none()
    if found is None:
        raise NotFoundError(f"respondent {respondent_id} does not exist")


def votes_of(session: Session, *, workshop_id: int, respondent_id: int) -> set[int]:
    """The ids of the actions this person voted for in this workshop."""
    return set(
        session.scalars(
            select(WorkshopVote.action_id).where(
                WorkshopVote.workshop_id == workshop_id, WorkshopVote.respondent_id == respondent_id
            )
        )
    )


def add_vote(session: Session, *, workshop_id: int, action_id: int, respondent_id: int) -> None:
    """Record a vote (call :func:`lock_voter` and check it is not there yet first)."""
    session.add(WorkshopVote(workshop_id=workshop_id, action_id=action_id, respondent_id=respondent_id))
    session.flush()


def remove_vote(session: Session, *, action_id: int, respondent_id: int) -> None:
    """Take a vote back (nothing happens when there is none)."""
    session.execute(
        delete(WorkshopVote).where(
            WorkshopVote.action_id == action_id, WorkshopVote.respondent_id == respondent_id
        )
    )


def vote_counts(session: Session, *, workshop_id: int) -> dict[int, int]:
    """How many votes each action of the workshop has (actions without votes are left out)."""
    rows = session.execute(
        select(WorkshopVote.action_id, func.count())
        .where(WorkshopVote.workshop_id == workshop_id)
        .group_by(WorkshopVote.action_id)
    )
    return {action_id: count for action_id, count in rows}
