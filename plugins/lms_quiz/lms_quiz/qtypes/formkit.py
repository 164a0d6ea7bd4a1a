"""Building blocks for question-type edit forms (built-in and third-party types use them).

A type's form is a plain :class:`wtforms.Form` subclass returned by
:meth:`~lms_quiz.qtypes.base.QuestionType.form_class`. The question editor mixes it with the
fields every question has (name, category, text, format, general feedback, default mark) and
Flask-WTF's CSRF token, so the type's form holds only the answer fields. Rows of answers are a
``FieldList(FormField(...))``; empty rows are ignored, and the editor offers more rows on
request (see :func:`rows`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, FieldList, Form, FormField, StringField
from wtforms.validators import ValidationError

from lms_quiz.qtypes.base import num

#: Blank rows shown after the filled ones, and the least number of rows shown.
SPARE_ROWS = 2
MIN_ROWS = 4


def parse_float(text: Any) -> float | None:
    """``"1,5"`` or ``"1.5"`` or ``" 1 500 "`` → ``1.5`` / ``1500.0``; ``None`` when empty.
    Raises ``ValueError`` when it is not a number."""
    value = str(text if text is not None else "").strip().replace(" ", "")
    if not value:
        return None
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    else:
        value = value.replace(",", "")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number


class NumberText(StringField):
    """A text input for a number (``inputmode="decimal"``); ``.number`` is the parsed value."""

    def __init__(self, label=None, validators=None, minimum=None, maximum=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.number: float | None = None

    def pre_validate(self, form: Form) -> None:
        try:
            self.number = parse_float(self.data)
        except ValueError:
            self.number = None
            raise ValidationError(_l("Enter a number.")) from None
        if self.number is None:
            return
        if (self.minimum is not None and self.number < self.minimum) or (
            self.maximum is not None and self.number > self.maximum
        ):
            low, high = fmt_number(self.minimum), fmt_number(self.maximum)
            raise ValidationError(_l("Enter a number from %(a)s to %(b)s.", a=low, b=high))


def fmt_number(value: float | None) -> str:
    return "" if value is None else num(value)


def weight_field(default: str = "0") -> NumberText:
    """A weight in percent, -100 to 100 (shown as ``100`` for a fully right answer)."""
    return NumberText(_l("Weight in percent"), minimum=-100, maximum=100, default=default)


def weight(row: Form, default: float = 0.0) -> float:
    """A row's ``fraction`` field as a fraction (``50`` → ``0.5``); blank gives ``default``."""
    number = row.fraction.number
    return default if number is None else number / 100


def rows(form_class: type[Form], min_entries: int = MIN_ROWS) -> FieldList:
    return FieldList(FormField(form_class), min_entries=min_entries)


def filled(field_list: FieldList, key: str) -> list[Any]:
    """The row subforms of ``field_list`` whose ``key`` field is not blank."""
    return [
        entry.form
        for entry in field_list.entries
        if str(getattr(entry.form, key).data or "").strip()
    ]


def set_rows(field_list: FieldList, values: list[dict[str, Any]]) -> None:
    """Fill ``field_list`` with ``values`` (one dict per row) plus spare blank rows."""
    while len(field_list.entries):
        field_list.pop_entry()
    for value in values:
        field_list.append_entry(value)
    while len(field_list.entries) < max(MIN_ROWS, len(values) + SPARE_ROWS):
        field_list.append_entry()


def add_rows(form: Form, n: int = SPARE_ROWS) -> None:
    """More blank rows in every list of ``form`` (the editor's "more rows" button)."""
    for field in form:
        if isinstance(field, FieldList):
            for _i in range(n):
                field.append_entry()


def list_errors(field: Field) -> list[str]:
    """The messages about a whole list (not about one of its rows)."""
    return [str(e) for e in field.errors if not isinstance(e, (dict, list))]


def percent(fraction: float) -> str:
    return fmt_number(round(float(fraction) * 100, 5))
