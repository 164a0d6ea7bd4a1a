"""Guardians and their children's accounts.

A child under ``AUDIENCE_GUARDIAN_UNDER_AGE`` gets an account created by a parent, guardian or
teacher. The child has no email of its own (a placeholder in the reserved ``.invalid`` domain,
never shown and never mailed) and signs in with a login name and a PIN or three pictures
chosen by the guardian (hashed like passwords). The guardian consents for the child (recorded
with the policy version and who gave it) and sees the child's progress.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import db
from lms.models import Course, Enrolment, User
from lms.models.base import utcnow
from lms.progress import CourseProgress, progress_for_courses
from lms_audience.models import Profile
from lms_audience.models_personal import ChildLogin, Consent, Guardianship

CHILD_DOMAIN = "child.invalid"
LOGIN_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
PIN = re.compile(r"^[0-9]{4,8}$")

#: The pictures a child can sign in with: code and name. Codes are stored (hashed, in order),
#: so never rename or remove one; add new ones at the end. Each code has a drawing in
#: ``static/pictures/<code>.svg`` (SVG, not emoji: emoji look different, or are missing, on
#: different phones).
PICTURES: list[tuple[str, Any]] = [
    ("cat", _l("Cat")),
    ("dog", _l("Dog")),
    ("elephant", _l("Elephant")),
    ("fish", _l("Fish")),
    ("flower", _l("Flower")),
    ("sun", _l("Sun")),
    ("star", _l("Star")),
    ("tree", _l("Tree")),
    ("car", _l("Car")),
    ("bird", _l("Bird")),
    ("moon", _l("Moon")),
    ("house", _l("House")),
]
PICTURE_CODES = tuple(code for code, _name in PICTURES)
PICTURES_NEEDED = 3


class ChildError(Exception):
    """A problem with the data given; ``field`` names the form field it belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def under_age() -> int:
    return int(current_app.config.get("AUDIENCE_GUARDIAN_UNDER_AGE", 13))


def placeholder_email() -> str:
    return f"child-{secrets.token_hex(8)}@{CHILD_DOMAIN}"


def is_child(user: Any) -> bool:
    return bool(getattr(user, "email", None)) and user.email.lower().endswith("@" + CHILD_DOMAIN)


def picture_file(code: str) -> str:
    """The picture's drawing, relative to the plugin's static folder."""
    return f"pictures/{code}.svg"


def picture_secret(codes: list[str]) -> str:
    return "-".join(codes)


def _hash(secret: str) -> str:
    return generate_password_hash(secret, method="scrypt")


def set_secret(login: ChildLogin, kind: str, secret: str) -> None:
    if kind == "pin" and not PIN.match(secret or ""):
        raise ChildError(_l("A PIN is 4 to 8 digits."), field="pin")
    if kind == "picture":
        codes = (secret or "").split("-")
        if len(codes) != PICTURES_NEEDED or any(c not in PICTURE_CODES for c in codes):
            raise ChildError(_l("Choose three pictures."), field="picture_1")
    if kind not in ("pin", "picture"):
        raise ChildError(_l("Choose a PIN or pictures."), field="kind")
    login.secret_kind = kind
    login.secret_hash = _hash(secret)


def record_consent(child: User, guardian: User | None) -> Consent:
    version = str(current_app.config.get("PRIVACY_POLICY_VERSION", "1"))
    now = utcnow()
    child.consent_at = now
    child.consent_version = version
    consent = Consent(user_id=child.id, given_by_id=guardian.id if guardian else None)
    consent.policy_version = version
    consent.consented_at = now
    db.session.add(consent)
    return consent


