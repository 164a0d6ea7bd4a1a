"""The example third-party content type (docs/examples/lms_flashcards) works with no core change.

pip builds and installs the package (a real wheel with its ``lms.plugins`` entry point) into a
private folder, and a separate Python process of this venv with that folder on its path creates
an app and uses the plugin through the web. Installing into the shared venv itself would make
every other test process started meanwhile load the plugin (its table joins their metadata).
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "lms_flashcards"

SCRIPT = textwrap.dedent(
    """
    import sys
    from lms import create_app
    from lms.extensions import db
    from lms.models import Activity
    from tests import factories as f
    from tests.conftest import IsolatedClient, LoginClient, app_config
    from pathlib import Path

    app = create_app(app_config(Path(sys.argv[1])))
    app.test_client_class = IsolatedClient
    info = app.extensions["lms"].plugins.infos["lms_flashcards"]
    assert info.ok and "lms_content_types" in info.hooks, info
    with app.app_context():
        db.create_all()
        teacher = f.user("educator", locale="en")
        course = f.course(teacher=teacher, lessons=0)
        learner = f.user(locale="en")
        client = LoginClient(app.test_client())(teacher)
        picker = client.get(f"/teach/{course.id}").text
        assert "Flashcards" in picker, "not in the activity picker"
        r = client.post(
            f"/teach/section/{course.sections[0].id}/add/flashcards",
            data={"title": "คำศัพท์", "is_visible": "y", "completion": "manual", "requires": "0",
                  "deck_cards": "แมว | cat\\nหมา | dog\\n<script>alert(1)</script> | x"},
        )
        assert r.status_code == 302, r.text
        activity = db.session.scalars(db.select(Activity)).one()
        client = LoginClient(app.test_client())(learner)
        client.post(f"/courses/{course.id}/enrol")
        page = client.get(f"/activity/{activity.id}").text
        assert "<summary>แมว</summary>" in page and "<p>dog</p>" in page, page
        assert "<script>alert(1)" not in page
        ct = app.extensions["lms"].content.get("flashcards")
        assert len(ct.export_data(activity)["cards"]) == 3
        db.session.remove()  # PostgreSQL: DROP TABLE waits for the session's open transaction
        db.drop_all()
    print("FLASHCARDS OK")
    """
)


def test_example_content_type_installs_and_works_without_core_changes(tmp_path):
    source = tmp_path / "lms_flashcards"
    shutil.copytree(EXAMPLE, source)  # build in a copy: no build files in the tree
    site = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert list(site.glob("lms_flashcards-*.dist-info/entry_points.txt"))
    (tmp_path / "instance").mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FLASHCARDS OK" in run.stdout
    # Without the package the same site has no such type: the plugin alone added it.
    env["PYTHONPATH"] = str(REPO)
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lms import create_app;import sys;"
            "a=create_app({'TESTING':True,'DATABASE_URL':'sqlite://','SECRET_KEY':'x',"
            "'INSTANCE_PATH':sys.argv[1]});print(a.extensions['lms'].content.get('flashcards'))",
            str(tmp_path / "instance"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "None"
