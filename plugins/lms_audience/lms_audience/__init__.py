"""Audience targeting: the programme's audience groups as data, rules that put learners in
them (age from birth date, self-declared, staff email domain), a learner profile, courses aimed
at groups (catalog filter, restricted enrolment) and bulk enrolment by CSV."""

from __future__ import annotations

from pathlib import Path

from flask import render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from lms import hookimpl
from lms.ui import Snippet

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


@hookimpl
def lms_load_models(app):
    # prefs: watches the session for writes that change a user's cached body classes
    from lms_audience import models, models_org, models_personal, prefs  # noqa: F401


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_translations(app):
    return str(HERE / "translations")


@hookimpl
def lms_load_blueprints(app):
    from lms_audience.admin import bp as admin_bp
    from lms_audience.views import bp

    return [bp, admin_bp]


@hookimpl
def lms_load_cli(app, group):
    from lms_audience.cli import audience_group

    group.add_command(audience_group)


@hookimpl
def lms_audience_rules(app):
    from lms_audience.rules import builtin_rules

    return builtin_rules()


@hookimpl
def lms_audience_groups_for(app, user):
    from lms.site_cache import shared_backend
    from lms_audience.rules import groups_for

    if shared_backend() is not None and getattr(user, "is_authenticated", False):
        from lms_audience.prefs import facts  # the same sorted codes, cached (prefs.py)

        return list(facts(user)["groups"])
    return groups_for(user)


@hookimpl
def lms_audience_groups_for_many(app, users):
    from lms_audience.rules import groups_for_many

    return groups_for_many(users)


@hookimpl
def lms_catalog_filter(app, stmt, args):
    from lms_audience.services import filter_catalog

    return filter_catalog(stmt, args)


@hookimpl
def lms_enrol_check(app, user, course):
    from lms_audience.services import enrol_refusal

    return enrol_refusal(user, course)


@hookimpl
def lms_tpl_snippets(app, slot, context):
    if slot == "profile":
        user = context.get("user")
        if user is None or not user.is_authenticated:
            return None
        return Snippet(Markup(render_template("lms_audience/profile_card.html")), order=40)
    if slot == "catalog_filters":
        from lms_audience.services import group_names

        request = context.get("request")
        chosen = request.args.get("audience", "") if request is not None else ""
        html = render_template(
            "lms_audience/catalog_filter.html", names=group_names(), chosen=chosen
        )
        return Snippet(Markup(html), order=40)
    if slot == "course_header":
        return _course_header(context.get("course"))
    if slot == "admin_user" and context.get("user") is not None:
        link = Markup('<p><a href="%s">%s</a></p>') % (
            url_for("audience_admin.user", user_id=context["user"].id),
            _("Audience groups, and why this person is in them"),
        )
        return Snippet(link, order=40)
    if slot == "home_top":
        from flask_login import current_user

        from lms_audience.recommend import recommendations_snippet

        return recommendations_snippet(current_user)
    return None


@hookimpl
def lms_tpl_dashboard_items(app, user):
    from lms_audience.recommend import recommendations_snippet

    return recommendations_snippet(user, order=60)


def _course_header(course):
    from flask_login import current_user

    from lms.courses import is_teacher
    from lms_audience.services import age_text, group_names, target_of

    if course is None:
        return None
    target = target_of(course.id)
    names = list(group_names(target.group_codes).values()) if target else []
    ages = ""
    if target and (target.min_age is not None or target.max_age is not None):
        ages = age_text(target.min_age, target.max_age)
    edit_url = (
        url_for("audience.course", course_id=course.id)
        if is_teacher(current_user, course)
        else None
    )
    if not names and not ages and edit_url is None:
        return None
    html = render_template(
        "lms_audience/course_header.html",
        names=names,
        ages=ages,
        restricted=bool(target and target.restrict_enrolment),
        edit_url=edit_url,
    )
    return Snippet(Markup(html), order=40)


@hookimpl
def lms_tpl_nav_items(app, user):
    """Admins get "Audience": edit groups and organisations, see why a user is in a group."""
    if not (user.is_authenticated and user.is_admin):
        return None
    from flask_babel import lazy_gettext as _l

    from lms.ui import NavItem

    return [NavItem(_l("Audience"), url_for("audience_admin.groups"), 92, "audience_admin.")]


# Guardians, PDPA export and erasure, accessibility preferences (lms_audience/personal_hooks.py).
from lms_audience.personal_hooks import (  # noqa: E402, F401
    personal_body_classes,
    personal_cache_keys,
    personal_dashboard_items,
    personal_load_blueprints,
    personal_load_static,
    personal_snippets,
    personal_user_erase,
    personal_user_export,
)


@hookimpl
def lms_report_stats(app, start, end):
    """Enrolments, completions and active learners by group, district and month."""
    from lms_audience.stats import report_rows

    return report_rows(start, end)


@hookimpl(tryfirst=True)
def lms_bench_generate(app, site):
    """``lms bench generate``: profiles, chosen groups, organisations, guardians, child logins,
    consents, preferences and course targets; sets ``site.facts`` for the plugins after it."""
    from lms_audience.bench import generate

    return generate(app, site)
