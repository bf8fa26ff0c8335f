"""Shared fixtures: database URLs for a real SQLite file and a real PostgreSQL; how the suite is split.

The suite runs on two processes (``-n 2`` in pyproject.toml, pytest-xdist with ``--dist loadgroup``). Each test
file stays on one process (its module fixtures are built once), and every browser test runs on the same
process one after another: two Chromiums and their servers side by side on a 2-core machine would only make
each other's waits flaky. The benchmark smoke test (it drives Chromium too, but asserts no time) runs on the
other process, beside them; the browser tests are most of the suite's time.

``postgres_url`` gives each test a schema of its own on the server at 127.0.0.1:5432 (override with
``LAYERWISE_TEST_POSTGRES_URL``) and drops it afterwards. When the server is unreachable the test is
skipped with the reason, unless ``LAYERWISE_REQUIRE_POSTGRES=1`` (as in CI), which makes it fail instead.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get(
    "LAYERWISE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

_postgres_problem: list[str | None] = []

ROOT = Path(__file__).resolve().parents[1]
#: The xdist group of the browser tests.
BROWSER_GROUP = "browser"
#: A lock file shared by the test processes of one machine: tests on PostgreSQL hold it shared, and the one
#: test that restarts PostgreSQL (tests/e2e/test_load_balancer_e2e.py) holds it exclusively while it does.
POSTGRES_LOCK = Path(tempfile.gettempdir()) / "layerwise-tests-postgres.lock"
_postgres_lock_file: list[int] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests for pytest-xdist: one group per test file, and one for all browser tests."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        path = Path(str(item.path)).resolve()
        relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()
        browser = item.get_closest_marker("e2e") is not None
        item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP if browser else relative))


def _postgres_lock() -> int:
    """This process's descriptor of :data:`POSTGRES_LOCK` (opened once; flock locks belong to it)."""
    if not _postgres_lock_file:
        _postgres_lock_file.append(os.open(POSTGRES_LOCK, os.O_RDWR | os.O_CREAT, 0o666))
    return _postgres_lock_file[0]


@pytest.fixture(autouse=True)
def _postgres_not_restarting(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test on PostgreSQL holds the shared lock, so the server is never restarted under it."""
    if request.node.get_closest_marker("postgres") is None and "postgres_url" not in request.fixturenames:
        yield
        return
    descriptor = _postgres_lock()
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


@contextmanager
def postgres_to_myself() -> Iterator[None]:
    """Within the block no other test process uses PostgreSQL: the caller's shared lock becomes exclusive
    (waiting for the tests on PostgreSQL in other processes to end) and is shared again afterwards."""
    descriptor = _postgres_lock()
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_SH)


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
