"""`make run` serves the demo without debug (issue 13, item 7).

Before: `make run` served Django's debug server, so a partner opening another organisation's case
got the yellow English 404 listing every URL pattern, and a server error dumped the settings. The
integration test below starts the command line `make run` runs (read from `make -n`) on a free
port and a temporary data dir, as its own process tree, and looks at it from outside over HTTP.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest
import requests

from zhichi import localrun

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "zhichi-demo"
STARTUP_SECONDS = 600  # migrate, collectstatic and seed_demo on a fresh database, on a busy machine
# What Django's debug pages show and our pages never do
DEBUG_MARKERS = (
    "URLconf",
    "DEBUG = True",
    "URL patterns",
    "Traceback",
    "SECRET_KEY",
    "DATABASES",
    "ZHICHI_",
    "OperationalError",
    "no such table",
)


def make_lines(target: str, **variables: str) -> list[str]:
    """The command lines `make TARGET` runs (the install step included when it is due)."""
    assigned = [f"{name}={value}" for name, value in variables.items()]
    proc = subprocess.run(
        ["make", "-n", "-s", "--no-print-directory", target, *assigned],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.splitlines()


# --- the environment and the keys -----------------------------------------------------------------


@pytest.mark.unit
def test_local_environment_runs_without_debug_on_loopback_with_plain_http_cookies(tmp_path):
    env = localrun.local_environment(
        {
            "PATH": "/usr/bin",
            "ZHICHI_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/someone_elses",
            "ZHICHI_AUDIT_JOURNAL": "/elsewhere/journal.log",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "ZHICHI_DEBUG": "1",
        },
        tmp_path / "data",
    )

    assert env["ZHICHI_DEBUG"] == "0"
    assert env["DJANGO_SETTINGS_MODULE"] == "zhichi.settings"
    assert env["ZHICHI_ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert env["ZHICHI_SECURE_COOKIES"] == "0"
    assert env["ZHICHI_DATA_DIR"] == str(tmp_path / "data")
    # its own SQLite database and audit journal in the data dir, never one named by the shell
    assert "ZHICHI_DATABASE_URL" not in env
    assert "ZHICHI_AUDIT_JOURNAL" not in env
    assert env["PATH"] == "/usr/bin"


@pytest.mark.unit
def test_local_keys_are_made_once_kept_in_the_data_dir_and_private(tmp_path):
    data_dir = tmp_path / "data"

    first = localrun.local_environment({}, data_dir)
    second = localrun.local_environment({}, data_dir)

    names = ("ZHICHI_SECRET_KEY", "ZHICHI_ENCRYPTION_KEY", "ZHICHI_AUDIT_KEY")
    assert [first[n] for n in names] == [second[n] for n in names]
    assert len({first[n] for n in names}) == 3  # three different keys
    for filename, name in zip(("secret_key", "encryption_key", "audit_key"), names, strict=True):
        path = data_dir / filename
        assert path.read_text(encoding="ascii") == first[name]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


@pytest.mark.unit
def test_a_key_file_readable_by_others_is_made_private(tmp_path):
    localrun.local_environment({}, tmp_path)
    (tmp_path / "encryption_key").chmod(0o644)

    localrun.local_environment({}, tmp_path)

    assert stat.S_IMODE((tmp_path / "encryption_key").stat().st_mode) == 0o600


@pytest.mark.unit
def test_make_run_runs_the_local_script_and_make_dev_the_debug_server():
    run = [line for line in make_lines("run", RUN_ARGS="--port 8123") if "localrun" in line]
    dev = make_lines("dev")

    assert run == [".venv/bin/python -m zhichi.localrun --port 8123"]
    assert any(line.endswith("manage.py runserver 127.0.0.1:8000") for line in dev)
    assert all("ZHICHI_DEBUG=1" in line for line in dev if "manage.py" in line)


@pytest.mark.unit
def test_seed_demo_is_forced_and_the_server_is_gunicorn_on_loopback():
    seed = next(c for c in localrun.setup_commands(5) if "seed_demo" in c)
    server = localrun.server_command(8123, 2)

    assert seed[2:] == ["seed_demo", "--force", "--leads", "5"]
    # an import a stopped run left half-done goes on before the workers start (rule R9)
    assert localrun.setup_commands(5)[-1][2:] == ["resume_imports", "--stopped"]
    assert server[1:4] == ["-m", "gunicorn", "zhichi.wsgi:application"]
    assert server[server.index("--bind") + 1] == "127.0.0.1:8123"


# --- the real thing -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(cmdline)
    return found


class Served:
    def __init__(self, base: str, data_dir: Path, process: subprocess.Popen, log: Path):
        self.base, self.data_dir, self.process, self.log = base, data_dir, process, log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-6000:]

    def sign_in(self, username: str) -> requests.Session:
        session = requests.Session()
        page = session.get(f"{self.base}/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = session.post(
            f"{self.base}/login/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/login/"},
            allow_redirects=False,
            timeout=30,
        )
        assert (answer.status_code, answer.headers.get("Location")) == (302, "/"), username
        return session


def _start(tmp_path: Path) -> Served:
    port = _free_port()
    data_dir = tmp_path / "data"
    log = tmp_path / "make-run.log"
    # the line make runs; a few leads keep seed_demo quick
    (line,) = [
        line
        for line in make_lines("run", RUN_ARGS=f"--port {port} --data-dir {data_dir} --leads 8")
        if "localrun" in line
    ]
    # a fresh shell's environment: nothing of the test settings
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("ZHICHI_") and name != "DJANGO_SETTINGS_MODULE"
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            shlex.split(line),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", data_dir, process, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while "Zhichi is serving on" not in served.output():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"make run did not start:\n{served.output()}")
        time.sleep(1)
    return served


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the script stops its server and worker
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # anything left of the group this test started


def _assert_no_debug_details(html: str) -> None:
    assert [marker for marker in DEBUG_MARKERS if marker in html] == []


def _check_static_files_come_from_whitenoise(served: Served) -> None:
    login = requests.get(f"{served.base}/login/", timeout=30)
    href = re.search(r'href="(/static/css/zhichi\.[0-9a-f]{12}\.css)"', login.text)
    assert href, "the stylesheet is not linked by its hashed (manifest) name"
    css = requests.get(served.base + href.group(1), timeout=30)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    # WhiteNoise's answer for a hashed file: cached for good
    assert "immutable" in css.headers["Cache-Control"]
    assert ".zc-topbar" in css.text


def _check_unknown_page(served: Served) -> None:
    chinese = requests.get(
        f"{served.base}/no-such-page/", headers={"Accept-Language": "zh-CN"}, timeout=30
    )
    english = requests.get(
        f"{served.base}/no-such-page/", headers={"Accept-Language": "en"}, timeout=30
    )

    assert (chinese.status_code, english.status_code) == (404, 404)
    assert "找不到该页面" in chinese.text
    assert "This page could not be found" in english.text
    _assert_no_debug_details(chinese.text)
    _assert_no_debug_details(english.text)


def _check_partner_opening_another_organisations_case(served: Served) -> None:
    partner = served.sign_in("hrss1")
    officer = served.sign_in("civil1")
    with sqlite3.connect(served.data_dir / "zhichi.sqlite3") as db:
        case_ids = [row[0] for row in db.execute("SELECT id FROM cases_case ORDER BY id")]
    hidden = [
        pk
        for pk in case_ids
        if partner.get(f"{served.base}/cases/{pk}/", timeout=30).status_code == 404
    ]
    assert hidden, "every demo case is visible to the labour bureau"
    url = f"{served.base}/cases/{hidden[0]}/"

    assert officer.get(url, timeout=30).status_code == 200  # it exists
    chinese = partner.get(url, headers={"Accept-Language": "zh-CN"}, timeout=30)
    english = partner.get(url, headers={"Accept-Language": "en"}, timeout=30)
    assert (chinese.status_code, english.status_code) == (404, 404)
    assert "找不到该页面" in chinese.text
    assert "This page could not be found" in english.text
    _assert_no_debug_details(chinese.text)
    _assert_no_debug_details(english.text)


def _check_forbidden_page(served: Served) -> None:
    partner = served.sign_in("wf1")
    url = f"{served.base}/security/users/"  # the security administrator's page
    chinese = partner.get(url, headers={"Accept-Language": "zh-CN"}, timeout=30)
    english = partner.get(url, headers={"Accept-Language": "en"}, timeout=30)

    assert (chinese.status_code, english.status_code) == (403, 403)
    assert "您无权查看此页面" in chinese.text
    assert "You do not have permission to view this page" in english.text
    _assert_no_debug_details(chinese.text)
    _assert_no_debug_details(english.text)


def _check_server_error(served: Served) -> None:
    """A real fault under the running server: the session table disappears, so loading a
    signed-in session fails inside Django and handler500 answers."""
    session = served.sign_in("hrss1")
    database = served.data_dir / "zhichi.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("ALTER TABLE django_session RENAME TO django_session_away")
    try:
        chinese = session.get(f"{served.base}/cases/", headers={"Accept-Language": "zh-CN"})
        english = session.get(f"{served.base}/cases/", headers={"Accept-Language": "en"})
    finally:
        with sqlite3.connect(database) as db:
            db.execute("ALTER TABLE django_session_away RENAME TO django_session")

    assert (chinese.status_code, english.status_code) == (500, 500)
    assert "系统出现错误" in chinese.text
    assert "Something went wrong on our side" in english.text
    _assert_no_debug_details(chinese.text)
    _assert_no_debug_details(english.text)
    # the details go to the server's log, for the operator
    assert "no such table: django_session" in served.output()


@pytest.mark.integration
def test_make_run_serves_the_demo_without_debug_pages(tmp_path):
    served = _start(tmp_path)
    try:
        # the background worker runs beside the server, as before
        children = _children(served.process.pid)
        assert any("manage.py db_worker" in c for c in children), children
        assert any("gunicorn zhichi.wsgi:application" in c for c in children), children
        assert "Demo logins (password for all: zhichi-demo)" in served.output()
        for filename in ("secret_key", "encryption_key", "audit_key"):
            assert stat.S_IMODE((served.data_dir / filename).stat().st_mode) == 0o600

        _check_static_files_come_from_whitenoise(served)
        _check_unknown_page(served)
        _check_partner_opening_another_organisations_case(served)
        _check_forbidden_page(served)
        _check_server_error(served)
    finally:
        _stop(served.process)
    assert served.process.returncode == 0, served.output()
