"""Where a team stands among the others: its stage (only with all four layers scored), why it has none, the
layer that holds it at its stage, and the ranking order.

Pure functions over a scored (or published) :class:`TeamResult`; the rules themselves live in
``scoring.rules`` (``stage_complete``, ``stage_of``, ``rank_key``, ``stage_blocker``). They are applied to the
result's gated levels, so a result published before the "all four layers" rule reads the same as a new one.
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.models import DimensionResult, TeamResult
from scoring.rules import rank_key, stage_blocker, stage_of


def _layers(result: TeamResult) -> list[DimensionResult]:
    return sorted((d for d in result.dimensions if d.layer is not None), key=lambda d: d.layer or 0)


def _names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _verb(reason: str, count: int) -> str:
    if reason.startswith("no score"):
        return "has" if count == 1 else "have"
    return "is" if count == 1 else "are"


def team_stage(result: TeamResult) -> int | None:
    """The team's stage from its layers' gated levels: ``None`` when suppressed or a layer has no score."""
    if result.suppressed:
        return None
    return stage_of(d.gated_level for d in _layers(result))


def incomplete_reason(result: TeamResult) -> str | None:
    """Why a team that has results has no stage ("incomplete: Coaching is suppressed, …"); ``None`` when it
    has a stage or is suppressed as a whole (that has its own reason)."""
    if result.suppressed:
        return None
    layers = _layers(result)
    missing = [d for d in layers if d.gated_level is None]
    if not layers or not missing:
        return None if layers else "incomplete: no layer has a score"
    # layers missing for the same reason are named together
    reasons: dict[str, list[str]] = {}
    for dimension in missing:
        reason = (
            f"suppressed ({dimension.suppressed_reason or 'too few responses'})"
            if dimension.suppressed
            else "no score (fewer than half of the items answered)"
        )
        reasons.setdefault(reason, []).append(dimension.name)
    parts = [f"{_names(names)} {_verb(reason, len(names))} {reason}" for reason, names in reasons.items()]
    scored = len(layers) - len(missing)
    return (
        f"incomplete: {'; '.join(parts)}; a stage needs all {len(layers)} layers scored "
        f"({scored} of {len(layers)} are)"
    )


def blocker(result: TeamResult) -> DimensionResult | None:
    """The layer that holds the team at its stage (``scoring.rules.stage_blocker``); ``None`` without a stage."""
    if team_stage(result) is None:
        return None
    layers = _layers(result)
    layer_id = stage_blocker([(d.id, d.gated_level) for d in layers])
    return next((d for d in layers if d.id == layer_id), None)


def ranked(results: Sequence[TeamResult]) -> tuple[list[TeamResult], list[TeamResult], list[TeamResult]]:
    """The teams in three groups: ranked (complete, by ``scoring.rules.rank_key``), incomplete (by name) and
    suppressed (by name)."""
    complete = [r for r in results if team_stage(r) is not None]
    complete.sort(key=lambda r: rank_key(team_stage(r) or 0, r.overall.index, r.team))
    incomplete = sorted(
        (r for r in results if not r.suppressed and team_stage(r) is None), key=lambda r: r.team.lower()
    )
    suppressed = sorted((r for r in results if r.suppressed), key=lambda r: r.team.lower())
    return complete, incomplete, suppressed
