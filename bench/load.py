"""A small HTTP load generator for loopback benchmarks: keep-alive connections, logged-in users.

Two modes:

* ``closed(...)``: N users each send their next request when the last one returned (finds
  saturation as N ramps up);
* ``fixed_rate(...)``: requests are scheduled at a constant rate whatever the server does, and
  latency is measured from the *scheduled* time, so a slow server cannot hide its queueing
  (no coordinated omission). This is the phase that compares runs.

Standard library only, so it runs wherever the LMS runs.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Session:
    """One user's keep-alive connection with cookies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.location = ""  # the last response's Location header
        #: Seconds a scenario spent on untimed preparation (a quiz attempt to autosave into):
        #: the harness takes them off the scenario's latency.
        self.untimed = 0.0

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        path = quote(path, safe="/?=&%")  # Thai search terms must be percent-encoded
        headers = {"Accept-Language": "th"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.csrf}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        self.location = resp.getheader("Location", "")
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        match = CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1)
        return resp.status, text

    def login(self, email: str, password: str) -> None:
        self.sign_in("/login", {"email": email, "password": password})

    def sign_in(self, path: str, form: dict[str, str]) -> None:
        """Any sign-in page (a child's: ``lms_audience.bench.sign_in_form``): GET it for its
        CSRF token, POST the form, expect the redirect."""
        self.request("GET", path)
        status, _ = self.request("POST", path, form)
        if status != 302:
            raise RuntimeError(f"sign-in at {path} failed for a bench user: HTTP {status}")
        self.request("GET", "/my")  # fresh CSRF token for later forms


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    started: float = 0.0
    finished: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            if not ok:
                self.errors[name] += 1

    @property
    def duration(self) -> float:
        return self.finished - self.started

    def summary(self) -> dict[str, dict[str, float]]:
        out = {}
        names = sorted(self.latencies)
        for name in [*names, "ALL"]:
            values = (
                sorted(v for vs in self.latencies.values() for v in vs)
                if name == "ALL"
                else sorted(self.latencies[name])
            )
            errors = sum(self.errors.values()) if name == "ALL" else self.errors.get(name, 0)
            if not values:
                continue
            out[name] = {
                "requests": len(values),
                "rps": len(values) / self.duration if self.duration else 0.0,
                "p50_ms": 1000 * percentile(values, 50),
                "p95_ms": 1000 * percentile(values, 95),
                "p99_ms": 1000 * percentile(values, 99),
                "errors": errors,
            }
        return out


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


# A scenario: (name, weight, function(session, rng) -> (ok)).
Scenario = tuple[str, float, Callable[[Session, random.Random], bool]]


def _pick(scenarios: list[Scenario], rng: random.Random) -> Scenario:
    total = sum(w for _n, w, _f in scenarios)
    x = rng.random() * total
    for s in scenarios:
        x -= s[1]
        if x <= 0:
            return s
    return scenarios[-1]


def closed(
    sessions: list[Session], scenarios: list[Scenario], seconds: float, seed: int = 1
) -> Results:
    """Each session loops request after request for ``seconds``."""
    results = Results()
    stop = time.perf_counter() + seconds

    def worker(session: Session, n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        while time.perf_counter() < stop:
            name, _w, fn = _pick(scenarios, rng)
            session.untimed = 0.0
            t0 = time.perf_counter()
            try:
                ok = fn(session, rng)
            except Exception:
                ok = False
            results.add(name, time.perf_counter() - t0 - session.untimed, ok)

    threads = [threading.Thread(target=worker, args=(s, i)) for i, s in enumerate(sessions)]
    results.started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.finished = time.perf_counter()
    return results


def fixed_rate(
    sessions: list[Session], scenarios: list[Scenario], rate: float, seconds: float, seed: int = 2
) -> Results:
    """Send ``rate`` requests per second for ``seconds``, spread over the sessions."""
    results = Results()
    count = int(rate * seconds)
    interval = 1.0 / rate
    next_index = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def worker(session: Session, n: int) -> None:
        nonlocal next_index
        rng = random.Random(seed * 1000 + n)
        while True:
            with lock:
                i = next_index
                next_index += 1
            if i >= count:
                return
            scheduled = start + i * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            name, _w, fn = _pick(scenarios, rng)
            session.untimed = 0.0
            try:
                ok = fn(session, rng)
            except Exception:
                ok = False
            results.add(name, time.perf_counter() - scheduled - session.untimed, ok)

    threads = [threading.Thread(target=worker, args=(s, i)) for i, s in enumerate(sessions)]
    results.started = start
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.finished = time.perf_counter()
    return results
