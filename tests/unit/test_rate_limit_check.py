"""Flask-Limiter's check before every request runs only while a limit needs it
(lms.app.skip_unused_limit_check): default and blueprint limits still count, and the
decorated log-in limit counts in its decorator."""

from __future__ import annotations

from flask_limiter import Limiter

from lms.extensions import limiter


def test_without_default_limits_pages_skip_the_per_request_check(make_app, monkeypatch):
    app = make_app(RATELIMIT_ENABLED=True)
    registered = app.before_request_funcs[None]
    assert not any(getattr(f, "__func__", None) is Limiter._check_request_limit for f in registered)
    calls: list[bool] = []
    real = limiter._check_request_limit
    monkeypatch.setattr(
        limiter, "_check_request_limit", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    client = app.test_client()
    for _ in range(3):
        assert client.get("/courses").status_code == 200
    assert calls == []


def test_default_limits_still_count_on_every_page(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/courses").status_code for _ in range(3)] == [200, 200, 429]


def test_a_plugins_blueprint_limit_still_counts(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    limiter.limit("2 per minute")(app.blueprints["catalog"])
    client = app.test_client()
    try:
        assert [client.get("/courses").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        limiter.limit_manager._blueprint_limits.pop("catalog", None)


def test_the_log_in_limit_counts_in_its_decorator(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    form = {"email": "nobody@example.com", "password": "wrong-password"}
    codes = [client.post("/login", data=form).status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429
