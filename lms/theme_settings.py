"""Theme choices and theme settings, kept in the ``plugin_setting`` table (no table of their own).

* ``plugin="core"``: ``theme.active`` (the site's theme), ``theme.audience`` (JSON: audience
  group code → theme name), ``theme.learners_choose`` (``"1"`` or ``"0"``) and
  ``theme.user.<user id>`` (a learner's own choice);
* ``plugin="theme:<name>"``: the values of that theme's manifest settings (colours as ``#rrggbb``,
  an uploaded image's file name, text, links as JSON).

Nothing here commits: the view that changes a value commits once at the end.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select

from lms.extensions import db
from lms.models import PluginSetting

CORE = "core"
ACTIVE = "theme.active"
AUDIENCE = "theme.audience"
LEARNERS_CHOOSE = "theme.learners_choose"
#: The audience group codes of the programme, listed when no audience plugin says otherwise.
AUDIENCE_CODES = ("early_childhood", "youth", "general_public", "staff", "elderly")


def user_key(user_id: int) -> str:
    return f"theme.user.{int(user_id)}"


def theme_plugin(name: str) -> str:
    return f"theme:{name}"


def core_values(user_id: int | None = None) -> dict[str, str]:
    """The site-wide theme choices, plus ``user_id``'s own choice: one query."""
    keys = [ACTIVE, AUDIENCE, LEARNERS_CHOOSE]
    if user_id is not None:
        keys.append(user_key(user_id))
    rows = db.session.execute(
        select(PluginSetting.key, PluginSetting.value).where(
            PluginSetting.plugin == CORE, PluginSetting.key.in_(keys)
        )
    )
    return {k: v for k, v in rows}


def request_values(user_id: int | None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """What one page needs, in one query: :func:`core_values` and every theme's saved values
    (a handful of rows: a few settings per installed theme)."""
    keys = [ACTIVE, AUDIENCE, LEARNERS_CHOOSE]
    if user_id is not None:
        keys.append(user_key(user_id))
    rows = db.session.execute(
        select(PluginSetting.plugin, PluginSetting.key, PluginSetting.value).where(
            or_(
                (PluginSetting.plugin == CORE) & PluginSetting.key.in_(keys),
                PluginSetting.plugin.startswith("theme:", autoescape=True),
            )
        )
    )
    core: dict[str, str] = {}
    themes: dict[str, dict[str, str]] = {}
    for plugin, key, value in rows:
        if plugin == CORE:
            core[key] = value
        else:
            themes.setdefault(plugin.partition(":")[2], {})[key] = value
    return core, themes


def _row(plugin: str, key: str) -> PluginSetting | None:
    return db.session.scalar(
        select(PluginSetting).where(PluginSetting.plugin == plugin, PluginSetting.key == key)
    )


def put(plugin: str, key: str, value: str | None) -> None:
    """Set (or with ``None`` delete) one value; the caller commits."""
    row = _row(plugin, key)
    if value is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        db.session.add(PluginSetting(plugin=plugin, key=key, value=value))
    else:
        row.value = value


def audience_map(values: dict[str, str]) -> dict[str, str]:
    try:
        data = json.loads(values.get(AUDIENCE) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items() if v} if isinstance(data, dict) else {}


def learners_choose(values: dict[str, str]) -> bool:
    return values.get(LEARNERS_CHOOSE) == "1"


def theme_values(names: list[str]) -> dict[str, dict[str, str]]:
    """Saved setting values of the themes ``names``: ``{theme: {key: value}}``, one query."""
    if not names:
        return {}
    rows = db.session.execute(
        select(PluginSetting.plugin, PluginSetting.key, PluginSetting.value).where(
            or_(*[PluginSetting.plugin == theme_plugin(n) for n in names])
        )
    )
    out: dict[str, dict[str, str]] = {n: {} for n in names}
    for plugin, key, value in rows:
        out[plugin.partition(":")[2]][key] = value
    return out


def decode(kind: str, raw: str | None, default: Any) -> Any:
    """A stored string back to the setting's value (links are JSON)."""
    if raw is None or raw == "":
        return default
    if kind == "links":
        try:
            value = json.loads(raw)
        except ValueError:
            return default
        return value if isinstance(value, list) else default
    return raw
