"""``make bench``: P1-P7 of QUALITY.md, measured side by side in one run, in one table.

    python -m bench.run [--sizes 10000,100000] [--clients 20] [--seconds 15]
                        [--database-url postgres://postgres@127.0.0.1/zhichi_bench]
                        [--p1-rows 100000] [--p5-count 100] [--p6-requests 10000]

For each size: a fresh database (SQLite in a temporary data dir, or the PostgreSQL database
``zhichi_bench``, dropped and created), ``migrate``, ``seed_demo --force --leads 0``,
``bench.generate`` (P7), ``collectstatic``, a token for civil1, a probe (query plans, P4), then
gunicorn on a free port of 127.0.0.1 and, in rounds, with the same clients: the floor
(``GET /api/v1/me``) and the P2 operations, API and pages (P2; P3 compares the smallest and the
largest size). At the largest size, a second gunicorn with one worker serves ``--p6-requests``
requests of the P2 operations mixed, and the worker's memory is sampled (P6). Then P1 once, at
its own size (``--p1-rows``; 0 skips it): the bulk import of a generated messy .xlsx against its
floor and django-import-export (bench/p1.py); ``--p1-only`` runs nothing else
(``make bench-import``). Then P5 (bench/documents.py; ``--p5-count 0`` skips it). Prints one
table and writes it, with the details, to bench/results/latest.md (P1 alone also to
bench/results/import.md, P5 to bench/results/documents.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import redis

from bench import p1 as bench_p1
from bench.load import HARD_MAX_SECONDS, make_clients, merge_results, run_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "zhichi-demo"  # the documented demo password (seed_demo)
P2_TARGET = 0.5
P3_TARGET = 2.0
P7_TARGET_MINUTES = 10.0
P6_TARGET_MB = 300.0
P6_GROWTH = 0.05  # "no growth over the last half": within 5 %, the noise of a busy allocator
P6_EVERY = 500  # requests between two samples of the worker's memory
PG_DATABASE = "zhichi_bench"

# (key, label, kind): kind "api" uses civil1's token; any other kind is a page session of that
# user, "inbox" of whichever receiving user the probe finds with the fullest transfers inbox
OPERATIONS = [
    ("list", "API case list, first page (limit 50)", "api"),
    ("detail", "API case detail, random id", "api"),
    ("search2", "API search, 2-char name substring", "api"),
    ("search3", "API search, 3-char name", "api"),
    ("page_list", "page /cases/ (civil1)", "civil1"),
    ("page_detail", "page /cases/<id>/ (civil1)", "civil1"),
    ("employer", "API employer profile, random employer", "api"),
    ("stats", "API stats summary, this year", "api"),
    ("workbench", "page / workbench (civil1)", "civil1"),
    ("page_stats", "page /stats/ dashboard (chief: procuratorate)", "chief"),
    ("transfers", "page /transfers/inbox/ (fullest inbox)", "inbox"),
    ("imports", "page /imports/ list and upload (civil1)", "civil1"),
]
# who may receive transfers in the bench data: the procuratorate's departments and the partners
INBOX_CANDIDATES = ("civil1", "criminal1", "hrss1", "lac1", "wf1", "court1")
NOT_BUILT: list[str] = []


# --- helpers --------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_bench_secrets() -> dict[str, str]:
    """Bench-only keys, new for every run, never stored."""
    from cryptography.fernet import Fernet

    return {
        "secret": "bench-only-" + secrets.token_urlsafe(40),
        "fernet": Fernet.generate_key().decode("ascii"),
        "audit": Fernet.generate_key().decode("ascii"),
    }


def bench_env(
    data_dir: Path, database_url: str | None, secrets_: dict[str, str], cache_url: str = ""
) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHI_")}
    env.update(
        ZHICHI_DATA_DIR=str(data_dir),
        ZHICHI_DEBUG="0",
        ZHICHI_SECRET_KEY=secrets_["secret"],
        ZHICHI_ENCRYPTION_KEY=secrets_["fernet"],
        ZHICHI_AUDIT_KEY=secrets_["audit"],
        ZHICHI_ALLOWED_HOSTS="127.0.0.1",
        # the demo accounts sign in with their password alone (rule R6: a demo instance serves
        # 127.0.0.1 only, as the bench does), so the page clients log in as a browser would
        ZHICHI_DEMO="1",
        DJANGO_SETTINGS_MODULE="zhichi.settings",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["ZHICHI_DATABASE_URL"] = database_url
    if cache_url:
        env["ZHICHI_CACHE_URL"] = cache_url
    return env


def run(cmd: list[str], env: dict, timeout: float, what: str) -> str:
    """Run a command to completion (bounded); its stdout, or an error with its output."""
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


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    return run([sys.executable, "manage.py", *args], env, timeout, f"manage.py {args[0]}")


def pg_parts(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit("--database-url must be a postgres:// URL")
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the bench only talks to a PostgreSQL server on 127.0.0.1")
    name = parts.path.lstrip("/") or PG_DATABASE
    if name != PG_DATABASE:
        raise SystemExit(f"the bench drops and recreates its database: name it {PG_DATABASE}")
    return {
        "host": "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": parts.username or "postgres",
        "name": name,
    }


def psql(pg: dict, sql: str) -> None:
    cmd = ["psql", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], "-d", "postgres"]
    cmd += ["-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
    subprocess.run(cmd, check=True, timeout=120, capture_output=True)


def loadavg() -> str:
    """The machine's load average (1, 5, 15 min): on a shared machine it explains the noise."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine() -> dict:
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 0
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": cpus,
        "ram_gib": round(ram / 2**30, 1),
        "cpu": cpu_model,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


# --- gunicorn -------------------------------------------------------------------------------
class Server:
    """gunicorn in its own process group, killed (by its pid) when the block ends."""

    def __init__(self, env: dict, port: int, log_dir: Path, workers: int, threads: int):
        self.env = env
        self.port = port
        self.log_path = log_dir / "gunicorn.log"
        self.cmd = [
            str(BIN / "gunicorn"),
            "zhichi.wsgi",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--error-logfile",
            str(self.log_path),
        ]
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/health", headers={"Host": f"127.0.0.1:{self.port}"})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    log(f"gunicorn is up on 127.0.0.1:{self.port} (pid {self.proc.pid})")
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not answer /api/v1/health within 60 s:\n{self.log_tail()}"
        )

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is gunicorn's own pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        log(f"gunicorn (pid {pgid}) stopped")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


