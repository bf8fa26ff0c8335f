"""Units in the database: the organisation's tree of units and the unit each team belongs to.

Keyword-only functions taking a ``Session``, like ``storage.repository``. The structure is validated before it
gets here (``reports.org_structure``); :func:`replace_structure` writes a whole structure in the caller's
transaction, so a file is taken completely or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Team, Unit
from storage.repository import NotFoundError


def list_units(session: Session) -> list[Unit]:
    """Every unit, by name."""
    return list(session.scalars(select(Unit).order_by(Unit.name)))


def find_unit(session: Session, *, name: str) -> Unit | None:
    """The unit with this exact name, or None."""
    return session.scalars(select(Unit).where(Unit.name == name)).one_or_none()


def get_unit(session: Session, *, unit_id: int) -> Unit:
    """The unit with this id; ``NotFoundError`` when there is none."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError(f"unit {unit_id} does not exist")
    return unit


def team_units(session: Session) -> dict[str, int | None]:
    """Every team's name → the id of its unit (None: in no unit)."""
    return {row.name: row.unit_id for row in session.execute(select(Team.name, Team.unit_id))}


def subtree(session: Session, *, unit_id: int) -> set[int]:
    """The ids of a unit and every unit below it (a cycle, which imports refuse, ends the walk)."""
    children: dict[int | None, list[int]] = {}
    for row in session.execute(select(Unit.id, Unit.parent_id)):
        children.setdefault(row.parent_id, []).append(row.id)
    found: set[int] = set()
    todo = [unit_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def teams_in_unit(session: Session, *, unit_id: int) -> set[str]:
    """The names of the teams in a unit or any unit below it."""
    ids = subtree(session, unit_id=unit_id)
    return {row.name for row in session.execute(select(Team.name).where(Team.unit_id.in_(ids)))}


def replace_structure(
    session: Session, *, parents: Mapping[str, str | None], team_units: Mapping[str, str]
) -> tuple[int, int]:
    """Make the units exactly ``parents`` (name → parent name) and put each named team in its unit.

    Units not named are removed (their teams and child units become unassigned first); teams not named
    leave their unit. A unit that stays keeps its id and its unit leader's passcode. Every team named must
    exist (``NotFoundError`` names the first that does not). Returns (units, teams assigned).
    """
    existing = {unit.name: unit for unit in list_units(session)}
    teams = {team.name: team for team in session.scalars(select(Team))}
    missing = [name for name in team_units if name not in teams]
    if missing:
        raise NotFoundError(f"no team named {missing[0]!r}")
    session.execute(update(Team).values(unit_id=None))
    for unit in existing.values():
        unit.parent_id = None
    session.flush()
    for name, unit in list(existing.items()):
        if name not in parents:
            session.delete(unit)
            del existing[name]
    session.flush()
    for name in parents:
        if name not in existing:
            existing[name] = Unit(name=name)
            session.add(existing[name])
    session.flush()
    for name, parent in parents.items():
        existing[name].parent_id = None if parent is None else existing[parent].id
    for team, unit in team_units.items():
        teams[team].unit_id = existing[unit].id
    session.flush()
    return len(parents), len(team_units)


def set_team_unit(session: Session, *, team: str, unit_id: int | None) -> None:
    """Put a team in a unit (None: in no unit)."""
    row = session.scalars(select(Team).where(Team.name == team)).one_or_none()
    if row is None:
        raise NotFoundError(f"no team named {team!r}")
    if unit_id is not None:
        get_unit(session, unit_id=unit_id)
    row.unit_id = unit_id


def set_passcode_hash(session: Session, *, unit_id: int, passcode_hash: str | None) -> None:
    """Store (or, with None, remove) the hash of a unit leader's passcode."""
    get_unit(session, unit_id=unit_id).passcode_hash = passcode_hash
