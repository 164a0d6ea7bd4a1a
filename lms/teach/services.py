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
    """Delete the activity, its type's data and its files (their bytes once committed)."""
    from lms.storage import discard_activity_files

    if content_type is not None:
        content_type.delete(activity)
        # Flush the type's rows first: the unit of work does not order unrelated mappers, and
        # on PostgreSQL the activity's ON DELETE CASCADE would otherwise remove them first.
        db.session.flush()
    discard_activity_files(activity.id)  # the files the type did not discard itself
    db.session.delete(activity)
    db.session.flush()


def delete_course(course: Course, registry) -> None:
    """Delete a course with every activity (through its content type), its files and the rest
    of its rows. The files' bytes are removed once the transaction commits. Does not commit."""
    from lms.storage import discard_course_files

    for activity in courses.visible_activities(course, staff=True):
        delete_activity(activity, registry.get(activity.content_type))
    discard_course_files(course.id)
    db.session.delete(course)
    db.session.flush()


# -- availability, prerequisites and duplication (content types and packages) -------------------


def requires_choices(course: Course, activity: Activity | None) -> list[tuple[int, str]]:
    """The activities of ``course`` another activity may require, as ``(id, label)``."""
    out = []
    for a in courses.visible_activities(course, staff=True):
        if activity is None or a.id != activity.id:
            out.append((a.id, f"{a.section.title} › {a.title}"))
    return out


def creates_cycle(activity: Activity | None, requires_id: int | None) -> bool:
    """Whether ``activity`` requiring ``requires_id`` would lock a chain of activities forever."""
    if activity is None or not requires_id:
        return False
    seen: set[int] = set()
    current: int | None = requires_id
    while current and current not in seen:
        if current == activity.id:
            return True
        seen.add(current)
        other = db.session.get(Activity, current)
        current = other.requires_id if other is not None else None
    return False


def copy_type_data(content_type, source: Activity, target: Activity, course_id: int) -> None:
    """Give ``target`` a copy of ``source``'s type data, files included (export → import)."""
    from lms.models import StoredFile
    from lms.storage import copy_file, link_files

    data = dict(content_type.export_data(source))
    for key in content_type.file_fields:
        file_id = data.get(key)
        stored = db.session.get(StoredFile, file_id) if file_id else None
        data[key] = copy_file(stored, course_id, target.id).id if stored is not None else None
    content_type.import_data(target, data)
    link_files(target, content_type)


def duplicate_activity(activity: Activity, content_type) -> Activity:
    """A hidden copy of ``activity`` at the end of its section, with its own copy of the data."""
    copy = add_activity(
        activity.section,
        activity.content_type,
        title=_("%(title)s (copy)", title=activity.title)[:200],
        is_visible=False,
        completion=activity.completion,
        available_from=activity.available_from,
        available_until=activity.available_until,
        requires_id=activity.requires_id,
    )
    copy_type_data(content_type, activity, copy, activity.course_id)
    db.session.flush()
    return copy
