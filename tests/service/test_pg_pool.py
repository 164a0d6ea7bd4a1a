"""Pooled PostgreSQL connections: tested before use only after sitting idle
(``DATABASE_PING_AFTER``, lms.app.ping_idle_connections), and replaced when the server closed
them, so a learner never sees an error for a connection that died while nobody used it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, text

from lms import create_app
from lms.extensions import db
from tests.conftest import app_config
from tests.service.conftest import _pg_connect

pytestmark = pytest.mark.service


def _app(tmp_path, url: str, after: float):
    app = create_app(app_config(tmp_path, DATABASE_URL=url, DATABASE_PING_AFTER=after))
    with app.app_context():
        db.create_all()
    return app


def _backend_pid(app) -> int:
    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.rollback()
    return int(pid)


def test_an_idle_connection_closed_by_the_server_is_replaced_unseen(tmp_path, empty_pg_database):
    app = _app(tmp_path, empty_pg_database, after=0.2)
    client = app.test_client()
    assert client.get("/courses").status_code == 200
    pid = _backend_pid(app)
    conn = _pg_connect()
    with conn:  # the server ends the pooled connection (a restart, an idle timeout)
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.3)  # idle longer than DATABASE_PING_AFTER
    resp = client.get("/courses")
    assert resp.status_code == 200, resp.text
    assert _backend_pid(app) != pid  # a new connection serves it
    with app.app_context():
        db.engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(tmp_path, empty_pg_database, monkeypatch):
    app = _app(tmp_path, empty_pg_database, after=60)
    with app.app_context():
        engine = db.engine
    pings: list[int] = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or real(c))
    client = app.test_client()
    for _ in range(5):
        assert client.get("/courses").status_code == 200
    assert pings == []
    with app.app_context():
        engine.dispose()


def test_ping_after_zero_tests_every_connection_before_use(tmp_path, empty_pg_database):
    app = _app(tmp_path, empty_pg_database, after=0)
    with app.app_context():
        engine = db.engine
    assert engine.pool._pre_ping is True
    seen: list[int] = []
    event.listen(engine, "checkout", lambda *a: seen.append(1))
    client = app.test_client()
    assert client.get("/courses").status_code == 200
    assert seen
    with app.app_context():
        engine.dispose()
