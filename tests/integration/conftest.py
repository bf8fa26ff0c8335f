"""Fixtures shared by the service tests: the shipped questionnaires and a services context on a real
database (``db_url``: a SQLite file, then PostgreSQL). A module may define its own ``ctx`` instead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from questionnaires.loader import Catalog, get_catalog
from services.context import AppContext, make_context


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped questionnaires, read once for the module."""
    return get_catalog()


@pytest.fixture
def ctx(db_url: str, catalog: Catalog) -> Iterator[AppContext]:
    """A services context on a fresh database (SQLite file, then PostgreSQL)."""
    context = make_context(db_url, catalog=catalog)
    yield context
    context.database.dispose()
