"""Small helpers that build valid objects for tests."""

from __future__ import annotations

import itertools

from flask import current_app

from lms.auth.services import create_user
from lms.extensions import db
from lms.models import Activity, Course, User
from lms.teach import services

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def user(*roles: str, name: str | None = None, email: str | None = None, **fields) -> User:
    n = next(_seq)
    u = create_user(
        name or f"User {n}",
        email or f"user{n}@example.com",
        PASSWORD,
        roles=roles or ("learner",),
        consent=True,
    )
    for key, value in fields.items():
        setattr(u, key, value)
    db.session.commit()
    return u


def course(
    teacher: User | None = None, published: bool = True, lessons: int = 2, **fields
) -> Course:
    teacher = teacher or user("educator")
    fields.setdefault("title", f"Course {next(_seq)}")
    c = services.create_course(teacher, **fields)
    section = c.sections[0]
    for i in range(lessons):
        page(section.id, f"Lesson {i + 1}", f"Body **{i + 1}**")
    services.set_published(c, published)
    db.session.commit()
    return c


def page(section_id: int, title: str, body: str, completion: str = "manual") -> Activity:
    from lms.models import Section

    section = db.session.get(Section, section_id)
    activity = services.add_activity(section, "page", title=title, completion=completion)
    current_app.extensions["lms"].content.get("page").import_data(
        activity, {"format": "markdown", "body": body}
    )
    db.session.commit()
    return activity


def activities(c: Course) -> list[Activity]:
    from lms.courses import visible_activities

    return visible_activities(c, staff=True)