def create_child(
    guardian: User,
    *,
    name: str,
    birth_date: date,
    login_name: str,
    kind: str,
    secret: str,
    relation: str = "parent",
) -> User:
    """Create a child's account managed by ``guardian`` (consent given by them); flushes."""
    from lms.auth.services import create_user
    from lms_audience.rules import age_on, today_local

    if is_child(guardian):
        raise ChildError(_l("A child's account cannot add children."))
    if birth_date > today_local() or age_on(birth_date, today_local()) >= under_age():
        raise ChildError(
            _l("A child's account is for children under %(n)s.", n=under_age()), field="birth_date"
        )
    login_name = (login_name or "").strip().lower()
    if not LOGIN_NAME.match(login_name):
        raise ChildError(
            _l("Use 3 to 40 small letters (a-z), digits, dots, dashes or underscores."),
            field="login_name",
        )
    if db.session.scalar(select(ChildLogin).where(ChildLogin.login_name == login_name)):
        raise ChildError(_l("This login name is taken. Try another one."), field="login_name")
    login = ChildLogin(login_name=login_name)
    set_secret(login, kind, secret)
    child = create_user(name, placeholder_email(), None, roles=("learner",))
    child.locale = guardian.locale
    login.user_id = child.id
    db.session.add(login)
    profile = db.session.get(Profile, child.id) or Profile(user_id=child.id, district="")
    profile.birth_date = birth_date
    db.session.add(profile)
    db.session.add(Guardianship(guardian_id=guardian.id, child_id=child.id, relation=relation))
    record_consent(child, guardian)
    db.session.flush()
    return child


def share(child: User, email: str, relation: str = "guardian") -> User:
    """Let the account at ``email`` look after ``child`` too; flushes."""
    from lms.auth.services import find_by_email

    other = find_by_email(email or "")
    if other is None or not other.is_active or is_child(other):
        raise ChildError(_l("No account uses this email address."), field="email")
    if db.session.get(Guardianship, (other.id, child.id)) is None:
        db.session.add(Guardianship(guardian_id=other.id, child_id=child.id, relation=relation))
        db.session.flush()
    return other


def children_of(guardian_id: int) -> list[tuple[User, Guardianship]]:
    rows = db.session.execute(
        select(User, Guardianship)
        .join(Guardianship, Guardianship.child_id == User.id)
        .where(Guardianship.guardian_id == guardian_id, User.is_active_account.is_(True))
        .order_by(User.name, User.id)
    )
    return [(u, g) for u, g in rows]


def guardians_of(child_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Guardianship.guardian_id).where(Guardianship.child_id == child_id)
        )
    )


def child_of(guardian: User, child_id: int) -> User | None:
    """``child_id`` when ``guardian`` manages that (active) child, else ``None``."""
    link = db.session.get(Guardianship, (guardian.id, child_id))
    child = db.session.get(User, child_id) if link is not None else None
    return child if child is not None and child.is_active else None


def login_of(child_id: int) -> ChildLogin | None:
    return db.session.get(ChildLogin, child_id)


def authenticate(login_name: str, secret: str) -> User | None:
    """The child whose login name and PIN or pictures match, else ``None``."""
    login = db.session.scalar(
        select(ChildLogin).where(ChildLogin.login_name == (login_name or "").strip().lower())
    )
    if login is None or not secret:
        # The same work whether or not the name exists: no account discovery by timing.
        check_password_hash(_dummy_hash(), secret or "x")
        return None
    if not check_password_hash(login.secret_hash, secret):
        return None
    child = db.session.get(User, login.user_id)
    if child is None or not child.is_active:
        return None
    child.last_login_at = utcnow()
    return child


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8), method="scrypt")


@dataclass
class ChildCourse:
    course: Course
    enrolment: Enrolment
    progress: CourseProgress


def progress_of(child: User) -> list[ChildCourse]:
    """The child's courses with progress (three queries)."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == child.id, Enrolment.role == "learner")
            .order_by(Enrolment.enrolled_at.desc())
        )
    )
    progress = progress_for_courses(child.id, [e.course_id for e in enrolments])
    return [ChildCourse(e.course, e, progress[e.course_id]) for e in enrolments]


def count_children(guardian_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Guardianship)
        .join(User, User.id == Guardianship.child_id)
        .where(Guardianship.guardian_id == guardian_id, User.is_active_account.is_(True))
    )
