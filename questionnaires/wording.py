"""Item wording recorded with an assessment, and what changed in it since.

Each item's ``wording_hash`` (``questionnaires.schema.Item``) changes whenever its question or one of its
five level descriptions does. An assessment records the hashes of its form's items when it is created;
comparing them with the questionnaire as loaded now tells whether people answered words that are no longer
there: an item whose wording changed, or an item that is no longer in the questionnaire at all. Answers to a
reworded item may not mean the same as answers given after the change, so the results say so.

Pure functions: no I/O, no caching; services read the recorded hashes from storage and call these.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from questionnaires.schema import Questionnaire

#: The most items a warning names one by one; the rest are counted ("… and 3 more").
MAX_NAMED_ITEMS = 8


@dataclass(frozen=True)
class WordingChange:
    """An item an assessment was taken with whose wording is not the same in the questionnaire now.

    ``kind`` is ``"changed"`` (the question or a level description was reworded) or ``"removed"`` (the item
    is no longer in the questionnaire); ``question`` is the item's question as it reads now (None when
    removed).
    """

    item_id: str
    kind: Literal["changed", "removed"]
    question: str | None = None


def wording_hashes(questionnaire: Questionnaire, form: Literal["full", "pulse"]) -> dict[str, str]:
    """The wording hash of every item on a form (full or pulse), by item id, in questionnaire order."""
    return {item.id: item.wording_hash for item in questionnaire.items_for(form)}


def dimension_wording_hash(questionnaire: Questionnaire, dimension_id: str) -> str:
    """One hash of the wording of every item of a dimension (full form, in order): it changes when any of
    them is reworded, added or removed, so a benchmark pack built on other words is recognised."""
    items = questionnaire.dimension(dimension_id).items
    joined = "\n".join(f"{item.id}={item.wording_hash}" for item in items)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def wording_changes(recorded: Mapping[str, str] | None, questionnaire: Questionnaire) -> list[WordingChange]:
    """The recorded items whose wording differs from ``questionnaire`` now, in the recorded order.

    An item whose hash differs is ``changed``; an item the questionnaire no longer has is ``removed``.
    Nothing recorded (``None`` or empty: an assessment made before wording was recorded, or imported from
    a file that did not carry it) means nothing can be compared, so no change is reported.
    """
    if not recorded:
        return []
    current = {item.id: item for dimension in questionnaire.dimensions for item in dimension.items}
    changes: list[WordingChange] = []
    for item_id, recorded_hash in recorded.items():
        item = current.get(item_id)
        if item is None:
            changes.append(WordingChange(item_id=item_id, kind="removed"))
        elif item.wording_hash != recorded_hash:
            changes.append(WordingChange(item_id=item_id, kind="changed", question=item.question.strip()))
    return changes


def _named(names: Sequence[str]) -> str:
    shown = list(names[:MAX_NAMED_ITEMS])
    if len(names) > MAX_NAMED_ITEMS:
        shown.append(f"and {len(names) - MAX_NAMED_ITEMS} more")
    return "; ".join(shown)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def wording_warning(changes: Sequence[WordingChange]) -> str | None:
    """The sentence that warns about wording changes, naming the items; None when there are none.

    "The wording of 2 items changed after this assessment was taken: “…” (permission.one_page_guide); …;
    compare answers across the change with care." Removed items get a sentence of their own.
    """
    changed = [change for change in changes if change.kind == "changed"]
    removed = [change for change in changes if change.kind == "removed"]
    sentences: list[str] = []
    if changed:
        names = [f"“{change.question}” ({change.item_id})" for change in changed]
        sentences.append(
            f"The wording of {_items(len(changed))} changed after this assessment was taken: {_named(names)}; "
            "compare answers across the change with care."
        )
    if removed:
        names = [change.item_id for change in removed]
        verb = "are" if len(removed) > 1 else "is"
        sentences.append(
            f"{_items(len(removed))} of this assessment {verb} no longer in the questionnaire: {_named(names)}."
        )
    return " ".join(sentences) or None
