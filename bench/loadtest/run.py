"""``make load`` (QUALITY.md R13): a fresh instance served as ``make run`` serves it, under locust.

One run, every step bounded in time:

1. a fresh data dir (and, when ``ZHICHI_DATABASE_URL`` names a PostgreSQL server on 127.0.0.1,
   the database ``zhichi_load`` on it, dropped and created anew; the database the URL names is
   never touched); keys made for this run only;
2. the steps ``make run`` takes (``zhichi.localrun``): ``migrate``, ``collectstatic``,
   ``seed_demo --force`` (the default demo data), ``resume_imports``; then API tokens
   (``issue_token USER --name load``) and the search terms found in the data (``probe.py``);
3. the background worker and gunicorn as ``make run`` starts them (``ZHICHI_DEBUG=0``, WhiteNoise,
   2 workers × 4 threads), with ``ZHICHI_DEMO=1`` so that the demo accounts sign in with their
   password alone; waits for ``/api/v1/health``;
4. ``locust --headless`` with ``locustfile.py``: ``LOAD_STAFF`` staff sessions (50) and
   ``LOAD_API`` API clients (20) for ``LOAD_MINUTES`` minutes (10), against 127.0.0.1 only;
5. stops everything, and writes ``bench/results/load.md`` (``load-postgresql.md`` on PostgreSQL):
   users, duration, requests, failures, requests/s, p50/p95/p99 per endpoint group and overall,
   what the server's access log counted, the machine and the database.

Exits 1 when any request failed or the server answered any 5xx, 2 when the set-up failed.

    python -m bench.loadtest.run [--minutes 10] [--staff 50] [--api 20] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from zhichi import localrun

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
PASSWORD = "zhichi-demo"  # the published demo password (seed_demo)
PG_DATABASE = "zhichi_load"
# the sessions sign in as these, round-robin (officers, heads, the chief, the registrar, partners)
STAFF = [
    "civil1",
    "civil2",
    "civilhead",
    "criminal1",
    "chief",
    "registrar1",
    "hrss1",
    "wf1",
    "lac1",
    "court1",
]
API_USERS = ["civil1", "civil2", "civilhead", "criminal1", "chief", "hrss1", "wf1", "lac1"]
PARTNERS = ["hrss1", "wf1", "lac1", "court1"]
SPAWN_RATE = 10
# gunicorn's default access log line, and %(L)s: the seconds the request took in the server
LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)s'
ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) .*" (?P<seconds>[\d.]+)$'
)


def log(message: str) -> None:
    print(f"[load {datetime.now():%H:%M:%S}] {message}", flush=True)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- the database -------------------------------------------------------------------------
def pg_target(url: str) -> dict:
    """The PostgreSQL server a URL names, with this run's own database on it."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("ZHICHI_DATABASE_URL must be a postgres:// URL (or unset for SQLite)")
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the load test only uses a PostgreSQL server on 127.0.0.1")
    netloc = parts.netloc.rsplit("@", 1)
    server = netloc[-1]
    auth = f"{netloc[0]}@" if len(netloc) == 2 else ""
    return {
        "host": "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": parts.username or "postgres",
        "url": urlunsplit((parts.scheme, f"{auth}{server}", f"/{PG_DATABASE}", "", "")),
    }


