"""The task map's arithmetic: per role and for the team, what AI touches, frees, costs in review, and where the
freed hours go; a role's week before and after; and the capacity ledger a task map gives.

Pure: no I/O. The input format and its checks are ``questionnaires.taskmap_schema`` (re-exported here).
The rule, in the capacity ledger's words (``scoring.rules.capacity_hours``), applied per activity:

* an activity's hours are what it takes per person per week **now** (review not included); an AI activity
  took hours now ÷ (1 − gross reduction) **before**, so it frees before − now;
* review (meta-work) is the activity's review time (minutes × occurrences ÷ 60, or hours per week), only
  for "AI with review"; it is subtracted once: net = freed − review;
* what a role redeploys is its named destinations' hours; absorbed = net − redeployed (nothing is absorbed
  or redeployed when review takes more than AI frees).

Team figures are per-person figures × the people in the role, summed over roles.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import ValidationError

from questionnaires.taskmap_schema import (
    DECISION_LABELS,
    REASON_LABELS,
    Activity,
    Redeployment,
    Role,
    TaskMapInput,
    hours_before,
)
from scoring.models import CapacityLedger, FrozenModel, TeamResult
from scoring.rules import FULL_TIME_HOURS_PER_WEEK, full_time_equivalents

__all__ = [
    "DECISION_LABELS",
    "REASON_LABELS",
    "Activity",
    "Redeployment",
    "Role",
    "RoleTotals",
    "TaskMapError",
    "TaskMapInput",
    "TaskMapTotals",
    "WeekSlice",
    "ledger_from_task_map",
    "parse_task_map",
    "role_week",
    "task_map_totals",
]

#: The sections of a task map as people see them (for error messages naming the table and row).
SECTION_LABELS = {"roles": "Roles", "activities": "Activities", "redeployments": "Redeployed hours"}
#: Field name → the column label people see.
FIELD_LABELS = {
    "name": "name",
    "people": "people",
    "role": "role",
    "hours_per_week": "hours per week",
    "decision": "decision",
    "reduction_pct": "reduction %",
    "review_minutes": "review minutes",
    "occurrences_per_week": "occurrences per week",
    "review_hours_per_week": "review hours per week",
    "reason": "reason",
    "destination": "destination",
}


class TaskMapError(ValueError):
    """A task map that cannot be used; ``errors`` maps ``(section, row index, field)`` to a message."""

    def __init__(self, errors: Mapping[tuple[str, int | None, str | None], str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.messages()))

    def messages(self) -> list[str]:
        """Each problem in words: "Activities row 4, hours per week: …" (rows counted from 1)."""
        return [f"{where_label(*where)}: {message}" for where, message in self.errors.items()]


def where_label(section: str, row: int | None, field: str | None) -> str:
    """``("activities", 3, "hours_per_week")`` → ``Activities row 4, hours per week``."""
    text = SECTION_LABELS.get(section, section)
    if row is not None:
        text += f" row {row + 1}"
    if field is not None:
        text += f", {FIELD_LABELS.get(field, field)}"
    return text


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "extra_forbidden":
        return "is not a column of the task map"
    bounds = {"greater_than_equal": "at least", "less_than_equal": "at most", "less_than": "below"}
    if error["type"] in bounds:
        limit = next(iter(error["ctx"].values()))
        return f"must be {bounds[error['type']]} {limit:g} (got {error['input']!r})"
    if error["type"] in {"float_parsing", "float_type", "int_parsing", "int_type", "finite_number"}:
        return f"must be a number (got {error['input']!r})"
    if error["type"] == "too_short":
        return f"needs at least {error['ctx']['min_length']} row (a task map needs a role)"
    if error["type"] == "too_long":
        return f"may have at most {error['ctx']['max_length']} rows"
    if error["type"] == "string_too_short":
        return "must not be empty"
    if error["type"] == "literal_error":
        return f"must be one of {error['ctx']['expected']} (got {error['input']!r})"
    return str(error["msg"])


def parse_task_map(data: Mapping[str, Any]) -> TaskMapInput:
    """Validate raw task-map data; ``TaskMapError`` lists every problem by section, row and field."""
    try:
        return TaskMapInput.model_validate(data)
    except ValidationError as exc:
        errors: dict[tuple[str, int | None, str | None], str] = {}
        for error in exc.errors(include_url=False):
            loc = [
                part
                for part in error["loc"]
                if not (isinstance(part, str) and part.startswith("constrained"))
            ]
            loc = [part for part in loc if part not in {"float", "int", "none", "str"}]
            section = str(loc[0]) if loc else "roles"
            row = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            field = str(loc[2]) if len(loc) > 2 else None
            errors.setdefault((section, row, field), _message(error))
        raise TaskMapError(errors) from None


class RoleTotals(FrozenModel):
    """One role's figures per person per week (``*_hours``) and for everyone in it (``team_*``).

    ``ai_hours_now`` is what the AI activities take now, ``ai_hours_before`` what they took before;
    ``net_hours`` = freed − review; ``absorbed_hours`` = net − redeployed (0 when net is not positive).
    """

    role: str
    people: int
    human_hours: float
    ai_freely_hours: float
    ai_review_task_hours: float
    ai_hours_now: float
    ai_hours_before: float
    freed_hours: float
    review_hours: float
    net_hours: float
    redeployed_hours: float
    absorbed_hours: float

    def team(self, field: str) -> float:
        """A per-person figure × the people in the role, to 0.1 h."""
        return round(float(getattr(self, field)) * self.people, 1)


class TaskMapTotals(FrozenModel):
    """The team's figures per week (every role's per-person figures × its people, summed) and the roles'."""

    roles: list[RoleTotals]
    people: int
    ai_hours_now: float
    ai_hours_before: float
    freed_hours: float
    review_hours: float
    net_hours: float
    redeployed_hours: float
    absorbed_hours: float
    activities: int


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def task_map_totals(task_map: TaskMapInput) -> TaskMapTotals:
    """Per role (per person) and for the team: hours AI touches (now and before), freed, review, net,
    redeployed and absorbed, by the rule in this module's docstring."""
    rows: list[RoleTotals] = []
    # team totals add the unrounded figures (rounding per person first would drift by people × 0.005 h)
    team: dict[str, float] = {}
    for role in task_map.roles:
        key = role.name.casefold()
        activities = [a for a in task_map.activities if a.role.casefold() == key]
        human = sum(a.hours_per_week for a in activities if a.decision == "human_only")
        freely = sum(a.hours_per_week for a in activities if a.decision == "ai_freely")
        reviewed = sum(a.hours_per_week for a in activities if a.decision == "ai_with_review")
        before = sum(
            hours_before(a.hours_per_week, a.reduction_pct or 0.0)
            for a in activities
            if a.decision != "human_only"
        )
        now = freely + reviewed
        review = sum(a.review_hours for a in activities)
        net = before - now - review
        redeployed = sum(r.hours_per_week for r in task_map.redeployments if r.role.casefold() == key)
        available = max(net, 0.0)
        figures = {
            "ai_hours_now": now,
            "ai_hours_before": before,
            "freed_hours": before - now,
            "review_hours": review,
            "net_hours": net,
            "redeployed_hours": redeployed,
            "absorbed_hours": available - redeployed,
        }
        for name, value in figures.items():
            team[name] = team.get(name, 0.0) + value * role.people
        rows.append(
            RoleTotals(
                role=role.name,
                people=role.people,
                human_hours=_round(human),
                ai_freely_hours=_round(freely),
                ai_review_task_hours=_round(reviewed),
                **{name: _round(value) for name, value in figures.items()},
            )
        )

    def total(field: str) -> float:
        return _round(team.get(field, 0.0))

    return TaskMapTotals(
        roles=rows,
        people=sum(role.people for role in task_map.roles),
        ai_hours_now=total("ai_hours_now"),
        ai_hours_before=total("ai_hours_before"),
        freed_hours=total("freed_hours"),
        review_hours=total("review_hours"),
        net_hours=total("net_hours"),
        redeployed_hours=total("redeployed_hours"),
        absorbed_hours=total("absorbed_hours"),
        activities=len(task_map.activities),
    )


