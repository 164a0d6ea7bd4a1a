from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lms.forms import choices


def _min_length():
    from flask import current_app

    return int(current_app.config.get("PASSWORD_MIN_LENGTH", 8))


class PasswordLength:
    """Minimum password length from the configuration, checked at validation time."""

    def __call__(self, form, field):
        n = _min_length()
        if len(field.data or "") < n:
            raise ValidationError(_l("Use at least %(n)s characters.", n=n))


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), PasswordLength()])
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that this site keeps my data for my learning."
        ),
        validators=[DataRequired(message=_l("Please agree to the privacy notice to sign up."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False)])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordLength()])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ProfileForm(FlaskForm):
    submit_name = "profile-save"
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=choices([("th", "ไทย"), ("en", "English")]))


class PasswordForm(FlaskForm):
    submit_name = "pw-save"
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordLength()])
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that my account is deleted for good and cannot be restored."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class ConsentForm(FlaskForm):
    """Agreeing again after the privacy notice changed (``PRIVACY_POLICY_VERSION``)."""

    consent = BooleanField(
        _l(
            "I have read the new privacy notice and agree that this site keeps my data"
            " for my learning."
        ),
        validators=[DataRequired(message=_l("Please agree to the privacy notice to go on."))],
    )
