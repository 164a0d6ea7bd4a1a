"""End to end, with real processes: scaffold a content plugin, build its wheel, install it,
migrate, switch it on, use it through the web, upgrade it with a new migration (data kept),
switch it off, remove it (tables and package gone); an incompatible plugin is refused; a
plugin raising in a hook leaves the pages working.

Packages go into a throwaway virtual environment layered over the project's (see
tests/plugin_web.child_venv), so other test runs sharing the project's venv never see them;
everything installed is uninstalled in ``finally`` whatever happens.
"""

import json
import re
import sqlite3
import subprocess
import sys

from lms.scaffold import new_plugin
from tests.plugin_web import Browser, Server, child_venv, lms

NAME = "lms_e2e_note"
OLD = "lms_e2e_old"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"


def build_wheel(src, dist) -> str:
    """``pip wheel --no-deps``; returns the wheel's path."""
    before = set(dist.glob("*.whl")) if dist.exists() else set()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (new,) = set(dist.glob("*.whl")) - before
    return str(new)


def tables(db_path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}


def query(db_path, sql, *args):
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


def installed_version(python, env, package) -> str | None:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "try: print(json.dumps(m.version(sys.argv[1])))\n"
        "except m.PackageNotFoundError: print('null')"
    )
    out = subprocess.run(
        [python, "-c", code, package], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def bump_to_0_2_0(src):
    """Version 0.2.0 adds a column, with its migration."""
    cfg = src / "setup.cfg"
    cfg.write_text(cfg.read_text().replace("version = 0.1.0", "version = 0.2.0"))
    models = src / NAME / "models.py"
    text = models.read_text().replace(
        "from sqlalchemy import ForeignKey, Text", "from sqlalchemy import ForeignKey, String, Text"
    )
    text += "    note: Mapped[str | None] = mapped_column(String(100))\n"
    models.write_text(text)
    (src / NAME / "migrations" / f"{NAME}_0002_note.py").write_text(
        f'''"""add a note column"""

import sqlalchemy as sa
from alembic import op

revision = "{NAME}_0002"
down_revision = "{NAME}_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("{NAME}_item") as batch:
        batch.add_column(sa.Column("note", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("{NAME}_item") as batch:
        batch.drop_column("note")
'''
    )


def test_plugin_lifecycle_end_to_end(tmp_path):
    python = child_venv(tmp_path / "venv")
    db_path = tmp_path / "e2e.db"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LMS_DATABASE_URL": f"sqlite:///{db_path}",
        "LMS_SECRET_KEY": "e2e-secret",
        "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
        "LMS_REDIS_URL": "",
        "LMS_PLUGIN_MAX_FAILURES": "0",
        "LMS_EXTRA_PLUGINS": "raising_runtime=tests.plugins.raising_runtime",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    servers = []

    def serve(name):
        server = Server(python, env, tmp_path / f"{name}.log")
        servers.append(server)
        return server

    try:
        lms(python, env, "init", "--admin-email", ADMIN, "--admin-password", PASSWORD)

        # Scaffold and build the plugin; install it (switched off) and run its migration.
        src = new_plugin(NAME, "content", tmp_path / "src")
        wheel = build_wheel(src, tmp_path / "dist")
        out = lms(python, env, "plugins", "install", wheel).stdout
        assert "Installed lms-e2e-note 0.1.0" in out and "switched off" in out
        assert installed_version(python, env, "lms-e2e-note") == "0.1.0"
        assert f"{NAME}_item" in tables(db_path)
        assert query(db_path, "select enabled from plugin_state where name=?", NAME) == [(0,)]

        # Switch it on through the admin page; add the activity in a course; view it.
        server = serve("web1")
        web = Browser(server.url)
        web.login(ADMIN, PASSWORD)
        assert web.get("/") == 200  # a plugin raising in page hooks leaves the page working
        web.get("/admin/plugins")
        assert f'id="plugin-{NAME}"' in web.text and "runtime failure on purpose" in web.text
        assert web.submit(f"/admin/plugins/{NAME}/switch?enable=1", "/switch") == 200
        assert query(db_path, "select enabled from plugin_state where name=?", NAME) == [(1,)]
        web.submit("/teach/new", "", title="Plugin course", summary="e2e")
        course_id = int(re.search(r"/teach/(\d+)$", web.url).group(1))
        assert "Lms e2e note" in web.text  # in the activity picker
        section_id = re.search(rf"/teach/section/(\d+)/add/{NAME}", web.text).group(1)
        web.submit(
            f"/teach/section/{section_id}/add/{NAME}",
            "",
            title="A note",
            **{f"{NAME}_body": "Hello from the plugin"},
        )
        activity_id = int(re.search(r"#activity-(\d+)", web.url).group(1))
        assert web.get(f"/activity/{activity_id}") == 200
        assert f'<div class="{NAME}">Hello from the plugin</div>' in web.text
        server.stop()

        # Upgrade to 0.2.0: the new migration adds a column and the data is kept.
        bump_to_0_2_0(src)
        wheel2 = build_wheel(src, tmp_path / "dist")
        out = lms(python, env, "plugins", "upgrade", NAME, wheel2).stdout
        assert "0.2.0" in out
        assert installed_version(python, env, "lms-e2e-note") == "0.2.0"
        assert query(db_path, f"select body, note from {NAME}_item") == [  # noqa: S608
            ("Hello from the plugin", None)
        ]
        server = serve("web2")
        web = Browser(server.url)
        web.login(ADMIN, PASSWORD)
        assert web.get(f"/activity/{activity_id}") == 200
        assert "Hello from the plugin" in web.text

        # Switch it off: gone from the picker and the activity page, its URLs answer 404.
        assert web.submit(f"/admin/plugins/{NAME}/switch?enable=0", "/switch") == 200
        web.get(f"/teach/{course_id}")
        assert "Lms e2e note" not in web.text
        assert web.get(f"/teach/section/{section_id}/add/{NAME}") == 404
        web.get(f"/activity/{activity_id}")
        assert "Hello from the plugin" not in web.text

        # An incompatible plugin uploaded by an admin is refused, with the version it needs.
        old_src = new_plugin(OLD, "report", tmp_path / "src")
        init = old_src / OLD / "__init__.py"
        init.write_text(init.read_text().replace('">=1,<2"', '">=2,<3"'))
        old_wheel = build_wheel(old_src, tmp_path / "dist")
        upload_name = old_wheel.rsplit("/", 1)[1]
        with open(old_wheel, "rb") as fh:
            web.upload("/admin/plugins", "/upload", "wheel", upload_name, fh.read())
        assert f"Install {OLD.replace('_', '-')}?" in web.text  # the confirmation step
        assert web.submit_here("/upload/", confirm="1") == 200
        assert "needs LMS plugin API &gt;=2,&lt;3, this LMS provides 1" in web.text
        assert installed_version(python, env, "lms-e2e-old") is None
        server.stop()

        # Remove it: its tables, migration branch, state and package are gone.
        out = lms(python, env, "plugins", "remove", NAME, "--yes").stdout
        assert "tables are dropped" in out
        assert f"{NAME}_item" not in tables(db_path)
        versions = {r[0] for r in query(db_path, "select version_num from alembic_version")}
        assert versions and not [v for v in versions if v.startswith(NAME)]
        assert query(db_path, "select enabled from plugin_state where name=?", NAME) == [(0,)]
        assert query(db_path, "select * from plugin_setting where plugin=?", NAME) == []
        assert installed_version(python, env, "lms-e2e-note") is None
        assert installed_version(sys.executable, None, "lms-e2e-note") is None

        # The same through the command: refused, with the version it needs, not installed.
        refused = lms(python, env, "plugins", "install", old_wheel, check=False)
        assert refused.returncode != 0
        assert "needs LMS plugin API >=2,<3, this LMS provides 1" in refused.stderr
        assert installed_version(python, env, "lms-e2e-old") is None
        assert f"{OLD}_log" not in tables(db_path)
    finally:
        for server in servers:
            server.stop()
        subprocess.run(
            [python, "-m", "pip", "uninstall", "-y", "-q", "lms-e2e-note", "lms-e2e-old"],
            env=env,
            capture_output=True,
            check=False,
        )
