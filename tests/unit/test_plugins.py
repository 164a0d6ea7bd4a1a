from lms.plugins import normalise_name


def test_core_and_page_plugins_load_in_sorted_order(app):
    infos = app.extensions["lms"].plugins.infos
    assert infos["core"].ok and infos["lms_page"].ok
    assert list(infos) == sorted(infos)
    assert "page" in [t.key for t in app.extensions["lms"].content.available()]


def test_broken_plugins_are_disabled_and_the_site_keeps_running(make_app):
    app = make_app(
        EXTRA_PLUGINS=[
            "broken_import=tests.plugins.broken_import",
            "raising_startup=tests.plugins.raising_startup",
        ]
    )
    infos = app.extensions["lms"].plugins.infos
    assert not infos["broken_import"].ok
    assert "broken on purpose" in infos["broken_import"].errors[0]
    assert not infos["raising_startup"].ok
    assert "start-up failure" in infos["raising_startup"].errors[0]
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/courses").status_code == 200


def test_broken_plugin_shown_on_admin_page(make_app, f):
    app = make_app(EXTRA_PLUGINS=["broken_import=tests.plugins.broken_import"])
    with app.app_context():
        admin = f.user("admin")
        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": f.PASSWORD})
        page = client.get("/admin/plugins").text
    assert "broken_import" in page and "broken on purpose" in page


def test_plugin_raising_in_a_page_hook_leaves_the_page_working(make_app):
    app = make_app(
        EXTRA_PLUGINS=["good=tests.plugins.good", "raising_runtime=tests.plugins.raising_runtime"]
    )
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 200
    assert "Good plugin" in page.text  # the other implementation of the same hook still ran
    assert 'name="good-plugin"' in page.text
    assert "runtime failure" in app.extensions["lms"].plugins.infos["raising_runtime"].errors[0]


def test_plugin_blueprint_is_served(make_app):
    app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"])
    assert app.test_client().get("/good").text == "good plugin says hello"


def test_config_can_disable_a_plugin(make_app):
    app = make_app(DISABLED_PLUGINS=["lms-page"])
    state = app.extensions["lms"]
    assert state.plugins.infos["lms_page"].disabled_by_config
    assert state.content.get("page") is None


def test_admin_switched_off_plugin_is_left_out_per_request(make_app, f):
    from lms.extensions import db
    from lms.models import PluginState

    app = make_app(EXTRA_PLUGINS=["good=tests.plugins.good"])
    client = app.test_client()
    assert client.get("/good").status_code == 200
    with app.app_context():
        db.session.add(PluginState(name="good", enabled=False))
        db.session.commit()
    assert client.get("/good").status_code == 404  # its blueprint is blocked
    assert "Good plugin" not in client.get("/").text  # and its hooks are not called


def test_normalise_name():
    assert normalise_name("LMS-Page") == "lms_page"
