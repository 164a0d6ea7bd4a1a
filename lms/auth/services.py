"""Accounts: creating users, checking passwords, password-reset tokens."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from lms import mail, plugins
from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow


class AccountError(Exception):
    """A problem with the data given; ``field`` names the form field it belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    name: str,
    email: str | None,
    password: str | None,
    roles: tuple[str, ...] = ("learner",),
    consent: bool = False,
) -> User:
    """Create and flush a user. Raises :class:`AccountError` for a duplicate email."""
    if email and find_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists."), field="email")
    user = User(name=name.strip(), email=normalise_email(email) if email else None)
    if password:
        user.set_password(password)
    for role in roles:
        user.add_role(role)
    if consent:
        user.consent_at = utcnow()
        user.consent_version = str(current_app.config.get("PRIVACY_POLICY_VERSION", "1"))
    db.session.add(user)
    db.session.flush()
    plugins.call("lms_event_user_created", user=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    # Changes when the password changes, so a reset link works once.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or data.get("f") != _fingerprint(user):
        return None
    return user


def send_reset_email(user: User) -> None:
    link = url_for("auth.reset", token=reset_token(user), _external=True)
    text = render_template("auth/reset_email.txt", user=user, link=link)
    msg = mail.build_message(user.email, _("Reset your password"), text)
    mail.send(msg)