def psql(pg: dict, sql: str) -> None:
    cmd = ["psql", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-d", "postgres"]
    quiet = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")  # no "skipping" notice
    subprocess.run(
        [*cmd, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, timeout=120, env=quiet
    )


def pg_version(env: dict) -> str:
    out = run_step(
        [sys.executable, "manage.py", "shell", "-c", _PG_VERSION], env, 120, "database version"
    )
    return out.strip().splitlines()[-1] if out.strip() else ""


_PG_VERSION = (
    "from django.db import connection\n"
    "c = connection.cursor(); c.execute('SHOW server_version'); print(c.fetchone()[0])"
)


_ISSUE_TOKENS = """
import io, json
from django.core.management import call_command
tokens = {}
for user in %r:
    out = io.StringIO()
    call_command("issue_token", user, name="load", stdout=out)
    tokens[user] = out.getvalue().strip().splitlines()[-1].strip()
print(json.dumps(tokens))
"""


# --- steps ----------------------------------------------------------------------------------
def run_step(cmd: list[str], env: dict, timeout: float, what: str) -> str:
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    log(f"{what}: {time.perf_counter() - started:.1f} s")
    return proc.stdout


def set_up(env: dict, data_dir: Path) -> dict:
    for command in localrun.setup_commands(None):
        run_step(command, env, 1800, f"manage.py {command[2]}")
    # one process issues every token (`issue_token USER --name load`, its last line each time)
    out = run_step(
        [sys.executable, "manage.py", "shell", "-c", _ISSUE_TOKENS % (API_USERS,)],
        env,
        300,
        f"issue_token ({len(API_USERS)} users)",
    )
    tokens = json.loads(out.strip().splitlines()[-1])
    out = run_step([sys.executable, "-m", "bench.loadtest.probe"], env, 300, "probe")
    probe = json.loads(out.strip().splitlines()[-1])
    fixture = {
        "password": PASSWORD,
        "staff": STAFF,
        "partners": PARTNERS,
        "tokens": tokens,
        "probe": probe,
    }
    path = data_dir / "load-fixture.json"
    path.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)  # it holds the tokens
    return {"fixture": path, "cases": probe.get("cases", 0)}


class Served:
    """The background worker and gunicorn, each in its own process group, stopped by pid."""

    def __init__(self, env: dict, port: int, log_dir: Path, workers: int):
        self.env = env
        self.port = port
        self.workers = workers
        self.access_log = log_dir / "gunicorn-access.log"
        self.server_log = log_dir / "gunicorn.log"
        self.worker_log = log_dir / "db_worker.log"
        self.processes: list[subprocess.Popen] = []
        self._files: list = []

    def _start(self, cmd: list[str], stdout: Path, stderr: Path) -> subprocess.Popen:
        out = stdout.open("ab")
        err = out if stderr == stdout else stderr.open("ab")
        self._files += [out, err]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=out, stderr=err, start_new_session=True
        )
        self.processes.append(proc)
        return proc

    def __enter__(self) -> Served:
        self._start(localrun.worker_command(), self.worker_log, self.worker_log)
        # make run's own command line (its access log goes to stdout, kept here in a file), the
        # log's lines ending with the time each request took inside gunicorn
        command = [
            *localrun.server_command(self.port, self.workers),
            "--access-logformat",
            LOG_FORMAT,
        ]
        server = self._start(command, self.access_log, self.server_log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn exited at start:\n{tail(self.server_log)}")
            if health(self.port) == 200:
                log(f"serving on http://{HOST}:{self.port} (gunicorn pid {server.pid})")
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"no answer from /api/v1/health in 90 s:\n{tail(self.server_log)}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.poll() is None]

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)  # its own group: gunicorn's workers too
        for proc in self.processes:
            try:
                proc.wait(timeout=localrun.STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.processes = []
        for f in self._files:
            if not f.closed:
                f.close()


def health(port: int) -> int:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=3)
        conn.request("GET", "/api/v1/health", headers={"Host": f"{HOST}:{port}"})
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Sampler(threading.Thread):
    """The machine's load average and the server's CPU and memory, every 10 s, during the run."""

    def __init__(self, served: Served):
        import psutil  # bench-only (a locust dependency)

        super().__init__(daemon=True)
        self.psutil = psutil
        self.served = served
        self.stopped = threading.Event()
        self.loadavg: list[float] = []
        self.server_rss_mib: list[float] = []
        self.server_cpu_seconds = 0.0

    def _tree(self):
        psutil = self.psutil
        procs = []
        for pid in self.served.pids():
            try:
                root = psutil.Process(pid)
                procs += [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
        return procs

    def _cpu(self) -> float:
        total = 0.0
        for proc in self._tree():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except self.psutil.Error:  # a process that just ended counts nothing
                continue
        return total

    def run(self) -> None:
        start_cpu = self._cpu()
        while not self.stopped.wait(10):
            self.loadavg.append(os.getloadavg()[0])
            rss = 0
            for proc in self._tree():
                try:
                    rss += proc.memory_info().rss
                except self.psutil.Error:
                    continue
            self.server_rss_mib.append(rss / 2**20)
            self.server_cpu_seconds = self._cpu() - start_cpu


def run_locust(base: str, fixture: Path, out_dir: Path, args) -> int:
    users = args.staff + args.api + args.portal
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(min(SPAWN_RATE, users)),
        "-t",
        f"{args.minutes}m",
        "--host",
        base,
        "--csv",
        str(out_dir / "locust"),
        "--stop-timeout",
        "30",
        "--logfile",
        str(out_dir / "locust.log"),
        "--only-summary",
        "--loglevel",
        "INFO",
    ]
    env = dict(os.environ)
    env.update(
        LOAD_FIXTURE=str(fixture),
        LOAD_STAFF=str(args.staff),
        LOAD_API=str(args.api),
        LOAD_PORTAL=str(args.portal),
        PYTHONPATH=str(ROOT),  # the locustfile reads the identifier rules of zhichi.core
    )
    log(
        f"locust: {args.staff} staff sessions + {args.api} API clients + {args.portal} portal "
        f"visitors for {args.minutes} min"
    )
    with (out_dir / "locust.out").open("wb") as out:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=args.minutes * 60 + 300,
            check=False,
        )
    log(f"locust finished (exit {proc.returncode})")
    return proc.returncode


