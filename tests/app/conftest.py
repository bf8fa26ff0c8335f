"""AppTest fixtures: the app on a fresh SQLite file, and a services context on the same file.

``app_db`` points ``DATABASE_URL`` at a temporary SQLite file and clears the settings and Streamlit's
resource cache (which holds the engine), before and after the test. ``open_page`` runs the app and switches
to a page with query parameters, the way a browser opening ``/assess?token=…`` would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.context import AppContext, make_context
from settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
TIMEOUT = 30
#: The AppTest element lists whose values are Markdown a person reads (bodies, captions, alerts, headings).
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "title",
    "header",
    "subheader",
)


@dataclass
class AppDatabase:
    """The database the app under test uses, and a services context on it for arranging and checking."""

    url: str
    ctx: AppContext


def _reset_caches() -> None:
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppDatabase]:
    """A fresh SQLite file as the app's database (``DATABASE_URL``), with every cache cleared around the test."""
    url = f"sqlite:///{tmp_path / 'layerwise.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    _reset_caches()
    ctx = make_context(url)
    try:
        yield AppDatabase(url=url, ctx=ctx)
    finally:
        ctx.database.dispose()
        _reset_caches()


PageOpener = Callable[..., AppTest]


@pytest.fixture
def open_page(app_db: AppDatabase) -> PageOpener:
    """``open_page("pages/assess.py", token=...)``: a fresh browser session on that page, already run."""

    def _open(page: str, **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        at.query_params.update(query)
        at.switch_page(page)
        return at.run()

    return _open
