"""The question-type interface. Built-in types and third-party packages implement it.

A package adds a type by implementing the ``lms_question_types`` hook and returning instances
of :class:`QuestionType` subclasses::

    from lms import hookimpl
    from lms_quiz.qtypes.base import QuestionType

    class Ordering(QuestionType):
        key = "ordering"
        ...

    @hookimpl
    def lms_question_types(app):
        return [Ordering()]

The quiz engine only ever talks to a type through these methods. ``data`` is the JSON-able
dict stored with the question; ``response`` is whatever :meth:`parse_response` returned
(``None`` means "not answered"). Grading returns a fraction in ``[0, 1]`` (``None`` when a
person must grade it).
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import Form, TextAreaField

from lms.html import markdown, sanitize

GIFT_SPECIAL = "\\~=#{}:"


def gift_escape(value: str) -> str:
    """Escape GIFT's special characters (``\\ ~ = # { } :``) in a piece of text."""
    out = []
    for ch in str(value):
        if ch in GIFT_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def num(value: float) -> str:
    """A number as short text that reads back to the same float (``1822``, ``3.14159265``)."""
    value = float(value)
    short = f"{value:g}"
    if float(short) == value:
        return short
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def fmt_fraction(fraction: float) -> str:
    """A GIFT weight such as ``%50%`` or ``%-33.33333%`` (a percent with up to 5 decimals, as
    Moodle keeps them)."""
    return f"%{num(round(float(fraction) * 100, 5))}%"


def xml_percent(fraction: float) -> str:
    """A Moodle XML ``fraction`` attribute: a percent, up to 5 decimals."""
    return num(round(float(fraction) * 100, 5))


def normalise(text: str) -> str:
    """NFC, trimmed, inner whitespace collapsed: how typed answers are compared."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def rich(text: str, fmt: str = "html") -> Markup:
    """Question, answer or feedback text as safe HTML, whatever format it was written in."""
    if fmt == "markdown":
        return markdown(text)
    if fmt == "plain":
        return Markup(str(escape(text)).replace("\n", "<br>"))
    return sanitize(text)


class FormatNotSupported(Exception):
    """A question type without a writer or reader for an exchange format (GIFT, Moodle XML)."""


class JsonDataForm(Form):
    """The fallback editor for a type without a form of its own: ``data`` as JSON."""

    answer_data = TextAreaField(
        _l("Answers (JSON)"), render_kw={"rows": 12, "spellcheck": "false", "dir": "ltr"}
    )


class QuestionType:
    """Subclass this; override what your type needs."""

    #: Stable identifier stored in ``question.qtype``.
    key: str = ""
    #: Human name (lazy translation).
    label: str = ""
    #: False for types that take no answer (description): no mark, no input.
    gradable: bool = True
    #: True when a person grades the response (essay).
    manual: bool = False

    # -- data --------------------------------------------------------------------------------

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return ``data`` normalised; raise ``ValueError`` with a message when it is wrong."""
        return dict(data or {})

    def shuffle(self, data: dict[str, Any], rng: random.Random) -> list[int] | None:
        """An order for the choices, fixed when an attempt starts (``None``: no choices)."""
        return None

    # -- the educator's editor ------------------------------------------------------------------

    #: The field of :meth:`form_class` beside which a ``ValueError`` from :meth:`validate`
    #: is shown (the form's own validators put their messages beside their fields).
    error_field: str = "answer_data"

    def form_class(self) -> type[Form]:
        """A plain :class:`wtforms.Form` with this type's answer fields (see
        :mod:`lms_quiz.qtypes.formkit`). The question editor adds name, category, text,
        format, general feedback, default mark and CSRF. Default: ``data`` as JSON."""
        return JsonDataForm

    def fill_form(self, form: Form, data: dict[str, Any] | None) -> None:
        """Put a question's ``data`` into a fresh form (``None``: a new question)."""
        form.answer_data.data = json.dumps(data or {}, ensure_ascii=False, indent=2)

    def form_data(self, form: Form) -> dict[str, Any]:
        """``data`` from a submitted form whose own validation passed; :meth:`validate` is
        called on the result. Raise ``ValueError`` for a problem the form could not catch."""
        try:
            value = json.loads(form.answer_data.data or "{}")
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError("the JSON must be an object {...}")
        return value

    #: Default mark of a new question of this type.
    default_mark: float = 1.0

    # -- the learner's side --------------------------------------------------------------------

    def render(
        self,
        data: dict[str, Any],
        name: str,
        response: Any,
        order: list[int] | None,
        disabled: bool = False,
    ) -> Markup:
        """The inputs for answering, named ``name`` or ``name + "_" + something``.
        Every input needs a label. Build HTML from escaped or sanitised values only."""
        return Markup("")

    def parse_response(self, name: str, form: Mapping[str, Any]) -> Any:
        """Read the response from submitted form data (a MultiDict). ``None`` if unanswered."""
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    # -- grading -----------------------------------------------------------------------------

    def grade(self, data: dict[str, Any], response: Any) -> float | None:
        """The fraction of the mark earned, ``0 ≤ f ≤ 1``; ``None`` if a person must grade."""
        return 0.0

    def feedback(self, data: dict[str, Any], response: Any) -> str:
        """Feedback (HTML, sanitised when shown) for this response."""
        return ""

    def correct_answer(self, data: dict[str, Any]) -> str:
        """The right answer as plain text, for the review page."""
        return ""

    def summarise(self, data: dict[str, Any], response: Any) -> str:
        """The response as short plain text (attempt reports, answer frequencies)."""
        return "" if response is None else str(response)

    # -- import and export -------------------------------------------------------------------

    # Both are optional for a third-party type: without them, GIFT export and Moodle XML
    # import name the question and say its type cannot be written or read (tested).
    def to_gift(self, data: dict[str, Any]) -> str | None:
        """The GIFT answer block (with braces), or ``None`` for no block (description)."""
        raise FormatNotSupported(f"{self.key}: no GIFT writer")

    def from_moodle_xml(self, element: Any) -> dict[str, Any]:
        """``data`` from a Moodle XML ``<question>`` element (xml.etree)."""
        raise FormatNotSupported(f"{self.key}: no Moodle XML reader")


def xml_text(element: Any, path: str, default: str = "") -> str:
    """The ``<text>`` inside ``path`` of a Moodle XML element, or ``default``."""
    found = element.find(path) if element is not None else None
    if found is None:
        return default
    inner = found.find("text")
    node = inner if inner is not None else found
    return (node.text or "").strip() if node.text is not None else default


def xml_fraction(element: Any) -> float:
    try:
        return float(element.get("fraction", "0")) / 100
    except ValueError:
        return 0.0


def check_fraction(value: Any) -> float:
    f = float(value)
    if not -1.0 <= f <= 1.0:
        raise ValueError(f"weight {f * 100:g}% is outside -100%..100%")
    return f


def label(text: str, **attrs: str) -> Markup:
    return Markup("<label{}>{}</label>").format(
        Markup("").join(Markup(' {}="{}"').format(k.rstrip("_"), v) for k, v in attrs.items()),
        text,
    )
