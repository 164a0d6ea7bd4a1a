"""A plugin that loads fine but raises while pages render."""

from lms import hookimpl


@hookimpl
def lms_tpl_nav_items(app, user):
    raise RuntimeError("runtime failure on purpose")


@hookimpl
def lms_tpl_snippets(app, slot, context):
    raise RuntimeError("runtime failure on purpose")
