"""The question bank: categories, storing imported questions in one go, exporting a bank."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, select

from lms.extensions import db
from lms.models import Course
from lms.models.base import utcnow
from lms_quiz.gift import ParsedQuestion
from lms_quiz.models import Category, Question

DEFAULT_CATEGORY = "Default"


def get_category(course: Course | int, name: str) -> Category:
    """The course's category ``name``, created (flushed, not committed) when missing."""
    course_id = course if isinstance(course, int) else course.id
    cat = db.session.scalar(
        select(Category).where(Category.course_id == course_id, Category.name == name)
    )
    if cat is None:
        cat = Category(course_id=course_id, name=name)
        db.session.add(cat)
        db.session.flush()
    return cat


def get_category_by_id(course_id: int, category_id: int) -> Category:
    """Category ``category_id`` if it belongs to the course; ``LookupError`` otherwise."""
    cat = db.session.get(Category, category_id)
    if cat is None or cat.course_id != course_id:
        raise LookupError(category_id)
    return cat


def categories(course_id: int) -> list[Category]:
    return list(
        db.session.scalars(
            select(Category).where(Category.course_id == course_id).order_by(Category.name)
        )
    )


def store(
    course_id: int, parsed: list[ParsedQuestion], category: str | None = None
) -> Counter[str]:
    """Add every parsed question to the course's bank. ``category`` overrides the file's
    ``$CATEGORY``. Flushes; the caller commits (or rolls back) the one transaction."""
    existing = {
        c.name: c
        for c in db.session.scalars(select(Category).where(Category.course_id == course_id))
    }
    for name in {category or q.category or DEFAULT_CATEGORY for q in parsed}:
        if name not in existing:
            existing[name] = Category(course_id=course_id, name=name[:255])
            db.session.add(existing[name])
    db.session.flush()
    counts: Counter[str] = Counter()
    now = utcnow()
    rows = []
    for q in parsed:
        cat = existing[category or q.category or DEFAULT_CATEGORY]
        rows.append(
            {
                "course_id": course_id,
                "category_id": cat.id,
                "qtype": q.qtype,
                "name": q.name[:255],
                "text": q.text,
                "text_format": q.text_format,
                "general_feedback": q.general_feedback,
                "data": q.data,
                "default_mark": q.default_mark,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        counts[q.qtype] += 1
    if rows:  # one multi-row INSERT (insertmanyvalues), not 500 ORM objects
        db.session.execute(insert(Question), rows)
    return counts


def bank_questions(course_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .join(Category, Category.id == Question.category_id)
            .where(Question.course_id == course_id)
            .order_by(Category.name, Question.id)
        )
    )


def import_text(course_id: int, content: bytes, fmt: str, category: str | None = None):
    """Parse ``content`` (GIFT or Moodle XML) and store it. Raises ``ImportErrors``."""
    if fmt == "xml":
        from lms_quiz import moodlexml

        parsed = moodlexml.parse(content)
    else:
        from lms_quiz import gift

        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise gift.ImportErrors([f"The file is not UTF-8 text: {exc}"]) from exc
        parsed = gift.parse(text)
    return store(course_id, parsed, category)


def export_text(course_id: int, fmt: str) -> str:
    questions = bank_questions(course_id)
    if fmt == "xml":
        from lms_quiz import moodlexml

        return moodlexml.export(questions)
    from lms_quiz import gift

    return gift.export(questions)
