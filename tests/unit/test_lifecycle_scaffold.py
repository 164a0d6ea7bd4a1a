"""``lms plugins new``: every kind writes a package whose own tests pass."""

import configparser
import os
import subprocess
import sys

from click.testing import CliRunner

from lms.plugin_admin import new_command
from lms.scaffold import KINDS


def test_every_kind_scaffolds_a_plugin_whose_tests_pass(tmp_path):
    runner = CliRunner()
    roots = []
    for kind in KINDS:
        name = "lms_sc_" + kind.replace("-", "_")
        result = runner.invoke(new_command, [name, "--kind", kind, "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        root = tmp_path / name
        roots.append(root)
        cfg = configparser.ConfigParser()
        cfg.read(root / "setup.cfg")
        assert cfg["options.entry_points"]["lms.plugins"].strip() == f"{name} = {name}"
        assert (root / "pyproject.toml").exists()
        assert (root / name / "templates" / name / "view.html").exists()
        migration = (root / name / "migrations" / f"{name}_0001_initial.py").read_text()
        assert f'branch_labels = ("{name}",)' in migration
        assert 'depends_on = "core_0001"' in migration
        module = (root / name / "__init__.py").read_text()
        assert 'LMS_PLUGIN_API = ">=1,<2"' in module
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(r) for r in roots))
    tests = [str(r / "tests") for r in roots]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{3 * len(KINDS)} passed" in run.stdout


def test_bad_names_and_existing_folders_are_refused(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(new_command, ["9 lives", "--kind", "content", "--dir", str(tmp_path)])
    assert bad.exit_code != 0 and "not a usable plugin name" in bad.output
    core = runner.invoke(new_command, ["core", "--kind", "report", "--dir", str(tmp_path)])
    assert core.exit_code != 0
    (tmp_path / "lms_taken").mkdir()
    (tmp_path / "lms_taken" / "file.txt").write_text("mine")
    taken = runner.invoke(new_command, ["lms_taken", "--kind", "report", "--dir", str(tmp_path)])
    assert taken.exit_code != 0 and "not empty" in taken.output
    assert (tmp_path / "lms_taken" / "file.txt").read_text() == "mine"
    kind = runner.invoke(new_command, ["lms_x", "--kind", "theme", "--dir", str(tmp_path)])
    assert kind.exit_code != 0