class WeekSlice(FrozenModel):
    """One category of a role's week (per person), before AI and after the team's decisions."""

    role: str
    category: str
    before: float
    after: float


#: The categories of a role's week, in the order the before/after chart stacks them.
WEEK_CATEGORIES = (
    "Human only",
    "AI with review",
    "Review (meta-work)",
    "AI freely",
    "Redeployed",
    "Absorbed",
)


def role_week(totals: TaskMapTotals, roles: Sequence[str] | None = None) -> list[WeekSlice]:
    """A role's week per person by category, before and after: before, the AI activities take their
    before-time and nothing is freed; after, they take their time now, review is added, and the net freed
    hours are split into redeployed and absorbed. Both weeks add up to the same hours unless review takes
    more than AI frees (then the week after is longer)."""
    slices: list[WeekSlice] = []
    for row in totals.roles:
        if roles is not None and row.role not in roles:
            continue
        share = row.ai_review_task_hours / row.ai_hours_now if row.ai_hours_now else 0.0
        before_review_task = row.ai_hours_before * share
        values = {
            "Human only": (row.human_hours, row.human_hours),
            "AI with review": (before_review_task, row.ai_review_task_hours),
            "Review (meta-work)": (0.0, row.review_hours),
            "AI freely": (row.ai_hours_before - before_review_task, row.ai_freely_hours),
            "Redeployed": (0.0, row.redeployed_hours),
            "Absorbed": (0.0, row.absorbed_hours),
        }
        for category in WEEK_CATEGORIES:
            before, after = values[category]
            slices.append(
                WeekSlice(role=row.role, category=category, before=_round(before), after=_round(after))
            )
    return slices


