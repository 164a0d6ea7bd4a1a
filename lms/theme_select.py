"""Which theme a request renders with, decided once per request.

In order, the first that applies: an admin's preview (session flag, admins only); the learner's
own choice, when the site lets learners choose; the default theme of the learner's audience
group (``lms_audience_groups_for`` answers, first mapped group wins); the site's theme set by
an admin; ``THEME`` from the configuration. A stored theme that is not installed, or invalid,
is skipped with a warning.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, g, has_request_context, session

log = logging.getLogger("lms.theming")
PREVIEW_KEY = "lms_theme_preview"


def site_theme() -> str:
    """The site's theme: set by an admin (stored), else ``THEME`` from the configuration."""
    return choices()["site"]


def _usable(name: str | None) -> bool:
    theme = current_app.extensions["lms"].themes.get(name or "")
    return bool(theme and theme.ok)


def choices() -> dict[str, Any]:
    """The request's theme decisions, computed once per request (one query), kept in ``g``."""
    if "lms_theme_choices" in g:
        return g.lms_theme_choices
    from flask_login import current_user

    from lms import plugins
    from lms import theme_settings as ts

    state = current_app.extensions["lms"]
    in_request = has_request_context()  # outside one (a task, the CLI): no user, no session
    user = current_user._get_current_object() if in_request else None
    user_id = user.id if user is not None and user.is_authenticated else None
    values, theme_values = state.site_cache.get("theme_values", _read_site_values)
    if user_id is not None and ts.learners_choose(values):
        own = _read_own_choice(user_id)
        if own is not None:
            values = {**values, ts.user_key(user_id): own}
    site = values.get(ts.ACTIVE) or state.theme
    if not _usable(site):
        if site not in state.theme_warned:
            state.theme_warned.add(site)
            log.warning(
                "stored site theme %r is not installed or invalid; using %s", site, state.theme
            )
        site = state.theme
    chosen = site
    audience = ts.audience_map(values)
    if audience and user_id is not None:
        for code in plugins.call("lms_audience_groups_for", user=user):
            if _usable(audience.get(str(code))):
                chosen = audience[str(code)]
                break
    own = values.get(ts.user_key(user_id)) if user_id is not None else None
    if ts.learners_choose(values) and _usable(own):
        chosen = own
    preview = session.get(PREVIEW_KEY) if in_request else None
    if preview and getattr(user, "is_admin", False) and _usable(preview):
        chosen = preview
    result = {
        "site": site,
        "theme": chosen,
        "values": values,
        "theme_values": theme_values,
        "preview": preview,
    }
    if in_request:  # outside a request (a task, the CLI) the stored choices may change
        g.lms_theme_choices = result
    return result


def _read_site_values() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The site's theme choices and every theme's saved settings: one query, kept per process
    until ``plugin_setting`` changes (lms/site_cache.py)."""
    from lms import theme_settings as ts

    try:
        return ts.request_values(None)
    except Exception:  # before `lms init` created the table
        from lms.extensions import db

        db.session.rollback()
        return {}, {}


def _read_own_choice(user_id: int) -> str | None:
    """The learner's own theme (read only when the site lets learners choose)."""
    from sqlalchemy import select

    from lms import theme_settings as ts
    from lms.extensions import db
    from lms.models import PluginSetting

    try:
        return db.session.scalar(
            select(PluginSetting.value).where(
                PluginSetting.plugin == ts.CORE, PluginSetting.key == ts.user_key(user_id)
            )
        )
    except Exception:  # before `lms init` created the table
        db.session.rollback()
        return None


def request_theme() -> str:
    """The theme this request renders with (outside a request: the site's theme)."""
    return choices()["theme"]


def current_chain() -> list[Any]:
    """The request's theme followed by its parents."""
    from lms.theming import theme_chain

    return theme_chain(current_app.extensions["lms"].themes, request_theme())
