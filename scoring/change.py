"""Change over time: a team's published rounds side by side, what moved more than noise, the path over
three or more rounds, whether the earlier round's actions moved their items, and when to meet again.

Pure functions over published :class:`TeamResult` s (each round's mean, standard deviation and number of
respondents per dimension and item; nothing individual). The rules are ``scoring.rules.change_interval``
(what counts as a clear change) and ``scoring.rules.next_round_days`` (the next round).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from questionnaires.schema import Questionnaire
from scoring.models import FrozenModel, TeamResult
from scoring.rules import change_interval, format_score, next_round_days

Verdict = Literal["rose", "fell", "no clear change", "not tested", "not comparable"]

#: Round counts in words, for "over three rounds".
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


class Change(FrozenModel):
    """One dimension or item in two rounds: both means, the difference and its 95 % interval, the verdict."""

    id: str
    label: str
    before: float | None = None
    after: float | None = None
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    verdict: Verdict = "not comparable"

    @property
    def clear(self) -> bool:
        """Whether the change is more than noise (rose or fell)."""
        return self.verdict in ("rose", "fell")

    def describe(self) -> str:
        """In words: "Permission 2.1 → 2.9 (+0.8, 95 % interval +0.2 to +1.4): rose"."""
        if self.before is None or self.after is None or self.difference is None:
            return f"{self.label}: not comparable (no published figure in one of the rounds)"
        moved = f"{self.label} {format_score(self.before)} → {format_score(self.after)} ({_signed(self.difference)}"
        if self.low is None or self.high is None:
            return f"{moved}, too few respondents to test): {self.verdict}"
        return f"{moved}, 95 % interval {_signed(self.low)} to {_signed(self.high)}): {self.verdict}"


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '−'}{format_score(abs(value))}"


def compare(
    label: str,
    identifier: str,
    before: tuple[float, float, int] | None,
    after: tuple[float, float, int] | None,
) -> Change:
    """The change of one figure given (mean, standard deviation, n) in both rounds (``None``: not published)."""
    if before is None or after is None:
        return Change(id=identifier, label=label)
    interval = change_interval(before, after)
    if interval is None:
        return Change(
            id=identifier,
            label=label,
            before=before[0],
            after=after[0],
            difference=round(after[0] - before[0], 2),
            verdict="not tested",
        )
    difference, low, high = interval
    verdict: Verdict = "rose" if low > 0 else "fell" if high < 0 else "no clear change"
    return Change(
        id=identifier,
        label=label,
        before=before[0],
        after=after[0],
        difference=round(difference, 2),
        low=round(low, 2),
        high=round(high, 2),
        verdict=verdict,
    )


def item_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """Each item's short label by its place in its dimension: "Definition item 2"."""
    return {
        item.id: f"{dimension.name} item {position}"
        for dimension in questionnaire.dimensions
        for position, item in enumerate(dimension.items, start=1)
    }


class RoundChange(FrozenModel):
    """Two rounds compared: the overall index (no test: it has no spread), every dimension and every item."""

    before_label: str
    after_label: str
    index_before: float | None = None
    index_after: float | None = None
    dimensions: list[Change]
    items: list[Change]

    def dimension(self, dimension_id: str) -> Change | None:
        """The change of one dimension, if both rounds have it."""
        return next((change for change in self.dimensions if change.id == dimension_id), None)


def _moments_of_dimension(result: TeamResult, dimension_id: str) -> tuple[float, float, int] | None:
    if result.suppressed:
        return None
    dimension = next((d for d in result.dimensions if d.id == dimension_id), None)
    if dimension is None or dimension.score is None:
        return None
    return dimension.score, dimension.std or 0.0, dimension.respondents


def _moments_of_items(result: TeamResult) -> dict[str, tuple[float, float, int]]:
    if result.suppressed:
        return {}
    return {
        item.id: (item.mean, item.std or 0.0, item.answered or 0)
        for dimension in result.dimensions
        for item in dimension.items
        if item.mean is not None
    }


def compare_rounds(
    questionnaire: Questionnaire,
    before: TeamResult,
    after: TeamResult,
    before_label: str,
    after_label: str,
    *,
    items: bool = True,
) -> RoundChange:
    """Every dimension and item of the current round (``after``) against the team's previous one; with
    ``items=False`` the dimensions only (``items`` is then empty), for a summary that counts dimensions."""
    compared: list[Change] = []
    if items:
        labels = item_labels(questionnaire)
        before_items, after_items = _moments_of_items(before), _moments_of_items(after)
        compared = [
            compare(labels[item.id], item.id, before_items.get(item.id), after_items.get(item.id))
            for item in questionnaire.items_for("full")
            if item.id in before_items or item.id in after_items
        ]
    return RoundChange(
        before_label=before_label,
        after_label=after_label,
        index_before=None if before.suppressed else before.overall.index,
        index_after=None if after.suppressed else after.overall.index,
        dimensions=_dimension_changes(questionnaire, before, after),
        items=compared,
    )


