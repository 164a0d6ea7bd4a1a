"""True/false."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Form, SelectField, StringField

from lms.forms import choices
from lms_quiz.qtypes.base import QuestionType, gift_escape, xml_fraction, xml_text


class TrueFalseForm(Form):
    correct = SelectField(
        _l("The right answer"), choices=choices([("true", _l("True")), ("false", _l("False"))])
    )
    feedback_right = StringField(_l("Feedback for a right answer"))
    feedback_wrong = StringField(_l("Feedback for a wrong answer"))


class TrueFalse(QuestionType):
    key = "truefalse"
    label = _l("True/false")
    error_field = "correct"

    def form_class(self):
        return TrueFalseForm

    def fill_form(self, form, data):
        data = self.validate(data or {"correct": True})
        form.correct.data = "true" if data["correct"] else "false"
        form.feedback_right.data = data["feedback_right"]
        form.feedback_wrong.data = data["feedback_wrong"]

    def form_data(self, form):
        return {
            "correct": form.correct.data == "true",
            "feedback_right": (form.feedback_right.data or "").strip(),
            "feedback_wrong": (form.feedback_wrong.data or "").strip(),
        }

    def validate(self, data):
        return {
            "correct": bool(data.get("correct")),
            "feedback_right": str(data.get("feedback_right", "")),
            "feedback_wrong": str(data.get("feedback_wrong", "")),
        }

    def render(self, data, name, response, order, disabled=False):
        rows = []
        for value, text in (("true", _("True")), ("false", _("False"))):
            rows.append(
                Markup(
                    '<li><label class="choice"><input type="radio" name="{}" value="{}"{}{}> '
                    "<span>{}</span></label></li>"
                ).format(
                    name,
                    value,
                    Markup(" checked") if response == value else "",
                    Markup(" disabled") if disabled else "",
                    text,
                )
            )
        return Markup('<ul class="choices">{}</ul>').format(Markup("").join(rows))

    def parse_response(self, name, form):
        value = form.get(name)
        return value if value in ("true", "false") else None

    def _right(self, data, response):
        return response == ("true" if data["correct"] else "false")

    def grade(self, data, response):
        return 1.0 if self._right(data, response) else 0.0

    def feedback(self, data, response):
        if response is None:
            return ""
        return data["feedback_right"] if self._right(data, response) else data["feedback_wrong"]

    def correct_answer(self, data):
        return _("True") if data["correct"] else _("False")

    def summarise(self, data, response):
        return {"true": "True", "false": "False"}.get(response or "", "")

    def to_gift(self, data):
        out = "{" + ("TRUE" if data["correct"] else "FALSE")
        if data["feedback_wrong"] or data["feedback_right"]:
            out += "#" + gift_escape(data["feedback_wrong"])
            if data["feedback_right"]:
                out += "#" + gift_escape(data["feedback_right"])
        return out + "}"

    def from_moodle_xml(self, element):
        correct, right, wrong = False, "", ""
        for a in element.findall("answer"):
            is_true = xml_text(a, ".").lower() == "true"
            if xml_fraction(a) > 0:
                correct, right = is_true, xml_text(a, "feedback")
            else:
                wrong = xml_text(a, "feedback")
        return {"correct": correct, "feedback_right": right, "feedback_wrong": wrong}
