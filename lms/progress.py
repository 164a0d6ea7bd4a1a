"""Progress through activities and courses.

Content types with ``auto`` completion call :func:`complete` themselves; ``view`` activities are
completed when opened; ``manual`` ones when the learner says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import selectinload

from lms import plugins
from lms.extensions import db
from lms.models import Activity, ActivityProgress, Course, Enrolment, User
from lms.models.base import utcnow


@dataclass
class CourseProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


_PROGRESS = select(ActivityProgress).where(
    ActivityProgress.user_id == bindparam("user_id"),
    ActivityProgress.activity_id == bindparam("activity_id"),
)


def get_progress(user: User, activity: Activity) -> ActivityProgress | None:
    return db.session.scalar(_PROGRESS, {"user_id": user.id, "activity_id": activity.id})


def _create(
    user: User, activity: Activity, completed_at: datetime | None = None
) -> ActivityProgress:
    progress = ActivityProgress(
        user_id=user.id,
        activity_id=activity.id,
        course_id=activity.course_id,
        completed_at=completed_at,
    )
    db.session.add(progress)
    db.session.flush()
    return progress


def mark_viewed(
    user: User, activity: Activity, progress: ActivityProgress | None = None
) -> ActivityProgress:
    """Record that ``user`` opened ``activity``; completes ``view`` activities. ``progress``:
    their row for it when the caller has read it already (``None``: look it up)."""
    progress = progress or get_progress(user, activity)
    if activity.completion == "view":
        return _complete(user, activity, progress)[0]
    return progress or _create(user, activity)


def complete(user: User, activity: Activity, progress: ActivityProgress | None = None) -> bool:
    """Mark ``activity`` complete for ``user``. Returns True the first time. Does not commit."""
    return _complete(user, activity, progress or get_progress(user, activity))[1]


def _complete(
    user: User, activity: Activity, progress: ActivityProgress | None
) -> tuple[ActivityProgress, bool]:
    """``complete`` with the user's row already read (``None``: they have none yet, and it
    is inserted complete: one statement, not an insert and an update)."""
    if progress is not None and progress.completed_at is not None:
        return progress, False
    if progress is None:
        progress = _create(user, activity, completed_at=utcnow())
    else:
        progress.completed_at = utcnow()
        db.session.flush()
    plugins.call("lms_event_activity_completed", activity=activity, user=user)
    _check_course_completion(user, activity.course)
    return progress, True


def uncomplete(user: User, activity: Activity) -> None:
    """Undo a manual completion (the learner unticks it)."""
    progress = get_progress(user, activity)
    if progress is not None and activity.completion == "manual":
        progress.completed_at = None
        enrolment = _learner_enrolment(user, activity.course)
        if enrolment is not None:
            enrolment.completed_at = None


def _learner_enrolment(user: User, course: Course) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user.id,
            Enrolment.course_id == course.id,
            Enrolment.role == "learner",
        )
    )


def _check_course_completion(user: User, course: Course) -> None:
    enrolment = _learner_enrolment(user, course)
    if enrolment is None or enrolment.completed_at is not None:
        return
    progress = course_progress(user.id, course.id)
    if progress.total and progress.done >= progress.total:
        enrolment.completed_at = utcnow()
        db.session.flush()
        plugins.call("lms_event_course_completed", enrolment=enrolment)
        from lms.participation import record

        record(kind="course_completion", source=f"course:{course.id}", user_id=user.id)


def _visible_count(course_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Activity.id)).where(
                Activity.course_id == course_id, Activity.is_visible.is_(True)
            )
        )
        or 0
    )


_COURSE_PROGRESS = (
    select(func.count(ActivityProgress.id).label("done"), func.count(Activity.id).label("total"))
    .select_from(Activity)
    .outerjoin(
        ActivityProgress,
        and_(
            ActivityProgress.activity_id == Activity.id,
            ActivityProgress.user_id == bindparam("user_id"),
            ActivityProgress.completed_at.is_not(None),
        ),
    )
    .where(Activity.course_id == bindparam("course_id"), Activity.is_visible.is_(True))
)


def course_progress(user_id: int, course_id: int) -> CourseProgress:
    """Completed visible activities out of all visible activities, in one query (one progress
    row per user and activity). The lesson page counts the same from its outline rows
    (courses.outline_position)."""
    done, total = db.session.execute(
        _COURSE_PROGRESS, {"user_id": user_id, "course_id": course_id}
    ).one()
    return CourseProgress(done=done, total=total)


def progress_map(user_id: int, course_id: int) -> dict[int, ActivityProgress]:
    """The user's progress rows in a course, by activity id (one query for a whole outline)."""
    rows = db.session.scalars(
        select(ActivityProgress).where(
            ActivityProgress.user_id == user_id, ActivityProgress.course_id == course_id
        )
    )
    return {p.activity_id: p for p in rows}


def progress_for_courses(user_id: int, course_ids: list[int]) -> dict[int, CourseProgress]:
    """Progress in many courses with two grouped queries (the "my learning" page)."""
    if not course_ids:
        return {}
    totals = dict(
        db.session.execute(
            select(Activity.course_id, func.count(Activity.id))
            .where(Activity.course_id.in_(course_ids), Activity.is_visible.is_(True))
            .group_by(Activity.course_id)
        ).all()
    )
    done = dict(
        db.session.execute(
            select(ActivityProgress.course_id, func.count(ActivityProgress.id))
            .join(Activity, Activity.id == ActivityProgress.activity_id)
            .where(
                ActivityProgress.user_id == user_id,
                ActivityProgress.course_id.in_(course_ids),
                ActivityProgress.completed_at.is_not(None),
                Activity.is_visible.is_(True),
            )
            .group_by(ActivityProgress.course_id)
        ).all()
    )
    return {cid: CourseProgress(done.get(cid, 0), totals.get(cid, 0)) for cid in course_ids}


def learners_progress(course: Course) -> list[tuple[Enrolment, CourseProgress]]:
    """Every learner of ``course`` with their progress, in three queries whatever the size."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .options(selectinload(Enrolment.user))
            .where(Enrolment.course_id == course.id, Enrolment.role == "learner")
            .order_by(Enrolment.enrolled_at)
        )
    )
    total = _visible_count(course.id)
    done = dict(
        db.session.execute(
            select(ActivityProgress.user_id, func.count(ActivityProgress.id))
            .join(Activity, Activity.id == ActivityProgress.activity_id)
            .where(
                ActivityProgress.course_id == course.id,
                ActivityProgress.completed_at.is_not(None),
                Activity.is_visible.is_(True),
            )
            .group_by(ActivityProgress.user_id)
        ).all()
    )
    return [(e, CourseProgress(done.get(e.user_id, 0), total)) for e in enrolments]
