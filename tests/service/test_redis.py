"""With ``REDIS_URL`` set, the login rate limit and the cache live in Redis, shared by every
process of the site. Only database 15 (or LMS_TEST_REDIS_URL) and only this test's keys are used."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import textwrap

import pytest

from lms import create_app
from lms.extensions import cache, db
from tests.conftest import app_config
from tests.service.conftest import REDIS_URL

pytestmark = pytest.mark.service

# A window of its own for this run (3 per N minutes: N is in flask-limiter's key), so that test
# runs sharing the Redis server never count each other's attempts, and a slow machine never sees
# the window end halfway.
WINDOW = 10 + secrets.randbelow(50)
LOGIN_LIMIT = f"3 per {WINDOW} minutes"
LIMIT_PATTERN = f"LIMITS:*lms-limit/*/3/{WINDOW}/minute"  # flask-limiter's key for that limit


def _redis_config(tmp_path, **overrides) -> dict:
    config = app_config(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/shared.db",
        REDIS_URL=REDIS_URL,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT=LOGIN_LIMIT,
        **overrides,
    )
    config.pop("SERVER_NAME")
    return config


def _redis_app(tmp_path, **overrides):
    return create_app(_redis_config(tmp_path, **overrides))


def _clear_limits(redis_client) -> None:
    for key in redis_client.scan_iter(LIMIT_PATTERN):
        redis_client.delete(key)


def _failed_login(app) -> int:
    data = {"email": "nobody@example.com", "password": "wrong password"}
    with app.app_context():
        return app.test_client().post("/login", data=data).status_code


# Another process: its own interpreter, its own app, the same Redis.
OTHER_PROCESS = textwrap.dedent(
    """
    import json, sys
    from lms import create_app
    config = json.loads(sys.argv[1])
    app = create_app(config)
    with app.app_context():
        r = app.test_client().post(
            "/login", data={"email": "nobody@example.com", "password": "wrong password"}
        )
    print(r.status_code)
    """
)


def test_login_rate_limit_is_shared_through_redis(tmp_path, redis_client):
    _clear_limits(redis_client)
    first = _redis_app(tmp_path)
    second = _redis_app(tmp_path)
    with first.app_context():
        db.create_all()
    try:
        assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        assert _failed_login(first) == 200
        assert _failed_login(second) == 200
        config = json.dumps(_redis_config(tmp_path))
        other = subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS, config],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert other.stdout.strip().splitlines()[-1] == "200", other.stderr
        # Three attempts so far, in two apps and two processes: the fourth is refused.
        assert list(redis_client.scan_iter(LIMIT_PATTERN)), "the counters live in Redis"
        assert _failed_login(first) == 429
        assert _failed_login(second) == 429
    finally:
        _clear_limits(redis_client)
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()


def test_cache_reads_and_writes_through_redis(tmp_path, redis_client):
    prefix = f"lms-test-{secrets.token_hex(4)}:"
    app = _redis_app(tmp_path, CACHE_KEY_PREFIX=prefix)
    try:
        with app.app_context():
            assert cache.set("greeting", {"th": "สวัสดี", "n": 2566})
            assert redis_client.exists(prefix + "greeting") == 1
            assert redis_client.ttl(prefix + "greeting") > 0  # the default timeout applies
            assert cache.get("greeting") == {"th": "สวัสดี", "n": 2566}
            # A second app (as another worker would) reads the same entry.
        other = _redis_app(tmp_path, CACHE_KEY_PREFIX=prefix)
        with other.app_context():
            assert cache.get("greeting") == {"th": "สวัสดี", "n": 2566}
            cache.delete("greeting")
        assert redis_client.exists(prefix + "greeting") == 0
    finally:
        for key in redis_client.scan_iter(prefix + "*"):
            redis_client.delete(key)
