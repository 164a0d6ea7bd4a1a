"""The plugin page, switching on and off, course plugins, failure isolation, table prefixes,
wheel upload and the package checks (the full install round trip is test_lifecycle_e2e.py)."""

import io
import zipfile

import pytest
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lms import lifecycle
from lms.extensions import db
from lms.models import PluginSetting, PluginState
from lms.plugins import PLUGIN_API_VERSION


def english(c):
    """Ask for English pages (the site's default language is Thai)."""
    getattr(c, "client", c).environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c


def state_of(name):
    row = db.session.get(PluginState, name)
    return None if row is None else row.enabled


# -- the admin page ---------------------------------------------------------------------------


def test_plugin_page_lists_name_version_author_hooks_and_state(app, f, login):
    client = english(login)(f.user("admin"))
    html = client.get("/admin/plugins").text
    assert "lms_page" in html and "0.1.0" in html
    assert "LMS core team" in html  # author from the package metadata
    assert "lms_content_types" in html  # hooks implemented
    assert "&gt;=1,&lt;2" in html  # the plugin API it declared
    assert "Enabled" in html
    assert 'enctype="multipart/form-data"' in html  # the upload form


def test_plugin_page_needs_an_admin(app, f, login):
    assert english(login)(f.user("educator")).get("/admin/plugins").status_code == 403
    client = english(login)(f.user("educator"))
    assert client.get("/admin/plugins/lms_page/switch").status_code == 403


def test_switch_off_asks_for_confirmation_then_blocks_the_plugin(make_app, f):
    app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"])
    client = english(app.test_client())
    with app.app_context():
        admin_email = f.user("admin").email
    client.post("/login", data={"email": admin_email, "password": f.PASSWORD})
    assert client.get("/good").status_code == 200
    confirm = client.get("/admin/plugins/good/switch?enable=0")
    assert confirm.status_code == 200 and "Switch off good?" in confirm.text
    with app.app_context():
        assert state_of("good") is None  # a GET changes nothing
    r = client.post("/admin/plugins/good/switch", data={"enable": "0"})
    assert r.status_code == 302
    with app.app_context():
        assert state_of("good") is False
    assert client.get("/good").status_code == 404
    assert "Disabled" in client.get("/admin/plugins").text
    client.post("/admin/plugins/good/switch", data={"enable": "1"})
    with app.app_context():
        assert state_of("good") is True
    assert client.get("/good").status_code == 200


def test_switching_needs_the_csrf_token(make_app, f):
    app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"], WTF_CSRF_ENABLED=True)
    client = english(app.test_client())
    with app.app_context():
        admin_email = f.user("admin").email
    login_page = client.get("/login").text
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": admin_email, "password": f.PASSWORD, "csrf_token": token})
    r = client.post("/admin/plugins/good/switch", data={"enable": "0"})
    assert r.status_code == 400
    with app.app_context():
        assert state_of("good") is None


def test_the_core_cannot_be_switched_off(app, f, login):
    client = english(login)(f.user("admin"))
    r = client.post("/admin/plugins/core/switch", data={"enable": "0"}, follow_redirects=True)
    assert "The core cannot be switched off." in r.text
    assert state_of("core") is None
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.set_enabled("core", False)
    assert client.get("/admin/plugins/nope/switch").status_code == 404


# -- course plugins ---------------------------------------------------------------------------


def test_educator_switches_a_course_plugin_off_for_one_course(make_app, f):
    app = make_app(EXTRA_PLUGINS=["course_scoped=tests.plugins.course_scoped"])
    client = english(app.test_client())
    with app.app_context():
        teacher = f.user("educator")
        teacher_email = teacher.email
        mine, other = f.course(teacher), f.course(teacher)
        mine_id, other_id, section_id = mine.id, other.id, mine.sections[0].id
        assert app.extensions["lms"].plugins.infos["course_scoped"].course_scoped
    client.post("/login", data={"email": teacher_email, "password": f.PASSWORD})
    assert "Poster board" in client.get(f"/teach/{mine_id}").text
    page = client.get(f"/teach/{mine_id}/plugins")
    assert page.status_code == 200 and "course_scoped" in page.text
    assert "lms_page" not in page.text  # not a course plugin
    r = client.post(f"/teach/{mine_id}/plugins", data={"plugin": "course_scoped", "enable": "0"})
    assert r.status_code == 302
    assert "Poster board" not in client.get(f"/teach/{mine_id}").text
    assert client.get(f"/teach/section/{section_id}/add/poster").status_code == 404
    assert "Poster board" in client.get(f"/teach/{other_id}").text  # other courses keep it
    with app.app_context():
        row = db.session.scalar(db.select(PluginSetting).filter_by(plugin="course_scoped"))
        assert (row.key, row.value) == (f"course:{mine_id}:enabled", "0")
    client.post(f"/teach/{mine_id}/plugins", data={"plugin": "course_scoped", "enable": "1"})
    assert "Poster board" in client.get(f"/teach/{mine_id}").text
    bad = client.post(f"/teach/{mine_id}/plugins", data={"plugin": "lms_page", "enable": "0"})
    assert bad.status_code == 400  # only course plugins can be switched per course


