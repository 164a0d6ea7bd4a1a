"""User-written HTML and Markdown, made safe with nh3 before it reaches a page."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import markdown_it
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
    "ol": {"start"},
}


# Rendering is a pure function of the text, and the same lesson is read again and again:
# keep the results of recent texts (each under CACHE_MAX_CHARS) per process.
CACHE_ENTRIES = 512
CACHE_MAX_CHARS = 64_000


URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "noopener noreferrer nofollow"


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def _render_version() -> str:
    parts = (
        1,  # raise when the rendering changes in a way the rest does not show
        markdown_it.__version__,
        getattr(nh3, "__version__", ""),
        sorted(ALLOWED_TAGS),
        sorted((tag, sorted(attrs)) for tag, attrs in ALLOWED_ATTRIBUTES.items()),
        sorted(URL_SCHEMES),
        LINK_REL,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


#: Names this rendering: the libraries' versions and the sanitiser's rules. HTML stored with
#: another version (before an upgrade changed either) must be rendered again from its source.
RENDER_VERSION = _render_version()


def _render(text: str) -> str:
    return _clean(_md.render(text))


_clean_cached = lru_cache(maxsize=CACHE_ENTRIES)(_clean)
_render_cached = lru_cache(maxsize=CACHE_ENTRIES)(_render)


def sanitize(html: str) -> Markup:
    """Keep formatting, drop script, event handlers, styles and ``javascript:`` links."""
    html = html or ""
    return Markup(_clean_cached(html) if len(html) <= CACHE_MAX_CHARS else _clean(html))


def markdown(text: str) -> Markup:
    """Markdown (CommonMark with tables) to sanitised HTML. Thai text passes through intact."""
    text = text or ""
    return Markup(_render_cached(text) if len(text) <= CACHE_MAX_CHARS else _render(text))
