"""A real HTTP receiver on 127.0.0.1 (a free port, in a thread) that checks each delivery's
signature the way a partner's system would, and answers with the status codes a test queues."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from zhichi.webhooks import signing


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
def receiver():
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
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
