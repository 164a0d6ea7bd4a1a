"""The audience plugin's part of "download my data" and "delete my account" (PDPA)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from lms.extensions import db
from lms.models import User
from lms_audience import guardians, prefs
from lms_audience.models import Profile
from lms_audience.models_personal import ChildLogin, Consent, Guardianship, Prefs


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export(user: User) -> dict[str, Any]:
    """The audience profile, preferences, consents, children / guardians and child login."""
    profile = db.session.get(Profile, user.id)
    login = guardians.login_of(user.id)
    consents = db.session.scalars(
        select(Consent).where(Consent.user_id == user.id).order_by(Consent.id)
    )
    return {
        "profile": None
        if profile is None
        else {
            "birth_date": _iso(profile.birth_date),
            "district": profile.district,
            "groups": profile.group_codes,
        },
        "preferences": prefs.values_of(prefs.own_prefs(user.id)),
        "consents": [
            {
                "policy_version": c.policy_version,
                "consented_at": _iso(c.consented_at),
                "given_by_guardian": c.given_by_id is not None and c.given_by_id != user.id,
            }
            for c in consents
        ],
        "children": [
            {"id": child.id, "name": child.name, "relation": link.relation}
            for child, link in guardians.children_of(user.id)
        ],
        "guardians": guardians.guardians_of(user.id),
        "child_login": None
        if login is None
        else {"login_name": login.login_name, "signs_in_with": login.secret_kind},
    }


def erase(user: User) -> None:
    """Remove what identifies ``user``; a guardian's children with no other guardian are
    deleted with them (nobody else could manage those accounts). The district and the chosen
    groups stay on the profile for the statistics; the birth date goes."""
    from lms.auth.account import erase_account

    for child, _link in guardians.children_of(user.id):
        if set(guardians.guardians_of(child.id)) <= {user.id}:
            erase_account(child)
    db.session.execute(
        delete(Guardianship).where(
            (Guardianship.guardian_id == user.id) | (Guardianship.child_id == user.id)
        )
    )
    db.session.execute(delete(ChildLogin).where(ChildLogin.user_id == user.id))
    db.session.execute(delete(Prefs).where(Prefs.user_id == user.id))
    db.session.execute(delete(Consent).where(Consent.user_id == user.id))
    profile = db.session.get(Profile, user.id)
    if profile is not None:
        profile.birth_date = None
    db.session.flush()
