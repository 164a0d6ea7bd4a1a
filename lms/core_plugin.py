"""The core registers its own blueprints and navigation through the same hooks as any plugin."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.ui import NavItem


@hookimpl
def lms_load_blueprints(app):
    from lms.admin.plugins import bp as plugin_admin_bp  # plugin pages (admin and course)
    from lms.admin.views import bp as admin_bp
    from lms.auth.views import bp as auth_bp
    from lms.catalog.views import bp as catalog_bp
    from lms.learn.views import bp as learn_bp
    from lms.main.views import bp as main_bp
    from lms.teach.views import bp as teach_bp

    return [main_bp, auth_bp, catalog_bp, learn_bp, teach_bp, admin_bp, plugin_admin_bp]


@hookimpl
def lms_tpl_nav_items(app, user):
    items = [NavItem(_l("Courses"), url_for("catalog.index"), 10, "catalog.")]
    if user.is_authenticated:
        items.append(NavItem(_l("My learning"), url_for("learn.my_learning"), 20, "learn."))
        if user.can_author:
            items.append(NavItem(_l("Teaching"), url_for("teach.index"), 30, "teach."))
        if user.is_admin:
            items.append(NavItem(_l("Admin"), url_for("admin.users"), 90, "admin."))
    from lms.themes_admin import nav_items as theme_nav_items  # the theme's header links

    items += theme_nav_items()
    return items


@hookimpl
def lms_tpl_snippets(app, slot, context):
    """The theme's colour settings (head), preview banner (body_end), choice (profile)."""
    from lms.themes_admin import snippets

    return snippets(slot, context)