def _hours(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def ledger_from_task_map(task_map: TaskMapInput) -> CapacityLedger | None:
    """The capacity ledger a task map gives (None when it has no AI activity), per person on average and for
    the team; its summary starts "From the task map:" so every place that shows it says where it comes from.

    Per person = the team's totals ÷ its people; the reduction is the weighted one (freed ÷ before), shown
    rounded to 0.1 %, and the redeployed share is redeployed ÷ net.
    """
    totals = task_map_totals(task_map)
    if totals.ai_hours_before <= 0:
        return None
    people = totals.people
    now, before = totals.ai_hours_now / people, totals.ai_hours_before / people
    freed, review, net = totals.freed_hours / people, totals.review_hours / people, totals.net_hours / people
    redeployed, absorbed = totals.redeployed_hours / people, totals.absorbed_hours / people
    reduction = round(100 * totals.freed_hours / totals.ai_hours_before, 1)
    share = round(100 * totals.redeployed_hours / totals.net_hours, 1) if totals.net_hours > 0 else 0.0
    exceeds = totals.net_hours < 0
    team_net = max(totals.net_hours, 0.0)
    roles = len(totals.roles)
    who = "1 person" if people == 1 else f"{people} people"
    summary = (
        f"From the task map: {totals.activities} activities in {roles} role{'s' if roles != 1 else ''} "
        f"({who}). The AI activities take {_hours(totals.ai_hours_now)} h a week now and took "
        f"{_hours(totals.ai_hours_before)} h before: AI frees {_hours(totals.freed_hours)} h, review takes "
        f"{_hours(totals.review_hours)} h, "
    )
    if exceeds:
        summary += "so nothing is left to redeploy: review takes more than AI frees."
    else:
        summary += (
            f"so {_hours(totals.net_hours)} h are left ({full_time_equivalents(team_net):.1f} full-time "
            f"equivalents at {FULL_TIME_HOURS_PER_WEEK:g} h), of which {_hours(totals.redeployed_hours)} h are "
            f"redeployed to named destinations and {_hours(totals.absorbed_hours)} h absorbed."
        )
    team_summary = (
        f"For the team ({who}): {_hours(totals.freed_hours)} h freed per week, {_hours(team_net)} h left "
        f"after review, {_hours(totals.redeployed_hours)} h redeployed, {_hours(totals.absorbed_hours)} h absorbed."
    )
    return CapacityLedger(
        ai_hours_per_week=_round(now),
        task_time_reduction_pct=reduction,
        meta_work_hours=_round(review),
        redeployed_pct=share,
        hours_before=_round(before),
        hours_freed=_round(freed),
        net_freed_hours=_round(net),
        redeployed_hours=_round(redeployed),
        absorbed_hours=_round(absorbed),
        meta_work_exceeds_savings=exceeds,
        summary=summary,
        team_size=people,
        team_hours_freed=totals.freed_hours,
        team_net_freed_hours=totals.net_hours,
        team_redeployed_hours=totals.redeployed_hours,
        team_absorbed_hours=totals.absorbed_hours,
        team_net_fte=round(full_time_equivalents(team_net), 2),
        team_summary=team_summary,
    )


#: How many months after publishing a guide is reviewed by default (quarterly).
REVIEW_MONTHS = 3


def default_review_date(published: date, months: int = REVIEW_MONTHS) -> date:
    """The default review date of a guide: ``months`` calendar months after ``published`` (the last day of
    the month when that month is shorter: 30 Nov → 28/29 Feb)."""
    month_index = published.month - 1 + months
    year, month = published.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(published.day, calendar.monthrange(year, month)[1]))


def with_task_map_ledger(result: TeamResult, task_map: TaskMapInput | None) -> TeamResult:
    """The result with its capacity ledger taken from the task map instead of the single Outcomes figures,
    when the team has a task map with an AI activity (unchanged otherwise)."""
    if task_map is None:
        return result
    ledger = ledger_from_task_map(task_map)
    if ledger is None:
        return result
    return result.model_copy(update={"ledger": ledger, "ledger_errors": {}})


def stored_task_map(payload: Mapping[str, Any] | None) -> TaskMapInput | None:
    """A stored task map read back (None when there is none, or when it no longer passes today's checks,
    so the Outcomes figures count until the team saves it again)."""
    if payload is None:
        return None
    try:
        return TaskMapInput.model_validate(payload)
    except ValidationError:
        return None
