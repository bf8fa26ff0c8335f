"""Reading PDFs back for the report tests: text per page (pypdf) and pages rendered by poppler's pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed (lines that wrap inside a cell join with a space)."""
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def all_text(pdf: bytes) -> str:
    """The whole document's text, whitespace collapsed."""
    return " ".join(page_texts(pdf))


def render_pages(pdf: bytes, folder: Path, dpi: int = 50) -> list[Path]:
    """Render every page with pdftoppm; fails the test when poppler reports an error."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    completed = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Error" not in completed.stderr, completed.stderr
    return sorted(folder.glob("page-*.png"))
