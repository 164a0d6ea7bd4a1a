"""``lms themes list | new | check``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lms.theme_cli import check_theme

REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"


@pytest.fixture
def capp(make_app, tmp_path):
    root = tmp_path / "themes"
    shutil.copytree(REPO_THEMES / "default", root / "default")
    app = make_app(THEMES_DIR=str(root))
    app.themes_root = root
    return app


def run(app, *args):
    return app.test_cli_runner().invoke(args=["themes", *args])


def test_new_scaffolds_a_child_theme_that_checks_and_renders(capp, make_app):
    r = run(capp, "new", "school", "--parent", "default")
    assert r.exit_code == 0, r.output
    folder = capp.themes_root / "school"
    assert (folder / "theme.toml").is_file() and (folder / "static/school.css").is_file()
    assert 'extends "parent:base.html"' in (folder / "templates/base.html").read_text()
    r = run(capp, "check", "school")
    assert r.exit_code == 0 and "school: ok" in r.output, r.stderr
    app = make_app(THEMES_DIR=str(capp.themes_root), THEME="school")
    html = app.test_client().get("/").text
    assert "/themes/school/static/school.css?v=" in html and "school</p>" in html
    assert "school" in run(app, "list").output


@pytest.mark.parametrize(
    "args, message",
    [
        (["new", "Bad Name"], "lower-case"),
        (["new", "x1", "--parent", "nope"], "no theme called 'nope'"),
        (["new", "default"], "already exists"),
    ],
)
def test_new_refuses(capp, args, message):
    r = run(capp, *args)
    assert r.exit_code != 0 and message in r.output + r.stderr


def test_check_catches_a_syntax_error(capp):
    run(capp, "new", "broken")
    (capp.themes_root / "broken/templates/page.html").write_text("ok\n{% if %}\n")
    r = run(capp, "check", "broken")
    assert r.exit_code == 1
    assert "templates/page.html, line 2" in r.stderr


def test_check_catches_a_missing_parent(capp):
    run(capp, "new", "orphan")
    toml = capp.themes_root / "orphan/theme.toml"
    toml.write_text(toml.read_text().replace('parent = "default"', 'parent = "gone"'))
    r = run(capp, "check", "orphan")
    assert r.exit_code == 1 and "theme 'gone' is not installed" in r.stderr


def test_check_catches_dropped_blocks_bad_parent_refs_and_bad_manifest(capp):
    run(capp, "new", "sloppy")
    folder = capp.themes_root / "sloppy"
    (folder / "templates/base.html").write_text("<html>{% block content %}{% endblock %}</html>")
    (folder / "templates/home.html").write_text('{% extends "parent:nothere.html" %}')
    toml = folder / "theme.toml"
    toml.write_text(toml.read_text().replace('"#0b5cad"', '"blue"'))
    errors = check_theme(capp, "sloppy")
    text = "\n".join(errors)
    assert "templates/base.html: drops blocks" in text and "footer" in text and "title" in text
    assert "'nothere.html' is not found" in text
    assert "default must be a colour written #rrggbb" in text
    assert run(capp, "check", "sloppy").exit_code == 1


def test_check_unknown_theme(capp):
    r = run(capp, "check", "nope")
    assert r.exit_code == 1 and "no such theme" in r.stderr


def test_shipped_themes_pass_check(make_app):
    app = make_app(THEMES_DIR=str(REPO_THEMES))
    for name in ("default", "high_contrast", "provincial"):
        assert check_theme(app, name) == [], name
