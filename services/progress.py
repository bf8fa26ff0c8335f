"""A team's progress across rounds: its published rounds, the change since the last one (and whether it is
more than noise), the path over three or more rounds, what became of the earlier round's actions, and when to
hold the next round.

Everything here reads published results (``services.publication``) and the team's stored plans; the
arithmetic is ``scoring.change`` (pure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from questionnaires.schema import Questionnaire
from reports.summary import Timeline
from scoring import build_action_plan
from scoring.change import ActionFollowUp, RoundChange, compare_rounds, follow_up, next_round, paths
from scoring.models import TeamResult
from services.context import AppContext
from services.publication import publish_stale, published_results
from storage import publications as pub
from storage import repository as repo


@dataclass(frozen=True)
class Round:
    """One published round of a team: its assessment, label, published result and the date it stands for
    (the day the assessment closed, else the day its current result was published)."""

    assessment_id: int
    label: str
    result: TeamResult
    dated: date | None


@dataclass(frozen=True)
class Progress:
    """What the team report's first page and the top of Results say about time.

    ``rounds`` are the team's published rounds up to this one, oldest first; ``change`` compares this round
    with the previous one (``None`` without one); ``paths`` the index and dimensions over three or more
    rounds; ``follow_ups`` the previous round's actions; ``next_round`` the recommended date of the next.
    """

    current: Round | None
    rounds: list[Round] = field(default_factory=list)
    change: RoundChange | None = None
    paths: list[str] = field(default_factory=list)
    follow_ups: list[ActionFollowUp] = field(default_factory=list)
    next_round: date | None = None

    @property
    def previous(self) -> Round | None:
        """The round before this one, if any."""
        return self.rounds[-2] if len(self.rounds) >= 2 else None


def _label(assessment: object) -> str:
    created: datetime = assessment.created_at  # type: ignore[attr-defined]
    label = getattr(assessment, "round_label", None)
    return label or f"{created.year} Q{(created.month - 1) // 3 + 1}"


def team_rounds(ctx: AppContext, assessment_id: int) -> list[Round]:
    """The team's published, unsuppressed rounds on the same questionnaire up to this assessment, oldest
    first (this assessment last when it has results)."""
    with ctx.read() as session:
        own = repo.get_assessment(session, assessment_id=assessment_id)
        chosen = [
            a
            for a in repo.list_assessments(session, team_id=own.team_id, include_demo=True)
            if a.questionnaire_id == own.questionnaire_id and (a.created_at, a.id) <= (own.created_at, own.id)
        ]
        rows = pub.latest_published_many(session, assessment_ids=[a.id for a in chosen])
        facts = {
            a.id: (_label(a), (a.closed_at or (rows[a.id].published_at if a.id in rows else None)))
            for a in chosen
        }
    results = published_results(ctx, [a.id for a in chosen])
    rounds = []
    for assessment in chosen:
        result = results.get(assessment.id)
        if result is None or result.suppressed:
            continue
        label, when = facts[assessment.id]
        rounds.append(Round(assessment.id, label, result, None if when is None else when.date()))
    return rounds


def progress(ctx: AppContext, assessment_id: int, questionnaire: Questionnaire) -> Progress:
    """The team's progress as of this assessment (see :class:`Progress`)."""
    rounds = team_rounds(ctx, assessment_id)
    current = rounds[-1] if rounds and rounds[-1].assessment_id == assessment_id else None
    if current is None:
        return Progress(current=None, rounds=rounds)
    previous = rounds[-2] if len(rounds) >= 2 else None
    change = (
        compare_rounds(questionnaire, previous.result, current.result, previous.label, current.label)
        if previous is not None
        else None
    )
    follow_ups: list[ActionFollowUp] = []
    with ctx.read() as session:
        if previous is not None and change is not None:
            for row in repo.list_actions(session, assessment_id=previous.assessment_id):
                done_on = row.updated_at.date() if row.status == "done" and row.updated_at else None
                items = [row.source_item_id] if row.source_item_id else []
                follow_ups.append(follow_up(row.title, row.status, done_on, items, change))
        stored = repo.list_actions(session, assessment_id=assessment_id)
        made = min((row.created_at.date() for row in stored), default=None)
        horizons = [row.horizon_days for row in stored if row.horizon_days]
    if made is None:  # no plan stored yet: from the day of the results and the recommended top actions
        made = current.dated or datetime.now(UTC).date()
        horizons = [a.horizon_days for a in build_action_plan(questionnaire, current.result).top_actions]
    return Progress(
        current=current,
        rounds=rounds,
        change=change,
        paths=paths(questionnaire, [(r.label, r.result) for r in rounds]),
        follow_ups=follow_ups,
        next_round=next_round(made, horizons),
    )


def timeline(ctx: AppContext, assessment_id: int, questionnaire: Questionnaire) -> Timeline:
    """What the team report's page 1 and the top of Results know about time (``reports.summary.Timeline``)."""
    found = progress(ctx, assessment_id, questionnaire)
    with ctx.read() as session:
        team_size = repo.get_assessment(session, assessment_id=assessment_id).team_size
    current = found.current
    return Timeline(
        round_label=None if current is None else current.label,
        dated=None if current is None else current.dated,
        team_size=team_size,
        change=found.change,
        paths=found.paths,
        follow_ups=found.follow_ups,
        next_round=found.next_round,
    )


#: Demo plans of earlier rounds: the share of actions the team finished, and how long after the round.
DEMO_DONE_AFTER = timedelta(days=40)


def seed_demo_plans(ctx: AppContext) -> int:
    """Give every earlier round of a demo team a plan with progress (the first three actions done, the
    next two in progress), so the next round can show what became of them; returns how many plans were
    added. Running it again adds nothing."""
    added = 0
    with ctx.read() as session:
        earlier = [a.id for a in repo.list_assessments(session, status="closed") if a.is_demo]
    publish_stale(ctx, earlier)
    results = published_results(ctx, earlier)
    for assessment_id, result in results.items():
        if result.suppressed:
            continue
        questionnaire = ctx.questionnaire(result.questionnaire_id, result.questionnaire_version)
        plan = build_action_plan(questionnaire, result)
        with ctx.write() as session:
            assessment = repo.get_assessment(session, assessment_id=assessment_id)
            made = assessment.closed_at or assessment.created_at
            fields = [
                {
                    "title": action.title,
                    "finding": action.finding,
                    "owner": action.owner,
                    "due_date": made.date() + timedelta(days=action.horizon_days),
                    "status": "done" if index < 3 else "in_progress" if index < 5 else "open",
                    "source_item_id": action.item_id,
                    "kpi": action.kpi,
                    "first_step": action.first_step,
                    "horizon_days": action.horizon_days,
                }
                for index, action in enumerate(plan.top_actions)
            ]
            if not repo.seed_actions(session, assessment_id=assessment_id, actions=fields):
                continue
            for row in repo.list_actions(session, assessment_id=assessment_id):
                row.created_at = made
                row.updated_at = made + DEMO_DONE_AFTER
            added += 1
    return added
