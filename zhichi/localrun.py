"""``make run``: the whole local set-up in one command, served the way a deployment serves it.

Issue 13, item 7: the demo runs without debug, so what a user meets is what a real deployment
shows: our own 403, 404 and 500 pages in the reader's language (never Django's debug pages, which
list every URL pattern and dump the settings) and static files served by WhiteNoise from the
collected, hashed manifest.

Without debug the settings need real keys. This script makes them once in its data dir (files of
mode 0600 named as the debug settings name theirs, so ``make dev`` and ``make run`` read the same
database) and passes them in the environment; they are never in the repository (``var/`` is
ignored). It imports nothing of Django: the keys must exist before the settings are read.

Each step is the command a deployment runs: ``migrate``, ``collectstatic``, ``seed_demo``, then
``db_worker`` and gunicorn side by side until Ctrl+C (or SIGTERM) stops both.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from zhichi.common.envconf import development_secret, new_fernet_key, new_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = BASE_DIR / "manage.py"
# Loopback only: the demo accounts share a published password, so nobody else on the network may
# reach this server.
HOST = "127.0.0.1"
ALLOWED_HOSTS = "127.0.0.1,localhost"
# (variable, file in the data dir, maker): the same files settings.py keeps with ZHICHI_DEBUG=1
KEYS = (
    ("ZHICHI_SECRET_KEY", "secret_key", new_secret_key),
    ("ZHICHI_ENCRYPTION_KEY", "encryption_key", new_fernet_key),
    ("ZHICHI_AUDIT_KEY", "audit_key", new_fernet_key),
)
# Bound to the data this script keeps: its own SQLite file and audit journal, whatever the shell
# says (a ZHICHI_DATABASE_URL exported for the PostgreSQL tests must not receive the demo).
NOT_INHERITED = ("ZHICHI_DATABASE_URL", "ZHICHI_AUDIT_JOURNAL", "DJANGO_SETTINGS_MODULE")
STOP_SECONDS = 15


def default_data_dir() -> Path:
    raw = os.environ.get("ZHICHI_DATA_DIR", "").strip()
    return Path(raw).expanduser().resolve() if raw else BASE_DIR / "var"


def local_keys(data_dir: Path) -> dict[str, str]:
    """The local keys, made on the first run and kept in the data dir, readable by the owner only."""
    if not data_dir.exists():
        data_dir.mkdir(mode=0o700, parents=True)
    keys = {}
    for variable, filename, maker in KEYS:
        keys[variable] = development_secret(data_dir, filename, maker)
        path = data_dir / filename
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o600)  # a copy made with a looser mode is tightened, not trusted as is
    return keys


def local_environment(base: Mapping[str, str], data_dir: Path) -> dict[str, str]:
    """The environment of every process ``make run`` starts."""
    env = {name: value for name, value in base.items() if name not in NOT_INHERITED}
    env.update(local_keys(data_dir))
    env.update(
        DJANGO_SETTINGS_MODULE="zhichi.settings",
        ZHICHI_DEBUG="0",
        ZHICHI_DATA_DIR=str(data_dir),
        ZHICHI_ALLOWED_HOSTS=ALLOWED_HOSTS,
        # plain http on the loopback address: a Secure cookie would never be sent back, so no
        # one could sign in. Only this local target turns it off; deployments keep the default.
        ZHICHI_SECURE_COOKIES="0",
        ZHICHI_SSL_REDIRECT="0",
        # the demo accounts sign in with their documented password and no second factor; the
        # settings allow it only on the loopback address this target serves (rule R6)
        ZHICHI_DEMO="1",
        PYTHONUNBUFFERED="1",  # the steps' output in the order it happened
    )
    return env


def setup_commands(leads: int | None) -> list[list[str]]:
    seed = [sys.executable, str(MANAGE), "seed_demo", "--force"]
    if leads is not None:
        seed += ["--leads", str(leads)]
    return [
        [sys.executable, str(MANAGE), "migrate", "--no-input"],
        # the manifest storage serves hashed names; collected afresh so a changed stylesheet is
        # never served from an old copy
        [sys.executable, str(MANAGE), "collectstatic", "--no-input", "--clear", "--verbosity", "0"],
        # --force on purpose: seed_demo refuses to run without debug because its accounts share
        # the published password "zhichi-demo". Showing those accounts is what this target is
        # for; it serves on the loopback address only, from its own data dir, and no deployment
        # runs this script. The refusal still protects every other configuration.
        seed,
        # an import the last run left half-done (its worker stopped with it) goes on (rule R9)
        [sys.executable, str(MANAGE), "resume_imports", "--stopped"],
    ]


def server_command(port: int, workers: int) -> list[str]:
    # gunicorn, not `runserver --insecure`: it is what deployments run (docs/deployment.md), so
    # the demo goes through the same path — WhiteNoise serving the collected manifest (runserver
    # would answer /static/ from the source tree with its own handler, in front of WhiteNoise,
    # and hide a missing or broken manifest), no autoreloader, no development-only behaviour.
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "zhichi.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "-",
        # no control socket: it lives at one path in the home directory, which a second
        # instance (another port, a test) would fight over
        "--no-control-socket",
    ]


def worker_command() -> list[str]:
    return [sys.executable, str(MANAGE), "db_worker"]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _terminated(signum, frame):
    # SIGTERM (a service manager, a test) or a closed terminal stops Zhichi as Ctrl+C does
    raise KeyboardInterrupt


def serve(env: dict[str, str], *, port: int, workers: int, data_dir: Path) -> int:
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    processes: list[subprocess.Popen] = []
    try:
        # S603: fixed argument lists of this interpreter, no shell, nothing from outside
        processes.append(subprocess.Popen(worker_command(), env=env, cwd=BASE_DIR))  # noqa: S603
        server = subprocess.Popen(server_command(port, workers), env=env, cwd=BASE_DIR)  # noqa: S603
        processes.append(server)
        while not _answers(port):
            if server.poll() is not None:
                print(f"The server stopped before it answered (exit {server.returncode}).")
                return server.returncode or 1
            time.sleep(0.2)
        print(
            f"\nZhichi is serving on http://{HOST}:{port} without debug, as a deployment does "
            "(Ctrl+C to stop); a background worker runs beside it.\n"
            "Sign in with a demo login above (password zhichi-demo). "
            f"Local keys and data: {data_dir}",
            flush=True,
        )
        while True:
            for process in processes:
                if process.poll() is not None:
                    what = "server" if process is server else "background worker"
                    print(f"The {what} stopped (exit {process.returncode}); stopping Zhichi.")
                    return process.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(processes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make run",
        description="Set up and serve the Zhichi demo without debug, on the loopback address.",
    )
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (8000)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="database, keys and files (ZHICHI_DATA_DIR, or var/ in the project)",
    )
    parser.add_argument(
        "--leads", type=int, default=None, help="leads seed_demo generates on a fresh database"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2)")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.expanduser().resolve() if args.data_dir else default_data_dir()

    env = local_environment(os.environ, data_dir)
    for command in setup_commands(args.leads):
        step = subprocess.run(command, env=env, cwd=BASE_DIR, check=False)  # noqa: S603
        if step.returncode:
            print(f"make run stopped: `manage.py {command[2]}` failed.", file=sys.stderr)
            return step.returncode
    return serve(env, port=args.port, workers=args.workers, data_dir=data_dir)


if __name__ == "__main__":
    sys.exit(main())
