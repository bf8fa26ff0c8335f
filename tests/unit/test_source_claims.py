"""What the app says about its source figures: no two-organisation comparison is told as a before/after."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    *sorted((ROOT / "questionnaires").rglob("*.yaml")),
    ROOT / "README.md",
    *sorted((ROOT / "reports").glob("*.py")),
    *sorted((ROOT / "pages").glob("*.py")),
    *sorted((ROOT / "storage").glob("demo.py")),
]


@pytest.mark.parametrize("path", TEXTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_text_says_the_rework_rate_fell(path: Path) -> None:
    """18 % and 5 % rework are two organisations side by side (source article 000), not a before/after."""
    text = " ".join(path.read_text(encoding="utf-8").split())
    assert not re.search(r"\b(fell|dropped|went down|reduced) (from )?18 ?%", text), path
    assert not re.search(r"18 ?% (fell|dropped|went down) to 5 ?%", text), path


@pytest.mark.parametrize("path", TEXTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_risk_reporting_figure_is_never_told_as_a_measured_finding(path: Path) -> None:
    """The 10–12 h of meta-work is a team the article asks the reader to consider (source article 003)."""
    text = " ".join(path.read_text(encoding="utf-8").split())
    assert not re.search(r"risk reporting team (found|measured|tracked)", text), path
    assert "Risk reporting team case" not in text, path
