"""The wording comparison (``questionnaires.wording``): what counts as a change, and how the warning reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, default_questionnaire, get_catalog
from questionnaires.wording import (
    MAX_NAMED_ITEMS,
    WordingChange,
    wording_changes,
    wording_hashes,
    wording_warning,
)
from tests.variant_support import make_variant, remove_item, reword

VARIANT_ID = "acme-variant"
REWORDED = "permission.one_page_guide"
NEW_QUESTION = "Is there a one-page AI-use guide that sorts uses into three kinds?"


@pytest.fixture
def variant(tmp_path: Path) -> Path:
    make_variant(tmp_path, questionnaire_id=VARIANT_ID)
    return tmp_path


def test_the_recorded_wording_is_the_forms_items_in_order() -> None:
    questionnaire = default_questionnaire()
    pulse = wording_hashes(questionnaire, "pulse")
    assert list(pulse) == [item.id for item in questionnaire.items_for("pulse")]
    assert len(wording_hashes(questionnaire, "full")) == len(questionnaire.items_for("full"))
    assert questionnaire.id == DEFAULT_QUESTIONNAIRE_ID


def test_rewording_a_level_description_counts_as_a_change_too(variant: Path) -> None:
    before = get_catalog([variant]).get(VARIANT_ID)
    recorded = wording_hashes(before, "full")
    edited = before.model_copy(deep=True)
    item = edited.item(REWORDED)
    item.levels[2] = item.levels[2] + " Reviewed every quarter."
    assert wording_changes(recorded, edited) == [
        WordingChange(item_id=REWORDED, kind="changed", question=item.question.strip())
    ]
    assert wording_changes(recorded, before) == []


def test_removed_and_changed_items_are_told_apart(variant: Path) -> None:
    folder = variant / VARIANT_ID
    before = get_catalog([variant]).get(VARIANT_ID)
    recorded = wording_hashes(before, "full")
    reword(folder, REWORDED, NEW_QUESTION)
    removed = next(item.id for item in before.dimension("definition").items if not item.pulse)
    remove_item(folder, removed)
    after = get_catalog([variant]).get(VARIANT_ID)

    changes = wording_changes(recorded, after)
    assert changes == [
        WordingChange(item_id=REWORDED, kind="changed", question=NEW_QUESTION),
        WordingChange(item_id=removed, kind="removed"),
    ]
    assert wording_warning(changes) == (
        f"The wording of 1 item changed after this assessment was taken: “{NEW_QUESTION}” ({REWORDED}); "
        f"compare answers across the change with care. 1 item of this assessment is no longer in the "
        f"questionnaire: {removed}."
    )


def test_nothing_recorded_means_nothing_to_compare() -> None:
    questionnaire = default_questionnaire()
    assert wording_changes(None, questionnaire) == []
    assert wording_changes({}, questionnaire) == []
    assert wording_warning([]) is None


def test_a_long_list_is_cut_and_counted() -> None:
    changes = [
        WordingChange(item_id=f"permission.item_{n}", kind="changed", question=f"Q{n}?") for n in range(11)
    ]
    warning = wording_warning(changes)
    assert warning is not None
    assert warning.startswith("The wording of 11 items changed after this assessment was taken: “Q0?”")
    assert f"and {11 - MAX_NAMED_ITEMS} more; compare answers across the change with care." in warning


# --- the Start page's questionnaire picker ------------------------------------------------------------------


def test_the_shipped_questionnaire_comes_first_and_lookalikes_get_their_id(tmp_path: Path) -> None:
    from services.assessment import questionnaire_choices

    make_variant(tmp_path, questionnaire_id="zeta-translation", title="Zeta", language="de")
    make_variant(tmp_path, questionnaire_id="alpha-variant", title="Alpha")
    make_variant(tmp_path, questionnaire_id="alpha-copy", title="Alpha")
    choices = questionnaire_choices(get_catalog([tmp_path]))
    shipped = default_questionnaire()
    assert [choice.key for choice in choices] == [
        f"{DEFAULT_QUESTIONNAIRE_ID}@{shipped.version}",
        f"alpha-copy@{shipped.version}",
        f"alpha-variant@{shipped.version}",
        f"zeta-translation@{shipped.version}",
    ]
    assert choices[0].shipped_default and not any(choice.shipped_default for choice in choices[1:])
    assert [choice.label for choice in choices[1:]] == [
        f"Alpha (alpha-copy) · {shipped.version} · en",
        f"Alpha (alpha-variant) · {shipped.version} · en",
        f"Zeta · {shipped.version} · de",
    ]