def test_course_plugins_page_checks_the_course(make_app, f):
    app = make_app(EXTRA_PLUGINS=["course_scoped=tests.plugins.course_scoped"])
    client = english(app.test_client())
    with app.app_context():
        course_id = f.course().id
        stranger_email = f.user("educator").email
    client.post("/login", data={"email": stranger_email, "password": f.PASSWORD})
    assert client.get(f"/teach/{course_id}/plugins").status_code == 403
    r = client.post(f"/teach/{course_id}/plugins", data={"plugin": "course_scoped", "enable": "0"})
    assert r.status_code == 403


# -- isolation --------------------------------------------------------------------------------


def test_repeated_failures_switch_the_plugin_off_and_tell_admins(make_app, f):
    app = make_app(
        EXTRA_PLUGINS=["raising_runtime=tests.plugins.raising_runtime"], PLUGIN_MAX_FAILURES=3
    )
    client = english(app.test_client())
    infos = app.extensions["lms"].plugins.infos
    for _ in range(3):
        assert client.get("/").status_code == 200  # the page keeps working meanwhile
    with app.app_context():
        assert state_of("raising_runtime") is False
        assert "runtime failure" in lifecycle.auto_disabled()["raising_runtime"]["error"]
        admin_email = f.user("admin").email
    failures = len(infos["raising_runtime"].errors)
    assert client.get("/").status_code == 200
    assert len(infos["raising_runtime"].errors) == failures  # no longer called
    client.post("/login", data={"email": admin_email, "password": f.PASSWORD})
    users = client.get("/admin/users").text
    assert "Switched off for failing again and again: raising_runtime" in users
    plugins_page = client.get("/admin/plugins").text
    assert "raising_runtime was switched off because it failed again and again" in plugins_page
    client.post("/admin/plugins/raising_runtime/dismiss")
    assert "failed again and again" not in client.get("/admin/plugins").text
    with app.app_context():
        assert state_of("raising_runtime") is False  # dismissing keeps it off


def test_failures_are_not_counted_when_max_is_zero(make_app):
    app = make_app(
        EXTRA_PLUGINS=["raising_runtime=tests.plugins.raising_runtime"], PLUGIN_MAX_FAILURES=0
    )
    client = english(app.test_client())
    for _ in range(4):
        assert client.get("/").status_code == 200
    with app.app_context():
        assert state_of("raising_runtime") is None


def test_tables_without_the_plugin_prefix_are_flagged(make_app):
    app = make_app(EXTRA_PLUGINS=["with_settings=tests.plugins.with_settings"])

    class Base(DeclarativeBase):
        pass

    class Good(Base):
        __tablename__ = "with_settings_thing"
        __module__ = "tests.plugins.with_settings"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Bad(Base):
        __tablename__ = "thing"
        __module__ = "tests.plugins.with_settings"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(10))

    bad = lifecycle.check_table_prefixes(app, mappers=list(Base.registry.mappers))
    assert bad == {"with_settings": ["thing"]}
    info = app.extensions["lms"].plugins.infos["with_settings"]
    assert info.warnings == ["tables without the prefix with_settings_: thing"]
    assert lifecycle.check_table_prefixes(app) == {}  # the real plugins are fine
    assert not app.extensions["lms"].plugins.infos["lms_page"].warnings


# -- upload -----------------------------------------------------------------------------------


def make_wheel(entry_points: str = "[lms.plugins]\nfancy = fancy\n") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("fancy/__init__.py", "LMS_PLUGIN_API = '>=1,<2'\n")
        zf.writestr(
            "fancy-1.2.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: fancy\nVersion: 1.2.0\nSummary: A fancy plugin\n\n",
        )
        zf.writestr("fancy-1.2.0.dist-info/entry_points.txt", entry_points)
    return buf.getvalue()


