"""Target profiles: the level a team aims for on each dimension.

A team compares itself with three honest references (issue 13): its own previous round, its peers, and its
*target profile*. The target is, in order: the levels the team set for itself (anyone with the team's link may
set them, like the team's outcome figures: a target is team data, not an individual answer); else the
organisation's default target profile, set by a leader with the organisation passcode; else Layerwise's
default, level 4 (Managed) on every dimension.

Targets are stored by dimension id. A stored level for a dimension the questionnaire does not have is ignored,
and a dimension the stored profile does not name takes the next source's level, so a questionnaire that
gains a dimension never shows a team without a target for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from questionnaires.schema import Questionnaire
from scoring.rules import DEFAULT_TARGET_LEVEL, LEVEL_NAMES
from services.context import AppContext, InputError
from storage import repository as repo

#: The application setting that holds the organisation's default target profile (JSON: dimension id → level).
ORGANISATION_TARGETS_KEY = "organisation.target_levels"

Source = Literal["team", "organisation", "default"]

#: How each source of a target profile reads on a page and in a report.
SOURCE_LABELS: dict[Source, str] = {
    "team": "the team's own target",
    "organisation": "the organisation's default target",
    "default": f"Layerwise's default target: level {DEFAULT_TARGET_LEVEL} "
    f"({LEVEL_NAMES[DEFAULT_TARGET_LEVEL - 1]}) on every dimension",
}


@dataclass(frozen=True)
class TargetProfile:
    """The level aimed for on each dimension, and where the profile came from (``source``)."""

    levels: dict[str, int]
    source: Source

    @property
    def label(self) -> str:
        """Where the target comes from, in words ("the team's own target")."""
        return SOURCE_LABELS[self.source]


def validate_levels(questionnaire: Questionnaire, levels: Mapping[str, object]) -> dict[str, int]:
    """``levels`` as dimension id → whole level 1–5; ``InputError`` names every dimension that is wrong."""
    names = {dimension.id: dimension.name for dimension in questionnaire.dimensions}
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for dimension_id, value in levels.items():
        if dimension_id not in names:
            errors[dimension_id] = f"{questionnaire.title} has no dimension {dimension_id!r}"
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            errors[dimension_id] = f"{names[dimension_id]}: the target must be a whole level from 1 to 5"
            continue
        if not 1 <= int(value) <= len(LEVEL_NAMES):
            errors[dimension_id] = (
                f"{names[dimension_id]}: the target must be a level from 1 to 5, not {value}"
            )
            continue
        clean[dimension_id] = int(value)
    if errors:
        raise InputError(errors)
    return clean


def _resolve(
    questionnaire: Questionnaire, team: Mapping[str, int] | None, organisation: Mapping[str, int] | None
) -> TargetProfile:
    levels: dict[str, int] = {}
    for dimension in questionnaire.dimensions:
        if team and dimension.id in team:
            levels[dimension.id] = int(team[dimension.id])
        elif organisation and dimension.id in organisation:
            levels[dimension.id] = int(organisation[dimension.id])
        else:
            levels[dimension.id] = DEFAULT_TARGET_LEVEL
    source: Source = "team" if team else "organisation" if organisation else "default"
    return TargetProfile(levels=levels, source=source)


def _organisation_levels(session: Session) -> dict[str, int] | None:
    stored = repo.get_setting(session, key=ORGANISATION_TARGETS_KEY)
    return None if stored is None else {str(k): int(v) for k, v in json.loads(stored).items()}


def organisation_targets(ctx: AppContext, questionnaire: Questionnaire) -> TargetProfile:
    """The organisation's default target profile (Layerwise's default where none was set)."""
    with ctx.read() as session:
        return _resolve(questionnaire, None, _organisation_levels(session))


def team_targets_many(
    ctx: AppContext, questionnaire: Questionnaire, team_names: Iterable[str]
) -> dict[str, TargetProfile]:
    """The target profile of each named team (two queries, for the leader view and its reports)."""
    names = list(team_names)
    with ctx.read() as session:
        organisation = _organisation_levels(session)
        own = repo.team_target_levels(session, names=names)
    return {name: _resolve(questionnaire, own.get(name), organisation) for name in names}


def team_targets(ctx: AppContext, questionnaire: Questionnaire, team_name: str) -> TargetProfile:
    """The target profile of one team."""
    return team_targets_many(ctx, questionnaire, [team_name])[team_name]


def set_team_targets(
    ctx: AppContext, questionnaire: Questionnaire, team_name: str, levels: Mapping[str, object] | None
) -> TargetProfile:
    """Store the team's own target profile (``None``: go back to the organisation's default).

    Every level is checked first (``InputError`` names each wrong one) and nothing is stored while one is wrong.
    """
    clean = None if levels is None else validate_levels(questionnaire, levels)
    with ctx.write() as session:
        team = repo.find_team(session, name=team_name)
        if team is None:
            raise InputError({"team": f"there is no team called {team_name!r}"})
        team.target_levels = clean or None
        organisation = _organisation_levels(session)
    return _resolve(questionnaire, clean, organisation)


def set_organisation_targets(
    ctx: AppContext, questionnaire: Questionnaire, levels: Mapping[str, object] | None
) -> TargetProfile:
    """Store the organisation's default target profile (``None``: back to Layerwise's default)."""
    clean = None if levels is None else validate_levels(questionnaire, levels)
    with ctx.write() as session:
        if clean:
            repo.set_setting(session, key=ORGANISATION_TARGETS_KEY, value=json.dumps(clean, sort_keys=True))
        else:
            repo.delete_setting(session, key=ORGANISATION_TARGETS_KEY)
    return _resolve(questionnaire, None, clean)
