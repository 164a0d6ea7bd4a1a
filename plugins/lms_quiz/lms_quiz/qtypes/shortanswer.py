"""Short answer: typed text compared with the accepted answers (``*`` is a wildcard)."""

from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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


class ShortAnswer(QuestionType):
    key = "shortanswer"
    label = _l("Short answer")

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
