"""Description: text between questions, with no answer and no mark."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form

from lms_quiz.qtypes.base import QuestionType


class Description(QuestionType):
    key = "description"
    label = _l("Description")
    gradable = False
    default_mark = 0.0

    def form_class(self):
        return Form  # nothing but the text every question has

    def fill_form(self, form, data):
        pass

    def form_data(self, form):
        return {}

    def validate(self, data):
        return {}

    def parse_response(self, name, form):
        return None

    def grade(self, data, response):
        return None

    def to_gift(self, data):
        return None

    def from_moodle_xml(self, element):
        return {}
