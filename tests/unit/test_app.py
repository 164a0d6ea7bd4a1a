import pytest

from lms import create_app
from lms.settings import ConfigError


def test_production_refuses_the_default_secret(tmp_path):
    with pytest.raises(ConfigError, match="LMS_SECRET_KEY"):
        create_app({"ENV": "production", "INSTANCE_PATH": str(tmp_path)})


def test_production_with_a_real_secret_starts_with_secure_cookies(tmp_path):
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("LMS_SECRET_KEY", "from-env")
    monkeypatch.setenv("LMS_DISABLED_PLUGINS", "a,b")
    monkeypatch.setenv("LMS_SMTP_PORT", "2525")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["DISABLED_PLUGINS"] == ["a", "b"]
    assert app.config["SMTP_PORT"] == 2525


def test_instance_file_between_defaults_and_environment(tmp_path, monkeypatch):
    (tmp_path / "lms.cfg").write_text('SITE_NAME = "From file"\nTHEME = "nope"\n')
    monkeypatch.setenv("LMS_THEME", "default")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SITE_NAME"] == "From file"
    assert app.config["THEME"] == "default"


def test_without_redis_limiter_and_cache_are_in_process(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "REDIS_URL": ""})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["CACHE_TYPE"] == "SimpleCache"


def test_with_redis_url_limiter_and_cache_use_redis(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert app.config["CACHE_TYPE"] == "RedisCache"


def test_postgresql_url_uses_psycopg3(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql://u@h/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_unknown_theme_falls_back_to_default(make_app):
    app = make_app(THEME="does-not-exist")
    assert app.extensions["lms"].theme == "default"
    assert app.test_client().get("/").status_code == 200


def test_security_headers(client):
    for path in ("/", "/static/lms.css", "/no-such-page"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert len(r.headers.getlist("X-Frame-Options")) == 1
        r.close()  # the static file's


def test_a_response_keeps_its_own_security_header(app, client):
    @app.route("/own-policy")
    def own_policy():
        return "", 200, {"Referrer-Policy": "no-referrer", "x-frame-options": "DENY"}

    r = client.get("/own-policy")
    assert r.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert r.headers.getlist("X-Frame-Options") == ["DENY"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_cookie_secure_false_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_COOKIE_SECURE", "false")
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is False
