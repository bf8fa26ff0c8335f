"""Action plans: one recommendation per item (for the band it reached), ranked so foundations come first.

The ranking rule is ``scoring.rules.action_rank_key``; the band rule is ``scoring.rules.band_of``.
"""

from __future__ import annotations

from questionnaires.schema import Questionnaire
from scoring.models import Action, ActionPlan, Band, DimensionResult, ItemResult, TeamResult
from scoring.rules import TOP_ACTIONS, action_rank_key, band_of, dont_know_flagged, format_score


def _finding(
    questionnaire: Questionnaire,
    dimension: DimensionResult,
    item: ItemResult,
    caps: list[DimensionResult],
) -> tuple[str, list[str]]:
    """The words (with numbers) that explain why an item's action is in the plan, and its ranking reasons."""
    score = "(no score)" if dimension.score is None else format_score(dimension.score)
    text = questionnaire.item(item.id)
    if item.level is not None and item.mean is not None:
        situation = text.levels[item.level - 1].strip().rstrip(".")
        parts = [
            f"{dimension.name} {score}: {situation}",
            f"item mean {format_score(item.mean)} ({questionnaire.level_name(item.level)})",
        ]
    else:
        rate = item.dont_know_rate or 0
        parts = [f"{dimension.name} {score}: {rate * 100:.0f} % could not say — {text.question.strip()}"]
    reasons: list[str] = (
        [] if item.level is not None else [f"{(item.dont_know_rate or 0) * 100:.0f} % don't know"]
    )
    for capped in caps:
        reason = f"caps {capped.name} (held at {capped.gated_level})"
        parts.append(reason)
        reasons.append(f"{dimension.name} {reason}")
    if dimension.score is not None:
        reasons.append(f"{dimension.name} scores {score}")
    if item.consensus == "divided" and item.std is not None:
        divided = f"divided (standard deviation {format_score(item.std)})"
        parts.append(divided)
        reasons.append(divided)
    if item.level is not None and item.dont_know_rate is not None and dont_know_flagged(item.dont_know_rate):
        dont_know = f"{item.dont_know_rate * 100:.0f} % don't know"
        parts.append(dont_know)
        reasons.append(dont_know)
    return "; ".join(parts), reasons


def build_action_plan(questionnaire: Questionnaire, result: TeamResult, top: int = TOP_ACTIONS) -> ActionPlan:
    """All of a team's actions in rank order (the first ``top`` lead the plan); deterministic.

    Every item the team has numbers for gets the recommendation of the band it reached (levels 1–2 low,
    3 mid, 4–5 high). An item without a level (too few answers with a level) but with a high don't-know
    rate gets its low-band recommendation: a practice most people cannot see is not yet in place. Other
    items without numbers get no action, and a suppressed team gets an empty plan whose ``reason`` says why.
    """
    if result.suppressed:
        return ActionPlan(
            team=result.team, actions=[], top=top, reason=f"No action plan yet: {result.suppressed_reason}."
        )
    by_id = {dimension.id: dimension for dimension in result.dimensions}
    capped_by: dict[str, list[DimensionResult]] = {}
    for dimension in result.dimensions:
        if dimension.capped_by is not None:
            capped_by.setdefault(dimension.capped_by, []).append(dimension)

    ranked: list[tuple[tuple[float, ...], Action]] = []
    position = 0
    for dimension in questionnaire.dimensions:
        result_dimension = by_id.get(dimension.id)
        if result_dimension is None:
            continue
        caps = capped_by.get(dimension.id, [])
        for item in result_dimension.items:
            position += 1
            if item.level is None and not dont_know_flagged(item.dont_know_rate):
                continue
            band: Band = "low" if item.level is None else band_of(item.level)
            recommendation = getattr(questionnaire.item(item.id).recommendations, band)
            finding, reasons = _finding(questionnaire, result_dimension, item, caps)
            key = action_rank_key(
                caps_layer_number=dimension.layer if caps else None,
                dimension_score=result_dimension.score,
                divided=item.consensus == "divided",
                dont_know_high=dont_know_flagged(item.dont_know_rate),
                item_mean=item.mean,
                position=position,
            )
            action = Action(
                rank=0,
                item_id=item.id,
                dimension_id=dimension.id,
                band=band,
                title=recommendation.title,
                finding=finding,
                first_step=recommendation.first_step,
                owner=recommendation.owner,
                horizon_days=recommendation.horizon_days,
                kpi=recommendation.kpi,
                reasons=reasons,
            )
            ranked.append((key, action))
    ranked.sort(key=lambda pair: pair[0])
    actions = [action.model_copy(update={"rank": rank}) for rank, (_, action) in enumerate(ranked, start=1)]
    reason = None if actions else "No item has enough answers for an action yet."
    return ActionPlan(team=result.team, actions=actions, top=top, reason=reason)
