"""Per-process memos of work that every page repeats with the same inputs.

A page builds a dozen or more URLs (the navigation, the header forms, its own links) and signs
a CSRF token for its forms. Both give the same answer for the same inputs, so each process
keeps the answers it worked out:

* :class:`LMSFlask` remembers the URLs that ``url_for`` built inside a request, by endpoint and
  values (and the request's script root and host). About 20 µs of Werkzeug's URL building
  become one dictionary lookup.
* :func:`install_csrf_memo` hands out a session's signed CSRF token again for up to
  :data:`CSRF_REUSE_SECONDS`: the token is Flask-WTF's own, still valid for
  ``WTF_CSRF_TIME_LIMIT`` minus at most that long.
* :meth:`LMSFlask.update_template_context` runs the template context processors once per
  request (again after a log-in or log-out), not once per template.

The URL and token memos are bounded (they start again when full), and each memo steps aside
wherever its answer could depend on more than its key (see each).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g, session
from flask.globals import _cv_request

#: Built URLs kept per process before the memo starts again.
URL_MEMO_SIZE = 4096
#: How long a session's signed CSRF token is handed out again, in seconds.
CSRF_REUSE_SECONDS = 60.0
#: Sessions whose CSRF token is kept per process before the memo starts again.
CSRF_MEMO_SIZE = 10_000


#: Sent with every response that does not set its own (a view or plugin may, e.g. lms_link's
#: ``Referrer-Policy: no-referrer``).
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)


class LMSFlask(Flask):
    """Flask, with built URLs remembered per process (see the module doc), and the security
    headers added to the finished response's header list (:data:`SECURITY_HEADERS`): through
    Werkzeug's ``Headers`` they cost as much as building three URLs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._url_memo: dict[tuple, str] = {}

    def update_template_context(self, context: dict[str, Any]) -> None:
        """Flask's, with the context processors run once per request: a page renders several
        templates (the lesson, then its content type's own), and the processors' values (the
        request, the user, the template functions) are the same for each. As in Flask, values
        passed to ``render_template`` win over the processors'."""
        req_ctx = _cv_request.get(None)
        if req_ctx is None:
            super().update_template_context(context)
            return
        # Flask-Login's processor gives the user object itself: a log-in or log-out between
        # two templates of one request (an email, then the page) must not show the old one.
        memo = getattr(req_ctx, "_lms_template_context", None)
        if memo is None or memo[0] is not g.get("_login_user"):
            found: dict[str, Any] = {}
            super().update_template_context(found)  # loads the user if nothing did yet
            memo = req_ctx._lms_template_context = (g.get("_login_user"), found)
        for key, value in memo[1].items():
            context.setdefault(key, value)

    def wsgi_app(self, environ: dict, start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            have = {name.lower() for name, _value in headers}
            headers.extend(h for h in SECURITY_HEADERS if h[0].lower() not in have)
            return start_response(status, headers, exc_info)

        return super().wsgi_app(environ, start)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        req_ctx = _cv_request.get(None)
        # The memo answers only a plain in-request URL: a path on this host. Outside a request
        # (emails, tasks) URLs are external; url_defaults functions may add values of their own.
        if (
            req_ctx is None
            or _anchor is not None
            or _method is not None
            or _scheme is not None
            or _external
            or endpoint[:1] == "."
            or any(self.url_default_functions.values())
        ):
            return super().url_for(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        adapter = req_ctx.url_adapter
        # The type is part of the key: True == 1 == 1.0 as keys, but they build differently.
        key = (
            adapter.script_name,
            adapter.server_name,
            adapter.subdomain,
            endpoint,
            *[(k, type(v), v) for k, v in values.items()],
        )
        memo = self._url_memo
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list): build it every time
            return super().url_for(endpoint, _external=_external, **values)
        url = super().url_for(endpoint, _external=_external, **values)
        if len(memo) >= URL_MEMO_SIZE:
            memo.clear()
        memo[key] = url
        return url


def sign_csrf() -> str:
    """Flask-WTF's signed token for this session (storing a new secret in it if it has none)."""
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


def install_csrf_memo(app: Flask) -> Any:
    """Templates' ``csrf_token()`` hands out a session's signed token again for up to
    :data:`CSRF_REUSE_SECONDS` instead of signing a new one on every page.

    Flask-WTF signs the session's secret with the time on every page (an HMAC, JSON, zlib and
    base64). Only a session that already has its secret is served from the memo: a new session
    goes through Flask-WTF, which stores the secret in it. Forms rendered through a FlaskForm
    (``form.csrf_token``) sign their own as before. Returns the function, for the app's
    context processor (Flask-WTF's own names ``generate_csrf``)."""
    memo: dict[str, tuple[str, float]] = {}

    def csrf_token() -> str:
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        if field in g:
            return g.get(field)
        secret = session.get(field)
        now = time.monotonic()
        if isinstance(secret, str):
            found = memo.get(secret)
            if found is not None and now - found[1] < CSRF_REUSE_SECONDS:
                setattr(g, field, found[0])
                return found[0]
        token = sign_csrf()
        if isinstance(secret, str) and session.get(field) == secret:
            if len(memo) >= CSRF_MEMO_SIZE:
                memo.clear()
            memo[secret] = (token, now)
        return token

    app.jinja_env.globals["csrf_token"] = csrf_token
    return csrf_token
