"""A closed-loop HTTP load generator: N threads, one keep-alive connection each, bounded.

Each client sends a request, waits for the whole answer, and sends the next one; the run ends
after ``seconds`` or ``max_requests`` (whichever comes first). Only 127.0.0.1 is accepted as a
target. API requests carry ``Authorization: Bearer <token>``; page requests carry the session
cookie of a login made once per client before the clock starts (GET /login/ for the csrftoken
cookie and the csrfmiddlewaretoken field, then POST).

    from bench.load import run_load
    result = run_load("http://127.0.0.1:8000", lambda rng: "/api/v1/me", token="zc_...")

A mixed load (P6) gives each closed-loop client several identities, a ``dict`` of clients by
kind (the API token, a page session per user), and a ``make_path`` that answers ``(kind, path)``:
each request goes out on the connection of its kind.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

ALLOWED_HOSTS = {"127.0.0.1"}
HARD_MAX_SECONDS = 600  # no single measurement runs longer than this, whatever it is asked
HARD_MAX_REQUESTS = 5_000_000
CSRF_INPUT = re.compile(
    r'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"'
)


@dataclass
class LoadResult:
    name: str
    clients: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    statuses: dict[int, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list, repr=False)  # seconds, ascending

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "latencies"}


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


class Client:
    """One keep-alive connection and its cookies; reconnects after a broken connection."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 30.0):
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname not in ALLOWED_HOSTS:
            raise ValueError(f"refusing to send load anywhere but http://127.0.0.1 ({base_url})")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout = timeout
        self.token = token
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, list[str]], bytes]:
        all_headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-hans"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError, TimeoutError, OSError):
                self.close()
                if attempt == 2:
                    raise
                continue  # a keep-alive connection the server closed: one fresh try
            header_map: dict[str, list[str]] = {}
            for key, value in response.getheaders():
                header_map.setdefault(key.lower(), []).append(value)
            for cookie in header_map.get("set-cookie", []):
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.will_close:
                self.close()
            return response.status, header_map, data
        raise RuntimeError("unreachable")

    def login(self, username: str, password: str) -> None:
        """Log in through the login page, as a browser would (CSRF cookie + hidden field)."""
        status, _headers, body = self.request("GET", "/login/")
        if status != 200:
            raise RuntimeError(f"GET /login/ answered {status}")
        match = CSRF_INPUT.search(body.decode("utf-8", "replace"))
        if not match or "csrftoken" not in self.cookies:
            raise RuntimeError("the login page carries no CSRF token")
        form = urlencode(
            {
                "csrfmiddlewaretoken": match.group(1) or match.group(2),
                "username": username,
                "password": password,
            }
        ).encode()
        status, _headers, _body = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/login/",
                "Origin": f"http://{self.host}:{self.port}",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed (status {status})")


def make_clients(
    base_url: str,
    count: int,
    *,
    token: str | None = None,
    login: tuple[str, str] | None = None,
) -> list[Client]:
    """``count`` clients, each logged in once (pages) or carrying the token (API)."""
    pool = [Client(base_url, token=token) for _ in range(count)]
    if login:
        for c in pool:
            c.login(*login)
    return pool


def merge_results(name: str, parts: list[LoadResult]) -> LoadResult:
    """One result from several measurement slots of the same operation."""
    merged = sorted(x for p in parts for x in p.latencies)
    seconds = sum(p.seconds for p in parts)
    statuses: Counter = Counter()
    for p in parts:
        statuses.update(p.statuses)
    return _result(
        name,
        max((p.clients for p in parts), default=0),
        seconds,
        merged,
        sum(p.errors for p in parts),
        dict(statuses),
        [s for p in parts for s in p.error_samples][:5],
    )


def _result(name, clients, window, merged, errors, statuses, samples) -> LoadResult:
    total = len(merged)
    return LoadResult(
        name=name,
        clients=clients,
        seconds=round(window, 2),
        requests=total,
        errors=errors,
        rps=total / window if window else 0.0,
        p50_ms=percentile(merged, 50) * 1000,
        p95_ms=percentile(merged, 95) * 1000,
        p99_ms=percentile(merged, 99) * 1000,
        mean_ms=(sum(merged) / total * 1000) if total else 0.0,
        statuses=statuses,
        error_samples=samples,
        latencies=merged,
    )


def run_load(
    base_url: str,
    make_path: Callable[[random.Random], str | tuple[str, str]],
    *,
    name: str = "",
    clients: int | list[Client] | list[Mapping[str, Client]] = 20,
    seconds: float = 15.0,
    max_requests: int | None = None,
    token: str | None = None,
    login: tuple[str, str] | None = None,
    warmup_seconds: float = 1.0,
    seed: int = 1,
    expect: tuple[int, ...] = (200,),
) -> LoadResult:
    """Run ``clients`` closed-loop clients; a response outside ``expect`` counts as an error."""
    seconds = min(float(seconds), HARD_MAX_SECONDS)
    warmup_seconds = min(max(0.0, warmup_seconds), 60.0)
    limit = min(max_requests or HARD_MAX_REQUESTS, HARD_MAX_REQUESTS)
    own = not isinstance(clients, list)
    # logins happen before the clock starts; each client keeps its own session
    workers = make_clients(base_url, clients, token=token, login=login) if own else clients
    clients = len(workers)

    lock = threading.Lock()
    counter = {"sent": 0}
    latencies: list[list[float]] = [[] for _ in workers]
    errors = [0] * clients
    statuses: list[Counter] = [Counter() for _ in workers]
    samples: list[str] = []
    phase = {"measure_from": 0.0, "deadline": 0.0}
    barrier = threading.Barrier(clients + 1)

    def loop(index: int) -> None:
        client = workers[index]
        rng = random.Random(seed * 1000 + index)
        barrier.wait()
        while True:
            now = time.perf_counter()
            if now >= phase["deadline"]:
                return
            measuring = now >= phase["measure_from"]
            if measuring:
                with lock:
                    if counter["sent"] >= limit:
                        return
                    counter["sent"] += 1
            target = make_path(rng)
            # a mixed load names the identity the request goes out as (see the module's doc)
            kind, path = target if isinstance(target, tuple) else (None, target)
            started = time.perf_counter()
            try:
                status, _h, body = (client if kind is None else client[kind]).request("GET", path)
                ok = status in expect
            except Exception as exc:  # a failed request is an error, not the end of the run
                status, body, ok = 0, repr(exc).encode(), False
            elapsed = time.perf_counter() - started
            if not measuring or started < phase["measure_from"]:
                continue
            latencies[index].append(elapsed)
            statuses[index][status] += 1
            if not ok:
                errors[index] += 1
                if len(samples) < 5:
                    with lock:
                        samples.append(f"{status} {path}: {body[:200]!r}")

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    phase["measure_from"] = start + warmup_seconds
    phase["deadline"] = phase["measure_from"] + seconds
    barrier.wait()
    for t in threads:
        t.join(timeout=seconds + warmup_seconds + 120)
    finished = min(time.perf_counter(), phase["deadline"])
    # a run cut short by max_requests ends when its last request came back
    window = max(finished - phase["measure_from"], 1e-9)
    if own:
        for c in workers:
            c.close()
    merged = sorted(x for lst in latencies for x in lst)
    status_counts: Counter = Counter()
    for s in statuses:
        status_counts.update(s)
    return _result(name, clients, window, merged, sum(errors), dict(status_counts), samples)
