"""Helpers for the plugin lifecycle tests that drive real processes: run ``lms`` commands,
start a server on a loopback port, and a tiny cookie-keeping browser that fills forms
(CSRF tokens included) the way a person would."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN_LMS = "from lms.cli import main; main()"


def lms(python: str, env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``lms ARGS`` with ``python`` in a fresh process."""
    result = subprocess.run(
        [python, "-c", RUN_LMS, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"lms {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``lms run`` (or gunicorn with N workers) on a loopback port, in its own process."""

    def __init__(self, python: str, env: dict, log_path: Path, gunicorn_workers: int = 0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        if gunicorn_workers:
            bind = f"127.0.0.1:{self.port}"
            argv = [python, "-m", "gunicorn", "-w", str(gunicorn_workers), "-b", bind]
            argv.append("lms:create_app()")
        else:
            args = ["run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload"]
            argv = [python, "-c", RUN_LMS, *args, "--no-debugger"]
        self.proc = subprocess.Popen(  # noqa: S603
            argv,
            env={**env, "FLASK_DEBUG": "0"},
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {Path(log_path).read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class _Forms(HTMLParser):
    """Every form's action and default field values (inputs, textareas, selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value") or "y"
            elif kind not in ("submit", "button", "file"):
                fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
                fields.setdefault(self._select, value)
            if "selected" in a:
                fields[self._select] = value

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """Keeps cookies, follows redirects, asks for English pages."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.opener.addheaders = [("Accept-Language", "en")]
        self.url = base_url
        self.text = ""

    def request(self, path: str, data: dict | None = None) -> int:
        url = urllib.parse.urljoin(self.url if path.startswith("?") else self.base, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=60) as resp:
                self.url, self.text = resp.geturl(), resp.read().decode()
                return resp.status
        except urllib.error.HTTPError as err:
            self.url, self.text = url, err.read().decode(errors="replace")
            return err.code

    def get(self, path: str) -> int:
        return self.request(path)

    def submit(self, path: str, action_contains: str = "", **values: str) -> int:
        """Open ``path``, fill the first form whose action contains ``action_contains``
        (empty: the first form posting to the page itself) with ``values`` over its
        defaults (CSRF token included), and post it."""
        status = self.get(path)
        assert status == 200, (status, self.text[:500])
        return self.submit_here(action_contains, **values)

    def submit_here(self, action_contains: str = "", **values: str) -> int:
        """:meth:`submit` on the page already open."""
        page_url = self.url
        for form in forms(self.text):
            wanted = action_contains in form["action"] if action_contains else not form["action"]
            if wanted:
                fields = {**form["fields"], **values}
                action = urllib.parse.urljoin(page_url, form["action"] or page_url)
                return self.request(action, fields)
        raise AssertionError(f"no form with action {action_contains!r} on {page_url}")

    def upload(self, path: str, action_contains: str, field: str, filename: str, data: bytes):
        """Like :meth:`submit` for a form with one file field (multipart/form-data)."""
        assert self.get(path) == 200
        page_url = self.url
        form = next(f for f in forms(self.text) if action_contains in f["action"])
        boundary = "----lms-test-boundary"
        parts = []
        for name, value in form["fields"].items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(
            urllib.parse.urljoin(page_url, form["action"]),
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with self.opener.open(req, timeout=60) as resp:
            self.url, self.text = resp.geturl(), resp.read().decode()
            return resp.status

    def login(self, email: str, password: str) -> None:
        self.submit("/login", "", email=email, password=password)
        assert "/login" not in self.url, "login failed"


def child_venv(root: Path) -> str:
    """A virtual environment layered over the project's: it sees every package of the
    running interpreter, and pip installs into it alone (so parallel test runs in the
    project's venv never see the packages these tests install). Returns its python."""
    import site
    import sys
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = str(root / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parents = [p for p in site.getsitepackages() if os.path.isdir(p)]
    parents.append(sysconfig.get_paths()["purelib"])
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in dict.fromkeys(parents))
    Path(purelib, "_lms_parent_env.pth").write_text(lines)
    return python
