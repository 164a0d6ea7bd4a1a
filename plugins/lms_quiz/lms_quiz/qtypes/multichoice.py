"""Multiple choice: one answer (radio buttons) or several (checkboxes), partial credit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from lms.forms import choices
from lms_quiz.qtypes import formkit
from lms_quiz.qtypes.base import (
    QuestionType,
    check_fraction,
    fmt_fraction,
    gift_escape,
    normalise,
    rich,
    xml_fraction,
    xml_text,
)


class ChoiceRow(Form):
    text = TextAreaField(_l("Answer"), render_kw={"rows": 2})
    fraction = formkit.weight_field()
    feedback = StringField(_l("Feedback for this answer"))


class MultiChoiceForm(Form):
    single = SelectField(
        _l("Answers the learner may choose"),
        choices=choices([("1", _l("One answer only")), ("0", _l("Several answers"))]),
        default="1",
    )
    shuffle = BooleanField(_l("Shuffle the answers"), default=True)
    answers = formkit.rows(ChoiceRow)

    def validate_answers(self, field):
        rows = formkit.filled(field, "text")
        if len(rows) < 2:
            raise ValidationError(_l("Write at least two answers."))
        weights = [formkit.weight(r) for r in rows]
        if self.single.data == "1" and max(weights) <= 0:
            raise ValidationError(_l("Give at least one answer a weight above zero."))
        if self.single.data == "0" and sum(w for w in weights if w > 0) <= 0:
            raise ValidationError(_l("Give at least one answer a weight above zero."))


class MultiChoice(QuestionType):
    key = "multichoice"
    label = _l("Multiple choice")
    error_field = "answers"

    def form_class(self):
        return MultiChoiceForm

    def fill_form(self, form, data):
        data = data or {"single": True, "shuffle": True, "answers": []}
        form.single.data = "1" if data.get("single", True) else "0"
        form.shuffle.data = bool(data.get("shuffle", True))
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
            "single": form.single.data == "1",
            "shuffle": bool(form.shuffle.data),
            "answers": [
                {
                    "text": r.text.data.strip(),
                    "fraction": formkit.weight(r),
                    "feedback": (r.feedback.data or "").strip(),
                }
                for r in formkit.filled(form.answers, "text")
            ],
        }

    def validate(self, data):
        answers = []
        for a in data.get("answers") or []:
            text = str(a.get("text", ""))
            if not text.strip():
                raise ValueError("an answer is empty")
            answers.append(
                {
                    "text": text,
                    "fraction": check_fraction(a.get("fraction", 0)),
                    "feedback": str(a.get("feedback", "")),
                }
            )
        if len(answers) < 2:
            raise ValueError("a multiple-choice question needs at least two answers")
        single = bool(data.get("single", True))
        if single and max(a["fraction"] for a in answers) <= 0:
            raise ValueError("no answer is marked right")
        if not single and sum(a["fraction"] for a in answers if a["fraction"] > 0) <= 0:
            raise ValueError("no answer has a positive weight")
        return {"single": single, "shuffle": bool(data.get("shuffle", True)), "answers": answers}

    def shuffle(self, data, rng):
        order = list(range(len(data["answers"])))
        if data.get("shuffle", True):
            rng.shuffle(order)
        return order

    def render(self, data, name, response, order, disabled=False):
        order = order or list(range(len(data["answers"])))
        chosen = set(response or [])
        kind = "radio" if data["single"] else "checkbox"
        rows = []
        for pos, i in enumerate(order):
            answer = data["answers"][i]
            rows.append(
                Markup(
                    '<li><label class="choice"><input type="{}" name="{}" value="{}"{}{}> '
                    '<span class="choice-letter">{}.</span> <span>{}</span></label></li>'
                ).format(
                    kind,
                    name,
                    i,
                    Markup(" checked") if i in chosen else "",
                    Markup(" disabled") if disabled else "",
                    chr(ord("a") + pos) if pos < 26 else pos + 1,
                    rich(answer["text"]),
                )
            )
        return Markup('<ul class="choices">{}</ul>').format(Markup("").join(rows))

    def parse_response(self, name, form):
        values = form.getlist(name) if hasattr(form, "getlist") else [form.get(name)]
        picked = sorted({int(v) for v in values if v is not None and str(v).isdigit()})
        return picked or None

    def _picked(self, data, response):
        n = len(data["answers"])
        return [i for i in (response or []) if isinstance(i, int) and 0 <= i < n]

    def grade(self, data, response):
        picked = self._picked(data, response)
        if not picked:
            return 0.0
        if data["single"] and len(picked) > 1:
            return 0.0  # a radio button sends one value: several is a forged response
        total = sum(data["answers"][i]["fraction"] for i in picked)
        return max(0.0, min(1.0, total))

    def feedback(self, data, response):
        return "<br>".join(
            data["answers"][i]["feedback"]
            for i in self._picked(data, response)
            if data["answers"][i]["feedback"]
        )

    def correct_answer(self, data):
        return "; ".join(normalise(a["text"]) for a in data["answers"] if a["fraction"] > 0)

    def summarise(self, data, response):
        return "; ".join(
            normalise(data["answers"][i]["text"]) for i in self._picked(data, response)
        )

    def to_gift(self, data):
        parts = []
        for a in data["answers"]:
            f = a["fraction"]
            if data["single"] and f == 1.0:
                prefix = "="
            elif data["single"] and f == 0.0:
                prefix = "~"
            else:
                prefix = "~" + fmt_fraction(f)
            fb = "#" + gift_escape(a["feedback"]) if a["feedback"] else ""
            parts.append(f"\t{prefix}{gift_escape(a['text'])}{fb}")
        return "{\n" + "\n".join(parts) + "\n}"

    def from_moodle_xml(self, element):
        answers = [
            {
                "text": xml_text(a, "."),
                "fraction": xml_fraction(a),
                "feedback": xml_text(a, "feedback"),
            }
            for a in element.findall("answer")
        ]
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        shuffle = (element.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
        return {"single": single, "shuffle": shuffle, "answers": answers}
