"""Deterministic sample teams on the shipped questionnaire, for the chart, report-content and PDF tests."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from questionnaires.schema import Questionnaire
from scoring.models import RespondentAnswers, Role, TeamResponses

#: Typical answer centre per dimension: Permission weak, Definition strong (so Definition is capped).
DEFAULT_CENTRES: dict[str, float] = {
    "permission": 1.9,
    "definition": 3.9,
    "boundaries": 2.8,
    "coaching": 3.1,
    "capacity_governance": 2.4,
}
ROLE_CYCLE: tuple[Role, ...] = (
    "leader",
    "leader",
    "leader",
    "manager",
    "contributor",
    "contributor",
    "contributor",
)


def sample_team(
    questionnaire: Questionnaire,
    team: str = "Service desk",
    *,
    size: int = 7,
    seed: int = 1,
    centres: Mapping[str, float] | None = None,
    roles: Sequence[Role] | None = None,
    dont_know_share: float = 0.08,
    k: int = 3,
    kpis: Mapping[str, float] | None = None,
    ai_hours_per_week: float | None = 20.0,
    team_size: int | None = None,
    assessment_id: str | None = None,
    comments: bool = False,
) -> TeamResponses:
    """A team of ``size`` respondents whose answers scatter around ``centres`` (deterministic per seed)."""
    rng = random.Random(f"{team}-{seed}")
    centres = dict(DEFAULT_CENTRES if centres is None else centres)
    roles = list(roles) if roles is not None else [ROLE_CYCLE[i % len(ROLE_CYCLE)] for i in range(size)]
    respondents = []
    for index in range(size):
        answers: dict[str, int | None] = {}
        for item in questionnaire.items_for("full"):
            dimension = questionnaire.dimension_of(item.id)
            if rng.random() < dont_know_share:
                answers[item.id] = None
                continue
            centre = centres.get(dimension, 3.0) + (0.6 if roles[index] == "leader" else 0.0)
            answers[item.id] = max(1, min(5, round(rng.gauss(centre, 0.8))))
        respondents.append(
            RespondentAnswers(
                respondent_id=f"{team}-r{index + 1}",
                role=roles[index],
                answers=answers,
                comments={"permission": f"Comment {index + 1} about the guide."} if comments else {},
            )
        )
    return TeamResponses(
        team=team,
        assessment_id=assessment_id,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        k=k,
        respondents=respondents,
        kpis=dict(
            kpis
            if kpis is not None
            else {
                "rework_rate": 12,
                "meta_work_hours": 3,
                "satisfaction": 3.6,
                "task_time_reduction": 30,
                "redeployed_share": 40,
            }
        ),
        ai_hours_per_week=ai_hours_per_week,
        team_size=team_size,
    )
