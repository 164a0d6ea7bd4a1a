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


def _child(app_name: str, n: int) -> None:
    from bench import inprocess

    app, client, _db, uid, lessons = inprocess.lms_client()
    if app_name == "bare baseline":
        app, client, _bdb = inprocess.bare_client(uid)
    paths = [f"/activity/{a}" for a in lessons]
    for i in range(30):  # warm: templates compiled, statements cached, pools filled
        assert client.get(paths[i % len(paths)]).status_code == 200
    control = ["callgrind_control", "-i"]
    subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
    for i in range(n):
        client.get(paths[i % len(paths)])
    subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)


def count(app_name: str, n: int) -> float:
    """Instructions per request of one app (``app_name`` in :data:`APPS`)."""
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


def run(n: int = 40) -> dict[str, float]:
    """Instructions per request for each app; ``{}`` without valgrind."""
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        return {}
    return {name: count(name, n) for name in APPS}


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], int(sys.argv[3]))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    result = run(n)
    if not result:
        print("valgrind not found: apt-get install valgrind")
        return
    for name, value in result.items():
        print(f"{name:14} {value / 1e6:8.2f} M instructions per request")
    print(f"ratio LMS/bare: {result['LMS'] / result['bare baseline']:.2f}")


if __name__ == "__main__":
    main()
