"""Flask-Migrate (Alembic, Mako, Pygments: about 11 MB) loads only when migrations are used."""

import subprocess
import sys


def test_serving_pages_never_imports_alembic(tmp_path):
    code = f"""
import sys
from lms import create_app
app = create_app({{"INSTANCE_PATH": {str(tmp_path)!r}, "TESTING": True,
                  "DATABASE_URL": "sqlite:///{tmp_path}/x.db", "SECRET_KEY": "t"}})
app.test_client().get("/login")
print("alembic" in sys.modules, "flask_migrate" in sys.modules, "pygments" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"], out.stderr[-2000:]


def test_db_commands_still_work(tmp_path):
    import os
    from pathlib import Path

    lms = str(Path(sys.executable).parent / "lms")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LMS_")},
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    heads = subprocess.run([lms, "db", "heads"], capture_output=True, text=True, env=env)
    assert heads.returncode == 0, heads.stderr[-2000:]
    assert "core_0003 (core)" in heads.stdout and "lms_page_0004" in heads.stdout
    helped = subprocess.run([lms, "db", "--help"], capture_output=True, text=True, env=env)
    assert "--directory" in helped.stdout and "upgrade" in helped.stdout