def upload(client, data: bytes, filename: str = "fancy-1.2.0-py3-none-any.whl"):
    return client.post(
        "/admin/plugins/upload",
        data={"wheel": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_upload_shows_the_package_then_installs_on_confirmation(app, f, login, monkeypatch):
    installed = []

    def fake_install(source, enable=False, migrate=True):
        installed.append((source, enable))
        return lifecycle.PackageCheck("fancy", "1.2.0", [{"name": "fancy", "api": ">=1"}])

    monkeypatch.setattr(lifecycle, "install", fake_install)
    client = english(login)(f.user("admin"))
    page = upload(client, make_wheel())
    assert page.status_code == 200
    assert "Install fancy?" in page.text and "1.2.0" in page.text and "A fancy plugin" in page.text
    assert installed == []  # nothing happens before the confirmation
    token = page.text.split("/admin/plugins/upload/")[1].split('"')[0]
    done = client.post(
        f"/admin/plugins/upload/{token}", data={"confirm": "1"}, follow_redirects=True
    )
    assert "fancy 1.2.0 is installed and switched off" in done.text
    assert len(installed) == 1 and installed[0][0].endswith("fancy-1.2.0-py3-none-any.whl")
    assert installed[0][1] is False
    again = client.post(f"/admin/plugins/upload/{token}", data={"confirm": "1"})
    assert again.status_code == 404  # the upload is gone


def test_upload_refuses_what_is_not_a_plugin_wheel(app, f, login):
    client = english(login)(f.user("admin"))
    assert "not an LMS plugin wheel" in upload(client, make_wheel("[console_scripts]\n")).text
    assert "not an LMS plugin wheel" in upload(client, b"not a zip at all").text
    assert "Only wheel files" in upload(client, make_wheel(), "fancy.zip").text
    app.config["PLUGIN_UPLOAD_MAX_MB"] = 0
    assert "too large" in upload(client, make_wheel()).text


def test_upload_needs_an_admin(app, f, login):
    client = english(login)(f.user("educator"))
    assert upload(client, make_wheel()).status_code == 403


# -- package checks and commands --------------------------------------------------------------


def test_package_check_messages_say_which_version_is_needed():
    ok = lifecycle.PackageCheck("p", "1", [{"name": "p", "api": ">=1,<2", "compatible": True}])
    assert ok.problem() is None
    needs = lifecycle.PackageCheck("p", "1", [{"name": "p", "api": ">=7", "compatible": False}])
    assert needs.problem() == (
        f"plugin p needs LMS plugin API >=7, this LMS provides {PLUGIN_API_VERSION}"
    )
    undeclared = lifecycle.PackageCheck("p", "1", [{"name": "p", "api": ""}])
    assert "does not declare LMS_PLUGIN_API" in undeclared.problem()
    assert "no 'lms.plugins' entry point" in lifecycle.PackageCheck("p").problem()


def test_check_package_reads_an_installed_plugin():
    check = lifecycle.check_package("lms-page")
    assert check.package == "lms-page"
    assert check.plugins == [
        {"name": "lms_page", "module": "lms_page", "api": ">=1,<2", "compatible": True}
    ]
    assert check.problem() is None


def test_enable_disable_and_migrate_commands(tmp_path):
    from lms import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/c.db"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plugins", "migrate"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["plugins", "disable", "lms_page"])
    assert result.exit_code == 0, result.output
    assert "disabled" in runner.invoke(args=["plugins", "list"]).output
    with app.app_context():
        assert state_of("lms_page") is False
    assert runner.invoke(args=["plugins", "disable", "core"]).exit_code != 0
    runner.invoke(args=["plugins", "enable", "lms_page"])
    with app.app_context():
        assert state_of("lms_page") is True
        db.engine.dispose()


def test_remove_refuses_the_core_and_unknown_plugins(app):
    with pytest.raises(lifecycle.LifecycleError, match="core cannot be removed"):
        lifecycle.remove("core")
    with pytest.raises(lifecycle.LifecycleError, match="no installed package"):
        lifecycle.remove("not_installed_anywhere")


def migrated_app(tmp_path, **config):
    from flask_migrate import upgrade

    from lms import create_app
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/r.db", **config))
    with app.app_context():
        upgrade(revision="heads")
    return app


def test_remove_keeps_or_drops_data_and_uninstalls(tmp_path, monkeypatch):
    from sqlalchemy import inspect

    calls = []
    monkeypatch.setattr(lifecycle, "pip", lambda *args: calls.append(args))
    app = migrated_app(tmp_path)
    with app.app_context():
        lifecycle.remove("lms_page", keep_data=True)
        assert calls == [("uninstall", "--yes", "--quiet", "lms-page")]
        assert "lms_page_page" in inspect(db.engine).get_table_names()
        assert state_of("lms_page") is False  # running processes stop using it at once
        db.session.add(PluginSetting(plugin="lms_page", key="x", value="1"))
        db.session.commit()
        lifecycle.remove("lms_page")
        assert "lms_page_page" not in inspect(db.engine).get_table_names()
        assert "activity" in inspect(db.engine).get_table_names()  # the core is untouched
        assert db.session.scalars(db.select(PluginSetting).filter_by(plugin="lms_page")).all() == []
        assert len(calls) == 2
        db.engine.dispose()


def test_remove_refuses_to_guess_the_tables_of_a_plugin_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(lifecycle, "pip", lambda *args: None)
    app = migrated_app(tmp_path, DISABLED_PLUGINS=["lms_page"])
    with app.app_context():
        with pytest.raises(lifecycle.LifecycleError, match="--keep-data"):
            lifecycle.remove("lms_page")
        db.engine.dispose()


def test_a_plugin_switched_off_mid_request_is_not_called_again_in_it(make_app):
    app = make_app(
        EXTRA_PLUGINS=["raising_runtime=tests.plugins.raising_runtime"], PLUGIN_MAX_FAILURES=1
    )
    assert app.test_client().get("/").status_code == 200
    assert len(app.extensions["lms"].plugins.infos["raising_runtime"].errors) == 1
    with app.app_context():
        assert state_of("raising_runtime") is False
