"""A quiz's questions in course packages (and activity duplication): by content, not by id.

``export_questions`` gives::

    {"categories": ["บทที่ 1", ...],
     "questions": [{"category": 0, "qtype": "multichoice", "name": ..., "text": ...,
                    "text_format": "html", "general_feedback": ..., "default_mark": 1.0,
                    "data": {...}}, ...],
     "slots": [{"question": 0, "mark": null}, {"category": 0, "mark": 2.0}, ...]}

A fixed slot names an index in ``questions``; a random slot names an index in ``categories``,
and every question of that category is in ``questions`` so the draw works on the new site.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms_quiz import bank
from lms_quiz.models import GRADE_METHODS, REVIEW_WHEN, Category, Question, Quiz, Slot
from lms_quiz.qtypes import all_types

FIELDS = ("qtype", "name", "text", "text_format", "general_feedback", "default_mark", "data")


def export_questions(quiz: Quiz) -> dict[str, Any]:
    categories: list[str] = []
    cat_index: dict[int, int] = {}
    questions: list[dict[str, Any]] = []
    q_index: dict[int, int] = {}

    def category(category_id: int) -> int:
        if category_id not in cat_index:
            cat_index[category_id] = len(categories)
            categories.append(db.session.get(Category, category_id).name)
        return cat_index[category_id]

    def add(question: Question) -> int:
        if question.id not in q_index:
            q_index[question.id] = len(questions)
            row = {name: getattr(question, name) for name in FIELDS}
            questions.append({"category": category(question.category_id), **row})
        return q_index[question.id]

    slots = []
    for slot in quiz.slots:
        if slot.question is not None:
            slots.append({"question": add(slot.question), "mark": slot.mark})
        elif slot.category_id is not None:
            pool = db.session.scalars(
                select(Question)
                .where(Question.category_id == slot.category_id)
                .order_by(Question.id)
            )
            for question in pool:
                add(question)
            slots.append({"category": category(slot.category_id), "mark": slot.mark})
    return {"categories": categories, "questions": questions, "slots": slots}


def check_settings(data: dict[str, Any]) -> None:
    """Refuse settings no form could have produced (``ValueError`` naming the key)."""
    allowed = {
        "grade_method": GRADE_METHODS,
        "overdue_rule": ("autosubmit", "abandon"),
        "review_marks": REVIEW_WHEN,
        "review_feedback": REVIEW_WHEN,
        "review_correct": REVIEW_WHEN,
    }
    for key, values in allowed.items():
        if key in data and data[key] not in values:
            raise ValueError(f"{key} {data[key]!r} is not one of {', '.join(values)}")
    for key in ("time_limit", "grace_seconds", "attempts_allowed", "questions_per_page"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"{key} {value!r} is not a whole number ≥ 0")


def _index(value: Any, size: int, what: str) -> int:
    if not isinstance(value, int) or not 0 <= value < size:
        raise ValueError(f"{what} {value!r} is not an index")
    return value


def import_questions(quiz: Quiz, course_id: int, content: dict[str, Any]) -> None:
    """Put the package's questions into the course's bank and rebuild the quiz's slots.
    Raises ``ValueError`` (the package is refused whole: the caller rolls back)."""
    names = content.get("categories") or []
    questions = content.get("questions") or []
    slots = content.get("slots") or []
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError("categories must be a list of names")
    if not isinstance(questions, list) or not isinstance(slots, list):
        raise ValueError("questions and slots must be lists")
    cats = [bank.get_category(course_id, name.strip()[:255]) for name in names]
    types = all_types()
    existing: dict[int, list[Question]] = {}
    ids: list[int] = []
    for i, q in enumerate(questions):
        where = f"questions[{i}]"
        if not isinstance(q, dict):
            raise ValueError(f"{where} is not an object")
        qt = types.get(q.get("qtype"))
        if qt is None:
            raise ValueError(f"{where}.qtype {q.get('qtype')!r} is not installed")
        try:
            data = qt.validate(q.get("data") or {})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{where}.data: {exc}") from None
        if q.get("text_format", "html") not in ("html", "markdown", "plain"):
            raise ValueError(f"{where}.text_format {q.get('text_format')!r} is not known")
        cat = cats[_index(q.get("category"), len(cats), f"{where}.category")]
        row = {
            "qtype": qt.key,
            "name": str(q.get("name") or "")[:255],
            "text": str(q.get("text") or ""),
            "text_format": q.get("text_format", "html"),
            "general_feedback": str(q.get("general_feedback") or ""),
            "default_mark": float(q.get("default_mark", qt.default_mark)),
            "data": data,
        }
        if cat.id not in existing:
            existing[cat.id] = list(
                db.session.scalars(select(Question).where(Question.category_id == cat.id))
            )
        same = next(
            (e for e in existing[cat.id] if all(getattr(e, k) == v for k, v in row.items())),
            None,
        )
        if same is None:
            same = Question(course_id=course_id, category_id=cat.id, version=1, **row)
            db.session.add(same)
            db.session.flush()
            existing[cat.id].append(same)
        ids.append(same.id)
    quiz.slots.clear()
    db.session.flush()
    for position, slot in enumerate(slots):
        mark = slot.get("mark") if isinstance(slot, dict) else None
        if mark is not None and not isinstance(mark, int | float):
            raise ValueError(f"slots[{position}].mark {mark!r} is not a number")
        if isinstance(slot, dict) and "question" in slot:
            qid = ids[_index(slot["question"], len(ids), f"slots[{position}].question")]
            quiz.slots.append(Slot(question_id=qid, position=position, mark=mark))
        elif isinstance(slot, dict) and "category" in slot:
            cat = cats[_index(slot["category"], len(cats), f"slots[{position}].category")]
            quiz.slots.append(Slot(category_id=cat.id, position=position, mark=mark))
        else:
            raise ValueError(f"slots[{position}] names neither a question nor a category")
    db.session.flush()
