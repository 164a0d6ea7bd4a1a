"""Short answer: typed text compared with the accepted answers (``*`` is a wildcard)."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, Form, StringField
from wtforms.validators import ValidationError

from lms_quiz.qtypes import formkit
from lms_quiz.qtypes.base import (
    QuestionType,
    check_fraction,
    fmt_fraction,
    gift_escape,
    normalise,
    xml_fraction,
    xml_text,
)


@lru_cache(maxsize=1024)
def _pattern(answer: str, case_sensitive: bool) -> re.Pattern[str]:
    # "\*" is a literal star; a bare "*" matches any text (also none).
    pieces = re.split(r"(\\\*|\*)", normalise(answer))
    regex = "".join(
        ".*" if p == "*" else re.escape("*") if p == "\\*" else re.escape(p) for p in pieces
    )
    return re.compile(r"\A" + regex + r"\Z", 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


class AcceptedRow(Form):
    text = StringField(_l("Accepted answer"))
    fraction = formkit.weight_field("100")
    feedback = StringField(_l("Feedback for this answer"))


class ShortAnswerForm(Form):
    case_sensitive = BooleanField(
        _l("Upper and lower case must match"),
        description=_l("In an accepted answer, * matches any text and \\* is a star."),
    )
    answers = formkit.rows(AcceptedRow)

    def validate_answers(self, field):
        rows = formkit.filled(field, "text")
        if not rows or max(formkit.weight(r, 1.0) for r in rows) <= 0:
            raise ValidationError(
                _l("Write at least one accepted answer with a weight above zero.")
            )


class ShortAnswer(QuestionType):
    key = "shortanswer"
    label = _l("Short answer")
    error_field = "answers"

    def form_class(self):
        return ShortAnswerForm

    def fill_form(self, form, data):
        data = data or {"case_sensitive": False, "answers": []}
        form.case_sensitive.data = bool(data.get("case_sensitive"))
        formkit.set_rows(
            form.answers,
            [
                {
                    "text": a["text"],
                    "fraction": formkit.percent(a["fraction"]),
                    "feedback": a["feedback"],
                }
                for a in data.get("answers", [])
            ],
        )

    def form_data(self, form):
        return {
            "case_sensitive": bool(form.case_sensitive.data),
            "answers": [
                {
                    "text": r.text.data.strip(),
                    "fraction": formkit.weight(r, 1.0),
                    "feedback": (r.feedback.data or "").strip(),
                }
                for r in formkit.filled(form.answers, "text")
            ],
        }

    def validate(self, data):
        answers = []
        for a in data.get("answers") or []:
            if not str(a.get("text", "")).strip():
                raise ValueError("an accepted answer is empty")
            answers.append(
                {
                    "text": str(a["text"]),
                    "fraction": check_fraction(a.get("fraction", 1)),
                    "feedback": str(a.get("feedback", "")),
                }
            )
        if not answers or max(a["fraction"] for a in answers) <= 0:
            raise ValueError("a short-answer question needs a right answer")
        return {"case_sensitive": bool(data.get("case_sensitive", False)), "answers": answers}

    def render(self, data, name, response, order, disabled=False):
        return Markup(
            '<p class="field"><label for="{0}">{1}</label> '
            '<input type="text" id="{0}" name="{0}" value="{2}" autocomplete="off"{3}></p>'
        ).format(name, _("Answer"), response or "", Markup(" disabled") if disabled else "")

    def match(self, data, response):
        if response is None:
            return None
        typed = normalise(response)
        if not data["case_sensitive"]:
            typed = typed.casefold()
        for a in data["answers"]:
            text = a["text"] if data["case_sensitive"] else a["text"].casefold()
            if _pattern(text, data["case_sensitive"]).match(typed):
                return a
        return None

    def grade(self, data, response):
        a = self.match(data, response)
        return max(0.0, a["fraction"]) if a else 0.0

    def feedback(self, data, response):
        a = self.match(data, response)
        return a["feedback"] if a else ""

    def correct_answer(self, data):
        best = max(data["answers"], key=lambda a: a["fraction"])
        return best["text"]

    def to_gift(self, data):
        parts = []
        for a in data["answers"]:
            w = "" if a["fraction"] == 1.0 else fmt_fraction(a["fraction"])
            fb = "#" + gift_escape(a["feedback"]) if a["feedback"] else ""
            parts.append(f"={w}{gift_escape(a['text'])}{fb}")
        return "{" + " ".join(parts) + "}"

    def from_moodle_xml(self, element):
        return {
            "case_sensitive": (element.findtext("usecase") or "0").strip() in ("1", "true"),
            "answers": [
                {
                    "text": xml_text(a, "."),
                    "fraction": xml_fraction(a),
                    "feedback": xml_text(a, "feedback"),
                }
                for a in element.findall("answer")
            ],
        }
