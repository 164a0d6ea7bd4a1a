"""Outreach tracking: participation events, social-media reach, districts and the
fiscal-year report (``lms outreach report --fy 2566``). See docs/outreach.md."""

from __future__ import annotations

import logging
from pathlib import Path

from lms import hookimpl
from lms.extensions import db

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


@hookimpl
def lms_load_models(app):
    from lms_outreach import models  # noqa: F401


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_load_cli(app, group):
    from lms_outreach.cli import outreach_group

    group.add_command(outreach_group)


@hookimpl
def lms_participation_record(app, event):
    """Store the event in the caller's transaction (no commit). Unknown kinds are refused."""
    from lms_outreach.kinds import known_kinds
    from lms_outreach.models import OutreachEvent

    if event.kind not in known_kinds():
        log.warning("outreach: participation kind %r is not declared; event not stored", event.kind)
        return None
    audience = event.audience or (_audience_of(event.user_id) if event.user_id else None)
    db.session.add(
        OutreachEvent(
            kind=event.kind,
            source=str(event.source)[:200],
            title=str(event.extra.get("title", ""))[:200],
            occurred_at=event.occurred_at,
            user_id=event.user_id,
            headcount=max(int(event.headcount or 0), 0),
            audience=audience,
            district=event.district,
        )
    )
    return None


def _audience_of(user_id: int) -> str | None:
    """The person's first audience group, as the audience plugins answer (None if none)."""
    from lms import plugins
    from lms.models import User

    user = db.session.get(User, user_id)
    if user is None:
        return None
    groups = [str(code) for code in plugins.call("lms_audience_groups_for", user=user) if code]
    return groups[0][:40] if groups else None
