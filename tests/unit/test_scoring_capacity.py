"""The capacity ledger: hours before and now, hours freed, meta-work once, redeployed versus absorbed, the
team's totals and full-time equivalents, and impossible inputs."""

from __future__ import annotations

import math

import pytest

from scoring import CapacityInputError, capacity_ledger


def test_hours_freed_come_from_the_time_the_tasks_used_to_take() -> None:
    """20 h now at a 30 % reduction means 28.6 h before: 8.6 h freed, not 20 × 30 % = 6 h."""
    ledger = capacity_ledger(
        ai_hours_per_week=20, task_time_reduction_pct=30, meta_work_hours=2, redeployed_pct=25
    )
    assert ledger.hours_before == pytest.approx(28.57, abs=0.01)  # 20 / 0.7
    assert ledger.hours_freed == pytest.approx(8.57, abs=0.01)
    assert ledger.net_freed_hours == pytest.approx(6.57, abs=0.01)  # meta-work subtracted once
    assert ledger.redeployed_hours == pytest.approx(1.64, abs=0.01)  # 25 % of the net
    assert ledger.absorbed_hours == pytest.approx(4.93, abs=0.01)
    assert not ledger.meta_work_exceeds_savings
    assert ledger.summary == (
        "The AI-assisted tasks take 20 h per person per week now and took 28.6 h before (30 % less, gross): "
        "AI frees 8.6 h; after 2 h of meta-work (prompting, reviewing, correcting, subtracted once, here), "
        "1.6 h (25 %) are deliberately redeployed and 4.9 h are absorbed as more of the same work."
    )


def test_the_team_ledger_multiplies_by_the_people_and_gives_full_time_equivalents() -> None:
    ledger = capacity_ledger(20, 30, 2, 25, team_size=8)
    assert ledger.team_size == 8
    assert ledger.team_hours_freed == pytest.approx(68.57, abs=0.01)
    assert ledger.team_net_freed_hours == pytest.approx(52.57, abs=0.01)
    assert ledger.team_net_fte == pytest.approx(1.31, abs=0.01)  # 52.6 h ÷ 40 h
    assert ledger.team_summary == (
        "For the team (8 people): 68.6 h freed per week, 52.6 h left after meta-work (1.3 full-time "
        "equivalents at 40 h), of which 13.1 h are redeployed and 39.4 h absorbed."
    )
    assert ledger.summary.endswith(ledger.team_summary)
    assert capacity_ledger(20, 30, 2, 25).team_summary is None


def test_meta_work_above_the_hours_freed_leaves_nothing_and_says_the_redeployed_share_has_no_hours() -> None:
    ledger = capacity_ledger(20, 30, 10, 50)
    assert ledger.net_freed_hours == pytest.approx(-1.43, abs=0.01)
    assert (ledger.redeployed_hours, ledger.absorbed_hours) == (0.0, 0.0)
    assert ledger.meta_work_exceeds_savings
    assert ledger.redeployed_note is not None
    assert "The 50 % entered as deliberately redeployed has no freed hours to come from" in ledger.summary
    assert capacity_ledger(20, 30, 10, 0).redeployed_note is None


def test_edges_are_allowed() -> None:
    assert capacity_ledger(0, 0, 0, 0).hours_freed == 0.0
    assert capacity_ledger(40, 50, 40, 100).net_freed_hours == 0.0


@pytest.mark.parametrize(
    ("inputs", "errors"),
    [
        ((-1, 30, 0, 50), {"ai_hours_per_week": "hours cannot be negative (got -1)"}),
        (
            (20, 100, 2, 50),
            {
                "task_time_reduction_pct": "must be a percentage from 0 to below 100 (got 100): a task that "
                "now takes no time at all has no before-and-after"
            },
        ),
        (
            (20, -5, 2, 50),
            {
                "task_time_reduction_pct": "must be a percentage from 0 to below 100 (got -5): a task that "
                "now takes no time at all has no before-and-after"
            },
        ),
        ((20, 30, -2, 50), {"meta_work_hours": "hours cannot be negative (got -2)"}),
        (
            (70, 30, 11, 50),
            {
                "meta_work_hours": "AI-assisted hours (70 h) and meta-work (11 h) together cannot exceed 80 "
                "hours per person per week"
            },
        ),
        ((20, 30, 2, 150), {"redeployed_pct": "must be a percentage between 0 and 100 (got 150)"}),
        ((math.nan, 30, 2, 50), {"ai_hours_per_week": "must be a number (got nan)"}),
        ((20, 30, 2, 50, 2.5), {"team_size": "must be a whole number of people from 1 to 10,000 (got 2.5)"}),
        ((20, 30, 2, 50, 0), {"team_size": "must be a whole number of people from 1 to 10,000 (got 0)"}),
        (
            (-1, 120, -3, -1),
            {
                "ai_hours_per_week": "hours cannot be negative (got -1)",
                "task_time_reduction_pct": "must be a percentage from 0 to below 100 (got 120): a task that "
                "now takes no time at all has no before-and-after",
                "meta_work_hours": "hours cannot be negative (got -3)",
                "redeployed_pct": "must be a percentage between 0 and 100 (got -1)",
            },
        ),
    ],
)
def test_impossible_inputs_get_a_message_per_field(inputs: tuple[float, ...], errors: dict[str, str]) -> None:
    with pytest.raises(CapacityInputError) as raised:
        capacity_ledger(*inputs)  # type: ignore[arg-type]
    assert raised.value.errors == errors
