"""Shared fixtures: a fresh application and database per test, factories, query counting.

``LMS_TEST_DATABASE_URL`` runs the same tests against PostgreSQL (``make test-service``).
Service and browser tests skip without their server or browser, except under ``CI=true``
where a missing service fails the run instead.
"""

from __future__ import annotations

import os
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from lms import create_app
from lms.extensions import db
from tests import factories

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false; under CI=true fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def app_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": os.environ.get("LMS_TEST_DATABASE_URL", "sqlite://"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "lms.test",
        "REDIS_URL": "",
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as in production: its own ``g``,
    its own database session, its own locale. (Flask would otherwise reuse the test's.)"""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra config; its tables are created and dropped around the test."""
    apps = []

    def _make(**overrides):
        app = create_app(app_config(tmp_path, **overrides))
        app.test_client_class = IsolatedClient
        with app.app_context():
            db.drop_all()
            db.create_all()
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def f(app):
    """Factories for users, courses and activities (see tests/factories.py)."""
    return factories


class LoginClient:
    def __init__(self, client):
        self.client = client

    def __call__(self, user, password: str = factories.PASSWORD):
        self.client.post("/logout")
        r = self.client.post("/login", data={"email": user.email, "password": password})
        assert r.status_code == 302, r.text
        return self.client


@pytest.fixture
def login(client):
    return LoginClient(client)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements run in the block."""

    class Counter:
        def __init__(self):
            self.statements: list[str] = []

        @property
        def count(self) -> int:
            return len(self.statements)

        def _listen(self, conn, cursor, statement, *args):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement):
                self.statements.append(statement)

        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._listen)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._listen)

    return Counter
