"""The team report's "Leaders, the others and divided items" section: where leaders see the team differently
from everyone else (only where both groups pass the anonymity rule, from the result's published gaps) and
the items on which the team is divided. Pure: it reads a scored result only."""

from __future__ import annotations

from questionnaires.schema import Questionnaire
from scoring.models import TeamResult
from scoring.rules import CONSENSUS_MIXED_BELOW, GAP_THRESHOLD, format_score

__all__ = ["MAX_DIVIDED", "divided_lines", "gap_rows"]

#: The most divided items the team report lists (the rest are counted).
MAX_DIVIDED = 8


def gap_rows(result: TeamResult) -> list[list[str]]:
    """One row per dimension where leaders and the others both pass the anonymity rule: dimension, leaders'
    mean (n), the others' mean (n), the gap and whether it is flagged. Empty when no dimension passes."""
    names = {dimension.id: dimension.name for dimension in result.dimensions}
    rows = []
    for gap in result.gaps:
        if gap.suppressed or gap.leader_mean is None or gap.others_mean is None or gap.gap is None:
            continue
        rows.append(
            [
                names.get(gap.dimension_id, gap.dimension_id),
                f"{format_score(gap.leader_mean)} (n = {gap.leaders})",
                f"{format_score(gap.others_mean)} (n = {gap.others})",
                f"{gap.gap:+.2f}",
                f"yes: {abs(gap.gap):.2f} ≥ {GAP_THRESHOLD:g}" if gap.flagged else "no",
            ]
        )
    return rows


def divided_lines(questionnaire: Questionnaire, result: TeamResult) -> list[str]:
    """The items the team is divided on (standard deviation ≥ the divided threshold), most divided first,
    at most :data:`MAX_DIVIDED`, then how many more there are."""
    found = []
    for dimension in result.dimensions:
        for item in dimension.items:
            if item.consensus == "divided" and item.std is not None and item.mean is not None:
                question = " ".join(questionnaire.item(item.id).question.split())
                found.append(
                    (
                        -item.std,
                        f"{dimension.name}: {question} (mean {format_score(item.mean)}, standard deviation "
                        f"{format_score(item.std)})",
                    )
                )
    found.sort()
    lines = [line for _, line in found[:MAX_DIVIDED]]
    if len(found) > MAX_DIVIDED:
        lines.append(
            f"… and {len(found) - MAX_DIVIDED} more items with a standard deviation of "
            f"{CONSENSUS_MIXED_BELOW:g} or more (the item heat table shows every item)."
        )
    return lines
