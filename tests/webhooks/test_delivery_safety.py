"""Issue 12 item 4, at delivery: the target is checked again, the checked address is the one
connected to, and the delivery log tells the partner nothing about the network behind it.

Real sockets on 127.0.0.1 stand in for the networks (a listener that must receive nothing, a
closed port, a port that never answers, a non-HTTP service, an HTTPS receiver with its own test
CA); names come from the fake resolver of conftest.py.
"""

from __future__ import annotations

import importlib
import logging
import re
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.webhooks.conftest import PUBLIC_ADDRESS, allow_local_receiver
from zhichi.webhooks import services, tasks
from zhichi.webhooks.models import WebhookDelivery
from zhichi.webhooks.services import publish_event
from zhichi.webhooks.tasks import BACKOFF

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}


def subscribe(user, url):
    return services.create_subscription(
        actor=user, data={"url": url, "events": ["transfer.sent"]}
    ).subscription


def publish(user) -> int:
    with transaction.atomic():
        [delivery_id] = publish_event(
            event="transfer.sent",
            organisation_ids=[user.organisation_id],
            payload={"transfer_id": 1},
        )
    return delivery_id


def allow_port(settings, port: int) -> None:
    """Only the port: loopback stays refused."""
    settings.ZHICHI = {
        **settings.ZHICHI,
        "WEBHOOK_ALLOWED_PORTS": [*settings.ZHICHI["WEBHOOK_ALLOWED_PORTS"], port],
    }


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real listening socket on 127.0.0.1 that never accepts by itself: a connection to it
    waits in its backlog, where the test can see it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def connection_waiting(sock: socket.socket) -> bool:
    readable, _w, _x = select.select([sock], [], [], 0.5)
    return bool(readable)


# --- checked again at delivery: DNS rebinding -------------------------------------------------
def test_dns_rebinding_to_loopback_is_refused_at_delivery_and_nothing_connects(
    users, dns, settings, listener, caplog
):
    port = listener.getsockname()[1]
    allow_port(settings, port)
    dns.names["rebind.example"] = [PUBLIC_ADDRESS]  # a public address while it is registered
    subscription = subscribe(users["hrss1"], f"http://rebind.example:{port}/hook")
    delivery_id = publish(users["hrss1"])
    dns.names["rebind.example"] = ["127.0.0.1"]  # then the name's server answers loopback

    with caplog.at_level(logging.WARNING, logger="zhichi.webhooks"):
        delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert subscription.url == f"http://rebind.example:{port}/hook"
    assert connection_waiting(listener) is False  # nothing reached 127.0.0.1
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, None)
    assert (delivery.last_error, delivery.next_attempt_at) == ("not_allowed", None)
    assert dns.lookups == ["rebind.example", "rebind.example"]
    assert "127.0.0.1 (loopback)" in caplog.text  # the reason, for operators
    # a failed attempt, not retried: the retry command finds nothing to send
    out = StringIO()
    call_command("retry_webhooks", stdout=out)
    assert out.getvalue().startswith("delivered 0, to retry 0, failed 0, skipped 0")
    assert connection_waiting(listener) is False


def test_the_connection_goes_to_the_checked_address_even_if_the_name_changes_again(
    users, dns, receiver
):
    # registration and the delivery's check see 127.0.0.1 (allowed here on purpose); any later
    # lookup would answer the metadata address: a client that looked the name up again to
    # connect would go there
    answers = iter([["127.0.0.1"], ["127.0.0.1"]])
    dns.names["pinned.example"] = lambda: next(answers, ["169.254.169.254"])
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    subscription = subscribe(users["hrss1"], f"http://pinned.example:{port}/hook/接收?a=1")
    delivery_id = publish(users["hrss1"])

    delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
    assert dns.lookups == ["pinned.example", "pinned.example"]  # one lookup per check
    [received] = receiver.requests
    assert received.headers["host"] == f"pinned.example:{port}"  # the name, not the address
    assert subscription.url.endswith("/hook/接收?a=1")


def test_each_attempt_checks_the_name_again(users, dns, settings):
    settings.ZHICHI = {**settings.ZHICHI, "WEBHOOK_ALLOWED_HOSTS": [".partner.example"]}
    subscribe(users["hrss1"], "https://hook.partner.example/x")
    delivery_id = publish(users["hrss1"])
    dns.names["hook.partner.example"] = ["10.1.2.3"]  # moved into a private network since

    delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "not_allowed")