# --- what the clients ask for ----------------------------------------------------------------
def make_paths(info: dict) -> dict[str, Callable[[random.Random], str]]:
    """Each operation's request path, drawn per request from what the probe found."""
    lo, hi = info["lo"], info["hi"]
    two = info.get("two") or ["王"]
    three = info.get("three") or ["王"]
    employers = info.get("employers") or ["91530102MA6K2P3Q0X"]
    return {
        "floor": lambda rng: "/api/v1/me",
        "list": lambda rng: "/api/v1/cases?limit=50",
        "detail": lambda rng: f"/api/v1/cases/{rng.randint(lo, hi)}",
        "search2": lambda rng: f"/api/v1/cases?limit=50&q={quote(rng.choice(two))}",
        "search3": lambda rng: f"/api/v1/cases?limit=50&q={quote(rng.choice(three))}",
        "page_list": lambda rng: "/cases/",
        "page_detail": lambda rng: f"/cases/{rng.randint(lo, hi)}/",
        "employer": lambda rng: f"/api/v1/employers/{rng.choice(employers)}",
        "stats": lambda rng: "/api/v1/stats/summary",
        "workbench": lambda rng: "/",
        "page_stats": lambda rng: "/stats/",
        "transfers": lambda rng: "/transfers/inbox/",
        "imports": lambda rng: "/imports/",
    }


def kind_user(kind: str, info: dict) -> str | None:
    """The user a page session of this kind signs in as (None: the API token)."""
    if kind == "api":
        return None
    if kind == "inbox":
        return info.get("inbox_user") or "civil1"
    return kind


def page_users(info: dict) -> list[str]:
    return sorted({u for _k, _l, kind in OPERATIONS if (u := kind_user(kind, info))})


# --- the probe: runs inside the bench environment, prints JSON ------------------------------
def timed_select(connection, sql: str) -> float:
    """One run of a captured SELECT, in milliseconds, in a transaction rolled back (read-only on
    PostgreSQL): the test client's capture keeps whole milliseconds only."""
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET TRANSACTION READ ONLY")
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed * 1000


def explain_text(connection, sql: str) -> str:
    """``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL (``EXPLAIN QUERY PLAN`` on SQLite) of one
    SELECT, in a read-only transaction that is rolled back: the probe changes nothing."""
    from django.db import transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET TRANSACTION READ ONLY")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            rows = cursor.fetchall()
        transaction.set_rollback(True)
    return "\n".join(" | ".join(str(c) for c in row) for row in rows)


def capture_operations(info: dict, token: str, top: int = 3) -> dict:
    """Each P2 operation's request made once in-process (the Django test client, after one
    warm-up request) with its SQL captured: the number of queries, their time, and the plans
    of the ``top`` slowest SELECTs (each distinct SELECT run once more to rank them). Each
    operation runs in a transaction that is rolled back, so the sessions and audit rows of
    these requests are not kept."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from zhichi.accounts.models import User

    paths = make_paths(info)
    users = {u.username: u for u in User.objects.filter(username__in=page_users(info))}
    rng = random.Random(11)
    out: dict[str, dict] = {}
    for key, _label, kind in OPERATIONS:
        path = paths[key](rng)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if kind == "api" else {}
        try:
            with transaction.atomic():
                client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
                if kind != "api":
                    client.force_login(users[kind_user(kind, info)])
                client.get(path, **extra)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path, **extra)
                    elapsed = time.perf_counter() - started
                transaction.set_rollback(True)
        except Exception as exc:  # a broken operation is reported, the bench goes on
            out[key] = {"path": path, "error": repr(exc)[:300]}
            continue
        queries = [(float(q["time"] or 0) * 1000, q["sql"]) for q in captured.captured_queries]
        selects = {
            sql for _ms, sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        }
        ranked = []
        for sql in selects:
            try:
                ranked.append((timed_select(connection, sql), sql))
            except Exception:  # e.g. a statement that cannot run again as captured
                continue
        plans = []
        for ms, sql in sorted(ranked, key=lambda q: -q[0])[:top]:
            try:
                text = explain_text(connection, sql)
            except Exception as exc:  # e.g. a statement that cannot be explained as captured
                text = f"(not explained: {exc!r:.200})"
            plans.append({"ms": round(ms, 2), "sql": sql, "plan": text})
        out[key] = {
            "path": path,
            "status": response.status_code,
            "request_ms": round(elapsed * 1000, 1),
            "queries": len(queries),
            "sql_ms": round(sum(q[0] for q in queries), 1),
            "plans": plans,
        }
    return out


def inbox_user() -> tuple[str, dict[str, int]]:
    """The receiving user with the most transfers in their inbox (civil1 when all are empty);
    ``BENCH_INBOX_USER`` (the choice at the first size) keeps it the same across sizes, so P3
    compares one inbox."""
    from zhichi.accounts.models import User
    from zhichi.transfers.models import Transfer

    counts = {
        u.username: Transfer.objects.inbox_of(u).count()
        for u in User.objects.filter(username__in=INBOX_CANDIDATES).order_by("username")
    }
    chosen = os.environ.get("BENCH_INBOX_USER")
    if chosen in counts:
        return chosen, counts
    best = max(counts, key=lambda name: (counts[name], name == "civil1"), default="civil1")
    return (best if counts.get(best) else "civil1"), counts


def probe(terms: int = 20) -> dict:
    """Case ids, search terms that exist, query plans and single-query timings (for civil1)."""
    import random

    import django

    django.setup()
    # the models load only after django.setup(): the rest of this module runs outside Django
    from django.db import connection

    from zhichi.accounts.models import User
    from zhichi.cases.filters import filter_cases
    from zhichi.cases.models import Case, CaseParty

    user = User.objects.select_related("organisation", "department").get(username="civil1")
    visible = Case.objects.visible_to(user)
    ids = list(visible.order_by("id").values_list("id", flat=True)[:1])
    ids += list(visible.order_by("-id").values_list("id", flat=True)[:1])
    rng = random.Random(7)
    lo, hi = ids[0], ids[-1]
    names: list[str] = []
    for _ in range(terms * 5):
        pk = rng.randint(lo, hi)
        name = (
            CaseParty.objects.filter(case_id=pk, role="claimant")
            .values_list("party__name", flat=True)
            .first()
        )
        if name:
            names.append(name)
    employers: list[str] = []
    for _ in range(terms * 5):
        if len(employers) >= terms:
            break
        code = (
            CaseParty.objects.filter(case_id=rng.randint(lo, hi), role="respondent")
            .exclude(party__credit_code="")
            .values_list("party__credit_code", flat=True)
            .first()
        )
        if code and code not in employers:
            employers.append(code)
    two = []
    three = []
    for name in names:
        if len(name) >= 2 and len(two) < terms:
            start = rng.randint(0, len(name) - 2)
            two.append(name[start : start + 2])
        if len(name) >= 3 and len(three) < terms:
            three.append(name[:3])

    def timed(fn, repeat=5) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return round(statistics.median(times) * 1000, 2)

    def plan(qs) -> str:
        if connection.vendor == "postgresql":  # executes the SELECT: the time and the buffers
            return qs.explain(analyze=True, buffers=True)
        return qs.explain()

    def count_sql(qs) -> tuple[str, list]:
        compiler = qs.query.get_compiler(using=qs.db)
        where, params = compiler.compile(qs.query.where)
        return f'SELECT COUNT(*) FROM "{Case._meta.db_table}" WHERE {where}', list(params)

    def explain_raw(sql: str, params: list) -> str:
        prefix = (
            "EXPLAIN QUERY PLAN "
            if connection.vendor == "sqlite"
            else "EXPLAIN (ANALYZE, BUFFERS) "
        )
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
        return "\n".join(" | ".join(str(c) for c in row) for row in rows)

    api_list = visible.select_related("officer").order_by("-id")
    page_list = visible.select_related("officer").order_by("-opened_on", "-id")
    q2 = two[0] if two else "王"
    q3 = three[0] if three else "王"
    search2 = filter_cases(visible, q=q2).select_related("officer").order_by("-id")
    search3 = filter_cases(visible, q=q3).select_related("officer").order_by("-id")
    sql, params = count_sql(visible)
    plans = {
        "API list (WHERE scope ORDER BY id DESC LIMIT 51)": plan(api_list[:51]),
        f"API search q={q2} (LIKE %q% ORDER BY id DESC LIMIT 51)": plan(search2[:51]),
        f"API search q={q3} (LIKE %q% ORDER BY id DESC LIMIT 51)": plan(search3[:51]),
        "page list (ORDER BY opened_on DESC, id DESC LIMIT 25)": plan(page_list[:25]),
        "page list paginator count (COUNT(*) WHERE scope)": explain_raw(sql, params),
        "case detail (WHERE pk AND scope)": plan(visible.filter(pk=hi)),
    }
    timings = {
        "API list, 51 rows": timed(lambda: list(api_list[:51])),
        f"search q={q2}, 51 rows": timed(lambda: list(search2[:51])),
        f"search q={q3}, 51 rows": timed(lambda: list(search3[:51])),
        "page list, 25 rows": timed(lambda: list(page_list[:25])),
        "page list count(*)": timed(lambda: visible.count()),
        f"matches of q={q2} (count)": timed(lambda: search2.count(), repeat=1),
    }
    p4 = stats_probe(timed)
    matches2 = [filter_cases(visible, q=t).count() for t in two[:5]]
    matches3 = [filter_cases(visible, q=t).count() for t in three[:5]]
    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    )
    if connection.vendor == "sqlite":
        version = f"SQLite {version}"
        size = Path(connection.settings_dict["NAME"]).stat().st_size
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    inbox, inbox_counts = inbox_user()
    info = {
        "lo": lo,
        "hi": hi,
        "cases": visible.count(),
        "two": two,
        "three": three,
        "employers": employers,
        "matches2": matches2,
        "matches3": matches3,
        "plans": plans,
        "sql_ms": timings,
        "p4": p4,
        "database": version,
        "db_bytes": size,
        "inbox_user": inbox,
        "inbox_counts": inbox_counts,
    }
    info["operations"] = capture_operations(info, os.environ.get("BENCH_TOKEN", ""))
    return info


# --- one size -------------------------------------------------------------------------------
@contextmanager
def fresh_database(args, secrets_: dict, work_root: Path, prefix: str):
    """A new data dir and a new database on the run's engine (PostgreSQL's is dropped and created),
    migrated and holding the demo organisations and users: ``(data_dir, env)``. Both are removed
    when the block ends (the data dir is kept with ``--keep``)."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=work_root))
    pg = pg_parts(args.database_url) if args.database_url else None
    env = bench_env(data_dir, args.database_url, secrets_, args.cache_url)
    try:
        if args.cache_url:  # a new database: nothing counted for the one before may be kept
            redis.Redis.from_url(args.cache_url).flushdb()
        if pg:
            psql(pg, f"DROP DATABASE IF EXISTS {pg['name']} WITH (FORCE)")
            psql(pg, f"CREATE DATABASE {pg['name']}")
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo", "--force", "--leads", "0")
        yield data_dir, env
    finally:
        if pg:
            try:
                psql(pg, f"DROP DATABASE IF EXISTS {pg['name']} WITH (FORCE)")
            except (subprocess.SubprocessError, OSError) as exc:
                log(f"could not drop {pg['name']}: {exc}")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            log(f"kept {data_dir}")


