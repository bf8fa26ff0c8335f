"""The layering of DESIGN.md, checked by parsing imports: an arrow pointing the wrong way fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: package (folder or module) -> top-level modules it must never import
FORBIDDEN: dict[str, set[str]] = {
    "scoring": {
        "streamlit",
        "sqlalchemy",
        "storage",
        "reports",
        "pages",
        "services",
        "ui",
        "yaml",
        "app",
        "cli",
    },
    "questionnaires": {"streamlit", "sqlalchemy", "storage", "scoring", "reports", "pages", "services", "ui"},
    "storage": {"streamlit", "reports", "pages", "services", "ui", "app", "cli", "reportlab", "altair"},
    "reports": {"streamlit", "pages", "services", "ui", "app", "cli"},
    "pages": {"sqlalchemy", "reportlab", "storage", "vl_convert", "yaml"},
    "services": {"streamlit", "pages", "ui", "app"},
}


def imported_modules(file: Path) -> set[str]:
    """The top-level names of every module a file imports (absolute imports only)."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def files_of(package: str) -> list[Path]:
    target = ROOT / package
    if target.is_file():
        return [target]
    return sorted(path for path in target.rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_the_right_way(package: str) -> None:
    violations = [
        f"{file.relative_to(ROOT)} imports {name}"
        for file in files_of(package)
        for name in sorted(imported_modules(file) & FORBIDDEN[package])
    ]
    assert not violations, "\n".join(violations)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom sqlalchemy.orm import Session\nfrom . import sibling\n")
    assert imported_modules(bad) == {"streamlit", "sqlalchemy"}