def test_a_lookup_that_fails_for_now_is_retried_like_no_answer(users, dns):
    subscribe(users["hrss1"], "https://partner.example/hook")
    delivery_id = publish(users["hrss1"])
    dns.error = socket.EAI_AGAIN

    delivery = tasks.attempt_delivery(delivery_id=delivery_id)

    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "no_answer")
    assert delivery.next_attempt_at is not None


# --- what the partner sees --------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on leaving: nobody listens there


@pytest.fixture
def not_http() -> Iterator[int]:
    """A port where something that is not a web server answers (like an SSH or mail server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"SSH-2.0-OpenSSH_9.2p1\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    server.close()


def _log_row(api_client, page_client, subscription_id: int) -> tuple[dict, str]:
    """What the partner sees of its one delivery: the API item (without ids and times) and the
    delivery log row's text on the page."""
    items = api_client.get(f"/api/v1/webhooks/{subscription_id}/deliveries", headers=EN).json()
    [row] = items["items"]
    page = page_client.get(f"/integrations/webhooks/{subscription_id}/", headers=EN)
    html = page.content.decode()
    cell = html[html.index("<tbody>") : html.index("</tbody>")]
    cell = re.sub(r"#\d+ · [\d: -]+|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", "", cell)
    visible = {k: v for k, v in row.items() if k not in ("id", "subscription_id", "created_at")}
    visible["next_attempt_at"] = row["next_attempt_at"] is not None
    return visible, cell


def test_a_closed_port_a_silent_port_and_a_non_http_service_look_the_same_to_the_partner(
    users, settings, listener, not_http, web, api
):
    settings.ZHICHI = {**settings.ZHICHI, "WEBHOOK_TIMEOUT_SECONDS": 1}
    closed = _closed_port()
    silent = listener.getsockname()[1]  # accepts the connection in its backlog, never answers
    for port in (closed, silent, not_http):
        allow_local_receiver(settings, port)
    rows, durations = [], []
    for port in (closed, silent, not_http):
        subscription = subscribe(users["hrss1"], f"http://127.0.0.1:{port}/hook")
        delivery_id = publish(users["hrss1"])
        before = timezone.now()
        delivery = tasks.attempt_delivery(delivery_id=delivery_id)
        durations.append(timezone.now() - before)
        # the next attempt counts from the start of this one: how long it took is not shown
        assert (
            before + BACKOFF[0]
            <= delivery.next_attempt_at
            <= before + BACKOFF[0] + timedelta(milliseconds=500)
        )
        rows.append(_log_row(api("hrss1"), web("hrss1"), subscription.pk))
        services.revoke_subscription(actor=users["hrss1"], subscription_id=subscription.pk)

    assert durations[1] >= timedelta(seconds=1)  # the silent port really timed out
    assert rows[0] == rows[1] == rows[2]
    visible, row_html = rows[0]
    assert (visible["status"], visible["attempts"], visible["last_status_code"]) == (
        "pending",
        1,
        None,
    )
    assert visible["last_error"] == "Delivery failed: no answer."
    assert "Delivery failed: no answer." in row_html


def test_the_log_shows_an_http_status_and_a_refused_address_in_plain_words(users, api, dns):
    subscription = subscribe(users["hrss1"], "https://partner.example/hook")
    ids = [publish(users["hrss1"]) for _ in range(3)]
    WebhookDelivery.objects.filter(pk=ids[0]).update(
        attempts=1, last_status_code=500, last_error="http_error"
    )
    WebhookDelivery.objects.filter(pk=ids[1]).update(
        attempts=1, last_status_code=301, last_error="redirect"
    )
    WebhookDelivery.objects.filter(pk=ids[2]).update(
        attempts=1, status="failed", last_error="not_allowed"
    )

    items = api("hrss1").get(f"/api/v1/webhooks/{subscription.pk}/deliveries", headers=EN).json()

    assert [i["last_error"] for i in items["items"]] == [
        "Delivery failed: the address is not allowed.",
        "Delivery failed: HTTP 301 (redirects are not followed).",
        "Delivery failed: HTTP 500.",
    ]


