"""The three shipped themes: valid manifests, contrast ratios computed from their CSS custom
properties (high_contrast: WCAG AAA 7:1 for all text), and what each one shows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from lms import theme_settings as ts
from lms.extensions import db
from lms.theme_manifest import contrast_ratio, validate

ROOT = Path(__file__).resolve().parents[2]
THEMES = ROOT / "themes"


def custom_properties(*css_files: Path) -> dict[str, str]:
    """``--name: #rrggbb`` values of the ``:root`` rules, later files winning (the cascade)."""
    props: dict[str, str] = {}
    for path in css_files:
        for block in re.findall(r":root\s*{([^}]*)}", path.read_text()):
            for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", block):
                props[name] = value.strip()
    return props


@pytest.mark.parametrize("name", ["default", "high_contrast", "provincial"])
def test_manifest_is_valid_with_a_screenshot(name):
    folder = THEMES / name
    manifest = tomllib.loads((folder / "theme.toml").read_text())
    assert validate(manifest, str(folder)) == []
    assert (folder / "screenshot.png").read_bytes().startswith(b"\x89PNG")


# (text, background): every pair text is drawn in on the core's pages.
TEXT_PAIRS = [
    ("--fg", "--bg"),
    ("--fg", "--surface"),
    ("--muted", "--bg"),
    ("--muted", "--surface"),
    ("--accent", "--bg"),
    ("--accent", "--surface"),
    ("--accent-fg", "--accent"),
    ("--danger", "--bg"),
    ("--ok", "--bg"),
]


def test_high_contrast_meets_wcag_aaa():
    # high_contrast's theme.css replaces default's: lms.css, then its own file
    props = custom_properties(
        ROOT / "lms/static/lms.css", THEMES / "high_contrast/static/theme.css"
    )
    ratios = {(a, b): contrast_ratio(props[a], props[b]) for a, b in TEXT_PAIRS}
    low = {pair: round(r, 2) for pair, r in ratios.items() if r < 7}
    assert not low, f"below 7:1: {low}"
    assert contrast_ratio(props["--focus"], props["--bg"]) >= 3  # focus ring (non-text)
    assert props["--size"] == "1.375rem"  # 22 px base text


def test_default_and_provincial_meet_wcag_aa():
    core = ROOT / "lms/static/lms.css"
    default = custom_properties(core, THEMES / "default/static/theme.css")
    provincial = custom_properties(
        core, THEMES / "default/static/theme.css", THEMES / "provincial/static/provincial.css"
    )
    for props in (default, provincial):
        for a, b in TEXT_PAIRS:
            assert contrast_ratio(props[a], props[b]) >= 4.5, (a, b)
    assert contrast_ratio("#ffffff", provincial["--brand-band"]) >= 7  # header text on the band


def test_provincial_shows_logo_contact_and_links(make_app):
    app = make_app(THEMES_DIR=str(THEMES), THEME="provincial")
    with app.app_context():
        html = app.test_client().get("/").text
    assert re.search(r'class="brand-logo" src="/themes/provincial/static/logo.svg\?v=\d+"', html)
    assert "/themes/provincial/static/provincial.css?v=" in html
    assert "<address>ศูนย์การเรียนรู้ออนไลน์" in html
    assert '<a href="/courses">เกี่ยวกับโครงการ</a>' in html


def test_high_contrast_for_the_elderly_audience(make_app):
    from lms import hookimpl

    class Audience:
        @hookimpl
        def lms_audience_groups_for(self, app, user):
            return ["elderly"]

    app = make_app(THEMES_DIR=str(THEMES))
    app.extensions["lms"].plugins.register(Audience(), "test_audience_elderly")
    from tests import factories
    from tests.conftest import LoginClient

    with app.app_context():
        ts.put(ts.CORE, ts.AUDIENCE, '{"elderly": "high_contrast"}')
        db.session.commit()
        client = LoginClient(app.test_client())(factories.user())
        html = client.get("/").text
    assert "/themes/high_contrast/static/theme.css?v=" in html
