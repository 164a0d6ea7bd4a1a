"""Authoring: creating courses, ordering sections and activities, publishing."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms import courses, plugins
from lms.extensions import db
from lms.models import Activity, Course, Section, User


def create_course(owner: User, **fields) -> Course:
    """A new unpublished course with one empty section; ``owner`` becomes its teacher."""
    course = Course(created_by_id=owner.id, **fields)
    db.session.add(course)
    db.session.flush()
    db.session.add(Section(course_id=course.id, position=0, title=_("Introduction")))
    courses.add_enrolment(owner, course, role="teacher")
    return course


def next_position(model, **where) -> int:
    stmt = select(func.max(model.position))
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    current = db.session.scalar(stmt)
    return 0 if current is None else current + 1


def add_section(course: Course, title: str, summary: str = "") -> Section:
    section = Section(
        course_id=course.id,
        title=title,
        summary=summary,
        position=next_position(Section, course_id=course.id),
    )
    db.session.add(section)
    db.session.flush()
    return section


def add_activity(section: Section, content_type: str, **fields) -> Activity:
    activity = Activity(
        course_id=section.course_id,
        section_id=section.id,
        content_type=content_type,
        position=next_position(Activity, section_id=section.id),
        **fields,
    )
    db.session.add(activity)
    db.session.flush()
    return activity


def move(item: Section | Activity, direction: str) -> None:
    """Swap ``item`` with its neighbour above (``up``) or below (``down``)."""
    if isinstance(item, Section):
        siblings = list(item.course.sections)
    else:
        siblings = list(item.section.activities)
    for i, s in enumerate(siblings):  # renumber so positions are dense
        s.position = i
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    db.session.flush()


def set_published(course: Course, published: bool) -> None:
    was = course.is_published
    course.is_published = published
    db.session.flush()
    if published and not was:
        plugins.call("lms_event_course_published", course=course)


def delete_activity(activity: Activity, content_type) -> None:
    if content_type is not None:
        content_type.delete(activity)
    db.session.delete(activity)
    db.session.flush()
