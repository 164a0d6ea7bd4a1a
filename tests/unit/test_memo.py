"""lms.memo: built URLs and signed CSRF tokens remembered per process give the same answers
as Flask and Flask-WTF, and step aside where the answer could differ."""

from __future__ import annotations

import re

from flask import Flask, url_for

from lms import memo

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _flask_url(app, endpoint: str, **values) -> str:
    """The URL plain Flask builds, bypassing the memo."""
    return Flask.url_for(app, endpoint, **values)


def test_memo_gives_flasks_urls(app):
    cases = [
        ("main.home", {}),
        ("catalog.course", {"course_id": 7}),
        ("learn.activity", {"activity_id": 12}),
        ("main.set_language", {"code": "en", "next": "/activity/3?a=1&b=ไทย"}),
        ("catalog.index", {"q": "เกษตร", "page": 2}),
    ]
    with app.test_request_context("/"):
        for endpoint, values in cases:
            first = url_for(endpoint, **values)
            assert first == _flask_url(app, endpoint, **values)
            assert url_for(endpoint, **values) == first  # the remembered answer
        assert len(app._url_memo) == len(cases)


def test_memo_keys_on_script_root_host_and_value_type(app):
    with app.test_request_context("/", base_url="http://lms.test/school"):
        assert url_for("catalog.course", course_id=7) == "/school/courses/7"
    with app.test_request_context("/", base_url="http://lms.test/"):
        assert url_for("catalog.course", course_id=7) == "/courses/7"
        # True == 1 as a dictionary key, but the query strings differ
        assert url_for("catalog.index", page=1) == "/courses?page=1"
        assert url_for("catalog.index", page=True) == "/courses?page=True"


def test_memo_steps_aside_for_external_anchor_and_unhashable_values(app):
    with app.test_request_context("/"):
        assert url_for("main.home", _external=True) == "http://lms.test/"
        assert url_for("main.home", _anchor="top") == "/#top"
        assert url_for("catalog.index", tag=["a", "b"]) == "/courses?tag=a&tag=b"
        assert app._url_memo == {}
    with app.app_context():  # outside a request: external, as Flask does
        assert url_for("main.home") == "http://lms.test/"


def test_memo_steps_aside_while_url_defaults_exist(app):
    with app.test_request_context("/"):
        assert url_for("catalog.index") == "/courses"

    @app.url_defaults
    def add_source(endpoint, values):
        values.setdefault("src", "nav")

    with app.test_request_context("/"):
        assert url_for("catalog.index") == "/courses?src=nav"


def test_memo_starts_again_when_full(app, monkeypatch):
    monkeypatch.setattr(memo, "URL_MEMO_SIZE", 3)
    with app.test_request_context("/"):
        for n in range(7):
            assert url_for("catalog.course", course_id=n) == f"/courses/{n}"
            assert len(app._url_memo) <= 3


def test_pages_reuse_the_signed_token_and_it_is_accepted(make_app, f, monkeypatch):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = f.user()
        email = user.email
    client = app.test_client()
    page = client.get("/login").text
    data = {"email": email, "password": f.PASSWORD}
    assert client.post("/login", data=data).status_code == 400  # no token: refused
    token = TOKEN.search(page).group(1)
    assert client.post("/login", data={**data, "csrf_token": token}).status_code == 302
    first = TOKEN.search(client.get("/courses").text).group(1)
    again = TOKEN.search(client.get("/my").text).group(1)
    assert again == first  # within CSRF_REUSE_SECONDS: the same signed token
    assert client.post("/logout", data={"csrf_token": again}).status_code == 302

    # another session has its own secret, so its own token
    other = app.test_client()
    theirs = TOKEN.search(other.get("/login").text).group(1)
    assert theirs != first

    # within the window no page signs one; past it a fresh one is signed, and accepted
    signed = []
    real_sign = memo.sign_csrf
    monkeypatch.setattr(memo, "sign_csrf", lambda: signed.append(1) or real_sign())
    client.post("/login", data={**data, "csrf_token": token})
    client.get("/courses")
    assert signed == []
    monkeypatch.setattr(memo, "CSRF_REUSE_SECONDS", 0)
    fresh = TOKEN.search(client.get("/courses").text).group(1)
    assert signed == [1]
    assert client.post("/logout", data={"csrf_token": fresh}).status_code == 302


def test_language_links_come_back_to_the_page(client):
    home = client.get("/courses").text
    assert 'href="/lang/en?next=/courses"' in home  # no stray "?" without a query string
    found = client.get("/courses?q=abc").text
    assert 'href="/lang/en?next=/courses?q%3Dabc"' in found or (
        'href="/lang/en?next=/courses?q=abc"' in found
    )


def test_context_processors_run_once_per_request_and_again_after_a_log_in(app, f):
    from flask import render_template_string
    from flask_login import login_user, logout_user

    calls = []

    @app.context_processor
    def counted():
        calls.append(1)
        return {"shade": "blue", "site_name": "from a processor"}

    user = f.user(name="Somchai")
    page = "{{ shade }} {{ site_name }} {{ current_user.name if current_user.is_authenticated else '-' }}"
    with app.test_request_context("/"):
        # as in Flask: a later processor overrides an earlier one, passed values win over both
        assert render_template_string(page) == "blue from a processor -"
        assert render_template_string(page, shade="red") == "red from a processor -"
        assert calls == [1]
        login_user(user)
        assert render_template_string(page) == "blue from a processor Somchai"
        logout_user()
        assert render_template_string(page) == "blue from a processor -"
        assert len(calls) == 3
    with app.test_request_context("/"):  # a new request runs them again
        render_template_string(page)
        assert len(calls) == 4
