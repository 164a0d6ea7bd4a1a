"""The quiz as a content type: its settings form, and the page a learner sees first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from lms.content import ContentType
from lms.extensions import db
from lms.forms import choices
from lms.i18n import site_timezone

REVIEW_CHOICES = [
    ("never", _l("Never")),
    ("during", _l("During the attempt (after Check) and after it")),
    ("after_submit", _l("Right after the attempt")),
    ("after_close", _l("After the quiz closes")),
]
# What <input type="datetime-local"> sends and expects (the first is used to show a value).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
SETTINGS = (
    "intro", "open_at", "close_at", "time_limit", "grace_seconds", "overdue_rule",
    "attempts_allowed", "grade_method", "grade_max", "pass_percent", "questions_per_page",
    "shuffle_questions", "shuffle_answers", "review_marks", "review_feedback", "review_correct",
)  # fmt: skip


class QuizForm(FlaskForm):
    quiz_intro = TextAreaField(_l("Introduction (Markdown)"), render_kw={"rows": 4})
    quiz_open_at = DateTimeLocalField(
        _l("Opens (optional)"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    quiz_close_at = DateTimeLocalField(
        _l("Closes (optional)"), format=LOCAL_FORMATS, validators=[Optional()]
    )
    quiz_time_limit = IntegerField(
        _l("Time limit in minutes (optional)"), validators=[Optional(), NumberRange(1, 10_000)]
    )
    quiz_grace_seconds = IntegerField(
        _l("Grace period in seconds"), default=60, validators=[NumberRange(0, 3600)]
    )
    quiz_overdue_rule = SelectField(
        _l("When time runs out"),
        choices=choices(
            [
                ("autosubmit", _l("Submit the saved answers automatically")),
                ("abandon", _l("The attempt is not counted")),
            ]
        ),
    )
    quiz_attempts_allowed = IntegerField(
        _l("Attempts allowed (0 = unlimited)"), default=0, validators=[NumberRange(0, 100)]
    )
    quiz_grade_method = SelectField(
        _l("Grading method"),
        choices=choices(
            [
                ("highest", _l("Highest grade")),
                ("average", _l("Average grade")),
                ("first", _l("First attempt")),
                ("last", _l("Last attempt")),
            ]
        ),
    )
    quiz_grade_max = FloatField(_l("Maximum grade"), default=10, validators=[NumberRange(0, 1000)])
    quiz_pass_percent = FloatField(
        _l("Pass mark in percent (optional)"),
        validators=[Optional(), NumberRange(0, 100)],
        description=_l("With automatic completion, the quiz is complete once this is reached."),
    )
    quiz_questions_per_page = IntegerField(
        _l("Questions per page (0 = all)"), default=1, validators=[NumberRange(0, 100)]
    )
    quiz_shuffle_questions = BooleanField(_l("Shuffle the questions"))
    quiz_shuffle_answers = BooleanField(_l("Shuffle the answers"), default=True)
    quiz_review_marks = SelectField(_l("Show marks"), choices=choices(REVIEW_CHOICES))
    quiz_review_feedback = SelectField(_l("Show feedback"), choices=choices(REVIEW_CHOICES))
    quiz_review_correct = SelectField(_l("Show right answers"), choices=choices(REVIEW_CHOICES))

    def validate_quiz_close_at(self, field):
        if field.data and self.quiz_open_at.data and field.data <= self.quiz_open_at.data:
            raise ValidationError(_l("The quiz must close after it opens."))


def _to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=site_timezone()).astimezone(UTC)


def _to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(site_timezone()).replace(tzinfo=None) if value else None


class QuizType(ContentType):
    key = "quiz"
    label = _l("Quiz")
    description = _l("Questions with automatic marking, time limits and a gradebook.")
    icon = "❓"
    completion_modes = ("auto", "manual", "view")

    def _quiz(self, activity):
        from lms_quiz.models import Quiz

        return db.session.get(Quiz, activity.id)

    def form_class(self):
        return QuizForm

    def load(self, activity, form):
        quiz = self._quiz(activity)
        if quiz is None:
            return
        for name in SETTINGS:
            value = getattr(quiz, name)
            if name in ("open_at", "close_at"):
                value = _to_local(value)
            elif name == "time_limit" and value:
                value = value // 60
            getattr(form, "quiz_" + name).data = value

    def save(self, activity, form):
        data = {name: getattr(form, "quiz_" + name).data for name in SETTINGS}
        data["open_at"], data["close_at"] = _to_utc(data["open_at"]), _to_utc(data["close_at"])
        data["time_limit"] = data["time_limit"] * 60 if data["time_limit"] else None
        self._apply(activity, data)

    def _apply(self, activity, data: dict[str, Any]) -> None:
        from lms_quiz.models import Quiz

        quiz = self._quiz(activity) or Quiz(activity_id=activity.id)
        for name in SETTINGS:
            if name in data:
                setattr(quiz, name, data[name])
        db.session.add(quiz)
        db.session.flush()

    def render(self, activity, user) -> Markup:
        from lms_quiz import attempts, views

        quiz = attempts.get_quiz(activity)
        return Markup(render_template("lms_quiz/summary.html", **views.summary_context(quiz, user)))

    def delete(self, activity):
        quiz = self._quiz(activity)
        if quiz is not None:
            db.session.delete(quiz)

    def export_data(self, activity):
        """The settings, the slots, and the questions they use (random slots bring their
        whole category), by content: a package imports into any site's bank."""
        quiz = self._quiz(activity)
        if quiz is None:
            return {}
        data = {name: getattr(quiz, name) for name in SETTINGS}
        for name in ("open_at", "close_at"):
            data[name] = data[name].isoformat() if data[name] else None
        from lms_quiz import packaging

        data.update(packaging.export_questions(quiz))
        return data

    def import_data(self, activity, data):
        """Recreate the settings and slots; questions go into the course's bank (an identical
        question already in the same category is reused, so duplicating a quiz within a
        course, or two quizzes sharing questions, add nothing twice)."""
        from lms_quiz import packaging

        data = dict(data)
        for name in ("open_at", "close_at"):
            if data.get(name):
                data[name] = datetime.fromisoformat(data[name])
        packaging.check_settings(data)
        content = {k: data.pop(k, None) for k in ("categories", "questions", "slots")}
        self._apply(activity, data)
        if content["questions"] is not None:  # packages before quizzes carried questions: none
            packaging.import_questions(self._quiz(activity), activity.course_id, content)

    def summary(self, activity):
        quiz = self._quiz(activity)
        return str(_l("%(n)s questions", n=len(quiz.slots))) if quiz else ""
