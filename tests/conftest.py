"""Shared fixtures: database URLs for a real SQLite file and a real PostgreSQL.

``postgres_url`` gives each test a schema of its own on the server at 127.0.0.1:5432 (override with
``LAYERWISE_TEST_POSTGRES_URL``) and drops it afterwards. When the server is unreachable the test is
skipped with the reason, unless ``LAYERWISE_REQUIRE_POSTGRES=1`` (as in CI), which makes it fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get(
    "LAYERWISE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

_postgres_problem: list[str | None] = []


def _postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used (None when it can); checked once per test run."""
    if not _postgres_problem:
        import psycopg
        from sqlalchemy import make_url

        url = make_url(POSTGRES_URL)
        try:
            with psycopg.connect(
                host=url.host, port=url.port or 5432, user=url.username, password=url.password,
                dbname=url.database, connect_timeout=3,
            ):  # fmt: skip
                pass
            _postgres_problem.append(None)
        except Exception as exc:  # any failure means: not usable here
            _postgres_problem.append(f"PostgreSQL at {url.host}:{url.port or 5432} is not reachable ({exc})")
    return _postgres_problem[0]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL of a fresh SQLite file in the test's temporary folder (the file does not exist yet)."""
    return f"sqlite:///{tmp_path / 'data' / 'layerwise.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema of their own; the schema is dropped afterwards."""
    problem = _postgres_unreachable()
    if problem:
        if os.environ.get("LAYERWISE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{problem}; LAYERWISE_REQUIRE_POSTGRES=1 makes PostgreSQL tests mandatory")
        pytest.skip(f"{problem}; set LAYERWISE_REQUIRE_POSTGRES=1 to make this a failure")
    import psycopg
    from sqlalchemy import make_url

    url = make_url(POSTGRES_URL)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    dsn = dict(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, dbname=url.database
    )
    with psycopg.connect(**dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(**dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database, once for a SQLite file and once for PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))
