"""A course plugin (``LMS_COURSE_PLUGIN = True``) with a content type and no tables."""

from markupsafe import Markup

from lms import hookimpl
from lms.content import ContentType

LMS_PLUGIN_API = ">=1,<2"
LMS_COURSE_PLUGIN = True


class Poster(ContentType):
    key = "poster"
    label = "Poster board"
    icon = "🪧"

    def render(self, activity, user):
        return Markup("<p>poster</p>")


@hookimpl
def lms_content_types(app):
    return [Poster()]
