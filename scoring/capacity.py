"""The capacity ledger: where the hours that AI freed go (redeployed on purpose, or absorbed).

The arithmetic is the rule ``scoring.rules.capacity_hours``; this module checks the inputs and builds the
``CapacityLedger`` result. The ledger works on team-entered figures, not on individual answers, so the
anonymity rule does not apply to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scoring.models import CapacityLedger
from scoring.rules import FULL_TIME_HOURS_PER_WEEK, capacity_hours, full_time_equivalents

#: The questionnaire KPI ids the ledger reads from ``TeamResponses.kpis``.
KPI_TASK_TIME_REDUCTION = "task_time_reduction"
KPI_META_WORK_HOURS = "meta_work_hours"
KPI_REDEPLOYED_SHARE = "redeployed_share"


class CapacityInputError(ValueError):
    """Impossible ledger inputs; ``errors`` maps each bad field to a message for people."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def _hours(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


#: The most hours per person per week the AI-assisted work and its meta-work can add up to.
WEEK_HOURS_MAXIMUM = 80.0
#: The largest team the ledger multiplies by.
TEAM_SIZE_MAXIMUM = 10_000


def _check(values: Mapping[str, object], team_size: object) -> dict[str, str]:
    """Every problem with the ledger's inputs, field → message (empty when they are all possible)."""
    errors: dict[str, str] = {}
    for field, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            errors[field] = f"must be a number (got {value!r})"
    numbers = {field: float(value) for field, value in values.items() if field not in errors}  # type: ignore[arg-type]
    for field in ("ai_hours_per_week", "meta_work_hours"):
        if field in numbers and numbers[field] < 0:
            errors[field] = f"hours cannot be negative (got {numbers[field]:g})"
    if "task_time_reduction_pct" in numbers and not 0 <= numbers["task_time_reduction_pct"] < 100:
        errors["task_time_reduction_pct"] = (
            f"must be a percentage from 0 to below 100 (got {numbers['task_time_reduction_pct']:g}): "
            "a task that now takes no time at all has no before-and-after"
        )
    if "redeployed_pct" in numbers and not 0 <= numbers["redeployed_pct"] <= 100:
        errors["redeployed_pct"] = (
            f"must be a percentage between 0 and 100 (got {numbers['redeployed_pct']:g})"
        )
    if not errors and numbers["ai_hours_per_week"] + numbers["meta_work_hours"] > WEEK_HOURS_MAXIMUM:
        errors["meta_work_hours"] = (
            f"AI-assisted hours ({numbers['ai_hours_per_week']:g} h) and meta-work ({numbers['meta_work_hours']:g} h) "
            f"together cannot exceed {WEEK_HOURS_MAXIMUM:g} hours per person per week"
        )
    if team_size is not None and (
        isinstance(team_size, bool)
        or not isinstance(team_size, int | float)
        or not math.isfinite(team_size)
        or team_size != int(team_size)
        or not 1 <= team_size <= TEAM_SIZE_MAXIMUM
    ):
        errors["team_size"] = (
            f"must be a whole number of people from 1 to {TEAM_SIZE_MAXIMUM:,} (got {team_size!r})"
        )
    return errors


