"""The webhook tests' edges: a fake name resolver in place of DNS, and a real HTTP receiver on
127.0.0.1 (a free port, in a thread) that checks each delivery's signature the way a partner's
system would, and answers with the status codes a test queues.

No test here asks real DNS: ``socket.getaddrinfo`` (the system edge the webhook code resolves
through) is replaced for every test by ``FakeResolver``. Names under ``.example`` (RFC 2606)
resolve to a public address unless a test says otherwise.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zhichi.webhooks import signing, transport

PUBLIC_ADDRESS = "93.184.215.14"  # a globally routed address: nothing is ever sent to it
_real_getaddrinfo = socket.getaddrinfo


@dataclass
class FakeResolver:
    """``socket.getaddrinfo`` with answers a test sets: ``names[name]`` is a list of addresses,
    or a callable giving one per lookup (to change the answer between lookups, as a rebinding
    DNS server does). Unknown names are not found; IP literals are passed to the real function
    with AI_NUMERICHOST (no DNS either)."""

    names: dict[str, list[str] | Callable[[], list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    error: int | None = None  # answer every lookup of a name with this EAI_* error

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            pass
        else:
            return _real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        self.lookups.append(name)
        if self.error is not None:
            raise socket.gaierror(self.error, "fake resolver error")
        answer = self.names.get(name.rstrip(".").lower())
        if answer is None and name.rstrip(".").lower().endswith(".example"):
            answer = [PUBLIC_ADDRESS]
        if callable(answer):
            answer = answer()
        if not answer:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out = []
        for address in answer:
            ip = ipaddress.ip_address(address)
            if ip.version == 6:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return out


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> Iterator[FakeResolver]:
    resolver = FakeResolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    yield resolver


@pytest.fixture(autouse=True)
def no_connection_leaves_this_machine(monkeypatch):
    """A safety net: a test that would connect anywhere but loopback fails (the fake resolver
    answers public addresses, and nothing may be sent to them for real)."""
    real_connect = transport._connect
    outside = []

    def connect(address, port, timeout):
        if not address.is_loopback:
            outside.append(f"{address}:{port}")
            raise ConnectionRefusedError("tests connect to loopback only")
        return real_connect(address, port, timeout)

    monkeypatch.setattr(transport, "_connect", connect)
    yield
    assert outside == [], f"a test tried to connect to {outside}"


def allow_local_receiver(settings, port: int) -> None:
    """Deliberately let webhooks reach a receiver on this machine: loopback addresses and the
    receiver's port are refused by default (issue 12 item 4)."""
    settings.ZHICHI = {
        **settings.ZHICHI,
        "WEBHOOK_ALLOW_LOOPBACK": True,
        "WEBHOOK_ALLOWED_PORTS": [*settings.ZHICHI["WEBHOOK_ALLOWED_PORTS"], port],
    }


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    verified: bool


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # status codes to give, in order; then 200
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver(settings):
    """The receiver, with loopback and its port allowed for the test that asks for it."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(
                Received(
                    body=body,
                    headers=headers,
                    verified=signing.verify(
                        state.secret, body, headers.get("x-zhichi-signature", "")
                    ),
                )
            )
            code = state.answers.pop(0) if state.answers else 200
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", f"{state.url}/moved")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    allow_local_receiver(settings, server.server_port)
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