# --- the report -----------------------------------------------------------------------------
def read_stats(out_dir: Path) -> list[dict]:
    path = out_dir / "locust_stats.csv"
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_failures(out_dir: Path) -> list[dict]:
    path = out_dir / "locust_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def access_counts(path: Path) -> tuple[Counter, list[str], list[float]]:
    """The status codes, the first 5xx and the seconds in the server, from the access log."""
    statuses: Counter = Counter()
    errors: list[str] = []
    seconds: list[float] = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return statuses, errors, seconds
    for line in lines:
        m = ACCESS_LINE.search(line)
        if not m:
            continue
        statuses[int(m["status"])] += 1
        seconds.append(float(m["seconds"]))
        if int(m["status"]) >= 500 and len(errors) < 10:
            errors.append(f"{m['status']} {m['method']} {m['path'].split('?')[0]}")
    return statuses, errors, sorted(seconds)


def nearest_rank(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))]


def retries(path: Path) -> int:
    """Requests sent again after the server reset a kept-alive connection (urllib3's log)."""
    try:
        return path.read_text(errors="replace").count("Retrying (Retry(")
    except OSError:
        return 0


def server_tracebacks(path: Path) -> list[str]:
    text = path.read_text(errors="replace") if path.exists() else ""
    found = []
    for block in text.split("Traceback (most recent call last):")[1:]:
        last = [ln for ln in block.strip().splitlines() if ln and not ln.startswith(" ")]
        found.append(last[0][:200] if last else "?")
    return found


