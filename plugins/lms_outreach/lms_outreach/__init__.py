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
    from lms_outreach import models, workshop_models  # noqa: F401


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_static(app):
    return str(HERE / "static")


@hookimpl
def lms_load_blueprints(app):
    from lms_outreach.headcounts import bp as headcounts_bp
    from lms_outreach.views import bp as dashboard_bp
    from lms_outreach.workshop_views import bp as workshops_bp

    return [workshops_bp, headcounts_bp, dashboard_bp]


@hookimpl
def lms_tpl_nav_items(app, user):
    from lms_outreach.views import nav_items as dashboard_nav
    from lms_outreach.workshop_notify import nav_items

    return nav_items(user) + dashboard_nav(user)


@hookimpl
def lms_notify_reminders(app, start, end):
    """Workshops: the day-before reminder to registrants with an account."""
    from lms_outreach.workshops import reminders

    return reminders(start, end)


@hookimpl
def lms_user_export(app, user):
    from lms_outreach.workshops import export_user

    return ("outreach_workshop_registrations", export_user(user.id))


@hookimpl
def lms_user_erase(app, user):
    from lms_outreach.workshops import erase_user

    erase_user(user.id)


@hookimpl
def lms_notify_event_types(app):
    from lms_outreach.workshop_notify import event_types

    return event_types()


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


@hookimpl
def lms_districts(app):
    """Every row of the district table (Chiang Mai's 25, and any added province)."""
    from sqlalchemy import select

    from lms_outreach.models import District

    rows = db.session.scalars(select(District).order_by(District.province_code, District.code))
    return [
        {"code": d.code, "name_th": d.name_th, "name_en": d.name_en, "province": d.province_code}
        for d in rows
    ]


@hookimpl
def lms_bench_generate(app, site):
    """``lms bench generate``: workshops with registrations, participation records, reach
    posts and this year's targets (after the audience plugin has put people in groups)."""
    from lms_outreach.bench import generate

    return generate(site)
