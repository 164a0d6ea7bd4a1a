"""Course services: who may see and teach a course, the catalog query, enrolment."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, literal, or_, select

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


def _position_stmt(staff: bool, with_user: bool) -> Any:
    """One row for the activity ``activity_id``: its place in the course outline, its
    neighbours and the course's counts, computed by window functions over the outline."""
    order = (Section.position, Activity.position, Activity.id)
    visible = case((Activity.is_visible.is_(True), 1), else_=0)
    done: Any = literal(0)
    if with_user:
        done = case(
            (and_(Activity.is_visible.is_(True), ActivityProgress.completed_at.is_not(None)), 1),
            else_=0,
        )
    outline = (
        select(
            Activity.id.label("id"),
            func.row_number().over(order_by=order).label("position"),
            func.lag(Activity.id).over(order_by=order).label("prev_id"),
            func.lead(Activity.id).over(order_by=order).label("next_id"),
            func.count().over().label("count"),
            func.sum(visible).over().label("total"),
            func.sum(done).over().label("done"),
        )
        .join(Section, Activity.section_id == Section.id)
        .where(Activity.course_id == bindparam("course_id"))
    )
    if with_user:  # one progress row per user and activity (unique)
        outline = outline.outerjoin(
            ActivityProgress,
            and_(
                ActivityProgress.activity_id == Activity.id,
                ActivityProgress.user_id == bindparam("user_id"),
            ),
        )
    if not staff:
        outline = outline.where(Activity.is_visible.is_(True))
    rows = outline.subquery("outline")
    return select(rows).where(rows.c.id == bindparam("activity_id"))


# Built once for each (staff, with a learner) pair: the lesson page runs one on every view.
_POSITION = {(s, u): _position_stmt(s, u) for s in (False, True) for u in (False, True)}


def outline_position(
    activity_id: int, course_id: int, staff: bool, user_id: int | None = None
) -> Any:
    """Where an activity stands in its course's outline, in one query that returns one row:
    ``position`` (1-based) and ``count`` among the activities the viewer sees (staff see
    hidden ones too), ``prev_id``/``next_id`` (None at either end), and over the visible
    activities ``total`` and, with ``user_id``, ``done`` (that learner completed them:
    progress.course_progress's rule). None if the activity is not in that outline.

    The database does the counting: a lesson in a 200-activity course used to fetch 200 rows
    and walk them in Python on every view."""
    params: dict[str, Any] = {"course_id": course_id, "activity_id": activity_id}
    if user_id is not None:
        params["user_id"] = user_id
    return db.session.execute(_POSITION[staff, user_id is not None], params).first()


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
