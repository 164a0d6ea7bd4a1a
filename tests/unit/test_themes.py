"""Themes: lookup chain, parent:, per-request themes, static files, safety, admin pages."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from flask import render_template_string

from lms import theme_settings as ts
from lms.extensions import db
from lms.theming import SEP, ChainLoader, request_theme
from tests import factories
from tests.conftest import LoginClient

REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"


def write(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def manifest(name: str, parent: str | None = "default", extra: str = "") -> str:
    lines = [f'name = "{name}"', 'version = "1.0"', f'description = "{name} theme"']
    if parent:
        lines.append(f'parent = "{parent}"')
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def themes_dir(tmp_path) -> Path:
    """A themes folder: the real default plus test themes ``alpha`` → ``beta`` → default."""
    root = tmp_path / "themes"
    shutil.copytree(REPO_THEMES / "default", root / "default")
    write(
        root / "beta",
        {
            "theme.toml": manifest("beta"),
            "templates/probe.html": "beta-probe",
            "templates/base.html": '{% extends "parent:base.html" %}'
            "{% block footer %}BETA-FOOTER {{ super() }}{% endblock %}",
            "static/beta.css": "/* beta */",
            "static/shared.css": "/* from beta */",
        },
    )
    write(
        root / "alpha",
        {
            "theme.toml": manifest("alpha", "beta"),
            "templates/home.html": '{% extends "parent:home.html" %}'
            "{% block content %}ALPHA-HOME {{ super() }}{% endblock %}",
            "templates/base.html": '{% extends "parent:base.html" %}'
            "{% block footer %}ALPHA-FOOTER {{ super() }}{% endblock %}",
            "static/shared.css": "/* from alpha */",
        },
    )
    return root


@pytest.fixture
def tapp(make_app, themes_dir):
    app = make_app(THEMES_DIR=str(themes_dir), THEME="alpha")
    with app.app_context():
        yield app


# Own fixtures on the themed app (conftest's ``f``/``login`` would build a second app).
@pytest.fixture
def f(tapp):
    return factories


@pytest.fixture
def login(tapp):
    return LoginClient(tapp.test_client())


def test_chain_order_theme_parents_core(tapp):
    state = tapp.extensions["lms"]
    assert [t.name for t in state.theme_chain] == ["alpha", "beta", "default"]
    folders = tapp.jinja_env.loader.chain_loader("alpha").folders
    assert folders[:3] == [state.themes[n].templates for n in ("alpha", "beta", "default")]
    assert folders[-1].endswith("lms/templates")
    plugin_folders = [folder for _p, folder in state.template_dirs]
    assert folders[3:-1] == plugin_folders


def test_override_and_inheritance_order(tapp):
    # probe.html exists only in beta: alpha inherits it
    assert tapp.jinja_env.get_template("probe.html").render() == "beta-probe"
    html = tapp.test_client().get("/").text
    # alpha's footer wraps beta's, which wraps default's, which wraps the core footer
    assert "ALPHA-HOME" in html
    assert html.index("ALPHA-FOOTER") < html.index("BETA-FOOTER") < html.index("lang-switch")


def test_parent_prefix_reaches_the_next_folder(tmp_path):
    one, two, three = (tmp_path / n for n in ("one", "two", "three"))
    write(
        one,
        {"page.html": '{% extends "parent:page.html" %}{% block b %}1{{ super() }}{% endblock %}'},
    )
    write(
        two,
        {"page.html": '{% extends "parent:page.html" %}{% block b %}2{{ super() }}{% endblock %}'},
    )
    write(three, {"page.html": "[{% block b %}3{% endblock %}]", "x.html": "core-x"})
    from jinja2 import Environment

    env = Environment(loader=ChainLoader([str(one), str(two), str(three)]), autoescape=True)
    assert env.get_template("page.html").render() == "[123]"
    assert env.get_template("core:x.html").render() == "core-x"
    for bad in ("../x.html", "/etc/passwd", "@x:page.html", "a/../../x.html"):
        with pytest.raises(Exception, match="x.html|passwd|page"):
            env.get_template(bad)


def test_two_requests_with_different_themes_get_different_templates(tapp, f, login):
    """Jinja caches by name: qualified names keep the themes apart in one process."""
    a, b = f.user(), f.user()
    ts.put(ts.CORE, ts.LEARNERS_CHOOSE, "1")
    ts.put(ts.CORE, ts.user_key(a.id), "alpha")
    ts.put(ts.CORE, ts.user_key(b.id), "beta")
    db.session.commit()
    client = login(a)
    first = client.get("/").text
    login(b)
    second = client.get("/").text
    login(a)
    third = client.get("/").text
    assert "ALPHA-HOME" in first and "ALPHA-HOME" in third
    assert "ALPHA-HOME" not in second and "BETA-FOOTER" in second
    names = {key[1] for key in tapp.jinja_env.cache}
    assert f"alpha{SEP}home.html" in names and f"beta{SEP}home.html" in names


def test_learner_choice_only_when_allowed(tapp, f, login):
    u = f.user()
    ts.put(ts.CORE, ts.user_key(u.id), "beta")
    db.session.commit()
    client = login(u)
    assert "ALPHA-HOME" in client.get("/").text  # not allowed: the site's theme
    assert client.post("/themes/choose", data={"theme": "beta"}).status_code == 403
    ts.put(ts.CORE, ts.LEARNERS_CHOOSE, "1")
    db.session.commit()
    assert client.post("/themes/choose", data={"theme": "nope"}).status_code == 400
    profile = client.get("/profile").text
    assert 'name="theme"' in profile and 'value="beta" selected' in profile
    assert client.post("/themes/choose", data={"theme": "default"}).status_code == 302
    assert "ALPHA-HOME" not in client.get("/").text


def test_audience_group_default_theme(tapp, f, login):
    from lms import hookimpl

    class Audience:
        @hookimpl
        def lms_audience_groups_for(self, app, user):
            return ["elderly"] if user.name.startswith("Old") else ["youth"]

    tapp.extensions["lms"].plugins.register(Audience(), "test_audience")
    ts.put(ts.CORE, ts.AUDIENCE, '{"elderly": "beta"}')
    db.session.commit()
    old, young = f.user(name="Old Somchai"), f.user(name="Young Nid")
    client = login(old)
    assert "BETA-FOOTER" in client.get("/").text and "ALPHA-FOOTER" not in client.get("/").text
    login(young)
    assert "ALPHA-FOOTER" in client.get("/").text


def fetch(client, path: str, **kwargs):
    """GET and close the (file-streaming) response."""
    with client.get(path, **kwargs) as r:
        r.get_data()
        return r


def test_static_falls_back_along_the_chain_with_cache_busting(tapp):
    client = tapp.test_client()
    assert fetch(client, "/themes/alpha/static/shared.css").text == "/* from alpha */"
    assert fetch(client, "/themes/alpha/static/beta.css").text == "/* beta */"
    assert "--accent" in fetch(client, "/themes/alpha/static/theme.css").text  # from default
    assert fetch(client, "/themes/beta/static/nothing.css").status_code == 404
    assert (
        "max-age=31536000" in fetch(client, "/themes/beta/static/beta.css").headers["Cache-Control"]
    )
    with tapp.test_request_context("/"):
        url = render_template_string("{{ theme_url('beta.css') }}")
    assert url.startswith("/themes/beta/static/beta.css?v=") and url.split("v=")[1].isdigit()


@pytest.mark.parametrize(
    "path",
    [
        "/themes/alpha/static/../theme.toml",
        "/themes/alpha/static/%2e%2e/theme.toml",
        "/themes/alpha/static/..%2ftheme.toml",
        "/themes/alpha/static/%2e%2e%2f%2e%2e%2falpha/theme.toml",
        "/themes/alpha/static/..%5ctheme.toml",
        "/themes/alpha/static//etc/passwd",
        "/themes/alpha/static/%2fetc%2fpasswd",
        "/themes/..%2f..%2fetc/static/passwd",
    ],
)
def test_static_path_traversal_refused(tapp, path):
    r = fetch(tapp.test_client(), path, follow_redirects=True)
    assert r.status_code in (404, 400)
    assert b"name =" not in r.data and b"root:" not in r.data


def test_broken_theme_template_falls_back_to_parent(tapp, themes_dir, f, login, caplog):
    (themes_dir / "alpha/templates/home.html").write_text(
        "{% block content %}{% if %}{% endblock %}"
    )
    (themes_dir / "alpha/templates/base.html").write_text(
        '{% extends "parent:base.html" %}{% block footer %}{{ 1 // 0 }}{% endblock %}'
    )
    with caplog.at_level(logging.ERROR, logger="lms.theming"):
        r = tapp.test_client().get("/")
    assert r.status_code == 200
    assert "BETA-FOOTER" in r.text and "ALPHA" not in r.text  # rendered through beta
    assert "template error" in caplog.text and "alpha" in caplog.text
    errors = tapp.extensions["lms"].theme_errors["alpha"]
    assert any("home.html" in e for e in errors)
    admin = f.user("admin")
    gallery = login(admin).get("/admin/themes").text
    assert 'has-error" id="theme-alpha"' in gallery
    assert "templates/home.html: Expected an expression" in gallery


def test_runtime_error_in_theme_falls_back(tapp, themes_dir):
    (themes_dir / "alpha/templates/probe.html").write_text("{{ 1 // 0 }}")
    with tapp.test_request_context("/"):
        assert tapp.jinja_env.get_template("probe.html").render() == "beta-probe"
    assert any("probe.html" in e for e in tapp.extensions["lms"].theme_errors["alpha"])


def test_error_in_a_plugin_template_inside_a_theme_is_not_blamed_on_it(tapp, themes_dir, tmp_path):
    plugin = tmp_path / "plugin_templates"
    write(plugin, {"testplug/fail.html": "{{ 1 // 0 }}"})
    tapp.extensions["lms"].template_dirs.append(("testplug", str(plugin)))
    tapp.jinja_env.loader._chains.clear()
    (themes_dir / "alpha/templates/wrap.html").write_text('[{% include "testplug/fail.html" %}]')
    with tapp.test_request_context("/"), pytest.raises(ZeroDivisionError):
        tapp.jinja_env.get_template("wrap.html").render()
    assert tapp.extensions["lms"].theme_errors == {}


def test_error_in_core_template_is_not_blamed_on_the_theme(tapp):
    with tapp.test_request_context("/"):
        template = tapp.jinja_env.from_string("{{ 1 // 0 }}")
        with pytest.raises(ZeroDivisionError):
            template.render()
    assert tapp.extensions["lms"].theme_errors == {}


def test_unknown_configured_theme_falls_back_with_warning(make_app, themes_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="lms.theming"):
        app = make_app(THEMES_DIR=str(themes_dir), THEME="nope")
    assert app.extensions["lms"].theme == "default"
    assert "nope" in caplog.text
    assert app.test_client().get("/").status_code == 200


def test_request_theme_outside_a_request_is_the_site_theme(tapp):
    assert request_theme() == "alpha"


# -- admin --------------------------------------------------------------------------------------


def test_gallery_and_actions_are_admin_only(tapp, f, login):
    client = login(f.user())
    assert client.get("/admin/themes").status_code == 403
    assert client.post("/admin/themes/beta/preview").status_code == 403
    assert client.post("/admin/themes/beta/activate").status_code == 403
    assert client.get("/admin/themes/beta/settings").status_code == 403


def test_preview_is_for_the_admin_only_until_activated(tapp, f, login):
    admin_client = login(f.user("admin"))
    other = LoginClient(tapp.test_client())(f.user())
    r = admin_client.post("/admin/themes/beta/preview")
    assert r.status_code == 302
    html = admin_client.get("/").text
    assert "BETA-FOOTER" in html and "ALPHA-FOOTER" not in html
    assert 'class="theme-preview-banner"' in html and "/admin/themes/beta/activate" in html
    assert "ALPHA-FOOTER" in other.get("/").text  # everyone else: the site's theme
    admin_client.post("/admin/themes/preview/stop")
    assert "ALPHA-FOOTER" in admin_client.get("/").text
    admin_client.post("/admin/themes/beta/activate")
    assert ts.core_values()[ts.ACTIVE] == "beta"
    assert "ALPHA-FOOTER" not in other.get("/").text and "BETA-FOOTER" in other.get("/").text


def test_audience_form_lists_the_five_groups_and_saves(tapp, f, login):
    client = login(f.user("admin"))
    html = client.get("/admin/themes").text
    for code in ts.AUDIENCE_CODES:
        assert f'name="audience_{code}"' in html
    data = {f"audience_{c}": "" for c in ts.AUDIENCE_CODES}
    data.update(audience_elderly="beta", learners_choose="y")
    assert client.post("/admin/themes", data=data).status_code == 302
    values = ts.core_values()
    assert ts.audience_map(values) == {"elderly": "beta"} and ts.learners_choose(values)
    data["audience_youth"] = "no_such_theme"
    assert client.post("/admin/themes", data=data).status_code == 200  # refused, not saved
    assert ts.audience_map(ts.core_values()) == {"elderly": "beta"}


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_settings_form_from_the_manifest(tapp, f, login):
    import io

    client = login(f.user("admin"))
    form = client.get("/admin/themes/alpha/settings").text  # inherits default's settings
    for name in ("accent", "surface", "logo", "footer_text", "header_links"):
        assert f'name="{name}"' in form
    assert 'type="color"' in form and 'enctype="multipart/form-data"' in form
    bad = client.post(
        "/admin/themes/alpha/settings",
        data={"accent": "red; } body { display:none", "header_links": "x"},
    )
    assert bad.status_code == 200 and 'id="accent-error"' in bad.text
    assert 'id="header_links-error"' in bad.text
    ok = client.post(
        "/admin/themes/alpha/settings",
        data={
            "accent": "#123456",
            "footer_text": "อบจ. ตัวอย่าง",
            "header_links": "Province | https://example.org/\nCourses | /courses",
            "logo": (io.BytesIO(PNG), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    home = client.get("/").text
    assert '<style id="theme-settings">:root { --accent: #123456; }</style>' in home
    assert "อบจ. ตัวอย่าง" in home
    assert '<a href="https://example.org/">Province</a>' in home
    logo = home.split('class="brand-logo" src="')[1].split('"')[0]
    assert logo.startswith("/themes/alpha/files/logo-")
    assert fetch(client, logo).data == PNG
    pale = client.post(
        "/admin/themes/alpha/settings", data={"accent": "#aaaaaa"}, follow_redirects=True
    )
    assert "#aaaaaa" in pale.text and "2.3:1" in pale.text  # saved, with a warning
    assert f'src="{logo}"' in client.get("/admin/themes/alpha/settings").text
    client.post("/admin/themes/alpha/settings", data={"logo__remove": "y", "accent": ""})
    home = client.get("/").text
    assert "brand-logo" not in home and "theme-settings" not in home  # back to the defaults


@pytest.mark.parametrize(
    "payload, message",
    [(b"<svg onload=alert(1)></svg>", "PNG, JPEG"), (PNG + b"\0" * 300 * 1024, "KB")],
)
def test_logo_upload_checked_by_type_and_size(tapp, f, login, payload, message):
    import io

    client = login(f.user("admin"))
    r = client.post(
        "/admin/themes/alpha/settings",
        data={"logo": (io.BytesIO(payload), "logo.png")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200 and 'id="logo-error"' in r.text
    assert ts.theme_values(["alpha"])["alpha"] == {}


def test_theme_package_through_lms_theme_paths(make_app, themes_dir, tmp_path):
    from lms import hookimpl
    from lms.theming import discover_themes

    packaged = tmp_path / "pkg" / "gamma"
    write(packaged, {"theme.toml": manifest("gamma"), "templates/probe.html": "gamma-probe"})

    class ThemePackage:
        @hookimpl
        def lms_theme_paths(self, app):
            return [str(packaged)]

    app = make_app(THEMES_DIR=str(themes_dir))
    app.extensions["lms"].plugins.register(ThemePackage(), "test_theme_package")
    themes = discover_themes(app)
    assert themes["gamma"].path == str(packaged) and themes["gamma"].ok


def test_invalid_theme_is_listed_but_cannot_be_activated(make_app, themes_dir):
    write(themes_dir / "bad", {"theme.toml": 'name = "bad"\nparent = "ghost"\ncolour = 1\n'})
    app = make_app(THEMES_DIR=str(themes_dir))
    with app.app_context():
        bad = app.extensions["lms"].themes["bad"]
        assert not bad.ok
        text = "\n".join(bad.errors)
        assert "version: required" in text and "colour: unknown key" in text
        assert "theme 'ghost' is not installed" in text
        client = LoginClient(app.test_client())(factories.user("admin"))
        assert "theme &#39;ghost&#39; is not installed" in client.get("/admin/themes").text
        client.post("/admin/themes/bad/activate")
        client.post("/admin/themes/bad/preview")
        assert ts.ACTIVE not in ts.core_values()
        assert 'class="theme-preview-banner"' not in client.get("/").text


def test_stored_site_theme_that_is_gone_falls_back_with_one_warning(tapp, caplog):
    ts.put(ts.CORE, ts.ACTIVE, "removed_theme")
    db.session.commit()
    client = tapp.test_client()
    with caplog.at_level(logging.WARNING, logger="lms.theming"):
        first, second = client.get("/").text, client.get("/").text
    assert "ALPHA-FOOTER" in first and "ALPHA-FOOTER" in second  # THEME from the config
    assert caplog.text.count("removed_theme") == 1
