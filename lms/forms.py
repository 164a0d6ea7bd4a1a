"""Form helpers shared by the core and plugins."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms choices (labels may be lazy translations)."""
    return [SelectChoice(value, label) for value, label in pairs]