def measure_size(
    size: int,
    args,
    secrets_: dict,
    work_root: Path,
    *,
    memory: bool = False,
    inbox: str | None = None,
) -> dict:
    """One size: data, probe, P2 under load, and P6 when ``memory`` (the largest size)."""
    result: dict = {"size": size, "ops": {}}
    with fresh_database(args, secrets_, work_root, f"size{size}-") as (data_dir, env):
        started = time.perf_counter()
        out = run(
            [
                sys.executable,
                "-m",
                "bench.generate",
                "--cases",
                str(size),
                "--seed",
                str(args.seed),
            ],
            env,
            timeout=300 + size * 0.02,
            what=f"bench.generate --cases {size:,}",
        )
        gen_line = next(ln for ln in out.splitlines()[::-1] if ln.startswith("BENCH_GENERATE "))
        result["generate"] = json.loads(gen_line.split(" ", 1)[1])
        # P7 measured as a user waits for it: the whole command, its start and ANALYZE included
        result["generate"]["wall_s"] = round(time.perf_counter() - started, 1)
        log(out.splitlines()[-2])
        manage(env, "collectstatic", "--noinput")
        token = manage(env, "issue_token", "civil1").strip().splitlines()[-1]
        out = run(
            [sys.executable, "-m", "bench.run", "--probe"],
            env | {"BENCH_TOKEN": token} | ({"BENCH_INBOX_USER": inbox} if inbox else {}),
            1800,
            "probe",
        )
        info = json.loads(out.strip().splitlines()[-1])
        result["probe"] = info
        for key, op in info.get("operations", {}).items():
            if op.get("error") or op.get("status") != 200:
                log(f"probe: {key} {op.get('path')} answered {op.get('status') or op.get('error')}")
        paths = make_paths(info)
        logins = page_users(info)
        port = free_port()
        with Server(env, port, data_dir, args.workers, args.threads):
            base = f"http://127.0.0.1:{port}"
            pools = {"api": make_clients(base, args.clients, token=token)}
            for username in logins:
                pools[username] = make_clients(base, args.clients, login=(username, DEMO_PASSWORD))
            if args.cache_url:
                result["warm"] = warm_figures(env)
            keys = ["floor", *(k for k, _l, _kind in OPERATIONS)]
            kinds = {k: kind_user(kind, info) or "api" for k, _l, kind in OPERATIONS}
            kinds["floor"] = "api"
            slots: dict[str, list] = {k: [] for k in keys}
            slot_seconds = args.seconds / args.rounds
            # the operations take turns: each round measures the floor and then every operation
            # for seconds/rounds, so drift on a shared machine touches them all alike
            for n in range(args.rounds):
                for key in keys:
                    res = run_load(
                        base,
                        paths[key],
                        name=key,
                        clients=pools[kinds[key]],
                        seconds=slot_seconds,
                        max_requests=args.max_requests,
                        warmup_seconds=args.warmup if n == 0 else min(args.warmup, 0.5),
                        seed=args.seed + n,
                    )
                    slots[key].append(res)
                    log(
                        f"{size:,} round {n + 1}/{args.rounds} {key:<12} {res.rps:8.1f} req/s  "
                        f"p50 {res.p50_ms:7.1f} ms  p95 {res.p95_ms:7.1f} ms  "
                        f"errors {res.errors}/{res.requests}"
                    )
                    for sample in res.error_samples[:2]:
                        log(f"   error sample: {sample}")
            for pool in pools.values():
                for c in pool:
                    c.close()
            for key in keys:
                merged = merge_results(key, slots[key])
                result["ops"][key] = merged.as_dict()
                result["ops"][key]["rounds_rps"] = [round(r.rps, 1) for r in slots[key]]
        if memory and args.p6_requests:
            try:
                result["memory"] = measure_memory(env, data_dir, args, info, token)
            except (RuntimeError, OSError, ValueError) as exc:
                # P2 at this size stands; the table names P6's failure on its own row
                log(f"P6 FAILED: {exc}")
                result["memory_error"] = failure_line(exc)
    return result


