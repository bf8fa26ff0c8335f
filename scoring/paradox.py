"""Which paradox mechanism eats a team's AI gains, read from its item scores and the items' ``paradox`` tags.

Pure: a questionnaire (which item guards against which mechanism) and a scored or published result (the item
means anyone may see; a suppressed item adds nothing). The rule is ``scoring.rules.paradox_mechanism``.
"""

from __future__ import annotations

import math
from typing import get_args

from questionnaires.schema import Paradox, Questionnaire
from scoring.models import FrozenModel, TeamResult
from scoring.rules import paradox_mechanism, round_score

#: What each mechanism is called and what it does, in the words the app uses (from article 003 and 000).
MECHANISMS: dict[str, tuple[str, str]] = {
    "expectation_inflation": (
        "Expectation inflation",
        "output targets rise with every gain, so the time saved is spent on more of the same",
    ),
    "meta_work": (
        "Meta-work",
        "prompting, reviewing and correcting AI output takes time nobody planned for",
    ),
    "rework": ("Rework", "AI output that misses the quality bar comes back to be done again"),
    "permission_ambiguity": (
        "Permission ambiguity",
        "unclear rules make people hesitate, hide their use or check twice",
    ),
    "absorbed_capacity": (
        "Absorbed capacity",
        "freed time is never measured or redeployed and disappears into the day",
    ),
}


class MechanismScore(FrozenModel):
    """One mechanism: the mean of its items' means (``None`` when no item has one), how many items count,
    and its lowest item."""

    id: str
    name: str
    description: str
    mean: float | None = None
    items: int = 0
    weakest_item_id: str | None = None
    weakest_item_mean: float | None = None


class ParadoxReading(FrozenModel):
    """Every mechanism with its mean (lowest first, those without items last) and the one named as eating
    the team's gains (``None``: too little to read, or every mechanism at 3.4 or more)."""

    mechanisms: list[MechanismScore]
    eating: str | None = None


def paradox_reading(questionnaire: Questionnaire, result: TeamResult) -> ParadoxReading:
    """The team's paradox mechanisms from its visible item means (``scoring.rules.paradox_mechanism``)."""
    tag = {item.id: item.paradox for item in questionnaire.items_for("full")}
    means: dict[str, list[tuple[str, float]]] = {mechanism: [] for mechanism in get_args(Paradox)}
    if not result.suppressed:
        for dimension in result.dimensions:
            for item in dimension.items:
                if item.mean is not None and item.id in tag:
                    means[tag[item.id]].append((item.id, item.mean))
    scores = []
    for mechanism, values in means.items():
        name, description = MECHANISMS[mechanism]
        weakest = min(values, key=lambda pair: pair[1]) if values else None
        scores.append(
            MechanismScore.trusted(
                id=mechanism,
                name=name,
                description=description,
                mean=round_score(math.fsum(v for _, v in values) / len(values)) if values else None,
                items=len(values),
                weakest_item_id=None if weakest is None else weakest[0],
                weakest_item_mean=None if weakest is None else weakest[1],
            )
        )
    scores.sort(key=lambda s: (s.mean is None, s.mean or 0))
    eating = paradox_mechanism({s.id: s.mean for s in scores if s.mean is not None})
    return ParadoxReading.trusted(mechanisms=scores, eating=eating)
