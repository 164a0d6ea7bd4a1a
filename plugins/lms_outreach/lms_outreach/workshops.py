"""Onsite workshops: creating them, registering (with a waiting list), cancelling, reminders.

Services only flush; the view commits once. Times are typed in the site's time zone
(Asia/Bangkok) and stored in UTC. See docs/outreach.md#onsite-workshops.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from flask import abort
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lms import notify
from lms.extensions import db
from lms.i18n import site_timezone
from lms.models.base import utcnow
from lms_outreach.kinds import AUDIENCES
from lms_outreach.models import District
from lms_outreach.workshop_models import (
    CANCELLED,
    CONFIRMED,
    WAITLIST,
    Workshop,
    WorkshopRegistration,
)

#: Notification event types raised by workshops.
REMINDER_EVENT = "workshop_reminder"
PROMOTED_EVENT = "workshop_promoted"
#: Staff roles that manage workshops.
STAFF_ROLES = ("admin", "programme_officer")


class RegistrationError(ValueError):
    """A registration refused, with a message for the person (lazy-translated)."""

    def __init__(self, message: Any, existing: WorkshopRegistration | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.existing = existing


def is_staff(user: Any) -> bool:
    """May ``user`` create workshops and check people in (admin or programme officer)?"""
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*STAFF_ROLES))


# -- time ------------------------------------------------------------------------------------


def to_utc(local: datetime) -> datetime:
    """A naive date-time typed in the site's time zone, in UTC."""
    return local.replace(tzinfo=site_timezone()).astimezone(UTC)


def to_form(value: datetime) -> datetime:
    """A stored UTC datetime as the naive local value a ``datetime-local`` input shows."""
    return value.astimezone(site_timezone()).replace(tzinfo=None)


# -- choices ---------------------------------------------------------------------------------


def _thai() -> bool:
    return str(get_locale() or "th").startswith("th")


def audience_choices() -> list[tuple[str, str]]:
    """(code, name in the page's language) for every audience group."""
    thai = _thai()
    return [(code, th if thai else en) for code, th, en in AUDIENCES]


def audience_name(code: str | None) -> str:
    return dict(audience_choices()).get(code or "", code or "")


def district_choices() -> list[tuple[str, str]]:
    """(code, name) of every district in the table, in code order (data, not code)."""
    thai = _thai()
    rows = db.session.execute(
        select(District.code, District.name_th, District.name_en).order_by(District.code)
    )
    return [(code, th if thai else en) for code, th, en in rows]


def district_name(code: str | None) -> str:
    if not code:
        return ""
    row = db.session.get(District, code)
    if row is None:
        return code
    return row.name_th if _thai() else row.name_en


def normalise_phone(phone: str) -> str:
    """Digits only (``081-234 5678`` → ``0812345678``), ``+66`` written as ``0``."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("66") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


# -- workshops -------------------------------------------------------------------------------


def get_or_404(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def upcoming(now: datetime | None = None) -> list[Workshop]:
    """Workshops that have not ended, soonest first (the public list)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Workshop).where(Workshop.ends_at >= now).order_by(Workshop.starts_at)
        )
    )


def all_workshops() -> list[Workshop]:
    """Every workshop, latest first (the officers' list)."""
    return list(db.session.scalars(select(Workshop).order_by(Workshop.starts_at.desc())))