def machine() -> dict:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    model, ram = "", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cores": cpus,
        "cpu": model,
        "ram_gib": round(ram / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def ms(value: str) -> str:
    try:
        return f"{float(value):,.0f}"
    except (TypeError, ValueError):
        return "–"


def write_report(meta: dict, rows: list[dict], failures: list[dict], out: Path) -> None:
    total = next(r for r in rows if r["Name"] == "Aggregated")
    groups = sorted(
        (r for r in rows if r["Name"] != "Aggregated"),
        key=lambda r: -float(r["95%"] or 0),
    )
    requests, failed = int(total["Request Count"]), int(total["Failure Count"])
    verdict = "pass" if failed == 0 and meta["server_5xx"] == 0 else "FAIL"
    lines = [
        "# Load test (QUALITY.md R13): `make load`",
        "",
        f"Run {meta['started']} for {meta['minutes']} min: {meta['staff']} staff sessions + "
        f"{meta['api']} API clients + {meta['portal']} portal visitors (locust {meta['locust']}, "
        "headless, think time 1–5 s (portal 2–6 s), "
        f"spawned {SPAWN_RATE}/s) against gunicorn on 127.0.0.1, served as `make run` serves "
        f"the demo (ZHICHI_DEBUG=0, {meta['workers']} workers × 4 threads, a background worker "
        "beside it).",
        "",
        f"**{verdict}** — {requests:,} requests, {failed:,} failures "
        f"({failed / requests * 100 if requests else 0:.2f} %), "
        f"{float(total['Requests/s']):.1f} requests/s; overall p50 {ms(total['50%'])} ms, "
        f"p95 {ms(total['95%'])} ms, p99 {ms(total['99%'])} ms. "
        f"The server's access log: {meta['server_total']:,} requests, "
        f"{meta['server_5xx']} answered 5xx; {meta['tracebacks']} tracebacks in its error log; "
        "time inside gunicorn (its access log) p50 "
        + " ms, p95 ".join(f"{meta['inside'][p]:,.0f}" for p in (50, 95))
        + f" ms, p99 {meta['inside'][99]:,.0f} ms. "
        f"{meta['retries']} requests were sent again, once, after the server reset a kept-alive "
        "connection before answering (as a browser does; see bench/README.md).",
        "",
        "| endpoint group | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [*groups, total]:
        name = "**overall**" if r is total else f"{r['Type']} {r['Name']}".strip()
        if name.startswith("GET page:") or name.startswith("GET api:"):
            name = name[4:]
        elif name.startswith("POST page:") or name.startswith("POST api:"):
            name = name[5:]
        lines.append(
            f"| {name} | {int(r['Request Count']):,} | {int(r['Failure Count']):,} | "
            f"{float(r['Requests/s']):.2f} | {ms(r['50%'])} | {ms(r['95%'])} | {ms(r['99%'])} | "
            f"{ms(r['Max Response Time'])} |"
        )
    lines += ["", "Rows are ordered by p95, worst first."]
    if failures:
        lines += ["", "## Failures", "", "| occurrences | request | error |", "|---:|---|---|"]
        for f in sorted(failures, key=lambda f: -int(f["Occurrences"]))[:20]:
            error = f["Error"].replace("|", "\\|").replace("\n", " ")[:300]
            lines.append(f"| {f['Occurrences']} | {f['Method']} {f['Name']} | {error} |")
    if meta["server_errors"]:
        lines += ["", "5xx in the access log (first ones): " + "; ".join(meta["server_errors"])]
    statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(meta["server_statuses"].items()))
    m = meta["machine"]
    lines += [
        "",
        "## Where it ran",
        "",
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB, {m['os']}, "
        f"Python {m['python']}",
        f"- database: {meta['database']}; the default demo data (`seed_demo`: "
        f"{meta['cases']} cases), set up in {meta['setup_seconds']:.0f} s",
        "- load average when the run began (other work on the machine, before any load): "
        + " / ".join(f"{x:.1f}" for x in meta["load_before"])
        + " (1 / 5 / 15 min)",
        f"- load average (1 min) during the run: mean {meta['load_mean']:.1f}, "
        f"max {meta['load_max']:.1f}; the server (gunicorn and the background worker) used "
        f"{meta['server_cpu']:.0f} CPU-seconds ({meta['server_cpu'] / meta['seconds'] * 100:.0f} % "
        f"of one core); their RSS together {meta['rss_last']:.0f} MiB at the end "
        f"(max {meta['rss_max']:.0f})",
        f"- locust runs on the same machine and takes CPU from the server. {meta['note']}",
        f"- status codes in the server's access log: {statuses}",
        "",
        "Endpoint groups: `page:` a staff session's page (signed in through `/login/` with "
        "its CSRF token, as a browser), `api:` a bearer-token client (cursors followed). A page "
        "must answer 200 itself (a redirect, e.g. to the login page, is a failure); planning a "
        "visit must answer 302 back to the case; filing a lead 201. `portal:` a person applying "
        "through the public portal with no account (every client here is 127.0.0.1, so together "
        "they pass the portal's per-address limits: a POST past them must answer 429 with "
        "Retry-After and the portal's page, counted in its own row). See bench/README.md.",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")


# --- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=env_int("LOAD_MINUTES", 10))
    parser.add_argument("--staff", type=int, default=env_int("LOAD_STAFF", 50))
    parser.add_argument("--api", type=int, default=env_int("LOAD_API", 20))
    parser.add_argument("--portal", type=int, default=env_int("LOAD_PORTAL", 5))
    parser.add_argument("--workers", type=int, default=env_int("LOAD_WORKERS", 2))
    parser.add_argument(
        "--note",
        default=os.environ.get("LOAD_NOTE", ""),
        help="a sentence for the report (e.g. what else ran on the machine)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir and the logs")
    args = parser.parse_args(argv)
    if not 1 <= args.minutes <= 120:
        parser.error("--minutes must be between 1 and 120")
    if args.staff < 1 or args.api < 1:
        parser.error("--staff and --api need at least 1 each")

    database_url = os.environ.get("ZHICHI_DATABASE_URL", "").strip()
    pg = pg_target(database_url) if database_url else None
    data_dir = Path(tempfile.mkdtemp(prefix="zhichi-load-"))
    env = localrun.local_environment(os.environ, data_dir)
    env["ZHICHI_DEMO"] = "1"  # the demo accounts sign in without a second factor
    if pg:
        env["ZHICHI_DATABASE_URL"] = pg["url"]
    started = datetime.now()
    log(f"data dir {data_dir}; database: {'PostgreSQL ' + PG_DATABASE if pg else 'SQLite'}")
    code = 2
    try:
        if pg:
            psql(pg, f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            psql(pg, f"CREATE DATABASE {PG_DATABASE}")
        t0 = time.perf_counter()
        prepared = set_up(env, data_dir)
        setup_seconds = time.perf_counter() - t0
        database = (
            f"PostgreSQL {pg_version(env)} (database {PG_DATABASE} on 127.0.0.1:{pg['port']})"
            if pg
            else "SQLite (WAL, synchronous=FULL), a file in the fresh data dir"
        )
        port = free_port()
        with Served(env, port, data_dir, args.workers) as served:
            load_before = os.getloadavg()  # what else was running on the machine
            sampler = Sampler(served)
            sampler.start()
            began = time.perf_counter()
            locust_code = run_locust(f"http://{HOST}:{port}", prepared["fixture"], data_dir, args)
            seconds = time.perf_counter() - began
            sampler.stopped.set()
            sampler.join(timeout=15)
        statuses, server_errors, inside = access_counts(served.access_log)
        tracebacks = server_tracebacks(served.server_log)
        rows = read_stats(data_dir)
        failures = read_failures(data_dir)
        import locust  # bench-only; present, since locust just ran from this interpreter

        rss = sampler.server_rss_mib or [0.0]
        meta = {
            "started": f"{started:%Y-%m-%d %H:%M}",
            "minutes": args.minutes,
            "staff": args.staff,
            "api": args.api,
            "portal": args.portal,
            "workers": args.workers,
            "locust": locust.__version__,
            "server_total": sum(statuses.values()),
            "server_5xx": sum(v for k, v in statuses.items() if k >= 500),
            "server_statuses": dict(statuses),
            "server_errors": server_errors,
            "inside": {p: nearest_rank(inside, p) * 1000 for p in (50, 95, 99)},
            "tracebacks": len(tracebacks),
            "retries": retries(data_dir / "locust.log"),
            "machine": machine(),
            "database": database,
            "cases": prepared["cases"],
            "setup_seconds": setup_seconds,
            "load_mean": sum(sampler.loadavg) / len(sampler.loadavg) if sampler.loadavg else 0,
            "load_max": max(sampler.loadavg, default=0),
            "server_cpu": sampler.server_cpu_seconds,
            "seconds": seconds,
            "rss_last": rss[-1],
            "rss_max": max(rss),
            "load_before": load_before,
            "note": args.note,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / ("load-postgresql.md" if pg else "load.md")
        write_report(meta, rows, failures, out)
        total = next(r for r in rows if r["Name"] == "Aggregated")
        log(
            f"{int(total['Request Count']):,} requests, {int(total['Failure Count']):,} failures, "
            f"p95 {ms(total['95%'])} ms; server 5xx: {meta['server_5xx']}; "
            f"tracebacks: {len(tracebacks)}; written to {out.relative_to(ROOT)}"
        )
        for line in tracebacks[:5]:
            log(f"  server error: {line}")
        failed = int(total["Failure Count"]) or meta["server_5xx"] or locust_code
        code = 1 if failed else 0
    except (RuntimeError, subprocess.SubprocessError, OSError, StopIteration) as exc:
        log(f"the load test stopped: {exc}")
        code = 2
    finally:
        if pg:
            try:
                psql(pg, f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            except (subprocess.SubprocessError, OSError) as exc:
                log(f"could not drop {PG_DATABASE}: {exc}")
        if args.keep or code:
            log(f"kept {data_dir} (logs: gunicorn*.log, db_worker.log, locust.*)")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
