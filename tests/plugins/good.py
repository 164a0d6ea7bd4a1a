"""A well-behaved throwaway plugin: a blueprint, a nav item and a head snippet."""

from flask import Blueprint
from markupsafe import Markup

from lms import hookimpl
from lms.ui import NavItem, Snippet

bp = Blueprint("good", __name__)


@bp.route("/good")
def hello():
    return "good plugin says hello"


@hookimpl
def lms_load_blueprints(app):
    return [bp]


@hookimpl
def lms_tpl_nav_items(app, user):
    return [NavItem("Good plugin", "/good", order=99)]


@hookimpl
def lms_tpl_snippets(app, slot, context):
    if slot == "head":
        return Snippet(Markup('<meta name="good-plugin" content="yes">'))
    return None
