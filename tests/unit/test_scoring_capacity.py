"""The capacity ledger: hours freed, meta-work, redeployed versus absorbed, and impossible inputs."""

from __future__ import annotations

import math

import pytest

from scoring import CapacityInputError, capacity_ledger


def test_ledger_splits_the_net_freed_hours() -> None:
    ledger = capacity_ledger(
        ai_hours_per_week=20, task_time_reduction_pct=30, meta_work_hours=2, redeployed_pct=25
    )
    assert ledger.hours_freed == 6.0  # 20 × 30 %
    assert ledger.net_freed_hours == 4.0  # minus 2 h meta-work
    assert ledger.redeployed_hours == 1.0  # 25 % of 4
    assert ledger.absorbed_hours == 3.0
    assert not ledger.meta_work_exceeds_savings
    assert ledger.summary == (
        "AI frees 6 h per person per week; after 2 h of meta-work, 1 h are deliberately redeployed "
        "and 3 h are absorbed as more of the same work."
    )


def test_meta_work_above_the_hours_freed_leaves_nothing() -> None:
    ledger = capacity_ledger(20, 30, 10, 50)
    assert ledger.net_freed_hours == -4.0
    assert (ledger.redeployed_hours, ledger.absorbed_hours) == (0.0, 0.0)
    assert ledger.meta_work_exceeds_savings
    assert ledger.summary == (
        "AI frees 6 h per person per week, but meta-work takes 10 h: nothing is left to redeploy."
    )


def test_edges_are_allowed() -> None:
    assert capacity_ledger(0, 0, 0, 0).hours_freed == 0.0
    assert capacity_ledger(40, 100, 40, 100).net_freed_hours == 0.0


@pytest.mark.parametrize(
    ("inputs", "errors"),
    [
        ((-1, 30, 0, 50), {"ai_hours_per_week": "hours cannot be negative (got -1)"}),
        ((20, 101, 2, 50), {"task_time_reduction_pct": "must be a percentage between 0 and 100 (got 101)"}),
        ((20, -5, 2, 50), {"task_time_reduction_pct": "must be a percentage between 0 and 100 (got -5)"}),
        ((20, 30, -2, 50), {"meta_work_hours": "hours cannot be negative (got -2)"}),
        (
            (10, 30, 11, 50),
            {"meta_work_hours": "meta-work (11 h) cannot exceed the AI-assisted hours (10 h)"},
        ),
        ((20, 30, 2, 150), {"redeployed_pct": "must be a percentage between 0 and 100 (got 150)"}),
        ((math.nan, 30, 2, 50), {"ai_hours_per_week": "must be a number (got nan)"}),
        (
            (-1, 120, -3, -1),
            {
                "ai_hours_per_week": "hours cannot be negative (got -1)",
                "task_time_reduction_pct": "must be a percentage between 0 and 100 (got 120)",
                "meta_work_hours": "hours cannot be negative (got -3)",
                "redeployed_pct": "must be a percentage between 0 and 100 (got -1)",
            },
        ),
    ],
)
def test_impossible_inputs_get_a_message_per_field(inputs: tuple[float, ...], errors: dict[str, str]) -> None:
    with pytest.raises(CapacityInputError) as raised:
        capacity_ledger(*inputs)
    assert raised.value.errors == errors
