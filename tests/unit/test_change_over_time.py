"""Change over time: a change counts only outside the 95 % interval of the difference of two rounds' means
(Welch), the path over three rounds, what became of the earlier actions, and the next round's date."""

from __future__ import annotations

from datetime import date

import pytest

from scoring import score_team
from scoring.change import Change, RoundChange, compare, compare_rounds, follow_up, next_round, paths
from scoring.rules import RULES, change_interval, t_quantile_975
from tests.unit.scoring_support import make_questionnaire, make_team, uniform

Q = make_questionnaire()
LEVELS = {"permission": 2, "definition": 2, "boundaries": 2, "coaching": 2, "capacity_governance": 2}


def test_the_t_table_matches_students_t() -> None:
    stats = pytest.importorskip("scipy.stats")
    for df in (2, 3, 4.5, 7.3, 12, 18.6, 29.5, 35, 50, 90, 150, 1000):
        assert t_quantile_975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=0.003)
    # below 2 degrees of freedom the straight line is wider than the truth: conservative
    assert t_quantile_975(1.5) >= stats.t.ppf(0.975, 1.5)


def test_a_change_inside_the_interval_is_no_clear_change() -> None:
    # half a point on a spread of 1.2 with 7 people each round is noise
    noise = compare("Permission", "permission", (2.5, 1.2, 7), (3.0, 1.2, 7))
    assert noise.verdict == "no clear change" and not noise.clear
    assert noise.low is not None and noise.low < 0 < (noise.high or 0)
    # the same half point on a spread of 0.3 is real
    real = compare("Permission", "permission", (2.5, 0.3, 7), (3.0, 0.3, 7))
    assert real.verdict == "rose" and real.clear
    assert real.describe() == "Permission 2.5 → 3.0 (+0.5, 95 % interval +0.15 to +0.85): rose"
    assert compare("Coaching", "coaching", (3.0, 0.3, 7), (2.0, 0.4, 7)).verdict == "fell"


def test_welch_interval_by_hand() -> None:
    # se = sqrt(0.25/7 + 0.36/7) = 0.2952; df = 0.0872^2 / (0.0357^2/6 + 0.0514^2/6) = 11.6; t = 2.186
    difference, low, high = change_interval((2.0, 0.5, 7), (3.0, 0.6, 7)) or (0, 0, 0)
    assert difference == pytest.approx(1.0)
    assert (low, high) == (pytest.approx(0.354, abs=0.002), pytest.approx(1.646, abs=0.002))


def test_a_round_without_spread_to_test_is_not_tested() -> None:
    consensus = compare("Definition", "definition", (2.0, 0.0, 1), (3.0, 0.0, 1))
    assert consensus.verdict == "not tested" and consensus.difference == 1.0
    assert "too few respondents to test" in consensus.describe()
    assert compare("Definition", "definition", None, (3.0, 0.2, 5)).verdict == "not comparable"


def test_the_rule_is_stated_for_people() -> None:
    names = [rule.name for rule in RULES]
    assert {"Change over time", "Next round", "Focus areas", "Plan order"} <= set(names)
    sentence = next(rule.sentence for rule in RULES if rule.name == "Change over time")
    assert "95 % confidence interval of the difference of the two means" in sentence
    assert "no clear change" in sentence


def _round(levels: dict[str, int], spread: bool = True) -> object:
    """Seven people: the given levels, with one person a level higher and one lower where ``spread``."""
    answers = [uniform(Q, levels) for _ in range(5)]
    if spread:
        answers.append(uniform(Q, {d: min(5, v + 1) for d, v in levels.items()}))
        answers.append(uniform(Q, {d: max(1, v - 1) for d, v in levels.items()}))
    else:
        answers += [uniform(Q, levels), uniform(Q, levels)]
    return score_team(Q, make_team(Q, answers))


def test_rounds_compared_per_dimension_and_item() -> None:
    before = _round(LEVELS)
    after = _round({**LEVELS, "permission": 4})
    change = compare_rounds(Q, before, after, "2026 Q1", "2026 Q2")  # type: ignore[arg-type]
    permission = change.dimension("permission")
    assert permission is not None and permission.verdict == "rose"
    assert (permission.before, permission.after) == (2.0, 4.0)
    definition = change.dimension("definition")
    assert definition is not None and definition.verdict == "no clear change" and definition.difference == 0
    items = {item.id: item for item in change.items}
    assert items["permission.item1"].label == "Permission item 1"
    assert items["permission.item1"].verdict == "rose"
    assert items["coaching.item3"].verdict == "no clear change"
    assert change.index_before is not None and change.index_after is not None
    assert change.index_after > change.index_before
    # the organisation report's change column counts dimensions only: the same dimensions, no items
    counted = compare_rounds(Q, before, after, "2026 Q1", "2026 Q2", items=False)  # type: ignore[arg-type]
    assert counted.dimensions == change.dimensions and counted.items == []
    assert (counted.index_before, counted.index_after) == (change.index_before, change.index_after)


def test_the_path_over_three_rounds_is_said() -> None:
    rounds = [
        ("2026 Q1", _round(LEVELS)),
        ("2026 Q2", _round({**LEVELS, "permission": 3})),
        ("2026 Q3", _round({**LEVELS, "permission": 4})),
    ]
    lines = paths(Q, rounds)  # type: ignore[arg-type]
    indexes = [result.overall.index for _, result in rounds]  # type: ignore[attr-defined]
    assert lines[0] == (
        f"Index: {indexes[0]:.1f} → {indexes[1]:.1f} → {indexes[2]:.1f} over three rounds (2026 Q1 to 2026 Q3)"
    )
    assert "Permission: 2.0 → 3.0 → 4.0" in lines
    assert paths(Q, rounds[1:]) == []  # two rounds: the change table says it


def _change(*items: Change) -> RoundChange:
    return RoundChange(before_label="2026 Q1", after_label="2026 Q2", dimensions=[], items=list(items))


def test_an_earlier_action_shows_its_status_and_whether_its_items_moved() -> None:
    two = compare("Definition item 2", "definition.item2", (1.5, 0.3, 7), (3.0, 0.4, 7))
    five = compare("Definition item 5", "definition.item5", (1.5, 0.3, 7), (3.0, 0.3, 7))
    done = follow_up(
        "Write a checklist",
        "done",
        date(2026, 3, 12),
        ["definition.item2", "definition.item5"],
        _change(two, five),
    )
    assert done.sentence == "Done in Mar 2026; Definition items 2 and 5 rose from 1.5 to 3.0"
    flat = compare("Coaching item 1", "coaching.item1", (2.0, 1.2, 7), (2.3, 1.2, 7))
    open_action = follow_up("Coach judgment", "open", None, ["coaching.item1"], _change(flat))
    assert open_action.sentence == "Not started; Coaching item 1: no clear change (2.0 → 2.3)"
    custom = follow_up("Our own idea", "in_progress", None, [], _change())
    assert custom.sentence == "In progress; added by the team, no item to follow"


def test_the_next_round_waits_for_the_longest_horizon_at_most_six_months() -> None:
    assert next_round(date(2026, 1, 10), [30, 90, 60]) == date(2026, 4, 10)
    assert next_round(date(2026, 1, 10), [30, 365]) == date(2026, 7, 11)  # 182 days
    assert next_round(date(2026, 1, 10), []) == date(2026, 4, 10)
