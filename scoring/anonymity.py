"""Anonymity helpers built on the rules in ``scoring.rules`` (k, segments, comments).

Scoring enforces anonymity itself, so no caller can bypass it: results come back with ``None`` instead of
numbers whenever a rule says so. This module holds the helpers that are more than a one-line rule.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping

from scoring.models import Role
from scoring.rules import comments_visible, is_suppressed, segment_visible

__all__ = ["comments_visible", "is_suppressed", "segment_visible", "visible_comments", "visible_segments"]


def visible_comments(comments: Iterable[str], respondents: int, k: int) -> list[str]:
    """The comments a group may see: none below max(k, 5) respondents, else all non-blank ones, shuffled.

    The shuffle is deterministic (seeded by a hash of the texts themselves), so the same comments always
    come back in the same order, and that order says nothing about who wrote what or when. Only the texts
    are returned: no timestamps, roles or respondent ids.
    """
    if not comments_visible(respondents, k):
        return []
    texts = sorted(text.strip() for text in comments if text and text.strip())
    digest = hashlib.sha256("\u241e".join(texts).encode("utf-8")).digest()
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(texts)
    return texts


def visible_segments(role_counts: Mapping[Role, int], k: int) -> set[Role]:
    """The roles whose breakdown may be shown together without exposing a small group by subtraction.

    Each shown role must pass ``segment_visible`` (≥ k itself, and the rest of the team 0 or ≥ k). Because
    several shown roles could still be subtracted from the team total together, the roles left hidden must
    also add up to 0 or ≥ k respondents; while they do not, the smallest shown role is hidden too (ties: the
    later role in leader, manager, contributor order).
    """
    team = sum(role_counts.values())
    order = {"leader": 0, "manager": 1, "contributor": 2}
    shown = {role for role, count in role_counts.items() if count and segment_visible(count, team, k)}
    while shown:
        hidden = team - sum(role_counts[role] for role in shown)
        if hidden == 0 or not is_suppressed(hidden, k):
            break
        smallest = min(shown, key=lambda role: (role_counts[role], -order[role]))
        shown.discard(smallest)
    return shown
