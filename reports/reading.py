"""The "How to read this report" page every PDF carries: the few ideas a reader needs, with the thresholds
taken from ``scoring.rules`` (so the page never disagrees with the scoring), instead of a pointer to a file
the reader does not have."""

from __future__ import annotations

from typing import Literal

from scoring.rules import (
    CONSENSUS_MIXED_BELOW,
    DONT_KNOW_THRESHOLD,
    GAP_THRESHOLD,
    PEER_MINIMUM,
)

__all__ = ["TITLE", "how_to_read"]

#: The title of the page.
TITLE = "How to read this report"


def how_to_read(kind: Literal["team", "workshop", "organisation"], k: int) -> list[tuple[str, str]]:
    """The short guide to a report's numbers as (label, paragraph) pairs: score and level, gating, stage and
    index, divided, "don't know", how the comparison was made and anonymity (``k``: the threshold used)."""
    comparison = {
        "team": (
            "The benchmark compares each dimension with the target level and with the team's previous round; "
            f"percentiles against peer teams appear once at least {PEER_MINIMUM} other teams answered the same "
            "questionnaire. Reference figures from the source articles say what kind of figure each is (a "
            "comparison of two organisations, one team's example, a hypothetical): none is a measured "
            "industry benchmark."
        ),
        "workshop": (
            "The distributions show how many people chose each level of each item; the team is compared with "
            "nobody else. An item with fewer answers than the anonymity threshold shows no numbers."
        ),
        "organisation": (
            "Teams are compared by stage first, then by index. Leaders and the others are compared per team "
            f"only where both groups pass the anonymity threshold; a gap of {GAP_THRESHOLD:g} or more is flagged."
        ),
    }[kind]
    return [
        (
            "Score and level.",
            'Every item has five described levels, from 1 (ad hoc) to 5 (embedded), and "don\'t know". A '
            "dimension's score (1–5) is the mean of its respondents' scores; its level follows the score in "
            "fixed bands (see the scoring rules).",
        ),
        (
            "Gating.",
            "Permission, Definition, Boundaries and Coaching build on each other in that order: a layer counts "
            "at most one level above the layer under it. This is gating; a capped layer is shown with the "
            "layer that holds it down.",
        ),
        (
            "Stage and index.",
            "The stage is the gated level the four layers reach together: the lowest of them. The index "
            "(0–100) is the mean of the dimension scores on a 0–100 scale, before gating. Two teams at the same "
            "stage are told apart by the index; a high index at a low stage means one foundation is missing.",
        ),
        (
            "Divided.",
            f"The team is divided on an item when the standard deviation of its answers is {CONSENSUS_MIXED_BELOW:g} "
            "or more: people see the practice differently, which is worth a conversation before an action.",
        ),
        (
            "Don't know.",
            '"Don\'t know" is not a level and enters no mean. When '
            f"{DONT_KNOW_THRESHOLD:.0%} or more of a dimension's answers are \"don't know\", the report says so: "
            "many people cannot see the practice, which is a finding in itself.",
        ),
        ("How the comparison was made.", comparison),
        (
            "Anonymity.",
            f"Every number computed from individual answers needs at least k = {k} respondents; otherwise the "
            'report says "suppressed". Nobody\'s answers are attributed to them.',
        ),
    ]
