"""The summary of a published result: what the leader view's first screen shows of a team, and no more.

The leader view opens on every team at once (a thousand or more, each with its rounds), and a full published
result is about 19 KB of JSON: items with their distributions, findings, comments, role segments. The first
screen (teams at a glance, units, targets, benchmarks, trend, perception gaps, divided and "don't know"
items) needs the team's dimensions and overall figures, its perception gaps and, per item, only whether it
has numbers, is divided or is mostly "don't know". A summary holds that, about a fifth of the size.

A summary is made from a result scoring let through (a published result), never from answers: every number
in it is a number of that result, and everything suppressed there is suppressed here. Pure, like the rest of
``scoring``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import Field, ValidationError

from scoring.models import FrozenModel, TeamResult
from scoring.rules import dont_know_flagged

#: The shape of the summaries stored beside published results; a stored summary of another version is not
#: read (the full result is, and summarised again).
SUMMARY_VERSION = 1


class ItemFlags(FrozenModel):
    """A result's items as the organisation's hotspots count them: those with numbers (not suppressed), and
    among them the divided ones and those with a "don't know" rate that is flagged."""

    counted: list[str] = Field(default_factory=list)
    divided: list[str] = Field(default_factory=list)
    dont_know: list[str] = Field(default_factory=list)


class ResultSummary(FrozenModel):
    """A published result without its items, role segments, findings, comments and outcome figures.

    ``result`` is a ``TeamResult`` whose dimensions carry no items (their figures are all there), with
    ``segments``, ``findings``, ``comments``, ``kpis``, ``ledger`` and ``ledger_errors`` empty: good for
    every chart and table of the leader view's first screen, not for a report (which reads the full result).
    """

    version: Literal[1] = SUMMARY_VERSION
    result: TeamResult
    items: ItemFlags


def item_flags(result: TeamResult) -> ItemFlags:
    """Which of the result's items have numbers, and which of those are divided or mostly "don't know"."""
    counted: list[str] = []
    divided: list[str] = []
    dont_know: list[str] = []
    for dimension in result.dimensions:
        for item in dimension.items:
            if item.suppressed:
                continue
            counted.append(item.id)
            if item.consensus == "divided":
                divided.append(item.id)
            if dont_know_flagged(item.dont_know_rate):
                dont_know.append(item.id)
    return ItemFlags.trusted(counted=counted, divided=divided, dont_know=dont_know)


def summarise(result: TeamResult) -> ResultSummary:
    """The summary of a (published) result: its figures but for the per-item, per-role and per-person parts."""
    slim = result.trusted_copy(
        dimensions=[dimension.trusted_copy(items=[]) for dimension in result.dimensions],
        segments=[],
        findings=[],
        comments={},
        kpis={},
        ledger=None,
        ledger_errors={},
    )
    return ResultSummary.trusted(version=SUMMARY_VERSION, result=slim, items=item_flags(result))


def org_report_slim(result: TeamResult) -> TeamResult:
    """What the organisation report of more than ``ORG_DETAIL_TEAMS`` teams reads of a team's full result
    (``reports.content.org_report_content`` without its per-team pages): the summary's figures, plus its
    outcome figures (KPIs, capacity ledger) and what anonymity held back (suppressed items with their
    reasons, suppressed role segments), which the summary page and the Method section count and name.
    Items with numbers, shown segments, findings and comments are dropped: the report does not show them."""
    return result.trusted_copy(
        dimensions=[
            dimension.trusted_copy(items=[item for item in dimension.items if item.suppressed])
            for dimension in result.dimensions
        ],
        segments=[segment for segment in result.segments if segment.suppressed],
        findings=[],
        comments={},
    )


def summary_json(result: TeamResult) -> dict[str, object]:
    """:func:`summarise` as the JSON document stored beside the published result."""
    return summarise(result).model_dump(mode="json")


def summary_of_stored(stored: Mapping[str, Any]) -> dict[str, object] | None:
    """:func:`summary_json` of a published result as stored (a JSON document), or None when it is not a result
    these models read. Its ledger is left out before reading, as in every read of a stored result (it is
    recomputed from the current outcome figures, and older results hold a ledger of an older shape)."""
    try:
        result = TeamResult.model_validate({**stored, "ledger": None, "ledger_errors": {}})
    except ValidationError:
        return None
    return summary_json(result)


def count_hotspots(flags: Sequence[ItemFlags]) -> dict[str, tuple[int, int, int]]:
    """Per item: in how many of the results it is divided, flagged "don't know", and has numbers at all."""
    counts: dict[str, list[int]] = {}
    for flagged in flags:
        for item_id in flagged.counted:
            counted = counts.get(item_id)
            if counted is None:
                counts[item_id] = [0, 0, 1]
            else:
                counted[2] += 1
        for item_id in flagged.divided:
            counts[item_id][0] += 1
        for item_id in flagged.dont_know:
            counts[item_id][1] += 1
    return {item_id: (divided, dont_know, seen) for item_id, (divided, dont_know, seen) in counts.items()}
