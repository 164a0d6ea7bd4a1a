from flask import Blueprint


def test_404_renders_in_the_theme(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert "<html" in r.text and "site-header" in r.text


def test_500_shows_no_traceback(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    bp = Blueprint("boom", __name__)

    @bp.route("/boom")
    def boom():
        raise ValueError("secret internals")

    app.register_blueprint(bp)
    r = app.test_client().get("/boom")
    assert r.status_code == 500
    assert "Traceback" not in r.text and "secret internals" not in r.text
    assert "site-header" in r.text


def test_csrf_error_is_a_themed_400(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    r = app.test_client().post("/login", data={"email": "a@b.c", "password": "x"})
    assert r.status_code == 400
    assert "site-header" in r.text


def test_403_for_learner_on_admin_pages(login, f):
    client = login(f.user())
    assert client.get("/admin/users").status_code == 403
    assert client.get("/teach/").status_code == 403
