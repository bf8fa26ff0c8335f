"""Action plans: one recommendation per item (for the band it reached), led by 1–3 focus areas, ranked so
foundations come first, and ordered so an action comes after the actions it builds on.

The rules are ``scoring.rules.action_rank_key`` (ranking), ``scoring.rules.focus_areas`` (what the plan
leads with), ``scoring.rules.order_by_requirements`` (prerequisites) and ``scoring.rules.band_of`` (bands).
"""

from __future__ import annotations

from questionnaires.schema import Questionnaire
from scoring.models import Action, ActionPlan, Band, DimensionResult, FocusArea, ItemResult, TeamResult
from scoring.rules import (
    FOCUS_ACTIONS,
    TOP_ACTIONS,
    FocusCandidate,
    action_rank_key,
    band_of,
    dont_know_flagged,
    focus_areas,
    format_score,
    order_by_requirements,
)


def item_evidence(questionnaire: Questionnaire, item: ItemResult) -> str:
    """What the data of one item shows, in words with numbers: its mean, how many chose level 1 and how many
    did not know ("mean 1.57 of 5; 4 of 7 chose 1 Ad hoc, 2 don't know"); never the level's wording."""
    people = item.respondents
    dont_know = item.dont_know or 0
    level_one = (item.distribution or {}).get(1, 0)
    unknown = f"{dont_know} don't know" if dont_know else "none said don't know"
    if item.mean is None:
        return f"{dont_know} of {people} don't know; too few levels for a mean"
    chose = (
        f"{level_one} of {people} chose 1 {questionnaire.level_name(1)}"
        if level_one
        else (f"none of {people} chose 1 {questionnaire.level_name(1)}")
    )
    return f"mean {format_score(item.mean)} of 5; {chose}, {unknown}"


def _finding(
    questionnaire: Questionnaire,
    dimension: DimensionResult,
    item: ItemResult,
    caps: list[DimensionResult],
) -> tuple[str, list[str]]:
    """What the data shows for an item whose action is in the plan, and the ranking reasons that applied."""
    score = "(no score)" if dimension.score is None else format_score(dimension.score)
    parts = [f"{dimension.name} {score} · item {item_evidence(questionnaire, item)}"]
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
        reasons.append(f"{item.dont_know_rate * 100:.0f} % don't know")
    return "; ".join(parts), reasons


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _focus_reason(why: str, dimension: DimensionResult, result: TeamResult, candidate: FocusCandidate) -> str:
    score = "no score" if dimension.score is None else f"{format_score(dimension.score)} of 5"
    if why == "caps":
        capped = [d.name for d in result.dimensions if d.capped_by == dimension.id]
        return (
            f"{dimension.name} ({score}) holds {_names(capped)} down: the layers above it cannot count for "
            "more until it is stronger."
        )
    if why == "lowest":
        return f"{dimension.name} has the lowest score still to raise ({score})."
    if why == "divided":
        count = candidate.divided_items
        return (
            f"The team is divided on {count} item{'s' if count != 1 else ''} of {dimension.name}: talk first."
        )
    count = candidate.dont_know_items
    return (
        f"Many people cannot see how {dimension.name} works ({count} item{'s' if count != 1 else ''} with a "
        "high don't-know rate): make it visible."
    )


def _focus(
    result: TeamResult, actions: list[Action], capped_by: dict[str, list[DimensionResult]]
) -> list[FocusArea]:
    with_actions = {action.dimension_id for action in actions}
    candidates = []
    for dimension in result.dimensions:
        if dimension.id not in with_actions:
            continue
        caps = capped_by.get(dimension.id)
        candidates.append(
            FocusCandidate(
                dimension_id=dimension.id,
                caps_layer_number=dimension.layer if caps else None,
                score=dimension.score,
                divided_items=sum(item.consensus == "divided" for item in dimension.items),
                dont_know_items=sum(dont_know_flagged(item.dont_know_rate) for item in dimension.items),
            )
        )
    by_id = {c.dimension_id: c for c in candidates}
    return [
        FocusArea(
            dimension_id=dimension_id,
            name=result.dimension(dimension_id).name,
            why=why,  # type: ignore[arg-type]
            reason=_focus_reason(why, result.dimension(dimension_id), result, by_id[dimension_id]),
        )
        for dimension_id, why in focus_areas(candidates)
    ]


def _lead_with_focus(ranked: list[Action], focus: list[FocusArea], top: int) -> list[Action]:
    """The top ``top`` places: the best-ranked actions of each focus area in turn (at most ``FOCUS_ACTIONS``
    each, an action's prerequisites in the plan taking places before it), filled up from the ranking; then
    the rest in rank order."""
    by_item = {action.item_id: action for action in ranked}
    lead: dict[str, None] = {}  # item ids, in order

    def with_prerequisites(item_id: str, seen: frozenset[str] = frozenset()) -> list[str]:
        chain: list[str] = []
        for required in by_item[item_id].requires:
            if required in by_item and required not in lead and required not in seen:
                chain.extend(with_prerequisites(required, seen | {item_id}))
        return [i for i in dict.fromkeys([*chain, item_id]) if i not in lead]

    for position, area in enumerate(focus):
        share = min(FOCUS_ACTIONS, max(1, top - len(lead) - (len(focus) - position - 1)))
        taken = 0
        for action in ranked:
            if taken >= share:
                break
            if action.dimension_id == area.dimension_id and action.item_id not in lead:
                chain = with_prerequisites(action.item_id)
                lead.update(dict.fromkeys(chain))
                taken += len(chain)
    # fill up from the ranking, first from dimensions that hold fewer than FOCUS_ACTIONS of the top places
    for crowded_allowed in (False, True):
        for action in ranked:
            if len(lead) >= top:
                break
            held = sum(by_item[i].dimension_id == action.dimension_id for i in lead)
            if action.item_id not in lead and (crowded_allowed or held < FOCUS_ACTIONS):
                lead.update(dict.fromkeys(with_prerequisites(action.item_id)))
    return [by_item[i] for i in lead] + [action for action in ranked if action.item_id not in lead]


def build_action_plan(questionnaire: Questionnaire, result: TeamResult, top: int = TOP_ACTIONS) -> ActionPlan:
    """All of a team's actions in rank order (the first ``top`` lead the plan); deterministic.

    Every item the team has numbers for gets the recommendation of the band it reached (levels 1–2 low,
    3 mid, 4–5 high). An item without a level (too few answers with a level) but with a high don't-know
    rate gets its low-band recommendation: a practice most people cannot see is not yet in place. Other
    items without numbers get no action, and a suppressed team gets an empty plan whose ``reason`` says why.
    The plan leads with its focus areas (``scoring.rules.focus_areas``), and an action that builds on
    another comes after it (``scoring.rules.order_by_requirements``).
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
                requires=list(recommendation.requires),
                item_ids=[item.id],
            )
            ranked.append((key, action))
    ranked.sort(key=lambda pair: pair[0])
    in_rank_order = [action for _, action in ranked]
    focus = _focus(result, in_rank_order, capped_by)
    led = _lead_with_focus(in_rank_order, focus, top)
    by_item = {action.item_id: action for action in led}
    order = order_by_requirements(
        [action.item_id for action in led], {action.item_id: action.requires for action in led}
    )
    actions = [
        by_item[item_id].model_copy(update={"rank": rank}) for rank, item_id in enumerate(order, start=1)
    ]
    reason = None if actions else "No item has enough answers for an action yet."
    return ActionPlan(team=result.team, actions=actions, top=top, reason=reason, focus=focus)
