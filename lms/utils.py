"""Small helpers for views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next_url(default: str | None = None) -> str | None:
    """The ``next`` parameter if it points inside this site, else ``default``."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    # "//host" and "/\\host" both lead browsers to another site.
    if target.startswith("/") and not target.startswith(("//", "/\\")) and not parts.netloc:
        return target
    return default


def int_arg(name: str, default: int = 1, minimum: int = 1) -> int:
    try:
        return max(minimum, int(request.args.get(name, default)))
    except (TypeError, ValueError):
        return default
