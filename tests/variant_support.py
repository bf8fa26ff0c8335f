"""An organisation's own questionnaire for tests: a copy of the shipped one with another id and title.

``make_variant`` writes it as a questionnaire folder (the way a user would add one beside the shipped
questionnaire or in ``LAYERWISE_QUESTIONNAIRE_DIRS``); ``reword`` changes an item's question in place, the
way someone editing the YAML later would.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, SHIPPED_DIR


def _write(file: Path, data: dict[str, Any]) -> None:
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


def make_variant(
    root: Path, *, questionnaire_id: str = "acme-variant", title: str = "Acme variant", language: str = "en"
) -> Path:
    """A valid copy of the shipped questionnaire under ``root/<questionnaire_id>``; returns its folder."""
    folder = root / questionnaire_id
    shutil.copytree(SHIPPED_DIR / DEFAULT_QUESTIONNAIRE_ID, folder)
    meta_file = folder / "questionnaire.yaml"
    meta = yaml.safe_load(meta_file.read_text(encoding="utf-8"))
    meta.update(id=questionnaire_id, title=title, language=language)
    _write(meta_file, meta)
    return folder


def reword(folder: Path, item_id: str, question: str) -> None:
    """Give one item of the questionnaire in ``folder`` a new question (id and version stay the same)."""
    dimension_file = folder / f"{item_id.split('.', 1)[0]}.yaml"
    dimension = yaml.safe_load(dimension_file.read_text(encoding="utf-8"))
    for item in dimension["items"]:
        if item["id"] == item_id:
            item["question"] = question
            break
    else:
        raise KeyError(f"no item {item_id} in {dimension_file}")
    _write(dimension_file, dimension)


def remove_item(folder: Path, item_id: str) -> None:
    """Drop a (non-pulse) item from the questionnaire in ``folder``, and every ``requires`` naming its action
    (the questionnaire refuses a prerequisite that is no item)."""
    dimension_file = folder / f"{item_id.split('.', 1)[0]}.yaml"
    dimension = yaml.safe_load(dimension_file.read_text(encoding="utf-8"))
    dimension["items"] = [item for item in dimension["items"] if item["id"] != item_id]
    _write(dimension_file, dimension)
    for other_file in folder.glob("*.yaml"):
        other = yaml.safe_load(other_file.read_text(encoding="utf-8"))
        changed = False
        for item in other.get("items", []) if isinstance(other, dict) else []:
            for recommendation in item["recommendations"].values():
                if item_id in recommendation.get("requires", []):
                    recommendation["requires"] = [r for r in recommendation["requires"] if r != item_id]
                    changed = True
        if changed:
            _write(other_file, other)
