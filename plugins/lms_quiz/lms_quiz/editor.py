"""The question editor: the fields every question has, mixed with the question type's own form.

The type supplies its answer fields through :meth:`QuestionType.form_class`, fills them with
:meth:`~QuestionType.fill_form` and reads them back with :meth:`~QuestionType.form_data`, so
this module never looks at which type it is editing (a third-party type gets its own form the
same way; one without a form gets the JSON fallback of the base class).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from lms.forms import choices
from lms_quiz import bank
from lms_quiz.models import Question
from lms_quiz.qtypes import formkit
from lms_quiz.qtypes.base import QuestionType, rich

FORMATS = [("html", "HTML"), ("markdown", "Markdown"), ("plain", _l("Plain text"))]
NEW_CATEGORY = 0


class QuestionBaseForm(FlaskForm):
    """What every question has. The type's answer fields are mixed in (see :func:`make_form`)."""

    name = StringField(
        _l("Name (optional)"),
        validators=[Length(max=255)],
        description=_l("Shown only to teachers. Empty: the first words of the text."),
    )
    category_id = SelectField(_l("Category"), coerce=int)
    new_category = StringField(_l("New category"), validators=[Length(max=255)])
    text = TextAreaField(
        _l("Question text"),
        validators=[InputRequired(message=_l("Write the question text."))],
        render_kw={"rows": 5},
    )
    text_format = SelectField(_l("Text format"), choices=choices(FORMATS), default="html")
    general_feedback = TextAreaField(
        _l("General feedback"),
        render_kw={"rows": 2},
        description=_l("Shown in the review, whatever the answer."),
    )
    default_mark = formkit.NumberText(_l("Default mark"), minimum=0, maximum=1000)

    def validate_new_category(self, field):
        if self.category_id.data == NEW_CATEGORY and not (field.data or "").strip():
            raise ValidationError(_l("Name the new category, or choose one above."))


BASE_FIELDS = frozenset(
    ("csrf_token", "name", "category_id", "new_category", "text", "text_format",
     "general_feedback", "default_mark")
)  # fmt: skip


def make_form(qt: QuestionType, course_id: int, question: Question | None = None) -> FlaskForm:
    """The editor's form for type ``qt``: the request's data on POST, else the question's
    (or a blank new question's) values."""
    cls = type(f"{qt.key.title()}QuestionForm", (QuestionBaseForm, qt.form_class()), {})
    form = cls()
    cats = bank.categories(course_id)
    form.category_id.choices = choices(
        [(c.id, c.name) for c in cats] + [(NEW_CATEGORY, _("A new category (name it below)"))]
    )
    if not form.is_submitted():
        if question is not None:
            form.name.data = question.name
            form.category_id.data = question.category_id
            form.text.data = question.text
            form.text_format.data = question.text_format
            form.general_feedback.data = question.general_feedback
            form.default_mark.data = formkit.fmt_number(question.default_mark)
        else:
            form.category_id.data = cats[0].id if cats else NEW_CATEGORY
            form.new_category.data = "" if cats else bank.DEFAULT_CATEGORY
            form.default_mark.data = formkit.fmt_number(qt.default_mark)
        qt.fill_form(form, question.data if question is not None else None)
    return form


def type_fields(form: FlaskForm) -> list[Any]:
    """The type's own fields, in their declared order."""
    return [f for f in form if f.name not in BASE_FIELDS]


def read(qt: QuestionType, form: FlaskForm) -> dict[str, Any] | None:
    """The type's ``data`` from a validated form, or ``None`` with the problem put beside the
    type's :attr:`~QuestionType.error_field`."""
    try:
        return qt.validate(qt.form_data(form))
    except (ValueError, TypeError, KeyError) as exc:
        field = getattr(form, qt.error_field, None) or form.text
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(_("The answers are not valid: %(error)s", error=str(exc)))
        return None


def auto_name(text: str) -> str:
    words = re.sub(r"<[^>]*>", " ", text).split()
    return " ".join(words[:6])[:60] or "?"


def apply(form: FlaskForm, qt: QuestionType, question: Question, data: dict[str, Any]) -> None:
    """Copy the validated form into ``question`` (new or existing); flushes."""
    if form.category_id.data == NEW_CATEGORY:
        category = bank.get_category(question.course_id, form.new_category.data.strip()[:255])
    else:
        category = bank.get_category_by_id(question.course_id, form.category_id.data)
    question.category_id = category.id
    question.qtype = qt.key
    question.text = form.text.data
    question.name = (form.name.data or "").strip()[:255] or auto_name(question.text)
    question.text_format = form.text_format.data
    question.general_feedback = form.general_feedback.data or ""
    mark = form.default_mark.number
    question.default_mark = qt.default_mark if mark is None else mark
    question.data = data


def preview(qt: QuestionType, text: str, fmt: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """What a learner would see: the text, the inputs (in the stored order), the right answer."""
    inputs, right = Markup(""), ""
    if data is not None:
        inputs = qt.render(data, "preview", None, None)
        right = qt.correct_answer(data)
    return {"text": rich(text, fmt), "inputs": inputs, "right": right}
