"""Forms: the learner's audience profile and an educator's course target."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    birth_date = DateField(
        _l("Birth date"),
        validators=[Optional()],
        description=_l("Optional. Used only to suggest courses for your age."),
    )
    groups = CheckboxesField(_l("I belong to these groups"), choices=[], validate_choice=True)
    #: A district code from ``lms_districts`` (choices are set by the view).
    district = SelectField(
        _l("District"),
        choices=[],
        validate_choice=True,
        description=_l("Optional. The district (amphoe) where you live."),
    )

    def validate_birth_date(self, field) -> None:
        if field.data and field.data.year >= 2400:  # typed in the Buddhist Era: BE = CE + 543
            try:
                field.data = field.data.replace(year=field.data.year - 543)
            except ValueError:  # 29 February of a year that has none in CE
                field.data = field.data.replace(year=field.data.year - 543, day=28)
        if field.data and field.data > date.today():
            raise ValidationError(_l("The birth date cannot be in the future."))
        if field.data and field.data.year < 1900:
            raise ValidationError(_l("Check the year, for example 1960 or 2503."))


class TargetForm(FlaskForm):
    groups = CheckboxesField(_l("Audience groups"), choices=[], validate_choice=True)
    min_age = IntegerField(_l("Youngest age"), validators=[Optional(), NumberRange(0, 130)])
    max_age = IntegerField(_l("Oldest age"), validators=[Optional(), NumberRange(0, 130)])
    restrict_enrolment = BooleanField(
        _l("Only learners in these groups and ages may enrol"),
    )

    def validate_max_age(self, field) -> None:
        low = self.min_age.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The oldest age must not be below the youngest."))
