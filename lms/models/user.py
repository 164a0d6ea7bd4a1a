"""Users and their site-wide roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

# Site-wide roles. Course-level roles (teacher, learner) live on the enrolment.
ROLES = ("admin", "educator", "learner", "it_staff", "programme_officer")

user_roles = Table(
    "user_role",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Integer, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Role(db.Model):
    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)

    @classmethod
    def get_or_create(cls, code: str) -> Role:
        role = db.session.scalar(select(cls).where(cls.code == code))
        if role is None:
            role = cls(code=code)
            db.session.add(role)
        return role


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable: a young child's account (created by a guardian) has no email of its own.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # PDPA: when the person consented to the privacy notice, and to which version of it.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_version: Mapped[str | None] = mapped_column(String(20))

    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def role_codes(self) -> set[str]:
        return {r.code for r in self.roles}

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    def add_role(self, code: str) -> None:
        if code not in ROLES:
            raise ValueError(f"unknown role {code!r}")
        if code not in self.role_codes:
            self.roles.append(Role.get_or_create(code))

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def can_author(self) -> bool:
        return self.has_role("admin", "educator")

    def __repr__(self) -> str:  # no personal data in logs: id only
        return f"<User {self.id}>"