def counts(workshop_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per workshop: ``confirmed``, ``waitlist`` and ``checked_in`` (one query)."""
    R = WorkshopRegistration
    result = {wid: {CONFIRMED: 0, WAITLIST: 0, "checked_in": 0} for wid in workshop_ids}
    if not workshop_ids:
        return result
    rows = db.session.execute(
        select(R.workshop_id, R.status, func.count(R.id), func.count(R.checked_in_at))
        .where(R.workshop_id.in_(workshop_ids), R.status != CANCELLED)
        .group_by(R.workshop_id, R.status)
    )
    for wid, status, total, checked in rows:
        result[wid][status] = int(total)
        result[wid]["checked_in"] += int(checked)
    return result


def confirmed_count(workshop: Workshop) -> int:
    R = WorkshopRegistration
    return int(
        db.session.scalar(
            select(func.count(R.id)).where(R.workshop_id == workshop.id, R.status == CONFIRMED)
        )
        or 0
    )


def save_workshop(workshop: Workshop, data: dict[str, Any]) -> Workshop:
    """Create or update from clean form data (local times); promotes waiting people if the
    capacity grew."""
    from lms.html import sanitize

    workshop.title = data["title"].strip()
    workshop.place = data["place"].strip()
    workshop.district = data["district"]
    workshop.starts_at = to_utc(data["starts_at"])
    workshop.ends_at = to_utc(data["ends_at"])
    workshop.capacity = int(data["capacity"])
    known = {code for code, _th, _en in AUDIENCES}
    workshop.audiences = ",".join(c for c in data.get("audiences") or [] if c in known)
    workshop.description = str(sanitize(data.get("description") or ""))
    db.session.add(workshop)
    db.session.flush()
    promote(workshop)
    return workshop


# -- registrations ---------------------------------------------------------------------------


def new_token() -> str:
    """An unguessable check-in token (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def _lock(workshop: Workshop) -> None:
    """Serialise registrations for one workshop (``SELECT ... FOR UPDATE`` on PostgreSQL;
    SQLite serialises writers anyway)."""
    db.session.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())


def active_registration(
    workshop: Workshop, user_id: int | None = None, phone: str | None = None
) -> WorkshopRegistration | None:
    """The person's registration that is not cancelled, by account or by phone."""
    R = WorkshopRegistration
    who = []
    if user_id:
        who.append(R.user_id == user_id)
    if phone:
        who.append(R.phone == normalise_phone(phone))
    if not who:
        return None
    return db.session.scalar(
        select(R)
        .where(R.workshop_id == workshop.id, R.status != CANCELLED, or_(*who))
        .order_by(R.id)
        .limit(1)
    )


def register(
    workshop: Workshop,
    *,
    name: str,
    phone: str,
    audience: str | None,
    district: str | None,
    consent: bool,
    user_id: int | None = None,
    walk_in: bool = False,
    now: datetime | None = None,
) -> WorkshopRegistration:
    """Register a person: ``confirmed`` while there is room, else on the ``waitlist``.

    Refused without PDPA consent, after the workshop ended, or when the person (account or
    phone number) is already registered. Walk-ins are always confirmed (they are in the room).
    """
    now = now or utcnow()
    if not consent:
        raise RegistrationError(_l("Please agree to the use of your data to register."))
    if not walk_in and workshop.ends_at <= now:
        raise RegistrationError(_l("This workshop has ended."))
    _lock(workshop)
    existing = active_registration(workshop, user_id=user_id, phone=phone)
    if existing is not None:
        if user_id and existing.user_id == user_id:
            message = _l("You are already registered for this workshop.")
        else:
            message = _l("This phone number is already registered for this workshop.")
        raise RegistrationError(message, existing)
    full = confirmed_count(workshop) >= workshop.capacity
    registration = WorkshopRegistration(
        workshop=workshop,
        user_id=user_id,
        name=name.strip()[:200],
        phone=normalise_phone(phone)[:40],
        audience=audience or None,
        district=district or None,
        status=WAITLIST if full and not walk_in else CONFIRMED,
        walk_in=walk_in,
        token=new_token(),
        consent_at=now,
        created_at=now,
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def waitlist_position(registration: WorkshopRegistration) -> int:
    """1 for the first person waiting; 0 when not waiting."""
    if registration.status != WAITLIST:
        return 0
    R = WorkshopRegistration
    ahead = db.session.scalar(
        select(func.count(R.id)).where(
            R.workshop_id == registration.workshop_id,
            R.status == WAITLIST,
            or_(
                R.created_at < registration.created_at,
                (R.created_at == registration.created_at) & (R.id < registration.id),
            ),
        )
    )
    return int(ahead or 0) + 1


def promote(workshop: Workshop) -> list[WorkshopRegistration]:
    """Move people from the waiting list (first come, first served) into free places, and
    tell those with an account."""
    R = WorkshopRegistration
    free = workshop.capacity - confirmed_count(workshop)
    if free <= 0:
        return []
    moved = list(
        db.session.scalars(
            select(R)
            .where(R.workshop_id == workshop.id, R.status == WAITLIST)
            .order_by(R.created_at, R.id)
            .limit(free)
        )
    )
    for registration in moved:
        registration.status = CONFIRMED
    db.session.flush()
    people = [r.user_id for r in moved if r.user_id]
    if people:
        notify.notify(PROMOTED_EVENT, people, _event_data(workshop))
    return moved


def cancel(registration: WorkshopRegistration) -> list[WorkshopRegistration]:
    """Cancel a registration (not once checked in); a freed place goes to the waiting list.
    Returns the people promoted."""
    if registration.status == CANCELLED:
        return []
    if registration.checked_in_at is not None:
        raise RegistrationError(_l("This person is already checked in."))
    _lock(registration.workshop)
    was_confirmed = registration.status == CONFIRMED
    registration.status = CANCELLED
    db.session.flush()
    return promote(registration.workshop) if was_confirmed else []


def by_token(token: str) -> WorkshopRegistration | None:
    """The registration holding ``token`` (exact match on a unique index), or None."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(WorkshopRegistration).where(WorkshopRegistration.token == token)
    )


def registrations(workshop: Workshop, include_cancelled: bool = False) -> list:
    R = WorkshopRegistration
    stmt = select(R).where(R.workshop_id == workshop.id)
    if not include_cancelled:
        stmt = stmt.where(R.status != CANCELLED)
    return list(db.session.scalars(stmt.order_by(R.status, R.created_at, R.id)))


def of_user(user_id: int, workshop_ids: list[int]) -> dict[int, WorkshopRegistration]:
    """The user's active registrations among these workshops, by workshop id."""
    R = WorkshopRegistration
    if not workshop_ids:
        return {}
    rows = db.session.scalars(
        select(R).where(
            R.user_id == user_id, R.workshop_id.in_(workshop_ids), R.status != CANCELLED
        )
    )
    return {r.workshop_id: r for r in rows}


# -- notifications ---------------------------------------------------------------------------


def _event_data(workshop: Workshop) -> dict[str, Any]:
    return {
        "workshop_id": workshop.id,
        "title": workshop.title,
        "place": workshop.place,
        "starts_at": workshop.starts_at.isoformat(),
    }


def reminders(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Reminders for workshops starting in ``[start, end)`` (UTC): one per workshop, to its
    confirmed registrants who have an account (people without one gave a phone number only).
    The notification plugin decides when to ask (event ``workshop_reminder``: the day before,
    see docs/notifications.md) and raises each once (``key``)."""
    R = WorkshopRegistration
    rows = db.session.execute(
        select(Workshop, R.user_id)
        .join(R, R.workshop_id == Workshop.id)
        .where(
            Workshop.starts_at >= start,
            Workshop.starts_at < end,
            R.status == CONFIRMED,
            R.user_id.is_not(None),
        )
        .order_by(Workshop.starts_at, Workshop.id, R.user_id)
    )
    by_workshop: dict[int, tuple[Workshop, list[int]]] = {}
    for workshop, user_id in rows:
        by_workshop.setdefault(workshop.id, (workshop, []))[1].append(user_id)
    return [
        {
            "event": REMINDER_EVENT,
            "key": f"workshop:{w.id}:day-before",
            "recipients": people,
            "data": _event_data(w),
            "at": w.starts_at,
        }
        for w, people in by_workshop.values()
    ]


# -- personal data (PDPA) --------------------------------------------------------------------


def export_user(user_id: int) -> list[dict[str, Any]]:
    """The person's workshop registrations, for "download my data"."""
    R = WorkshopRegistration
    rows = db.session.execute(
        select(R, Workshop.title, Workshop.starts_at)
        .join(Workshop, Workshop.id == R.workshop_id)
        .where(R.user_id == user_id)
        .order_by(R.created_at, R.id)
    )
    return [
        {
            "workshop": title,
            "starts_at": starts_at.isoformat(),
            "name": r.name,
            "phone": r.phone,
            "audience": r.audience,
            "district": r.district,
            "status": r.status,
            "walk_in": r.walk_in,
            "consent_at": r.consent_at.isoformat() if r.consent_at else None,
            "registered_at": r.created_at.isoformat(),
            "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
        }
        for r, title, starts_at in rows
    ]


def erase_user(user_id: int) -> int:
    """Forget the person in their registrations (name, phone, token), keeping the counts:
    status, group, district and check-in time stay for the statistics. The caller commits."""
    R = WorkshopRegistration
    regs = list(db.session.scalars(select(R).where(R.user_id == user_id)))
    for r in regs:
        r.name = "-"
        r.phone = ""
        r.token = new_token()  # the old QR code and confirmation address stop working
        if r.status == WAITLIST:
            r.status = CANCELLED
    db.session.flush()
    return len(regs)
