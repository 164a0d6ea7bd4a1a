"""The theme manifest, ``theme.toml``: what it may hold and how it is checked.

::

    name = "provincial"              # letters, digits and _ ; the folder name by convention
    version = "1.0.0"
    description = "..."
    parent = "default"               # every theme but default has one (default if left out)
    screenshot = "screenshot.png"    # relative to the theme folder

    [settings]
    accent = { type = "color", default = "#1d5e34", label = "Accent colour", css = "--accent" }
    logo = { type = "image", label = "Logo", max_kb = 200 }
    footer_text = { type = "text", label = "Footer text", max_length = 200 }
    header_links = { type = "links", label = "Header links", default = [] }

:func:`validate` returns a list of plain messages, empty when the manifest is valid.
"""

from __future__ import annotations

import os
import re
from typing import Any

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
CSS_PROP_RE = re.compile(r"^--[a-z][a-z0-9-]{0,49}$")
SETTING_TYPES = ("color", "image", "text", "links")
#: Image uploads accepted for ``image`` settings, recognised by their first bytes (no SVG:
#: an uploaded SVG served from the site could carry script).
IMAGE_MAGIC = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
DEFAULT_IMAGE_MAX_KB = 200
DEFAULT_TEXT_MAX = 200
MAX_LINKS = 8


def css_property(key: str, spec: dict[str, Any]) -> str:
    """The CSS custom property a colour setting feeds: ``css`` or ``--<key with dashes>``."""
    return str(spec.get("css") or "--" + key.replace("_", "-"))


def image_kind(data: bytes) -> str | None:
    """``png``/``jpeg``/``gif``/``webp`` from the file's first bytes, or ``None``."""
    for kind, magics in IMAGE_MAGIC.items():
        if any(data.startswith(m) for m in magics):
            if kind == "webp" and data[8:12] != b"WEBP":
                continue
            return kind
    return None


def valid_link_url(url: str) -> bool:
    """Header links may point to ``http(s)://`` addresses or to paths on this site."""
    url = url.strip()
    if url.startswith("//"):
        return False
    return bool(re.match(r"^(https?://[^\s<>\"']+|/[^\s<>\"']*)$", url))


def parse_links(text: str) -> tuple[list[dict[str, str]], list[int]]:
    """``Label | URL`` lines into links, plus the numbers of the lines that are wrong."""
    links: list[dict[str, str]] = []
    bad: list[int] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, url = line.partition("|")
        label, url = label.strip(), url.strip()
        if not sep or not label or not valid_link_url(url):
            bad.append(n)
            continue
        links.append({"label": label[:80], "url": url})
    return links, bad


def _check_setting(key: str, spec: Any) -> list[str]:
    where = f"[settings] {key}"
    if not re.match(r"^[a-z][a-z0-9_]{0,49}$", key):
        return [f"{where}: setting names use lower-case letters, digits and _"]
    if not isinstance(spec, dict):
        return [f'{where}: must be a table such as {{ type = "color", default = "#0b5cad" }}']
    kind = spec.get("type")
    if kind not in SETTING_TYPES:
        return [f"{where}: type must be one of {', '.join(SETTING_TYPES)} (got {kind!r})"]
    errors = []
    if "label" in spec and not isinstance(spec["label"], str):
        errors.append(f"{where}: label must be text")
    default = spec.get("default")
    if kind == "color":
        if default is not None and not (isinstance(default, str) and COLOR_RE.match(default)):
            errors.append(f"{where}: default must be a colour written #rrggbb (got {default!r})")
        if not CSS_PROP_RE.match(css_property(key, spec)):
            errors.append(f"{where}: css must be a custom property name such as --accent")
    elif kind == "image":
        max_kb = spec.get("max_kb", DEFAULT_IMAGE_MAX_KB)
        if not isinstance(max_kb, int) or not 1 <= max_kb <= 2048:
            errors.append(f"{where}: max_kb must be a whole number from 1 to 2048")
        if default is not None and not isinstance(default, str):
            errors.append(f"{where}: default must be a static file path such as logo.svg")
    elif kind == "text":
        max_length = spec.get("max_length", DEFAULT_TEXT_MAX)
        if not isinstance(max_length, int) or not 1 <= max_length <= 2000:
            errors.append(f"{where}: max_length must be a whole number from 1 to 2000")
        if default is not None and not isinstance(default, str):
            errors.append(f"{where}: default must be text")
    elif kind == "links":
        ok = isinstance(default, list | type(None)) and all(
            isinstance(x, dict)
            and isinstance(x.get("label"), str)
            and valid_link_url(str(x.get("url", "")))
            for x in default or []
        )
        if not ok:
            errors.append(
                f'{where}: default must be a list of {{ label = "...", url = "https://..." }}'
            )
    return errors


def validate(manifest: dict[str, Any], folder: str | None = None) -> list[str]:
    """Messages for everything wrong with ``manifest``, or ``[]``. With ``folder`` (the theme's),
    also check that the screenshot exists (``lms themes check`` does; a missing screenshot does
    not stop a theme from working)."""
    errors: list[str] = []
    name = manifest.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        errors.append(
            f"name: required, lower-case letters, digits and _, starting with a letter "
            f"(got {name!r})"
        )
    for key in ("version", "description"):
        if not isinstance(manifest.get(key), str) or not manifest.get(key):
            errors.append(f"{key}: required text")
    parent = manifest.get("parent")
    if parent is not None and (not isinstance(parent, str) or not NAME_RE.match(parent)):
        errors.append(f"parent: must be the name of another theme (got {parent!r})")
    if parent is not None and parent == name:
        errors.append("parent: a theme cannot be its own parent")
    shot = manifest.get("screenshot")
    if shot is not None:
        if not isinstance(shot, str) or ".." in shot.split("/") or shot.startswith("/"):
            errors.append("screenshot: a file name inside the theme folder, such as screenshot.png")
        elif folder and not os.path.isfile(os.path.join(folder, shot)):
            errors.append(f"screenshot: {shot} does not exist in the theme folder")
    settings = manifest.get("settings", {})
    if not isinstance(settings, dict):
        errors.append("[settings]: must be a table")
    else:
        for key, spec in settings.items():
            errors += _check_setting(key, spec)
    known = {"name", "version", "description", "parent", "screenshot", "settings", "author"}
    for key in sorted(set(manifest) - known):
        errors.append(f"{key}: unknown key (known: {', '.join(sorted(known))})")
    return errors


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = []
    for i in (1, 3, 5):
        c = int(color[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