def _dimension_changes(questionnaire: Questionnaire, before: TeamResult, after: TeamResult) -> list[Change]:
    """Each dimension of ``after`` against ``before``."""
    return [
        compare(d.name, d.id, _moments_of_dimension(before, d.id), _moments_of_dimension(after, d.id))
        for d in questionnaire.dimensions
    ]


def rounds_in_words(count: int) -> str:
    """'three rounds'."""
    return f"{_COUNTS.get(count, str(count))} rounds"


def paths(questionnaire: Questionnaire, rounds: Sequence[tuple[str, TeamResult]]) -> list[str]:
    """Over three or more rounds, the path of the index and of each dimension, oldest first:
    "Index: 18.6 → 44.5 → 64.0 over three rounds (2026 Q1 to 2026 Q3)"; empty with fewer than three."""
    shown = [(label, result) for label, result in rounds if not result.suppressed]
    if len(shown) < 3:
        return []
    span = f"over {rounds_in_words(len(shown))} ({shown[0][0]} to {shown[-1][0]})"
    lines = []
    indexes = [result.overall.index for _, result in shown]
    if all(index is not None for index in indexes):
        lines.append("Index: " + " → ".join(f"{index:.1f}" for index in indexes) + f" {span}")
    for dimension in questionnaire.dimensions:
        scores = [_moments_of_dimension(result, dimension.id) for _, result in shown]
        if all(score is not None for score in scores):
            values = " → ".join(format_score(score[0]) for score in scores if score is not None)
            lines.append(f"{dimension.name}: {values}")
    return lines


class ActionFollowUp(FrozenModel):
    """An action of the earlier round: its status, and whether the items it came from moved since."""

    title: str
    status: str
    done_on: date | None = None
    items: list[Change]
    sentence: str


_STATUS_WORDS = {"done": "Done", "in_progress": "In progress", "open": "Not started"}


def follow_up(
    title: str, status: str, done_on: date | None, item_ids: Sequence[str], change: RoundChange
) -> ActionFollowUp:
    """One earlier action in a sentence: "Done in Mar 2026; Definition item 2 rose from 1.5 to 3.0"."""
    by_id = {item.id: item for item in change.items}
    items = [by_id[item_id] for item_id in item_ids if item_id in by_id]
    state = _STATUS_WORDS.get(status, status.replace("_", " ").capitalize() or "Not started")
    if status == "done" and done_on is not None:
        state = f"Done in {_MONTHS[done_on.month - 1]} {done_on.year}"
    parts = [state]
    groups: dict[str, list[Change]] = {}
    for item in items:
        groups.setdefault(item.verdict, []).append(item)
    for verdict, group in groups.items():
        names = _labels([item.label for item in group])
        before = _mean([item.before for item in group])
        after = _mean([item.after for item in group])
        if verdict in ("rose", "fell") and before is not None and after is not None:
            parts.append(f"{names} {verdict} from {format_score(before)} to {format_score(after)}")
        elif verdict == "no clear change" and before is not None and after is not None:
            parts.append(f"{names}: no clear change ({format_score(before)} → {format_score(after)})")
        elif verdict == "not tested" and before is not None and after is not None:
            parts.append(f"{names}: {format_score(before)} → {format_score(after)} (not tested)")
        else:
            parts.append(f"{names}: no figure in one of the rounds")
    if not item_ids:
        parts.append("added by the team, no item to follow")
    return ActionFollowUp(title=title, status=status, done_on=done_on, items=items, sentence="; ".join(parts))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _mean(values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(sum(known) / len(known), 2) if known else None


def _labels(labels: Sequence[str]) -> str:
    """ "Definition item 2" or, sharing the dimension, "Definition items 2 and 5"."""
    if len(labels) == 1:
        return labels[0]
    stems = {label.rsplit(" item ", 1)[0] for label in labels}
    if len(stems) == 1 and all(" item " in label for label in labels):
        numbers = [label.rsplit(" item ", 1)[1] for label in labels]
        return f"{stems.pop()} items {', '.join(numbers[:-1])} and {numbers[-1]}"
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def next_round(plan_made: date, horizons: Sequence[int]) -> date:
    """The recommended date of the next round (``scoring.rules.next_round_days`` after the plan was made)."""
    return plan_made + timedelta(days=next_round_days(horizons))
