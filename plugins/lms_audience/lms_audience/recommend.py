"""Courses recommended to a learner: published courses aimed at one of their groups, whose age
range (if any) holds their age, that they are not enrolled in yet. Shown on the home page
(``home_top`` slot) and on "My learning" (``lms_tpl_dashboard_items``)."""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy import and_, or_, select

from lms.courses import catalog_query
from lms.extensions import db
from lms.models import Course, Enrolment
from lms.ui import Snippet
from lms_audience.models import CourseGroup, CourseTarget
from lms_audience.prefs import facts
from lms_audience.rules import age_on, profile_of, today_local
from lms_audience.services import group_names

_FROM_PROFILE: Any = object()


def recommended_courses(
    user: Any, codes: list[str], limit: int = 6, age: Any = _FROM_PROFILE
) -> list[Course]:
    """Up to ``limit`` courses for ``user`` in the groups ``codes``, newest first; ``age``
    (``None``: unknown, no age range applies) is read from the profile unless given."""
    if not codes:
        return []
    aimed = select(CourseGroup.course_id).where(CourseGroup.group_code.in_(codes))
    mine = select(Enrolment.course_id).where(Enrolment.user_id == user.id)
    stmt = (
        catalog_query()
        .join(CourseTarget, CourseTarget.course_id == Course.id)
        .where(Course.id.in_(aimed), Course.id.not_in(mine))
    )
    if age is _FROM_PROFILE:
        profile = profile_of(user)
        birth = profile.birth_date if profile is not None else None
        age = age_on(birth, today_local()) if birth is not None else None
    if age is not None:
        stmt = stmt.where(
            and_(
                or_(CourseTarget.min_age.is_(None), CourseTarget.min_age <= age),
                or_(CourseTarget.max_age.is_(None), CourseTarget.max_age >= age),
            )
        )
    return list(db.session.scalars(stmt.limit(limit)))


def recommendations_snippet(user: Any, order: int = 20) -> Snippet | None:
    """The "Recommended for you" section, or ``None`` when there is nothing to recommend."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    known = facts(user)  # the groups and age, cached with the body classes: no query
    codes = list(known["groups"])
    courses = recommended_courses(user, codes, age=known["age"])
    if not courses:
        return None
    names = group_names(codes)  # in the groups' order
    html = render_template(
        "lms_audience/recommended.html",
        courses=courses,
        names=list(names.values()),
        codes=list(names),
    )
    return Snippet(Markup(html), order=order)
