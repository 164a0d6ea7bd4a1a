"""Plugin settings: declared through ``lms_load_settings``, a generated admin form, values
namespaced in plugin_setting, secrets from the environment and never shown back in full."""

import pytest

from lms import settings_store
from lms.extensions import db
from lms.models import PluginSetting

PLUGIN = "with_settings"


def english(c):
    """Ask for English pages (the site's default language is Thai)."""
    getattr(c, "client", c).environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


@pytest.fixture
def app(make_app):
    app = make_app(EXTRA_PLUGINS=[f"{PLUGIN}=tests.plugins.{PLUGIN}"])
    with app.app_context():
        yield app


@pytest.fixture
def admin_client(app, f, login):
    return english(login)(f.user("admin"))


def stored_rows():
    return {(r.plugin, r.key): r.value for r in db.session.scalars(db.select(PluginSetting))}


def test_defaults_and_coercion(app):
    with app.test_request_context():
        assert settings_store.get_setting(PLUGIN, "greeting") == "สวัสดี"
        assert settings_store.get_setting(PLUGIN, "max_items") == 10
        assert settings_store.get_setting(PLUGIN, "show_badge") is False
        settings_store.set_value(PLUGIN, "max_items", 25)
        settings_store.set_value(PLUGIN, "show_badge", True)
        settings_store.set_value(PLUGIN, "colour", "purple")  # not a choice: the default
        db.session.commit()
        assert settings_store.get_setting(PLUGIN, "max_items") == 25
        assert settings_store.get_setting(PLUGIN, "show_badge") is True
        assert settings_store.get_setting(PLUGIN, "colour") == "green"
    assert stored_rows()[(PLUGIN, "max_items")] == "25"


def test_admin_form_is_generated_from_the_declaration(admin_client):
    page = admin_client.get(f"/admin/plugins/{PLUGIN}/settings")
    assert page.status_code == 200
    html = page.text
    for name in ("greeting", "max_items", "show_badge", "colour", "api_key"):
        assert f'name="{name}"' in html
    assert "Shown on the home page" in html  # help text
    assert 'type="password"' in html  # the secret
    assert '<option selected value="green">' in html or 'value="green" selected' in html


def test_saving_namespaces_values_and_keeps_secrets_hidden(admin_client, app):
    data = {
        "greeting": "Hello",
        "max_items": "7",
        "show_badge": "y",
        "colour": "blue",
        "api_key": "sk-live-123456789",
    }
    r = admin_client.post(f"/admin/plugins/{PLUGIN}/settings", data=data)
    assert r.status_code == 302
    rows = stored_rows()
    assert rows[(PLUGIN, "greeting")] == "Hello"
    assert rows[(PLUGIN, "max_items")] == "7"
    assert rows[(PLUGIN, "show_badge")] == "1"
    assert rows[(PLUGIN, "colour")] == "blue"
    assert rows[(PLUGIN, "api_key")] == "sk-live-123456789"
    html = admin_client.get(f"/admin/plugins/{PLUGIN}/settings").text
    assert "sk-live-123456789" not in html
    assert "••••89" in html
    # An empty secret field keeps the saved secret.
    data["api_key"] = ""
    data["greeting"] = "Hi again"
    admin_client.post(f"/admin/plugins/{PLUGIN}/settings", data=data)
    rows = stored_rows()
    assert rows[(PLUGIN, "api_key")] == "sk-live-123456789"
    assert rows[(PLUGIN, "greeting")] == "Hi again"


def test_secret_from_environment_wins_and_is_not_editable(admin_client, app, monkeypatch):
    monkeypatch.setenv("LMS_WITH_SETTINGS_API_KEY", "env-secret-value-xy")
    with app.test_request_context():
        assert settings_store.get_setting(PLUGIN, "api_key") == "env-secret-value-xy"
    html = admin_client.get(f"/admin/plugins/{PLUGIN}/settings").text
    assert "env-secret-value-xy" not in html
    assert "••••xy" in html
    assert "LMS_WITH_SETTINGS_API_KEY" in html
    assert 'name="api_key"' not in html


def test_invalid_choice_is_refused_beside_the_field(admin_client):
    r = admin_client.post(
        f"/admin/plugins/{PLUGIN}/settings",
        data={"greeting": "x", "max_items": "1", "colour": "purple"},
    )
    assert r.status_code == 200
    assert 'class="error"' in r.text
    assert (PLUGIN, "colour") not in stored_rows()


def test_settings_pages_need_an_admin(app, f, login):
    client = english(login)(f.user("educator"))
    assert client.get(f"/admin/plugins/{PLUGIN}/settings").status_code == 403


def test_plugin_without_settings_has_no_settings_page(admin_client):
    assert admin_client.get("/admin/plugins/lms_page/settings").status_code == 404


def test_masked_never_shows_more_than_two_characters():
    assert settings_store.masked("abcdefgh") == "••••gh"
    assert settings_store.masked("abc") == "••••"
    assert settings_store.masked("") == "••••"