LEGACY = [
    ("ConnectionRefusedError: Connection refused", None, "Delivery failed: no answer."),
    ("timeout", None, "Delivery failed: no answer."),
    ("OSError: No route to host", None, "Delivery failed: no answer."),
    ("TLS error: CERTIFICATE_VERIFY_FAILED", None, "Delivery failed: no answer."),
    ("RemoteDisconnected", None, "Delivery failed: no answer."),
    ("HTTP 500", 500, "Delivery failed: HTTP 500."),
    (
        "HTTP 302 (redirects are not followed)",
        302,
        "Delivery failed: HTTP 302 (redirects are not followed).",
    ),
]


def test_technical_texts_stored_by_earlier_versions_are_never_shown_raw(users, web, api):
    subscription = subscribe(users["hrss1"], "https://partner.example/hook")
    for stored, code, _shown in LEGACY:
        delivery_id = publish(users["hrss1"])
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            attempts=1, last_status_code=code, last_error=stored
        )

    items = api("hrss1").get(f"/api/v1/webhooks/{subscription.pk}/deliveries", headers=EN).json()
    page = web("hrss1").get(f"/integrations/webhooks/{subscription.pk}/", headers=EN)

    assert [i["last_error"] for i in items["items"]] == [shown for *_r, shown in LEGACY][::-1]
    html = page.content.decode()
    for stored in (
        "ConnectionRefusedError",
        "Connection refused",
        "timeout",
        "No route",
        "CERTIFICATE_VERIFY_FAILED",
        "RemoteDisconnected",
    ):
        assert stored not in html
        assert stored not in str(items)


def test_the_migration_replaces_stored_technical_texts_with_failure_codes(users):
    subscribe(users["hrss1"], "https://partner.example/hook")
    ids = []
    kept = [
        ("subscription revoked", None, ""),
        ("target host not allowed", None, ""),
        ("", None, ""),
        ("no_answer", None, ""),
    ]
    for stored, code, _shown in [*LEGACY, *kept]:
        delivery_id = publish(users["hrss1"])
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            last_status_code=code, last_error=stored
        )
        ids.append(delivery_id)
    migration = importlib.import_module("zhichi.webhooks.migrations.0002_delivery_failure_codes")

    migration.to_failure_codes(apps, None)

    stored = dict(WebhookDelivery.objects.values_list("pk", "last_error"))
    assert [stored[i] for i in ids] == [
        "no_answer",
        "no_answer",
        "no_answer",
        "no_answer",
        "no_answer",
        "http_error",
        "redirect",
        "revoked",
        "not_allowed",
        "",
        "no_answer",
    ]


# --- HTTPS: the certificate is checked against the host name, sent as the server name ---------
def _tls_files(tmp_path, host: str) -> tuple[str, str, str]:
    """A test CA and a certificate for ``host`` signed by it: (CA file, cert file, key file)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Zhichi webhook test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=3650))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=3650))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(ca_file), str(cert_file), str(key_file)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch, settings):
    """An HTTPS receiver on 127.0.0.1 with a certificate for secure.example, from a CA the
    system trust store is pointed at (SSL_CERT_FILE, the system edge); records the server names
    clients ask for (SNI) and the Host headers."""
    ca_file, cert_file, key_file = _tls_files(tmp_path, "secure.example")
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    seen: dict[str, list] = {"sni": [], "host": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen["host"].append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda _sock, name, _ctx: seen["sni"].append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    allow_local_receiver(settings, server.server_port)
    yield server.server_port, seen
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_https_checks_the_certificate_of_the_host_name_not_of_the_address(users, dns, tls_receiver):
    port, seen = tls_receiver
    dns.names["secure.example"] = ["127.0.0.1"]
    dns.names["other.example"] = ["127.0.0.1"]  # the same address, a name the cert does not name
    subscribe(users["hrss1"], f"https://secure.example:{port}/hook")
    subscribe(users["wf1"], f"https://other.example:{port}/hook")
    good, bad = publish(users["hrss1"]), publish(users["wf1"])

    delivered = tasks.attempt_delivery(delivery_id=good)
    refused = tasks.attempt_delivery(delivery_id=bad)

    assert (delivered.status, delivered.last_status_code) == ("delivered", 204)
    assert seen["host"] == [f"secure.example:{port}"]
    assert seen["sni"][0] == "secure.example"
    assert (refused.status, refused.last_status_code, refused.last_error) == (
        "pending",
        None,
        "no_answer",
    )
