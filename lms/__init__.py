"""A plugin-based learning management system: a small Flask core and pluggy hooks.

Public API for plugins: ``lms.hookimpl`` (mark hook implementations), ``lms.hookspecs`` (the
contract), ``lms.content.ContentType``, ``lms.progress``, ``lms.participation.record``,
``lms.ui`` and ``lms.settings.Setting``.
"""

from pluggy import HookimplMarker

hookimpl = HookimplMarker("lms")


def create_app(config=None):
    """Create the LMS Flask application (see :func:`lms.app.create_app`)."""
    from lms.app import create_app as _create_app

    return _create_app(config)


__all__ = ["create_app", "hookimpl"]
