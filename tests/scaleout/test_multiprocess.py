"""Zhichi on many machines (issue 19 item 4), on this one: two gunicorn app servers, two RQ task
workers, Redis and an S3-compatible object store (moto's server), all against the PostgreSQL
test database, each a process of its own, as a load balancer would spread them over machines.

- a session made by signing in on one app server works on the other (the sessions are in the
  database, not in a process);
- a file uploaded through one app server is downloaded through the other, byte for byte, and it
  lies in the bucket (sealed, rule R4), not on the app server's disk; so does a file made in the
  background (a list's Excel file, built by a task worker);
- tasks queued once are each run exactly once by the two workers together, and both take part.

PostgreSQL only: the deployment this stands for has one; on SQLite the test is skipped. Redis
(``redis-server``) must be installed (.ci/run installs it); the test starts its own, on a free
port, and its own S3 server, and stops every process it started.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
import requests
from django.conf import settings
from django.db import connection
from redis import Redis
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry

from tests.conftest import PASSWORD
from tests.evidence.samples import PDF
from tests.scaleout import jobs
from tests.transfers.conftest import wage_case
from zhichi.documents.models import PENDING_EXPORT, ExportStatus
from zhichi.evidence.models import Attachment
from zhichi.evidence.storage import SealedStorage, build_storage
from zhichi.stats.models import ListExport

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.integration,
    # the app servers and workers run on the real clock
    pytest.mark.real_clock,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the scale-out test runs on PostgreSQL (make test-postgres), the database of a "
        "deployment on many machines",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
BUCKET = "zhichi-scaleout"
S3_KEYS = {"ZHICHI_S3_ACCESS_KEY": "scaleout", "ZHICHI_S3_SECRET_KEY": "scaleout-secret"}
TASKS = 40
START_SECONDS = 40  # Django's start in four processes at once, on a busy two-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Processes:
    """The processes the test starts, each in a process group of its own, and their logs."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def wait_for_port(self, name: str, port: int) -> None:
        process = dict(self.started)[name]
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{name} stopped:\n{self.log(name)}"
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                return
            time.sleep(0.2)
        pytest.fail(f"{name} did not answer on port {port}:\n{self.log(name)}")

    def stop(self) -> None:
        for _name, process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def database_url() -> str:
    """The test database's address, for the processes the test starts."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def services(processes, tmp_path):
    """Redis and the S3 server, each on a free port; the environment of the app servers."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server; .ci/run does)")
    redis_port, s3_port = free_port(), free_port()
    processes.start(
        "redis",
        [
            redis_server,
            "--bind",
            HOST,
            "--port",
            str(redis_port),
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
    )
    processes.start("s3", [str(BIN / "moto_server"), "-H", HOST, "-p", str(s3_port)])
    processes.wait_for_port("redis", redis_port)
    processes.wait_for_port("s3", s3_port)
    endpoint = f"http://{HOST}:{s3_port}"
    bucket = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEYS["ZHICHI_S3_ACCESS_KEY"],
        aws_secret_access_key=S3_KEYS["ZHICHI_S3_SECRET_KEY"],
        region_name="us-east-1",
    )
    bucket.create_bucket(Bucket=BUCKET)
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.scaleout.app_settings",
        "ZHICHI_DATABASE_URL": database_url(),
        "ZHICHI_DATA_DIR": str(data_dir),
        "ZHICHI_SECURE_COOKIES": "0",
        "ZHICHI_TASKS_BACKEND": "rq",
        "ZHICHI_REDIS_URL": f"redis://{HOST}:{redis_port}/0",
        "ZHICHI_EVIDENCE_STORAGE": "s3",
        "ZHICHI_S3_BUCKET": BUCKET,
        "ZHICHI_S3_ENDPOINT_URL": endpoint,
        "ZHICHI_S3_REGION": "us-east-1",
        **S3_KEYS,
        "ZHICHI_EXPORT_SYNC_ROWS": "1",
    }
    return {"env": env, "bucket": bucket, "data_dir": data_dir}


def start_app_servers(processes: Processes, env: dict) -> list[str]:
    ports = [free_port(), free_port()]
    for number, port in enumerate(ports, 1):
        processes.start(
            f"app{number}",
            [
                str(BIN / "gunicorn"),
                "zhichi.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "1",
                "--no-control-socket",
            ],
            env,
        )
    return [f"http://{HOST}:{port}" for port in ports]


def start_workers(processes: Processes, env: dict) -> None:
    for name in ("worker1", "worker2"):
        processes.start(
            name,
            [sys.executable, "manage.py", "rqworker", "--with-scheduler", "default"],
            {**env, "ZHICHI_TEST_WORKER": name},
        )


