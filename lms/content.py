"""Content types: the public base class plugins subclass, and the registry the core keeps.

A content type is returned by a plugin's ``lms_content_types`` hook. The core owns the generic
activity row (title, position, visibility, completion mode); the type owns its own data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

    def validate(self, activity: Activity | None, form: FlaskForm) -> bool:
        """Checks that need to know whether the activity is new (``activity`` is ``None``)
        or that look at uploads. Put messages in ``form.<field>.errors`` (shown beside the
        field) and return False to refuse. Called after the form's own validation passed."""
        return True

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

    #: Keys of :meth:`export_data`'s dict whose values are :class:`~lms.models.StoredFile` ids.
    #: Course packages put those files in the archive and :meth:`import_data` receives the ids
    #: of fresh copies; duplicating an activity copies them too. The type needs nothing else.
    file_fields: tuple[str, ...] = ()

    def on_progress(self, activity: Activity, user: User, payload: dict[str, Any]) -> dict | None:
        """Progress reported by the learner's browser (``POST /activity/<id>/progress`` with a
        JSON body and the ``X-CSRFToken`` header), e.g. how far a video was watched.

        Return a JSON-able dict for the browser, or ``None`` if the type takes no reports
        (the core then answers 404). :func:`lms.progress.mark_viewed` gives the progress row
        (keep a measure in its ``score``); call :func:`lms.progress.complete`; do not commit.
        """
        return None


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


def locked_reason(activity: Activity, user: User) -> str | None:
    """Why ``user`` cannot open ``activity`` yet (or any more), or ``None`` if they can.

    Staff are never locked out; callers check that first.
    """
    from lms.extensions import db
    from lms.progress import get_progress

    def prerequisite() -> tuple[Activity | None, bool]:
        required = db.session.get(Activity, activity.requires_id)
        if required is None or not required.is_visible:
            return None, True
        done = get_progress(user, required)
        return required, done is not None and done.completed_at is not None

    return _lock(activity, prerequisite)


def outline_locks(activities: Iterable[Activity], done: Mapping[int, Any]) -> dict[int, str]:
    """Why each locked activity of a course outline is locked, by activity id, without a query.

    ``activities``: the outline's visible activities (a prerequisite not among them is hidden
    and locks nothing, as in :func:`locked_reason`); ``done``: the learner's progress rows by
    activity id (:func:`lms.progress.progress_map`, empty for a visitor).
    """
    by_id = {a.id: a for a in activities}
    out: dict[int, str] = {}
    for activity in by_id.values():

        def prerequisite(activity: Activity = activity) -> tuple[Activity | None, bool]:
            required = by_id.get(activity.requires_id)
            if required is None:
                return None, True
            row = done.get(required.id)
            return required, row is not None and row.completed_at is not None

        reason = _lock(activity, prerequisite)
        if reason:
            out[activity.id] = reason
    return out


def _lock(activity: Activity, prerequisite) -> str | None:
    """The lock's reason: the dates first, then the prerequisite (asked only when needed)."""
    from flask_babel import gettext as _

    from lms.i18n import format_datetime
    from lms.models.base import utcnow

    now = utcnow()
    if activity.available_from is not None and now < activity.available_from:
        return _("This lesson opens on %(when)s.", when=format_datetime(activity.available_from))
    if activity.available_until is not None and now >= activity.available_until:
        return _("This lesson closed on %(when)s.", when=format_datetime(activity.available_until))
    if activity.requires_id:
        required, completed = prerequisite()
        if required is not None and not completed:
            return _('Complete "%(title)s" first.', title=required.title)
    return None


def open_activity(activity_id: int, user: User, learner_only: bool = False):
    """``(activity, enrolment, staff)`` if ``user`` may open the activity, else abort.

    404 for a missing activity, an unpublished course or a hidden activity; 403 for someone
    not enrolled, or (``learner_only``) not a learner, or a learner the activity is locked for.
    Plugins use this in their own views before touching an activity.
    """
    from flask import abort

    from lms import courses
    from lms.extensions import db

    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    course = courses.get_course_or_404(activity.course_id, user)
    enrolment = courses.enrolment_of(user, course)
    staff = courses.is_teacher(user, course, enrolment)
    if not staff:
        if enrolment is None:
            abort(403)
        if not activity.is_visible:
            abort(404)
        if locked_reason(activity, user):
            abort(403)
    if learner_only and (enrolment is None or enrolment.role != "learner"):
        abort(403)
    return activity, enrolment, staff
