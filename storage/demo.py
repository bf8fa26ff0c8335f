"""Demo data: plausible teams with varied maturity profiles, deterministic for a seed.

:func:`generate_demo` is pure (no database, no clock, no global random state): the same questionnaire,
team count, respondent count and seed always give the same answers, dates and KPIs. :func:`store_demo`
writes them through the repository with every team and assessment flagged ``is_demo``; the app shows that
flag as "(demo)" next to the team, and :func:`storage.repository.delete_demo_data` removes it all.

Team names are plain ("Claims Operations"): the demo flag lives in the database, not in the name. In a CSV
written with ``cli.py demo --out`` the demo origin shows in the assessment ids, which all start with
``demo-``. Re-running the demo with the same seed adds nothing: assessments are matched by those ids.

The profiles are chosen so every part of the app has something to show:

* ``foundations`` — solid layers, strongest at the bottom (the healthy case).
* ``gated`` — weak Permission under strong upper layers: gating caps Definition…Coaching.
* ``divided`` — half the team sees 1–2, the other half 4–5: "divided" consensus.
* ``leader_gap`` — leaders rate everything high, staff low: flagged perception gaps.
* ``absorbing`` — good layers but no capacity governance; KPIs show freed hours absorbed.
* ``improving`` — three rounds a quarter apart, each better than the last (trends).
* ``uncertain`` — many "Don't know" answers on Boundaries and Capacity governance.
* ``small`` — fewer respondents than the anonymity threshold: results are suppressed.
* ``pulse`` — took the 10-item pulse form, in two rounds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from sqlalchemy.orm import Session

from questionnaires.schema import Questionnaire
from scoring.models import RespondentAnswers, Role, TeamResponses
from storage import repository as repo

Profile = Literal[
    "foundations", "gated", "divided", "leader_gap", "absorbing", "improving", "uncertain", "small", "pulse"
]

#: The order profiles are handed out in (team 1 gets the first, …), repeating when there are more teams.
PROFILES: Final[tuple[Profile, ...]] = (
    "improving",
    "gated",
    "divided",
    "leader_gap",
    "absorbing",
    "foundations",
    "uncertain",
    "small",
    "pulse",
    "gated",
    "improving",
    "foundations",
)

TEAM_NAMES: Final[tuple[str, ...]] = (
    "Claims Operations",
    "Risk Reporting",
    "Service Desk North",
    "Underwriting Support",
    "Finance Close",
    "Customer Onboarding",
    "Procurement Desk",
    "Legal Operations",
    "HR Shared Services",
    "Service Desk South",
    "Fraud Analytics",
    "Payroll Services",
    "Data Platform",
    "Marketing Content",
    "IT Change Management",
    "Policy Administration",
    "Treasury Operations",
    "Sales Operations",
    "Supplier Quality",
    "Field Service Planning",
)

#: The first demo round; later rounds follow a quarter (13 weeks) apart. Fixed, so output is reproducible.
FIRST_ROUND: Final = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
ROUND_SPACING: Final = timedelta(weeks=13)
DEMO_K: Final = 3

COMMENTS: Final[dict[str, tuple[str, ...]]] = {
    "permission": (
        "Nobody has told us which tools we may use with client data.",
        "The one-page guide helps, but it is a year old.",
        "I still ask my manager before every new use of AI.",
    ),
    "definition": (
        "We are measured on speed only; quality is not discussed.",
        "Expectations doubled after we got the tools.",
        "Our review checklist now includes AI output quality.",
    ),
    "boundaries": (
        "Reviewing AI drafts takes hours that appear in no plan.",
        "Response times were never recalibrated.",
        "We agreed what AI is not for, and it helps.",
    ),
    "coaching": (
        "1:1s are about throughput, never about judgment.",
        "My manager shows me when to start from scratch.",
        "Nobody coaches us on when to override the tool.",
    ),
    "capacity_governance": (
        "The time we save just fills up with more tickets.",
        "We decided to spend freed hours on the backlog of improvements.",
        "No one tracks where the saved time goes.",
    ),
}


@dataclass(frozen=True)
class DemoRound:
    """One assessment of a demo team: its answers and figures, plus the round label shown in the app."""

    round_label: str
    responses: TeamResponses


@dataclass(frozen=True)
class DemoTeam:
    """A demo team with its profile and its rounds (oldest first)."""

    name: str
    profile: Profile
    rounds: tuple[DemoRound, ...]


def _team_names(count: int) -> list[str]:
    names = []
    for index in range(count):
        base = TEAM_NAMES[index % len(TEAM_NAMES)]
        cycle = index // len(TEAM_NAMES)
        names.append(base if cycle == 0 else f"{base} {cycle + 1}")
    return names


def _roles(profile: Profile, count: int) -> list[Role]:
    """Who answers: mostly contributors; the leader-gap team has enough leaders to show the gap."""
    if profile == "leader_gap":
        leaders = max(DEMO_K, count // 2) if count >= 2 * DEMO_K else max(1, count // 2)
        return ["leader"] * leaders + ["manager"] + ["contributor"] * max(0, count - leaders - 1)
    roles: list[Role] = ["leader", "manager", "manager"]
    return (roles + ["contributor"] * count)[:count]


def _targets(profile: Profile, round_index: int, role: Role, half: int) -> dict[str, float]:
    """The mean level a respondent of this profile tends to give per dimension."""
    base = {
        "foundations": {"permission": 4.3, "definition": 3.9, "boundaries": 3.6, "coaching": 3.3},
        "gated": {"permission": 1.6, "definition": 3.9, "boundaries": 4.1, "coaching": 4.0},
        "divided": {"permission": 3.0, "definition": 3.0, "boundaries": 3.0, "coaching": 3.0},
        "leader_gap": {"permission": 2.2, "definition": 2.0, "boundaries": 1.9, "coaching": 2.1},
        "absorbing": {"permission": 3.8, "definition": 3.6, "boundaries": 3.5, "coaching": 3.2},
        "improving": {"permission": 2.0, "definition": 1.8, "boundaries": 1.7, "coaching": 1.6},
        "uncertain": {"permission": 3.0, "definition": 2.8, "boundaries": 2.6, "coaching": 2.5},
        "small": {"permission": 3.2, "definition": 3.0, "boundaries": 2.7, "coaching": 2.4},
        "pulse": {"permission": 2.8, "definition": 2.6, "boundaries": 2.3, "coaching": 2.2},
    }[profile]
    governance = {
        "foundations": 3.4,
        "gated": 2.5,
        "divided": 3.0,
        "leader_gap": 2.0,
        "absorbing": 1.4,
        "improving": 1.5,
        "uncertain": 2.4,
        "small": 2.6,
        "pulse": 2.1,
    }[profile]
    targets = {**base, "capacity_governance": governance}
    if profile == "improving":
        targets = {d: min(4.6, v + 0.9 * round_index) for d, v in targets.items()}
    elif profile == "pulse":
        targets = {d: min(4.6, v + 0.4 * round_index) for d, v in targets.items()}
    elif profile == "divided":
        targets = {d: (1.5 if half == 0 else 4.5) for d in targets}
    elif profile == "leader_gap" and role == "leader":
        targets = {d: min(4.7, v + 2.3) for d, v in targets.items()}
    return targets


def _dont_know_rate(profile: Profile, dimension_id: str) -> float:
    if profile == "uncertain" and dimension_id in ("boundaries", "capacity_governance"):
        return 0.45
    return 0.04


def _level(rng: random.Random, mean: float, spread: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, spread))))


def _kpis(profile: Profile, round_index: int, rng: random.Random, team: str) -> dict[str, float]:
    """Outcome figures in line with the profile (and improving with the rounds where the profile does).

    Risk Reporting carries the 10–12 hours of weekly meta-work of the published case, so its ledger shows
    meta-work eating the whole saving.
    """
    progress = round_index if profile in ("improving", "pulse") else 0
    healthy = profile == "foundations" or progress >= 2
    rework = (6.0 if healthy else 17.0) - 4.0 * progress + rng.uniform(-1.5, 1.5)
    meta_work = (2.5 if healthy or profile == "absorbing" else 6.0) - 1.5 * progress + rng.uniform(-1, 1)
    satisfaction = (4.3 if healthy else 3.1) + 0.4 * progress + rng.uniform(-0.2, 0.2)
    redeployed = {"absorbing": 8.0, "foundations": 60.0}.get(profile, 25.0) + 15.0 * progress
    kpis = {
        "rework_rate": round(max(3.0, rework), 1),
        "meta_work_hours": round(max(1.5, meta_work), 1),
        "satisfaction": round(min(4.8, satisfaction), 1),
        "task_time_reduction": round(28.0 + rng.uniform(-6, 6), 1),
        "redeployed_share": round(min(95.0, redeployed + rng.uniform(-5, 5)), 1),
    }
    if team.startswith("Risk Reporting"):
        kpis["meta_work_hours"] = round(rng.uniform(10, 12), 1)
    if "Service Desk" in team:
        kpis["ticket_resolution_minutes"] = round(
            (30.0 if healthy else 45.0) - 5 * progress + rng.uniform(-3, 3)
        )
    return kpis


def _rounds(profile: Profile) -> int:
    return {"improving": 3, "pulse": 2, "gated": 2}.get(profile, 1)


def generate_demo(
    questionnaire: Questionnaire, *, teams: int = 12, respondents: int = 7, seed: int = 1
) -> list[DemoTeam]:
    """Demo teams with answers, comments, KPIs and AI hours; the same arguments always give the same data.

    ``respondents`` is the team size of a round (the ``small`` profile uses fewer than k on purpose).
    Rounds are dated from :data:`FIRST_ROUND`, a quarter apart, so trends have a time axis.
    """
    if teams < 1:
        raise ValueError(f"teams must be at least 1, not {teams}")
    if respondents < 1:
        raise ValueError(f"respondents must be at least 1, not {respondents}")
    rng = random.Random(f"layerwise-demo:{seed}")
    result: list[DemoTeam] = []
    for team_index, name in enumerate(_team_names(teams)):
        profile = PROFILES[team_index % len(PROFILES)]
        form: Literal["full", "pulse"] = "pulse" if profile == "pulse" else "full"
        items = questionnaire.items_for(form)
        size = min(respondents, DEMO_K - 1) if profile == "small" else respondents
        ai_hours = round(rng.uniform(22, 34), 1)
        team_rounds: list[DemoRound] = []
        count = _rounds(profile)
        for round_index in range(count):
            # the latest round of every team falls in the same quarter; earlier rounds a quarter apart each
            quarter = 2 - (count - 1 - round_index)
            collected = (
                FIRST_ROUND + quarter * ROUND_SPACING + timedelta(days=team_index % 10, hours=team_index)
            )
            label = f"{collected.year} Q{(collected.month - 1) // 3 + 1}"
            roles = _roles(profile, size)
            people: list[RespondentAnswers] = []
            for person, role in enumerate(roles):
                targets = _targets(profile, round_index, role, half=person % 2)
                personal = rng.gauss(0, 0.25)
                answers: dict[str, int | None] = {}
                for item in items:
                    dimension_id = questionnaire.dimension_of(item.id)
                    roll = rng.random()
                    if roll < 0.02:
                        continue  # skipped: unanswered
                    if roll < 0.02 + _dont_know_rate(profile, dimension_id):
                        answers[item.id] = None
                        continue
                    spread = 0.35 if profile == "divided" else 0.55
                    answers[item.id] = _level(rng, targets[dimension_id] + personal, spread)
                comments = {}
                for dimension_id, texts in COMMENTS.items():
                    if rng.random() < 0.25:
                        comments[dimension_id] = texts[rng.randrange(len(texts))]
                people.append(
                    RespondentAnswers(
                        respondent_id=f"R{person + 1:03d}", role=role, answers=answers, comments=comments
                    )
                )
            team_rounds.append(
                DemoRound(
                    round_label=label,
                    responses=TeamResponses(
                        team=name,
                        assessment_id=f"demo-{collected:%Y}-q{(collected.month - 1) // 3 + 1}",
                        questionnaire_id=questionnaire.id,
                        questionnaire_version=questionnaire.version,
                        form=form,
                        mode="individual",
                        k=DEMO_K,
                        respondents=people,
                        kpis=_kpis(profile, round_index, rng, name),
                        ai_hours_per_week=ai_hours,
                        team_size=size + 2,  # a few people on every team never answer
                        collected_at=collected,
                    ),
                )
            )
        result.append(DemoTeam(name=name, profile=profile, rounds=tuple(team_rounds)))
    return result


def demo_responses(demo: Sequence[DemoTeam]) -> list[TeamResponses]:
    """Every round of every demo team as scoring inputs (the rows of ``cli.py demo --out``)."""
    return [demo_round.responses for team in demo for demo_round in team.rounds]


def store_demo(session: Session, demo: Sequence[DemoTeam]) -> repo.StoreSummary:
    """Write demo teams to the database, flagged ``is_demo``; running it again adds nothing.

    Every round but a team's latest is stored closed (at the date it was collected), as real past rounds are.
    """
    summary = repo.store_team_responses(session, demo_responses(demo), is_demo=True)
    assessment_ids = iter(summary.assessment_ids)
    for team in demo:
        for position, demo_round in enumerate(team.rounds):
            assessment = repo.get_assessment(session, assessment_id=next(assessment_ids))
            assessment.round_label = demo_round.round_label
            if position < len(team.rounds) - 1:
                assessment.status = "closed"
                assessment.closed_at = demo_round.responses.collected_at
    session.flush()
    return summary


__all__ = ["DemoRound", "DemoTeam", "demo_responses", "generate_demo", "store_demo"]
