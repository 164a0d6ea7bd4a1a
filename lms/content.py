"""Content types: the public base class plugins subclass, and the registry the core keeps.

A content type is returned by a plugin's ``lms_content_types`` hook. The core owns the generic
activity row (title, position, visibility, completion mode); the type owns its own data.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup

from lms.models import Activity, User


class ContentType:
    """Subclass this in a plugin. Only ``key``, ``label`` and :meth:`render` are required."""

    #: Stable identifier stored in ``activity.content_type`` (``"page"``).
    key: str = ""
    #: Human name shown in the activity picker (use ``lazy_gettext``).
    label: str = ""
    #: One line for the picker.
    description: str = ""
    #: A short emoji or text icon, shown beside the title.
    icon: str = "📄"
    #: Completion modes this type supports, the first is the default. ``auto`` means the type
    #: itself calls :func:`lms.progress.complete` (a video watched far enough, a quiz passed).
    completion_modes: tuple[str, ...] = ("manual", "view")

    #: Set by the registry: the plugin that provided this type.
    plugin: str = ""

    def form_class(self) -> type[FlaskForm] | None:
        """A form class with this type's fields; the core adds title and completion fields."""
        return None

    def load(self, activity: Activity, form: FlaskForm) -> None:
        """Fill ``form`` from the type's stored data for ``activity`` (editing)."""

    def save(self, activity: Activity, form: FlaskForm) -> None:
        """Store the type's data from a validated ``form``. ``activity.id`` is set (flushed).
        Do not commit: the core commits the request's transaction."""

    def render(self, activity: Activity, user: User) -> Markup:
        """The activity's body for the learner, as safe HTML."""
        raise NotImplementedError

    def delete(self, activity: Activity) -> None:
        """Remove the type's data for ``activity`` (the core deletes the activity row)."""

    def export_data(self, activity: Activity) -> dict[str, Any]:
        """The type's data as a JSON-able dict, for course packages and duplication."""
        return {}

    def import_data(self, activity: Activity, data: dict[str, Any]) -> None:
        """Recreate the type's data for ``activity`` from :meth:`export_data`'s output."""

    def summary(self, activity: Activity) -> str:
        """Optional one-line text shown under the activity in the course outline."""
        return ""


class ContentRegistry:
    """The content types that plugins provided, by key."""

    def __init__(self) -> None:
        self._types: dict[str, ContentType] = {}

    def add(self, content_type: ContentType, plugin: str) -> None:
        if not content_type.key:
            raise ValueError(f"content type from {plugin} has no key")
        if content_type.key in self._types:
            raise ValueError(
                f"content type {content_type.key!r} from {plugin} is already provided by "
                f"{self._types[content_type.key].plugin}"
            )
        content_type.plugin = plugin
        self._types[content_type.key] = content_type

    def get(self, key: str, disabled: set[str] | None = None) -> ContentType | None:
        ct = self._types.get(key)
        if ct is None or (disabled and ct.plugin in disabled):
            return None
        return ct

    def available(self, disabled: set[str] | None = None) -> list[ContentType]:
        return sorted(
            (t for t in self._types.values() if not (disabled and t.plugin in disabled)),
            key=lambda t: str(t.label),
        )
