"""Helpers for tests that make PostgreSQL misbehave for one throwaway database only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import make_url


@contextmanager
def database_refusing_connections(database_url: str) -> Iterator[None]:
    """The database of ``database_url`` refuses new connections and its open ones are ended, until the block
    ends: to the app it is as if PostgreSQL were down, while the rest of the server (and other tests on it)
    carries on."""
    url = make_url(database_url)
    admin = dict(host=url.host, port=url.port or 5432, user=url.username, dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        connection.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = %s", (url.database,)
        )
    try:
        yield
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')
