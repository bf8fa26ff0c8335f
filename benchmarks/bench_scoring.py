"""Scoring at scale: 1,000 / 10,000 / 50,000 respondents × the full questionnaire, vs a pandas groupby floor."""

from __future__ import annotations

import random

import pandas as pd

from benchmarks.harness import (
    Config,
    Figure,
    at_most,
    below,
    growth_exponent,
    report_only,
    step_exponents,
    time_rounds,
)
from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from scoring import score_teams
from scoring.models import RespondentAnswers, TeamResponses

TEAM_SIZE = 10


def synthetic_teams(questionnaire: Questionnaire, respondents: int, seed: int = 7) -> list[TeamResponses]:
    """Teams of ten respondents answering every item of the full form (5 % don't know)."""
    rng = random.Random(seed)
    item_ids = [item.id for item in questionnaire.items_for("full")]
    roles = ("leader", "manager", "contributor", "contributor", "contributor")
    teams = []
    for team_index in range(respondents // TEAM_SIZE):
        people = []
        for person in range(TEAM_SIZE):
            base = rng.randint(1, 5)
            answers: dict[str, int | None] = {
                item_id: None if rng.random() < 0.05 else min(5, max(1, base + rng.randint(-1, 1)))
                for item_id in item_ids
            }
            people.append(
                RespondentAnswers(
                    respondent_id=f"r{person}", role=roles[person % len(roles)], answers=answers
                )
            )
        teams.append(
            TeamResponses(
                team=f"Team {team_index:05d}",
                questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version,
                respondents=people,
            )
        )
    return teams


def long_frame(questionnaire: Questionnaire, teams: list[TeamResponses]) -> pd.DataFrame:
    """The same answers as a long frame (team, respondent, dimension, value), for the pandas floor."""
    dimension_of = {item.id: questionnaire.dimension_of(item.id) for item in questionnaire.items_for("full")}
    rows = [
        (team.team, person.respondent_id, dimension_of[item_id], value)
        for team in teams
        for person in team.respondents
        for item_id, value in person.answers.items()
        if value is not None
    ]
    return pd.DataFrame(rows, columns=["team", "respondent", "dimension", "value"])


def pandas_floor(frame: pd.DataFrame) -> pd.Series:
    """The floor: respondent means per dimension, then team means, by plain groupby."""
    per_respondent = frame.groupby(["team", "respondent", "dimension"], sort=False)["value"].mean()
    return per_respondent.groupby(level=["team", "dimension"], sort=False).mean()


def run(config: Config) -> list[Figure]:
    """Time score_teams at three sizes and the pandas floor at 10,000."""
    questionnaire = default_questionnaire()
    sizes = config.pick([1_000, 10_000, 50_000], [1_000, 5_000, 10_000])
    rounds = config.pick(5, 3)
    medians = []
    figures = []
    floor_ratio = None
    for size in sizes:
        teams = synthetic_teams(questionnaire, size)
        timing = time_rounds(lambda teams=teams: score_teams(questionnaire, teams), rounds=rounds)
        medians.append(timing.median)
        if size == 10_000:
            frame = long_frame(questionnaire, teams)
            floor = time_rounds(lambda frame=frame: pandas_floor(frame), rounds=rounds)
            floor_ratio = timing.median / floor.median
            figures.append(
                below("score_10k_s", round(timing.median, 3), "s", 1.0, f"min–max {timing.spread()} s")
            )
            figures.append(
                report_only(
                    "score_vs_pandas_groupby",
                    round(floor_ratio, 2),
                    "×",
                    f"pandas floor {floor.median:.3f} s (means only: no gating, consensus, anonymity, findings)",
                )
            )
        if size != 10_000:
            figures.append(
                report_only(
                    f"score_{size // 1000}k_s", round(timing.median, 3), "s", f"min–max {timing.spread()} s"
                )
            )
    exponent = growth_exponent(sizes, medians)
    figures.append(
        at_most(
            "score_growth",
            round(exponent, 2),
            "exponent",
            1.1,
            f"sizes {', '.join(map(str, sizes))}; fitted over all sizes, steps "
            + ", ".join(f"{step:.2f}" for step in step_exponents(sizes, medians)),
        )
    )
    order = ["score_10k_s", "score_growth"]
    return sorted(figures, key=lambda f: (f.name not in order, order.index(f.name) if f.name in order else 0))
