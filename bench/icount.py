"""Instructions per lesson request, counted by valgrind's callgrind: the LMS against the bare
baseline. Unlike timings, the count does not depend on what else the machine is doing (the same
code on the same data gives the same figure within about 1 %), so it shows a slowdown that a
noisy timing would hide. It counts the Python process only: not PostgreSQL, Redis or the kernel.

Each app runs in its own process under ``valgrind --tool=callgrind --instr-atstart=no``; the
process warms up, switches counting on with ``callgrind_control``, answers N requests through
Flask's test client (as bench/inprocess.py does) and switches it off again.

    LMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench \\
        .venv/bin/python bench/icount.py [N]

Needs valgrind (Debian: ``apt-get install valgrind``); without it ``run`` returns ``{}``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APPS = ("LMS", "bare baseline")


#: How much of the request each count covers: the whole request; everything but the page's
#: template (the view returns its data unrendered); only what surrounds the view (Flask, the
#: extensions, before- and after-request functions: the view answers an empty page).
STAGES = ("full", "no template", "no view")


def _stub(app_name: str, app, stage: str) -> None:
    """Cut the request short for ``stage`` (see :data:`STAGES`)."""
    if stage == "no template":
        if app_name == "LMS":
            import lms.learn.views as module
        else:
            import bench.bare_app as module
        module.render_template = lambda *a, **k: ""
    elif stage == "no view":
        endpoint = "learn.activity" if app_name == "LMS" else "lesson"
        app.view_functions[endpoint] = lambda activity_id: ""


def _child(app_name: str, n: int, stage: str = "full") -> None:
    from bench import inprocess

    app, client, _db, uid, lessons = inprocess.lms_client()
    if app_name == "bare baseline":
        app, client, _bdb = inprocess.bare_client(uid)
    _stub(app_name, app, stage)
    paths = [f"/activity/{a}" for a in lessons]
    for i in range(30):  # warm: templates compiled, statements cached, pools filled
        assert client.get(paths[i % len(paths)]).status_code == 200
    control = ["callgrind_control", "-i"]
    subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
    for i in range(n):
        client.get(paths[i % len(paths)])
    subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)


def count(app_name: str, n: int, stage: str = "full") -> float:
    """Instructions per request of one app (``app_name`` in :data:`APPS`), cut short for
    ``stage`` (:data:`STAGES`)."""
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            app_name,
            str(n),
            stage,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if not found:
        raise RuntimeError(f"callgrind printed no count:\n{out.stderr[-2000:]}")
    return int(found.group(1)) / n


def run(n: int = 40, stages: bool = True) -> dict:
    """Instructions per request for each app (``{"LMS": …, "bare baseline": …}``); with
    ``stages`` also ``"stages"``: for each app, the instructions spent outside the view, in the
    view's own work and in its template (:func:`split`). ``{}`` without valgrind."""
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        return {}
    out: dict = {name: count(name, n) for name in APPS}
    if stages:
        out["stages"] = {
            name: split(out[name], count(name, n, "no template"), count(name, n, "no view"))
            for name in APPS
        }
    return out


def split(full: float, no_template: float, no_view: float) -> dict[str, float]:
    """The parts of a request from its three counts (see :data:`STAGES`)."""
    return {
        "outside the view": no_view,
        "view": no_template - no_view,
        "template": full - no_template,
    }


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "full")
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    result = run(n)
    if not result:
        print("valgrind not found: apt-get install valgrind")
        return
    for name in APPS:
        parts = "  ".join(f"{k} {v / 1e6:.2f} M" for k, v in result["stages"][name].items())
        print(f"{name:14} {result[name] / 1e6:8.2f} M instructions per request ({parts})")
    print(f"ratio LMS/bare: {result['LMS'] / result['bare baseline']:.2f}")


if __name__ == "__main__":
    main()
