"""Hooks of the guardians, PDPA and accessibility-preferences part of the audience plugin.

They are named ``personal_*`` and bound to their hook with ``specname``, so that they sit in
the plugin module next to the plugin's other implementations of the same hooks."""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from markupsafe import Markup

from lms import hookimpl
from lms.ui import Snippet

HERE = Path(__file__).resolve().parent


@hookimpl(specname="lms_load_blueprints")
def personal_load_blueprints(app):
    from lms_audience.personal_views import bp

    return [bp]


@hookimpl(specname="lms_load_static")
def personal_load_static(app):
    return str(HERE / "static")


@hookimpl(specname="lms_tpl_body_classes")
def personal_body_classes(app, user):
    from lms_audience.prefs import body_classes

    return body_classes(user)


@hookimpl(specname="lms_shared_cache_keys")
def personal_cache_keys(app, user_id):
    from lms_audience.prefs import cache_keys

    return cache_keys(user_id)


@hookimpl(specname="lms_tpl_snippets")
def personal_snippets(app, slot, context):
    if slot == "head":
        from lms.theming import plugin_url

        href = plugin_url("lms_audience", "a11y.css")
        return Snippet(Markup('<link rel="stylesheet" href="%s">') % href, order=90)
    if slot == "profile":
        from lms_audience.guardians import is_child

        user = context.get("user")
        if user is None or not user.is_authenticated:
            return None
        html = render_template("lms_audience/personal_card.html", is_child=is_child(user))
        return Snippet(Markup(html), order=45)
    if slot == "account_delete":
        return _delete_notice(context.get("user"))
    if slot in ("signup", "login"):
        from lms_audience.guardians import under_age

        html = render_template(f"lms_audience/child_{slot}_note.html", under=under_age())
        return Snippet(Markup(html), order=50)
    return None


def _delete_notice(user):
    from flask_babel import ngettext

    from lms_audience.guardians import children_of, guardians_of

    if user is None:
        return None
    alone = [c for c, _l in children_of(user.id) if set(guardians_of(c.id)) <= {user.id}]
    if not alone:
        return None
    text = ngettext(
        "The account of %(num)s child you alone look after is deleted too.",
        "The accounts of %(num)s children you alone look after are deleted too.",
        len(alone),
    )
    return Snippet(Markup('<p class="flash flash-error">%s</p>') % text, order=10)


@hookimpl(specname="lms_tpl_dashboard_items")
def personal_dashboard_items(app, user):
    from flask import url_for
    from flask_babel import ngettext

    from lms_audience.guardians import count_children

    if user is None or not user.is_authenticated:
        return None
    n = count_children(user.id)
    if not n:
        return None
    html = Markup('<p class="card"><a href="%s">%s</a></p>') % (
        url_for("audience_personal.children"),
        ngettext(
            "See the progress of the child you look after",
            "See the progress of the %(num)s children you look after",
            n,
        ),
    )
    return [Snippet(html, order=15)]


@hookimpl(specname="lms_user_export")
def personal_user_export(app, user):
    from lms_audience.pdpa import export

    return ("audience", export(user))


@hookimpl(specname="lms_user_erase")
def personal_user_erase(app, user):
    from lms_audience.pdpa import erase

    erase(user)


__all__ = [
    "personal_body_classes",
    "personal_dashboard_items",
    "personal_load_blueprints",
    "personal_load_static",
    "personal_snippets",
    "personal_user_erase",
    "personal_user_export",
]
