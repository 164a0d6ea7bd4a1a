"""Check-in at the door: by the QR code's token, by name/phone search, or as a walk-in.

A token checks in once, and only for its own workshop. The first check-in of a registration
reports one ``onsite_workshop`` participation event (``lms.participation.record``), so a
person is counted once however often they are scanned. The QR code is drawn on the server
as SVG (segno), so it works offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import segno
from markupsafe import Markup, escape
from sqlalchemy import or_, select, update

from lms import participation
from lms.extensions import db
from lms.models.base import utcnow
from lms_outreach.kinds import ONSITE
from lms_outreach.workshop_models import (
    CANCELLED,
    CONFIRMED,
    Workshop,
    WorkshopRegistration,
)
from lms_outreach.workshops import by_token, normalise_phone, register

#: Outcomes of a check-in attempt.
OK = "ok"
ALREADY = "already"
UNKNOWN = "unknown"
OTHER_WORKSHOP = "other_workshop"
NOT_CONFIRMED = "not_confirmed"

_TOKEN_IN_URL = re.compile(r"/t/([A-Za-z0-9_-]{16,64})/?$")


@dataclass
class CheckinResult:
    status: str
    registration: WorkshopRegistration | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK


def token_from_scan(text: str) -> str:
    """The token inside what a scanner read: the QR holds the check-in URL ``.../t/<token>``;
    a bare token is accepted too."""
    text = (text or "").strip()
    match = _TOKEN_IN_URL.search(text.split("?", 1)[0])
    return match.group(1) if match else text


def source_of(workshop: Workshop) -> str:
    """The participation ``source`` of a workshop."""
    return f"workshop:{workshop.id}"


def check_in(
    registration: WorkshopRegistration, staff_id: int | None, now: datetime | None = None
) -> CheckinResult:
    """Mark a confirmed registration present, once; the first time, report participation."""
    if registration.status != CONFIRMED:
        return CheckinResult(NOT_CONFIRMED, registration)
    if registration.checked_in_at is not None:
        return CheckinResult(ALREADY, registration)
    workshop = registration.workshop
    # Only one of two simultaneous scans wins: the UPDATE matches while checked_in_at is NULL.
    now = now or utcnow()
    won = db.session.execute(
        update(WorkshopRegistration)
        .where(
            WorkshopRegistration.id == registration.id,
            WorkshopRegistration.checked_in_at.is_(None),
        )
        .values(checked_in_at=now, checked_in_by=staff_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(registration)
    if not won:
        return CheckinResult(ALREADY, registration)
    participation.record(
        kind=ONSITE,
        source=source_of(workshop),
        occurred_at=workshop.starts_at,
        user_id=registration.user_id,
        headcount=1,
        audience=registration.audience,
        district=registration.district or workshop.district,
        extra={"title": workshop.title},
    )
    return CheckinResult(OK, registration)


def check_in_token(
    workshop: Workshop, scanned: str, staff_id: int | None, now: datetime | None = None
) -> CheckinResult:
    """Check in whoever holds the scanned token, if it belongs to ``workshop``."""
    registration = by_token(token_from_scan(scanned))
    if registration is None:
        return CheckinResult(UNKNOWN)
    if registration.workshop_id != workshop.id:
        return CheckinResult(OTHER_WORKSHOP)
    return check_in(registration, staff_id, now)


def search(workshop: Workshop, query: str, limit: int = 20) -> list[WorkshopRegistration]:
    """Registrations of ``workshop`` whose name contains ``query`` (substring: Thai has no
    spaces between words) or whose phone contains its digits."""
    query = (query or "").strip()
    if not query:
        return []
    R = WorkshopRegistration
    conditions = [R.name.ilike(f"%{_escape_like(query)}%", escape="\\")]
    digits = normalise_phone(query)
    if len(digits) >= 3:
        conditions.append(R.phone.contains(digits))
    return list(
        db.session.scalars(
            select(R)
            .where(R.workshop_id == workshop.id, R.status != CANCELLED, or_(*conditions))
            .order_by(R.name, R.id)
            .limit(limit)
        )
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def walk_in(
    workshop: Workshop,
    *,
    name: str,
    phone: str,
    audience: str | None,
    district: str | None,
    consent: bool,
    staff_id: int | None,
    user_id: int | None = None,
) -> CheckinResult:
    """Someone who turned up without registering: registered (over capacity if need be) and
    checked in at once. A person already registered is checked in instead of added twice."""
    from lms_outreach.workshops import RegistrationError

    try:
        registration = register(
            workshop,
            name=name,
            phone=phone,
            audience=audience,
            district=district,
            consent=consent,
            user_id=user_id,
            walk_in=True,
        )
    except RegistrationError as exc:
        if exc.existing is None:
            raise
        registration = exc.existing
        if registration.status != CONFIRMED:
            registration.status = CONFIRMED
            db.session.flush()
    return check_in(registration, staff_id)


def qr_svg(data: str, label: str) -> Markup:
    """``data`` as an inline SVG QR code (error correction M, dark on white, scales with CSS),
    announced to screen readers as ``label``."""
    svg = segno.make(data, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
