"""Connections to the real PostgreSQL and Redis servers the service tests need.

Each fixture skips without its server, except under ``CI=true`` where it fails (see
``tests.conftest.require``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from tests.conftest import require

# The maintenance connection: user postgres (trust auth) on the database ``test``.
PG_ADMIN_DSN = os.environ.get(
    "LMS_TEST_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 dbname=test user=postgres"
)
PG_URL_TEMPLATE = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"


def _pg_connect():
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None


@pytest.fixture
def empty_pg_database() -> Iterator[str]:
    """A throwaway, empty PostgreSQL database; yields its SQLAlchemy URL, drops it after."""
    conn = _pg_connect()
    require(conn is not None, f"PostgreSQL is not reachable ({PG_ADMIN_DSN})")
    name = f"lms_migtest_{secrets.token_hex(4)}"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_URL_TEMPLATE.format(name=name)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_client():
    """redis-py on the test database (15 unless LMS_TEST_REDIS_URL says otherwise)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
        ok = True
    except redis.RedisError:
        ok = False
    require(ok, f"Redis is not reachable ({REDIS_URL})")
    yield client
    client.close()
