"""A plugin that raises in a start-up hook: it must be disabled, the site must run."""

from lms import hookimpl


@hookimpl
def lms_load_blueprints(app):
    raise RuntimeError("start-up failure on purpose")


@hookimpl
def lms_tpl_nav_items(app, user):  # never reached: the plugin is unregistered at start-up
    raise AssertionError("should have been disabled")
