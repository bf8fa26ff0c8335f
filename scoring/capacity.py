"""The capacity ledger: where the hours that AI freed go (redeployed on purpose, or absorbed).

The arithmetic is the rule ``scoring.rules.capacity_hours``; this module checks the inputs and builds the
``CapacityLedger`` result. The ledger works on team-entered figures, not on individual answers, so the
anonymity rule does not apply to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scoring.models import CapacityLedger
from scoring.rules import capacity_hours

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


def capacity_ledger(
    ai_hours_per_week: float, task_time_reduction_pct: float, meta_work_hours: float, redeployed_pct: float
) -> CapacityLedger:
    """The capacity ledger for one person-week; raises ``CapacityInputError`` on impossible inputs.

    Rejected, each with its own message: a value that is not a finite number, negative hours, a percentage
    outside 0–100, and meta-work hours above the AI-assisted hours.
    """
    errors: dict[str, str] = {}
    values = {
        "ai_hours_per_week": ai_hours_per_week,
        "task_time_reduction_pct": task_time_reduction_pct,
        "meta_work_hours": meta_work_hours,
        "redeployed_pct": redeployed_pct,
    }
    for field, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            errors[field] = f"must be a number (got {value!r})"
    if "ai_hours_per_week" not in errors and ai_hours_per_week < 0:
        errors["ai_hours_per_week"] = f"hours cannot be negative (got {ai_hours_per_week:g})"
    if "meta_work_hours" not in errors:
        if meta_work_hours < 0:
            errors["meta_work_hours"] = f"hours cannot be negative (got {meta_work_hours:g})"
        elif "ai_hours_per_week" not in errors and meta_work_hours > ai_hours_per_week:
            errors["meta_work_hours"] = (
                f"meta-work ({meta_work_hours:g} h) cannot exceed the AI-assisted hours ({ai_hours_per_week:g} h)"
            )
    for field in ("task_time_reduction_pct", "redeployed_pct"):
        if field not in errors and not 0 <= values[field] <= 100:
            errors[field] = f"must be a percentage between 0 and 100 (got {values[field]:g})"
    if errors:
        raise CapacityInputError(errors)

    hours = capacity_hours(ai_hours_per_week, task_time_reduction_pct, meta_work_hours, redeployed_pct)
    exceeds = hours.net_freed_hours < 0
    if exceeds:
        summary = (
            f"AI frees {_hours(hours.hours_freed)} h per person per week, but meta-work takes "
            f"{_hours(meta_work_hours)} h: nothing is left to redeploy."
        )
    else:
        summary = (
            f"AI frees {_hours(hours.hours_freed)} h per person per week; after {_hours(meta_work_hours)} h of "
            f"meta-work, {_hours(hours.redeployed_hours)} h are deliberately redeployed and "
            f"{_hours(hours.absorbed_hours)} h are absorbed as more of the same work."
        )
    return CapacityLedger(
        ai_hours_per_week=ai_hours_per_week,
        task_time_reduction_pct=task_time_reduction_pct,
        meta_work_hours=meta_work_hours,
        redeployed_pct=redeployed_pct,
        hours_freed=round(hours.hours_freed, 2),
        net_freed_hours=round(hours.net_freed_hours, 2),
        redeployed_hours=round(hours.redeployed_hours, 2),
        absorbed_hours=round(hours.absorbed_hours, 2),
        meta_work_exceeds_savings=exceeds,
        summary=summary,
    )


def ledger_from_kpis(
    ai_hours_per_week: float | None, kpis: Mapping[str, float]
) -> tuple[CapacityLedger | None, dict[str, str]]:
    """The ledger from a team's entered figures, or ``(None, {})`` when any figure is missing.

    Returns ``(None, errors)`` when the figures are impossible, so a result can show what to fix.
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
        )
    except CapacityInputError as error:
        return None, error.errors
    return ledger, {}
