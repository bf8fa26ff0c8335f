"""Small, valid questionnaires and answer sets built in code, for hand-computed scoring tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from questionnaires.schema import (
    Dimension,
    Item,
    Questionnaire,
    Recommendation,
    Recommendations,
    Scale,
    ScaleLevel,
)
from scoring.models import Form, Mode, RespondentAnswers, Role, TeamResponses

DIMENSIONS: tuple[tuple[str, str, int | None], ...] = (
    ("permission", "Permission", 1),
    ("definition", "Definition", 2),
    ("boundaries", "Boundaries", 3),
    ("coaching", "Coaching", 4),
    ("capacity_governance", "Capacity governance", None),
)
LEVEL_NAMES = ("Ad hoc", "Emerging", "Defined", "Managed", "Embedded")


def _recommendation(item_id: str, band: str) -> Recommendation:
    return Recommendation(
        title=f"{band} action for {item_id}",
        first_step=f"first step for {item_id} ({band})",
        owner="Team lead",
        horizon_days=30 if band == "low" else 60 if band == "mid" else 90,
        kpi=f"kpi for {item_id}",
    )


def make_item(item_id: str, pulse: bool) -> Item:
    """An item whose level texts say which item and level they describe."""
    return Item(
        id=item_id,
        question=f"How is {item_id} handled?",
        levels=[f"{item_id} situation at level {level}" for level in range(1, 6)],
        why_it_matters="Because it matters.",
        paradox="meta_work",
        pulse=pulse,
        recommendations=Recommendations(
            low=_recommendation(item_id, "low"),
            mid=_recommendation(item_id, "mid"),
            high=_recommendation(item_id, "high"),
        ),
    )


def item_ids(dimension_id: str, count: int = 6) -> list[str]:
    """The ids ``make_questionnaire`` gives a dimension's items: ``<dimension>.item1`` …"""
    return [f"{dimension_id}.item{index}" for index in range(1, count + 1)]


def make_questionnaire(items_per_dimension: Sequence[int] = (6, 6, 6, 6, 6)) -> Questionnaire:
    """A valid questionnaire with the five dimensions; in each, the first two items are the pulse items."""
    dimensions = [
        Dimension(
            id=dimension_id,
            name=name,
            layer=layer,
            summary=f"{name} summary.",
            mature_state=f"{name} mature state.",
            depends_on=None if layer in (None, 1) else "The layer below.",
            items=[
                make_item(item_id, index < 2) for index, item_id in enumerate(item_ids(dimension_id, count))
            ],
        )
        for (dimension_id, name, layer), count in zip(DIMENSIONS, items_per_dimension, strict=True)
    ]
    return Questionnaire(
        id="test-questionnaire",
        version="1.0.0",
        title="Test questionnaire",
        description="Built in code for scoring tests.",
        scale=Scale(levels=[ScaleLevel(value=v, name=n) for v, n in enumerate(LEVEL_NAMES, start=1)]),
        dimensions=dimensions,
    )


def uniform(questionnaire: Questionnaire, levels: Mapping[str, int | None], form: Form = "full") -> dict:
    """Answers giving every item of each named dimension (on the form) the same value."""
    return {
        item.id: levels[questionnaire.dimension_of(item.id)]
        for item in questionnaire.items_for(form)
        if questionnaire.dimension_of(item.id) in levels
    }


def everywhere(questionnaire: Questionnaire, value: int | None, form: Form = "full") -> dict:
    """Answers giving every item on the form the same value."""
    return {item.id: value for item in questionnaire.items_for(form)}


def make_team(
    questionnaire: Questionnaire,
    answer_sets: Sequence[Mapping[str, int | None] | tuple[Role, Mapping[str, int | None]]],
    *,
    team: str = "Team A",
    k: int = 3,
    form: Form = "full",
    mode: Mode = "individual",
    comments: Sequence[Mapping[str, str]] | None = None,
    **extra: object,
) -> TeamResponses:
    """A team from answer sets; an answer set is a dict (role contributor) or a (role, dict) pair."""
    respondents = []
    for index, answer_set in enumerate(answer_sets):
        role, answers = answer_set if isinstance(answer_set, tuple) else ("contributor", answer_set)
        respondents.append(
            RespondentAnswers(
                respondent_id=f"r{index + 1}",
                role=role,
                answers=dict(answers),
                comments=dict(comments[index]) if comments else {},
            )
        )
    return TeamResponses(
        team=team,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        form=form,
        mode=mode,
        k=k,
        respondents=respondents,
        **extra,  # type: ignore[arg-type]
    )