def capacity_ledger(
    ai_hours_per_week: float,
    task_time_reduction_pct: float,
    meta_work_hours: float,
    redeployed_pct: float,
    team_size: int | None = None,
) -> CapacityLedger:
    """The capacity ledger per person-week (and for the team, given its size); raises ``CapacityInputError``.

    ``ai_hours_per_week`` is what the AI-assisted tasks take per person *now* (meta-work not included);
    ``task_time_reduction_pct`` is the gross reduction, as a share of the time the tasks used to take.
    Rejected, each with its own message: a value that is not a finite number, negative hours, a reduction
    outside 0 to below 100 %, a redeployed share outside 0–100 %, AI-assisted hours and meta-work above 80 h
    together, and a team size that is not a whole number from 1 up.
    """
    values = {
        "ai_hours_per_week": ai_hours_per_week,
        "task_time_reduction_pct": task_time_reduction_pct,
        "meta_work_hours": meta_work_hours,
        "redeployed_pct": redeployed_pct,
    }
    errors = _check(values, team_size)
    if errors:
        raise CapacityInputError(errors)

    hours = capacity_hours(ai_hours_per_week, task_time_reduction_pct, meta_work_hours, redeployed_pct)
    exceeds = hours.net_freed_hours < 0
    before = (
        f"The AI-assisted tasks take {_hours(ai_hours_per_week)} h per person per week now and took "
        f"{_hours(hours.hours_before)} h before ({task_time_reduction_pct:g} % less, gross): "
    )
    redeployed_note: str | None = None
    if exceeds:
        summary = before + (
            f"AI frees {_hours(hours.hours_freed)} h, but meta-work takes {_hours(meta_work_hours)} h, "
            "so nothing is left to redeploy."
        )
        if redeployed_pct > 0:
            redeployed_note = (
                f"The {redeployed_pct:g} % entered as deliberately redeployed has no freed hours to come from: "
                "meta-work takes more than AI frees, so that time comes out of other work or extra hours."
            )
            summary += " " + redeployed_note
    else:
        summary = before + (
            f"AI frees {_hours(hours.hours_freed)} h; after {_hours(meta_work_hours)} h of meta-work "
            f"(prompting, reviewing, correcting, subtracted once, here), {_hours(hours.redeployed_hours)} h "
            f"({redeployed_pct:g} %) are deliberately redeployed and {_hours(hours.absorbed_hours)} h are "
            "absorbed as more of the same work."
        )
    team: dict[str, float | int | None] = {
        "team_size": None,
        "team_hours_freed": None,
        "team_net_freed_hours": None,
        "team_redeployed_hours": None,
        "team_absorbed_hours": None,
        "team_net_fte": None,
    }
    team_summary: str | None = None
    if team_size is not None:
        people = int(team_size)
        net = max(hours.net_freed_hours, 0.0) * people
        team = {
            "team_size": people,
            "team_hours_freed": round(hours.hours_freed * people, 2),
            "team_net_freed_hours": round(hours.net_freed_hours * people, 2),
            "team_redeployed_hours": round(hours.redeployed_hours * people, 2),
            "team_absorbed_hours": round(hours.absorbed_hours * people, 2),
            "team_net_fte": round(full_time_equivalents(net), 2),
        }
        who = "1 person" if people == 1 else f"{people} people"
        team_summary = (
            f"For the team ({who}): {_hours(hours.hours_freed * people)} h freed per week, "
            f"{_hours(net)} h left after meta-work ({full_time_equivalents(net):.1f} full-time equivalents at "
            f"{FULL_TIME_HOURS_PER_WEEK:g} h), of which {_hours(hours.redeployed_hours * people)} h are "
            f"redeployed and {_hours(hours.absorbed_hours * people)} h absorbed."
        )
        summary += " " + team_summary
    return CapacityLedger(
        ai_hours_per_week=ai_hours_per_week,
        task_time_reduction_pct=task_time_reduction_pct,
        meta_work_hours=meta_work_hours,
        redeployed_pct=redeployed_pct,
        hours_before=round(hours.hours_before, 2),
        hours_freed=round(hours.hours_freed, 2),
        net_freed_hours=round(hours.net_freed_hours, 2),
        redeployed_hours=round(hours.redeployed_hours, 2),
        absorbed_hours=round(hours.absorbed_hours, 2),
        meta_work_exceeds_savings=exceeds,
        summary=summary,
        team_summary=team_summary,
        redeployed_note=redeployed_note,
        **team,  # type: ignore[arg-type]
    )


def ledger_from_kpis(
    ai_hours_per_week: float | None, kpis: Mapping[str, float], team_size: int | None = None
) -> tuple[CapacityLedger | None, dict[str, str]]:
    """The ledger from a team's entered figures, or ``(None, {})`` when any figure is missing.

    Returns ``(None, errors)`` when the figures are impossible, so a result can show what to fix. The team
    size is optional: without it the ledger is per person only.
    """
    needed = (KPI_TASK_TIME_REDUCTION, KPI_META_WORK_HOURS, KPI_REDEPLOYED_SHARE)
    if ai_hours_per_week is None or any(kpi not in kpis for kpi in needed):
        return None, {}
    try:
        ledger = capacity_ledger(
            ai_hours_per_week,
            kpis[KPI_TASK_TIME_REDUCTION],
            kpis[KPI_META_WORK_HOURS],
            kpis[KPI_REDEPLOYED_SHARE],
            team_size,
        )
    except CapacityInputError as error:
        return None, error.errors
    return ledger, {}