# --- P6: one worker's memory ----------------------------------------------------------------
def rss_kib(pid: int) -> int:
    """A process's resident set (VmRSS of /proc/<pid>/status), in KiB; 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children_of(pid: int) -> list[int]:
    """The live child processes of ``pid`` (gunicorn's workers of its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the fields after the command name, which is in brackets and may hold spaces
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return sorted(found)


def measure_memory(env: dict, data_dir: Path, args, info: dict, token: str) -> dict:
    """P6: gunicorn with one worker (``--threads`` as for P2) serves ``--p6-requests`` requests
    of the P2 operations mixed at random, from ``--clients`` closed-loop clients that each hold
    the token and a session of every page user; the worker's RSS is read every 500 requests."""
    paths = make_paths(info)
    kinds = {k: kind_user(kind, info) or "api" for k, _l, kind in OPERATIONS}
    keys = list(kinds)

    def mixed(rng: random.Random) -> tuple[str, str]:
        key = rng.choice(keys)
        return kinds[key], paths[key](rng)

    port = free_port()
    log(f"P6: {args.p6_requests:,} requests, P2 operations mixed, one gunicorn worker")
    with Server(env, port, data_dir, 1, args.threads) as server:
        master = server.proc.pid
        deadline = time.monotonic() + 30
        while not (workers := children_of(master)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if len(workers) != 1:
            raise RuntimeError(f"P6: gunicorn (pid {master}) has workers {workers}, not one")
        worker = workers[0]
        base = f"http://127.0.0.1:{port}"
        pools = {"api": make_clients(base, args.clients, token=token)}
        for username in page_users(info):
            pools[username] = make_clients(base, args.clients, login=(username, DEMO_PASSWORD))
        warm = warm_figures(env) if args.cache_url else None
        clients = [{kind: pool[i] for kind, pool in pools.items()} for i in range(args.clients)]
        samples = [[0, rss_kib(worker)]]
        done = errors = 0
        statuses: Counter = Counter()
        error_samples: list[str] = []
        restarted = False
        started = time.perf_counter()
        while done < args.p6_requests:
            res = run_load(
                base,
                mixed,
                name="p6",
                clients=clients,
                seconds=HARD_MAX_SECONDS,
                max_requests=min(P6_EVERY, args.p6_requests - done),
                warmup_seconds=0,
                seed=args.seed + done,
            )
            done += res.requests
            errors += res.errors
            statuses.update(res.statuses)
            error_samples += res.error_samples[: 5 - len(error_samples)]
            if children_of(master) != [worker]:
                restarted = True  # the worker died or was replaced: its memory is not the same
                log(f"P6: worker {worker} is gone after {done:,} requests")
                break
            samples.append([done, rss_kib(worker)])
            log(f"P6: {done:,} requests, worker RSS {samples[-1][1] / 1024:,.1f} MiB")
            if not res.requests:
                break
        seconds = time.perf_counter() - started
        for pool in pools.values():
            for c in pool:
                c.close()
    return {
        "requests": done,
        "asked": args.p6_requests,
        "errors": errors,
        "statuses": dict(statuses),
        "error_samples": error_samples,
        "samples": samples,
        "worker_pid": worker,
        "restarted": restarted,
        "seconds": round(seconds, 1),
        "threads": args.threads,
        "clients": args.clients,
        "warm": warm,
    }


def warm_figures(env: dict) -> dict:
    """``manage.py warm_figures`` as its timer runs it where the cache is shared: the dashboard's
    figures counted ahead for the users who just signed in (the page clients)."""
    started = time.perf_counter()
    out = manage(env, "warm_figures", timeout=1800).strip().splitlines()[-1]
    seconds = round(time.perf_counter() - started, 1)
    log(f"warm_figures: {out} ({seconds} s with the command's start)")
    return {"out": out, "seconds": seconds}


# --- the table ------------------------------------------------------------------------------
def fmt_int(n: float) -> str:
    return f"{n:,.0f}"


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return f"{n:,}"


def op_labels(info: dict) -> dict[str, str]:
    """The table's name of each operation; the transfers inbox names the user it was read as."""
    labels = {k: label for k, label, _kind in OPERATIONS}
    if info.get("inbox_user"):
        labels["transfers"] = f"page /transfers/inbox/ ({info['inbox_user']})"
    return labels


def build_rows(results: list[dict]) -> list[list[str]]:
    rows: list[list[str]] = []
    for r in results:
        labels = op_labels(r.get("probe") or {})
        ops = r["ops"]
        floor = ops.get("floor")
        floor_rps = floor["rps"] if floor else 0.0
        if floor:
            per_round = "/".join(f"{x:,.0f}" for x in floor["rounds_rps"])
            rows.append(
                [
                    "P2",
                    "floor: GET /api/v1/me (token)",
                    fmt_int(r["size"]),
                    f"{floor_rps:,.1f} req/s (rounds {per_round}), p50 {floor['p50_ms']:.0f} ms, "
                    f"p95 {floor['p95_ms']:.0f} ms",
                    "1.00",
                    "reference",
                    "-",
                ]
            )
        for key, _label, _kind in OPERATIONS:
            if key not in ops:
                continue
            o = ops[key]
            ratio = o["rps"] / floor_rps if floor_rps else 0.0
            rounds = [
                a / b for a, b in zip(o["rounds_rps"], floor["rounds_rps"], strict=False) if b
            ]
            spread = f" ({min(rounds):.2f}–{max(rounds):.2f})" if len(rounds) > 1 else ""
            verdict = "pass" if ratio >= P2_TARGET else "short"
            if o["errors"]:
                verdict = f"short ({o['errors']} errors)"
            rows.append(
                [
                    "P2",
                    labels[key],
                    fmt_int(r["size"]),
                    f"{o['rps']:,.1f} req/s, p50 {o['p50_ms']:.0f} ms, p95 {o['p95_ms']:.0f} ms"
                    + (f", {o['errors']} errors" if o["errors"] else ""),
                    f"{ratio:.2f}×{spread}",
                    f"≥ {P2_TARGET}× floor",
                    verdict,
                ]
            )
    for name in NOT_BUILT:
        rows.append(
            ["P2", name, "-", "not built yet", "-", f"≥ {P2_TARGET}× floor", "not built yet"]
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        span = f"{size_label(small['size'])}→{size_label(large['size'])}"
        labels = {"floor": "floor: GET /api/v1/me"} | op_labels(large.get("probe") or {})
        for key, label in labels.items():
            if key not in small["ops"] or key not in large["ops"]:
                continue
            a, b = small["ops"][key]["p95_ms"], large["ops"][key]["p95_ms"]
            growth = b / a if a else 0.0
            reaches_1m = large["size"] >= 1_000_000
            if key == "floor":
                verdict = "(control)"
            elif growth <= P3_TARGET:
                verdict = "pass" if reaches_1m else f"pass to {size_label(large['size'])} only"
            else:
                verdict = "short"
            rows.append(
                [
                    "P3",
                    f"p95 growth: {label}",
                    span,
                    f"p95 {a:.0f} → {b:.0f} ms",
                    f"{growth:.2f}×",
                    f"≤ {P3_TARGET:g}× from 10k to 1M",
                    verdict,
                ]
            )
        for name in NOT_BUILT:
            rows.append(
                [
                    "P3",
                    f"p95 growth: {name}",
                    "-",
                    "not built yet",
                    "-",
                    "≤ 2× from 10k to 1M",
                    "not built yet",
                ]
            )
    for r in results:
        p4 = (r.get("probe") or {}).get("p4")
        if not p4:
            continue
        ratio = p4["summary_ms"] / p4["raw_ms"] if p4["raw_ms"] else float("inf")
        rows.append(
            [
                "P4",
                f"stats summary of {p4['year']} (chief: whole procuratorate)",
                fmt_int(r["size"]),
                f"{p4['summary_ms']:.0f} ms for every figure vs {p4['raw_ms']:.0f} ms of raw SQL "
                f"over the same rows ({p4['cases_accepted']:,} cases accepted, "
                f"{p4['claimants']:,} claimants; "
                + (f"DIFFER: {p4['differ']}" if p4["differ"] else "figures agree")
                + ")",
                f"{ratio:.2f}×",
                "≤ 1.5× raw SQL, year over 1M cases",
                ("pass" if ratio <= 1.5 else "short")
                + ("" if r["size"] >= 1_000_000 else f" at {size_label(r['size'])}"),
            ]
        )
    for r in results:
        if r.get("memory"):
            rows.append(p6_row(r["size"], r["memory"]))
        elif r.get("memory_error"):
            rows.append(
                ["P6", "app worker RSS", fmt_int(r["size"]), r["memory_error"], "-", "-", "error"]
            )
    for r in results:
        if r.get("generate"):
            rows.append(p7_row(r["size"], r["generate"]))
    return rows


def p6_figures(memory: dict) -> dict:
    """The worker's RSS at the start, half way and at the end (MiB), and the growth over the
    last half: from the first sample at or past half the requests to the last sample."""
    samples = memory["samples"]
    done = samples[-1][0]
    mid = next((s for s in samples if s[0] >= done / 2), samples[-1])
    end_mb, mid_mb = samples[-1][1] / 1024, mid[1] / 1024
    return {
        "start_mb": samples[0][1] / 1024,
        "mid_at": mid[0],
        "mid_mb": mid_mb,
        "end_mb": end_mb,
        "peak_mb": max(s[1] for s in samples) / 1024,
        "growth": (end_mb - mid_mb) / mid_mb if mid_mb else 0.0,
    }


def p6_verdict(memory: dict) -> str:
    """pass: at most 300 MB after the run and within 5 % over its last half, with every request
    answered by the same worker; a run shorter than 10,000 requests passes for its length only."""
    f = p6_figures(memory)
    if memory.get("restarted"):
        return "short (the worker was replaced)"
    if memory["requests"] < 2 * P6_EVERY:
        return "short (too few requests to judge)"
    problems = []
    if f["end_mb"] > P6_TARGET_MB:
        problems.append(f"RSS over {P6_TARGET_MB:g} MB")
    if f["growth"] > P6_GROWTH:
        problems.append(f"grew {f['growth']:.1%} over the last half")
    if memory["errors"]:
        problems.append(f"{memory['errors']} errors")
    if problems:
        return "short (" + "; ".join(problems) + ")"
    if memory["requests"] < 10_000:
        return f"pass to {fmt_int(memory['requests'])} requests only"
    return "pass"


def p6_row(size: int, memory: dict) -> list[str]:
    f = p6_figures(memory)
    rps = memory["requests"] / memory["seconds"] if memory["seconds"] else 0.0
    return [
        "P6",
        f"app worker RSS after {fmt_int(memory['requests'])} requests "
        f"(1 worker × {memory['threads']} threads, the P2 operations mixed)",
        fmt_int(size),
        f"RSS {f['start_mb']:.0f} MB at start, {f['mid_mb']:.0f} MB at "
        f"{fmt_int(f['mid_at'])}, {f['end_mb']:.0f} MB at the end (peak {f['peak_mb']:.0f}); "
        f"{rps:,.1f} req/s, {memory['errors']} errors",
        f"{f['end_mb'] / P6_TARGET_MB:.2f}× limit; last half {f['growth']:+.1%}",
        f"≤ {P6_TARGET_MB:g} MB after 10,000 requests, last half ≤ +{P6_GROWTH:.0%}",
        p6_verdict(memory),
    ]


def p7_row(size: int, g: dict) -> list[str]:
    """P7: on PostgreSQL at 1M cases or more the measured time of the whole generator command;
    otherwise 1M cases projected from the measured rate."""
    engine = "PostgreSQL" if g.get("database") == "postgresql" else "SQLite"
    method = g.get("method", "?")
    cases_per_s = g.get("cases_per_s") or 0
    minutes = g.get("wall_s", g.get("seconds", 0)) / 60
    figures = (
        f"{g.get('rows_per_s', 0):,.0f} rows/s, {cases_per_s:,.0f} cases/s "
        f"({g.get('rows', 0):,} rows in {g.get('seconds', 0):.0f} s, "
        f"{minutes:.1f} min for the whole command)"
    )
    if engine == "PostgreSQL" and size >= 1_000_000:
        how = f"measured, {engine} {method}"
        ratio = minutes / P7_TARGET_MINUTES
        figures += f"; {size_label(size)} cases loaded in {minutes:.1f} min"
    else:
        projected = 1_000_000 / cases_per_s / 60 if cases_per_s else float("inf")
        how = f"projection, {engine} {method}"
        ratio = projected / P7_TARGET_MINUTES
        figures += f"; 1M cases projected {projected:.0f} min"
    return [
        "P7",
        f"data generator ({method})",
        fmt_int(size),
        figures,
        f"{ratio:.2f}× limit",
        f"1M cases ≤ {P7_TARGET_MINUTES:g} min (PostgreSQL COPY)",
        ("pass" if ratio <= 1 else "short") + f" ({how})",
    ]


# The raw SQL floor of P4: every figure of the summary, hand-written over the same rows (the
# chief's scope is their procuratorate; the bench data holds no shares), one statement of
# single-row derived tables (each table read once) and the grouped count of the cases accepted.
RAW_SUMMARY = """
    SELECT * FROM
      (SELECT COUNT(*) FROM intake_lead
         WHERE organisation_id = %(org)s AND received_on BETWEEN %(start)s AND %(end)s) AS leads,
      (SELECT COUNT(*) FROM cases_case c WHERE c.organisation_id = %(org)s AND c.id IN
         (SELECT case_id FROM cases_approval WHERE kind = 'support_decision'
            AND status = 'approved' AND {decision} = 'support'
            AND decided_at >= %(since)s AND decided_at < %(until)s)) AS supported,
      (SELECT COUNT(*), COUNT(*) FILTER (WHERE {migrant}), SUM(cp.amount_claimed)
         FROM cases_caseparty cp JOIN cases_case c ON c.id = cp.case_id
         WHERE cp.role = 'claimant' AND c.organisation_id = %(org)s
           AND c.opened_on BETWEEN %(start)s AND %(end)s) AS claimants,
      (SELECT SUM(p.amount) FROM cases_payment p JOIN cases_case c ON c.id = p.case_id
         WHERE c.organisation_id = %(org)s AND p.paid_on BETWEEN %(start)s AND %(end)s
           AND NOT EXISTS (SELECT 1 FROM cases_paymentreversal r WHERE r.payment_id = p.id))
         AS recovered,
      (SELECT COUNT(*) FROM cases_mediation m JOIN cases_case c ON c.id = m.case_id
         WHERE c.organisation_id = %(org)s AND m.outcome = 'agreement'
           AND m.held_on BETWEEN %(start)s AND %(end)s) AS mediations,
      (SELECT COUNT(*) FROM transfers_transfer WHERE from_org_id = %(org)s
         AND sent_at >= %(since)s AND sent_at < %(until)s) AS sent,
      (SELECT COUNT(*) FROM transfers_transfer WHERE to_org_id = %(org)s
         AND sent_at >= %(since)s AND sent_at < %(until)s) AS received,
      (SELECT COUNT(*) FROM assistance_assistanceapplication a
         JOIN cases_case c ON c.id = a.case_id
         WHERE c.organisation_id = %(org)s AND a.status = 'paid'
           AND a.paid_on BETWEEN %(start)s AND %(end)s) AS assistance,
      (SELECT COUNT(*) FROM cases_visit v JOIN cases_case c ON c.id = v.case_id
         WHERE c.organisation_id = %(org)s AND v.done_on BETWEEN %(start)s AND %(end)s) AS visits,
      (SELECT COUNT(*) FROM cases_case WHERE organisation_id = %(org)s
         AND closed_on BETWEEN %(start)s AND %(end)s) AS closed
"""
RAW_GROUPS = """
    SELECT stage, category, level, COUNT(*) FROM cases_case
    WHERE organisation_id = %(org)s AND opened_on BETWEEN %(start)s AND %(end)s
    GROUP BY stage, category, level
"""
RAW_KEYS = (
    "leads_received",
    "cases_supported",
    "claimants",
    "migrant_workers",
    "amount_claimed",
    "amount_recovered",
    "mediation_agreements",
    "transfers_sent",
    "transfers_received",
    "assistance_paid",
    "visits_done",
    "cases_closed",
)


def raw_summary(connection, params: dict) -> dict:
    """The P4 floor: the summary's figures by hand-written SQL, in two statements."""
    if connection.vendor == "postgresql":
        sql = RAW_SUMMARY.format(
            decision="payload->>'decision'", migrant="cp.groups @> '[\"migrant_worker\"]'"
        )
    else:
        sql = RAW_SUMMARY.format(
            decision="json_extract(payload, '$.decision')",
            migrant="EXISTS (SELECT 1 FROM json_each(cp.groups) g "
            "WHERE g.value = 'migrant_worker')",
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = dict(zip(RAW_KEYS, cursor.fetchone(), strict=True))
        cursor.execute(RAW_GROUPS, params)
        found["cases_accepted"] = sum(row[3] for row in cursor.fetchall())
    return found


def stats_probe(timed) -> dict:
    """P4: the year's summary for the chief procurator (the whole procuratorate) against the raw
    SQL floor over the same rows (``raw_summary``); the figures must agree."""
    from django.db import connection

    from zhichi.accounts.models import User
    from zhichi.cases.models import Case
    from zhichi.stats.period import Period
    from zhichi.stats.selectors import Scope, summary

    chief = User.objects.get(username="chief")
    last = Case.objects.order_by("-opened_on").values_list("opened_on", flat=True).first()
    if last is None:
        return {}
    year = Period.of("year", last)
    since, until = year.moments()
    params = {
        "org": chief.organisation_id,
        "start": year.start,
        "end": year.end,
        "since": since,
        "until": until,
    }
    # the counting itself, never the figures kept for a while (stats.figcache): P4 measures it
    values = summary.uncached(Scope(chief), year).values
    raw = raw_summary(connection, params)
    differ = {
        key: (values[key], found)
        for key, found in raw.items()
        if Decimal(str(found or 0)).quantize(Decimal("0.01")) != values[key]
    }
    return {
        "year": year.start.year,
        "cases_accepted": values["cases_accepted"],
        "claimants": values["claimants"],
        "differ": {k: [str(a), str(b)] for k, (a, b) in differ.items()},
        "summary_ms": timed(lambda: summary.uncached(Scope(chief), year), repeat=5),
        "raw_ms": timed(lambda: raw_summary(connection, params), repeat=5),
    }


def render_table(rows: list[list[str]]) -> str:
    header = ["id", "what", "size", "figures", "ratio", "target", "result"]
    table = [header, ["-" * len(h) for h in header], *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table
    )


def operation_lines(info: dict) -> list[str]:
    """Each P2 operation's SQL, made once in the probe, and the plans of its slowest SELECTs."""
    ops = info.get("operations") or {}
    if not ops:
        return []
    analyze = (
        "EXPLAIN (ANALYZE, BUFFERS)"
        if "PostgreSQL" in info.get("database", "")
        else ("EXPLAIN QUERY PLAN")
    )
    lines = [
        "Each operation's queries (one request in-process after a warm-up one, as its user; the "
        f"slowest SELECTs with {analyze}, in a read-only transaction rolled back):",
        "",
        "| op | path | status | queries | SQL ms | request ms |",
        "|---|---|---|---|---|---|",
    ]
    for key, op in ops.items():
        if op.get("error"):
            lines.append(f"| {key} | `{op['path']}` | error: {op['error']} | | | |")
            continue
        lines.append(
            f"| {key} | `{op['path']}` | {op['status']} | {op['queries']} | {op['sql_ms']} "
            f"| {op['request_ms']} |"
        )
    lines.append("")
    for key, op in ops.items():
        for n, plan in enumerate(op.get("plans", []), start=1):
            lines += [
                f"- {key} query {n} ({plan['ms']} ms run again alone)",
                "",
                "```sql",
                plan["sql"][:3000],
                "```",
                "",
                "```",
                plan["plan"],
                "```",
                "",
            ]
    return lines


def memory_lines(memory: dict) -> list[str]:
    f = p6_figures(memory)
    lines = [
        "### P6: one worker's memory",
        "",
        f"- gunicorn -w 1 --threads {memory['threads']}, {memory['clients']} closed-loop clients "
        "each with the token and a session of every page user, the P2 operations drawn at random; "
        f"{memory['requests']:,} of {memory['asked']:,} requests in {memory['seconds']:.0f} s; "
        f"worker pid {memory['worker_pid']}"
        + (" (replaced during the run)" if memory["restarted"] else ""),
        f"- status codes: {json.dumps(memory['statuses'])}; growth over the last half "
        f"({f['mid_at']:,} → {memory['samples'][-1][0]:,} requests): {f['growth']:+.2%}",
        "- VmRSS every 500 requests (requests: MiB): "
        + ", ".join(f"{n:,}: {kib / 1024:.1f}" for n, kib in memory["samples"]),
    ]
    if memory.get("warm"):
        lines.append(f"- before the requests, `manage.py warm_figures`: {memory['warm']['out']}")
    lines += [f"- error: `{sample[:300]}`" for sample in memory.get("error_samples", [])]
    return [*lines, ""]


def write_report(
    results: list[dict],
    table: str,
    meta: dict,
    p1: dict | None = None,
    p5: dict | None = None,
) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Zhichi bench — {meta['date']}",
        "",
        f"- machine: {meta['machine']['nproc']} CPUs ({meta['machine']['cpu']}), "
        f"{meta['machine']['ram_gib']} GiB RAM, {meta['machine']['os']}, "
        f"Python {meta['machine']['python']}",
        f"- database: {meta['database']}",
        f"- sizes: {', '.join(fmt_int(s) for s in meta['sizes'])} cases",
        f"- load: {meta['clients']} closed-loop clients × {meta['seconds']:g} s per operation "
        f"(after a warm-up of {meta['warmup']:g} s in the first round, 0.5 s later), one keep-alive "
        "connection each, on the same machine as "
        f"gunicorn -w {meta['workers']} --threads {meta['threads']} (ZHICHI_DEBUG=0); cache: "
        f"{meta.get('cache', '?')}",
        f"- ratio: operation req/s ÷ floor req/s, same server, same run; the operations take "
        f"turns in {meta['rounds']} rounds of {meta['seconds'] / meta['rounds']:g} s (the floor first "
        "in each), and the ratio column shows the lowest and highest per-round ratio in "
        "brackets; P3 compares p95 at the smallest and largest size",
        f"- command: `{meta['command']}`; total {meta['elapsed_min']:.1f} min",
        f"- load average (1, 5, 15 min) at the start {meta['load_start']}, at the end "
        f"{meta['load_end']}",
        "",
        "```",
        table,
        "```",
        "",
    ]
    for r in results:
        p = r.get("probe", {})
        g = r.get("generate", {})
        lines += [
            f"## {fmt_int(r['size'])} cases",
            "",
            f"- rows: {json.dumps(g.get('tables', {}))}; {g.get('people', 0):,} people, "
            f"{g.get('employers', 0):,} employers; database {p.get('db_bytes', 0) / 2**20:,.0f} MiB",
            f"- 2-char terms (first 5 match {p.get('matches2')} cases): {' '.join(p.get('two', []))}",
            f"- 3-char terms (first 5 match {p.get('matches3')} cases): {' '.join(p.get('three', []))}",
            f"- single-query times, one client, median of 5 (ms): {json.dumps(p.get('sql_ms', {}), ensure_ascii=False)}",
            f"- transfers inbox read as {p.get('inbox_user', '?')} (inbox sizes: "
            f"{json.dumps(p.get('inbox_counts', {}))})",
            *(
                [f"- before P2, `manage.py warm_figures`: {r['warm']['out']}"]
                if r.get("warm")
                else []
            ),
            "",
            "| op | req/s | req/s per round | p50 ms | p95 ms | p99 ms | requests | errors |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for key, o in r["ops"].items():
            lines.append(
                f"| {key} | {o['rps']:.1f} | {' / '.join(str(x) for x in o.get('rounds_rps', []))} "
                f"| {o['p50_ms']:.1f} | {o['p95_ms']:.1f} | "
                f"{o['p99_ms']:.1f} | {o['requests']} | {o['errors']} |"
            )
        for key, o in r["ops"].items():
            for sample in o.get("error_samples", []):
                lines.append(f"- error in {key}: `{sample[:300]}`")
        lines += ["", "Query plans:", ""]
        for name, text in p.get("plans", {}).items():
            lines += [f"- {name}", "", "```", text, "```", ""]
        lines += operation_lines(p)
        if r.get("memory"):
            lines += memory_lines(r["memory"])
    if p1:
        lines += bench_p1.report_lines(p1)
    if p5:
        lines += [
            "## Documents (P5)",
            "",
            f"- {p5['database']}; single renders (s): DOCX "
            + ", ".join(f"{x:.3f}" for x in p5["docx_runs_s"])
            + "; PDF "
            + ", ".join(f"{x:.3f}" for x in p5["pdf_runs_s"])
            + "; the details are in bench/results/documents.md",
            "",
        ]
    path = RESULTS / "latest.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --- P5 ------------------------------------------------------------------------------------
def measure_documents(args, secrets_: dict, work_root: Path) -> dict:
    """P5 (bench/documents.py) on a fresh database of its own, on the run's engine."""
    from bench import documents

    with fresh_database(args, secrets_, work_root, "p5-") as (_data_dir, env):
        cmd = [sys.executable, "-m", "bench.documents", "--measure"]
        cmd += ["--count", str(args.p5_count), "--repeat", str(args.p5_repeat)]
        out = run(cmd, env, timeout=600 + 30 * args.p5_count, what="documents measure")
    line = next(ln for ln in out.splitlines()[::-1] if ln.startswith(documents.MARKER))
    return json.loads(line[len(documents.MARKER) :])


def failure_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else repr(exc))[:300]


# --- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated case counts")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0, help="per operation (≤ 600)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the operations take turns in this many rounds of seconds/rounds each",
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per operation")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument(
        "--database-url",
        help=f"postgres://postgres@127.0.0.1/{PG_DATABASE} to run on PostgreSQL (dropped and "
        "recreated per size); default SQLite in a temporary data dir",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    parser.add_argument(
        "--cache-url",
        default="",
        help="ZHICHI_CACHE_URL for the servers (redis://127.0.0.1:6379/15: flushed per size), "
        "as a province runs them; manage.py warm_figures then counts the figures ahead before "
        "P2 and P6. Default: each process's own memory, as one machine runs",
    )
    bench_p1.add_arguments(parser)
    parser.add_argument(
        "--p5-count", type=int, default=100, help="P5: documents in the batch (0 skips P5)"
    )
    parser.add_argument("--p5-repeat", type=int, default=5, help="P5: timed single renders")
    parser.add_argument(
        "--p6-requests",
        type=int,
        default=10_000,
        help="P6: requests to one gunicorn worker at the largest size (0 skips P6)",
    )
    parser.add_argument(
        "--p1-only", action="store_true", help="only P1 (make bench-import); --sizes is ignored"
    )
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.probe:  # inside the bench environment: print what the load needs, as JSON
        print(json.dumps(probe(), ensure_ascii=False))
        return 0

    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    if not sizes or min(sizes) < 100:
        parser.error("--sizes needs case counts of at least 100")
    if not 1 <= args.clients <= 500:
        parser.error("--clients must be 1-500")
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be 1-600")
    if not 1 <= args.rounds <= 20 or args.seconds / args.rounds < 1:
        parser.error("--rounds must be 1-20, with at least 1 s per round")
    if args.p1_rows < 0:
        parser.error("--p1-rows must be 0 (skip P1) or more")
    if not 1 <= args.p1_rounds <= 10:
        parser.error("--p1-rounds must be 1-10")
    if not 0 <= args.p5_count <= 1000 or not 1 <= args.p5_repeat <= 50:
        parser.error("--p5-count must be 0-1000 and --p5-repeat 1-50")
    if not 0 <= args.p6_requests <= 1_000_000:
        parser.error("--p6-requests must be 0 (skip P6) to 1,000,000")
    if args.database_url:
        pg_parts(args.database_url)  # refuse anything but 127.0.0.1 before starting

    bench_secrets = new_bench_secrets()
    started = time.perf_counter()
    work_root = Path(tempfile.mkdtemp(prefix="zhichi-bench-"))
    results: list[dict] = []
    # a SIGTERM ends the run through the finally blocks, so gunicorn is stopped too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failures: list[str] = []
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.p1_only:
        try:
            return bench_p1.run_only(args, bench_secrets, work_root, log, started, command)
        finally:
            if not args.keep:
                shutil.rmtree(work_root, ignore_errors=True)
    p1: dict | None = None
    p5: dict | None = None
    load_start = loadavg()
    try:
        for size in sizes:
            log(f"=== {size:,} cases ===")
            try:
                memory = size == sizes[-1]  # P6 at the largest size
                # the transfers inbox of the user chosen at the first size, at every size
                inbox = results[0].get("probe", {}).get("inbox_user") if results else None
                results.append(
                    measure_size(size, args, bench_secrets, work_root, memory=memory, inbox=inbox)
                )
            except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as exc:
                # report what was measured; a broken size is named in the table, not hidden
                log(f"{size:,} cases FAILED: {exc}")
                lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
                why = lines[0] if len(lines) < 2 else f"{lines[0]} … {lines[-1]}"
                failures.append(f"{size:,} cases: {why[:300]}")
        if args.p1_rows:  # P1 once, at its own size (QUALITY.md P1: 100,000 rows)
            log(f"=== P1: bulk import of {args.p1_rows:,} rows ===")
            try:
                p1 = bench_p1.measure(args, bench_secrets, work_root, log)
            except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as exc:
                log(f"P1 FAILED: {exc}")
                failures.append(f"P1: {failure_line(exc)}")
        if args.p5_count:
            log(f"=== P5: documents, a batch of {args.p5_count} ===")
            try:
                p5 = measure_documents(args, bench_secrets, work_root)
            except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as exc:
                log(f"P5 FAILED: {exc}")
                failures.append(f"P5: {failure_line(exc)}")
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    from bench import documents  # it imports this module: not at the top

    rows = build_rows(results)
    if p1:
        rows += bench_p1.table_rows(p1)
    if p5:
        rows += documents.build_rows(p5)
    for failure in failures:
        rows.append(["-", "run failed", "-", failure, "-", "-", "error"])
    table = render_table(rows)
    probe0 = results[0].get("probe", {}) if results else {}
    meta = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "database": probe0.get("database", "?"),
        "sizes": sizes,
        "clients": args.clients,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "workers": args.workers,
        "threads": args.threads,
        "cache": args.cache_url or "each process's own memory",
        "command": command,
        "elapsed_min": (time.perf_counter() - started) / 60,
        "load_start": load_start,
        "load_end": loadavg(),
    }
    path = write_report(results, table, meta, p1, p5)
    if p1:  # and P1 alone in import.md, as make bench-import writes it
        bench_p1.write_report(p1, render_table(bench_p1.table_rows(p1)), meta)
    if p5:  # and P5 with its details in documents.md, as python -m bench.documents writes it
        documents.write_report(p5, documents.render_table(documents.build_rows(p5)), meta)
    print()
    print(
        f"Zhichi bench {meta['date']} · {meta['machine']['nproc']} CPUs, "
        f"{meta['machine']['ram_gib']} GiB RAM · {meta['database']} · sizes "
        f"{', '.join(fmt_int(s) for s in sizes)} · {args.clients} clients × {args.seconds:g} s "
        f"per operation in {args.rounds} rounds · load average {meta['load_start']} at the "
        f"start, {meta['load_end']} at the end"
    )
    print(table)
    print(f"\n(written to {path.relative_to(ROOT)}; {meta['elapsed_min']:.1f} min)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
