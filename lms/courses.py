"""Course services: who may see and teach a course, the catalog query, enrolment."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, or_, select

from lms import plugins
from lms.extensions import db
from lms.models import Activity, ActivityProgress, Course, Enrolment, Section, User


class EnrolmentError(Exception):
    """Enrolment refused; ``str(exc)`` is a message for the learner."""


def enrolment_of(user: User | None, course: Course) -> Enrolment | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def is_teacher(user: User | None, course: Course, enrolment: Enrolment | None = None) -> bool:
    """Site admins, and the course's teachers."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    enrolment = enrolment if enrolment is not None else enrolment_of(user, course)
    return enrolment is not None and enrolment.role == "teacher"


def can_view(user: User | None, course: Course) -> bool:
    return course.is_published or is_teacher(user, course)


def get_course_or_404(course_id: int, user: User | None) -> Course:
    """The course if ``user`` may see it. Unpublished courses are 404 to everybody else."""
    course = db.session.get(Course, course_id)
    if course is None or not can_view(user, course):
        abort(404)
    return course


def get_taught_course_or_403(course_id: int, user: User) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if not is_teacher(user, course):
        abort(403)
    return course


def catalog_query(q: str = "", language: str = "", sort: str = "new"):
    """Published courses matching ``q`` anywhere in title or summary.

    Substring matching, not word splitting: Thai has no spaces between words.
    """
    stmt = select(Course).where(Course.is_published.is_(True))
    q = q.strip()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.where(
            or_(Course.title.ilike(like, escape="\\"), Course.summary.ilike(like, escape="\\"))
        )
    if language:
        stmt = stmt.where(Course.language == language)
    order = Course.title.asc() if sort == "title" else Course.created_at.desc()
    return stmt.order_by(order, Course.id.desc())


def apply_catalog_filters(stmt, args):
    """Let plugins narrow the catalog query (``lms_catalog_filter``), one after another."""
    from flask import current_app

    app = current_app._get_current_object()
    state = app.extensions["lms"]
    skip = state.disabled_now()
    for impl in reversed(state.plugins.pm.hook.lms_catalog_filter.get_hookimpls()):
        if impl.plugin_name in skip:
            continue
        kwargs = {"app": app, "stmt": stmt, "args": args}
        try:
            result = impl.function(*[kwargs[a] for a in impl.argnames])
        except Exception as exc:  # a broken filter must not take the catalog down
            state.plugins.fail(impl.plugin_name, exc, unregister=False)
            continue
        if result is not None:
            stmt = result
    return stmt


def learner_count(course: Course) -> int:
    return (
        db.session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.course_id == course.id, Enrolment.role == "learner"
            )
        )
        or 0
    )


def enrol(user: User, course: Course, key: str | None = None) -> Enrolment:
    """Self-enrol ``user`` as a learner, checking the key and the capacity.

    Raises :class:`EnrolmentError` with a message for the learner. Does not commit.
    """
    existing = enrolment_of(user, course)
    if existing is not None:
        return existing
    if not course.is_published or not course.self_enrol:
        raise EnrolmentError(_("This course is not open for enrolment."))
    if course.enrol_key and (key or "").strip() != course.enrol_key:
        raise EnrolmentError(_("The enrolment key is not correct."))
    if course.capacity is not None and learner_count(course) >= course.capacity:
        raise EnrolmentError(_("This course is full."))
    for message in plugins.call("lms_enrol_check", user=user, course=course):
        if message:
            raise EnrolmentError(str(message))
    return add_enrolment(user, course, "learner")


def add_enrolment(user: User, course: Course, role: str = "learner") -> Enrolment:
    enrolment = Enrolment(user=user, course=course, role=role)
    db.session.add(enrolment)
    db.session.flush()
    if role == "learner":
        plugins.call("lms_event_enrolled", enrolment=enrolment)
        from lms.participation import record

        record(kind="course_enrolment", source=f"course:{course.id}", user_id=user.id)
    return enrolment


def _sequence_stmt(staff: bool, with_user: bool) -> Any:
    columns: list[Any] = [Activity.id, Activity.is_visible]
    if with_user:
        columns.append(ActivityProgress.completed_at.is_not(None).label("done"))
    stmt = (
        select(*columns)
        .join(Section, Activity.section_id == Section.id)
        .where(Activity.course_id == bindparam("course_id"))
        .order_by(Section.position, Activity.position, Activity.id)
    )
    if with_user:  # one progress row per user and activity (unique)
        stmt = stmt.outerjoin(
            ActivityProgress,
            and_(
                ActivityProgress.activity_id == Activity.id,
                ActivityProgress.user_id == bindparam("user_id"),
            ),
        )
    if not staff:
        stmt = stmt.where(Activity.is_visible.is_(True))
    return stmt


# Built once for each (staff, with a learner) pair: the lesson page runs one on every view.
_SEQUENCE = {(s, u): _sequence_stmt(s, u) for s in (False, True) for u in (False, True)}


def activity_sequence(course_id: int, staff: bool, user_id: int | None = None) -> list[Any]:
    """The course's activities in outline order as light rows (``id``, ``is_visible``, and
    with ``user_id`` also ``done``: that learner completed it): what a lesson needs for its
    previous/next links, its position and the course progress, in one query."""
    params = {"course_id": course_id}
    if user_id is not None:
        params["user_id"] = user_id
    return list(db.session.execute(_SEQUENCE[staff, user_id is not None], params))


def visible_activities(course: Course, staff: bool) -> list[Activity]:
    stmt = (
        select(Activity)
        .join(Section, Activity.section_id == Section.id)
        .where(Activity.course_id == course.id)
        .order_by(Section.position, Activity.position, Activity.id)
    )
    if not staff:
        stmt = stmt.where(Activity.is_visible.is_(True))
    return list(db.session.scalars(stmt))
