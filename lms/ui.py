"""Small value types that ``lms_tpl_*`` hooks return."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass
class NavItem:
    """A link in the main navigation."""

    label: str
    url: str
    order: int = 50
    #: Endpoint prefix that marks the item as the current page (``"catalog."``).
    active_prefix: str = ""


@dataclass
class Snippet:
    """A piece of safe HTML for a template slot or the dashboard."""

    html: Markup
    order: int = 50