def test_two_app_servers_and_two_workers_share_sessions_files_and_tasks(
    processes, services, users, settings
):
    env = services["env"]
    case = wage_case(users, consent=True, seq="81")
    wage_case(users, consent=True, seq="82")  # two rows: the list's export is built by a worker
    one, two = start_app_servers(processes, env)
    start_workers(processes, env)
    for name, url in (("app1", one), ("app2", two)):
        processes.wait_for_port(name, int(url.rsplit(":", 1)[1]))

    # (a) signed in on one app server, known on the other
    browser = requests.Session()
    browser.get(f"{one}/login/", timeout=30).raise_for_status()
    signed_in = browser.post(
        f"{one}/login/",
        data={
            "username": "civil1",
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert "sessionid" in browser.cookies
    on_two = browser.get(f"{two}/cases/", allow_redirects=False, timeout=30)
    assert on_two.status_code == 200, processes.log("app2")
    assert case.number in on_two.text
    stranger = requests.get(f"{two}/cases/", allow_redirects=False, timeout=30)
    assert stranger.status_code == 302 and "/login/" in stranger.headers["Location"]

    # (b) uploaded through one, downloaded through the other, kept in the bucket
    uploaded = browser.post(
        f"{one}/attachments/case/{case.pk}/upload/",
        data={
            "kind": "contract",
            "description": "劳动合同",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        files={"file": ("合同.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert uploaded.status_code == 302, uploaded.text[:2000]
    attachment = Attachment.objects.get(case=case)
    downloaded = browser.get(f"{two}/attachments/{attachment.pk}/download/", timeout=30)
    assert downloaded.status_code == 200, processes.log("app2")
    assert downloaded.content == PDF
    key = f"evidence/{attachment.storage_name}"
    stored = services["bucket"].get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored != PDF and PDF not in stored  # sealed at rest (rule R4)
    in_bucket = SealedStorage(
        build_storage(
            {
                "backend": "s3",
                "s3": {
                    "bucket": BUCKET,
                    "endpoint_url": services["env"]["ZHICHI_S3_ENDPOINT_URL"],
                    "access_key": S3_KEYS["ZHICHI_S3_ACCESS_KEY"],
                    "secret_key": S3_KEYS["ZHICHI_S3_SECRET_KEY"],
                    "region": "us-east-1",
                },
            }
        )
    )
    with in_bucket.open(attachment.storage_name) as handle:
        assert handle.read() == PDF
    on_disk = [p.relative_to(services["data_dir"]) for p in services["data_dir"].rglob("*")]
    assert not [p for p in on_disk if p.name == Path(attachment.storage_name).name], on_disk
    assert not (services["data_dir"] / "evidence").exists()

    # (b') a file made in the background: a list's Excel file asked for on one app server, built
    # by a task worker into the bucket, downloaded through the other app server
    asked = browser.post(
        f"{one}/exports/cases/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert asked.status_code == 302, asked.text[:2000]  # more rows than ZHICHI_EXPORT_SYNC_ROWS
    export = ListExport.objects.get(requested_by=users["civil1"])
    deadline = time.monotonic() + START_SECONDS
    while export.status in PENDING_EXPORT:
        assert time.monotonic() < deadline, processes.log("worker1") + processes.log("worker2")
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    built = browser.get(f"{two}/exports/{export.pk}/download/", timeout=30)
    assert built.status_code == 200, processes.log("app2")
    assert hashlib.sha256(built.content).hexdigest() == export.sha256
    services["bucket"].head_object(Bucket=BUCKET, Key=f"evidence/{export.storage_name}")
    assert not (services["data_dir"] / "evidence").exists()

    # (c) each task queued runs exactly once, on one of the two workers
    redis = Redis.from_url(env["ZHICHI_REDIS_URL"])
    deadline = time.monotonic() + START_SECONDS
    while len(Worker.all(connection=redis)) < 2:
        assert time.monotonic() < deadline, processes.log("worker1") + processes.log("worker2")
        time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {jobs.TABLE} (number integer NOT NULL, worker text NOT NULL)")
    try:
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }
        settings.RQ_QUEUES = {"default": {"URL": env["ZHICHI_REDIS_URL"]}}
        settings.RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
        for number in range(TASKS):
            jobs.record_run.enqueue(number=number)
        queue = Queue("default", connection=redis)
        deadline = time.monotonic() + START_SECONDS
        while len(queue) or StartedJobRegistry(queue=queue).count:
            assert time.monotonic() < deadline, processes.log("worker1")
            time.sleep(0.2)
        time.sleep(1)  # a task run a second time would have time to show
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT number, worker FROM {jobs.TABLE}")  # noqa: S608
            runs = cursor.fetchall()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {jobs.TABLE}")
    assert FailedJobRegistry(queue=queue).count == 0, processes.log("worker1")
    assert sorted(number for number, _worker in runs) == list(range(TASKS))
    by_worker = {worker for _number, worker in runs}
    assert by_worker == {"worker1", "worker2"}, runs
