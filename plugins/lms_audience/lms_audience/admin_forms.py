"""Admin forms: an audience group and an organisation."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms_audience.forms import CheckboxesField

CODE_RE = re.compile(r"[a-z][a-z0-9_]{1,39}")


class GroupForm(FlaskForm):
    """Add or edit a group. ``code`` is only asked when adding (it never changes)."""

    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=40)],
        description=_l(
            "Lower-case letters, digits and _, e.g. farmers. Used by reports and themes; "
            "it cannot be changed later."
        ),
    )
    name_th = StringField(_l("Name in Thai"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)])
    min_age = IntegerField(
        _l("Youngest age"),
        validators=[Optional(), NumberRange(0, 130)],
        description=_l("Optional. With a birth date on the profile, the age rule uses it."),
    )
    max_age = IntegerField(_l("Oldest age"), validators=[Optional(), NumberRange(0, 130)])
    retired = BooleanField(
        _l("Retired"),
        description=_l("Hidden from forms, filters and membership; kept for history."),
    )

    def __init__(self, *args, adding: bool = False, taken: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.adding = adding
        self.taken = taken or set()
        if not adding:
            del self.code

    def validate_code(self, field) -> None:
        value = (field.data or "").strip()
        if not value:
            raise ValidationError(_l("Give the group a code."))
        if not CODE_RE.fullmatch(value):
            raise ValidationError(
                _l("Use 2 to 40 lower-case letters, digits and _, starting with a letter.")
            )
        if value in self.taken:
            raise ValidationError(_l("A group with this code exists already."))
        field.data = value

    def validate_max_age(self, field) -> None:
        low = self.min_age.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The oldest age must not be below the youngest."))


class OrgForm(FlaskForm):
    """An organisation (a school, a municipality office) and the groups its members join."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    groups = CheckboxesField(
        _l("Its members are in these groups"), choices=[], validate_choice=True
    )
    members = TextAreaField(
        _l("Add members"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Email addresses of existing accounts, one a line."),
    )
    note = StringField(
        _l("Note for the added members"),
        validators=[Optional(), Length(max=80)],
        description=_l("Optional, e.g. the class: Grade 5/2. Shown as the reason."),
    )
