"""One POST of a webhook to a checked target, connected to exactly the checked address.

The connection is made to an address ``targets.check_url`` resolved and allowed, never to a name
looked up again (a second lookup could answer with another address: DNS rebinding). The request
still carries the original host name in its Host header, and HTTPS checks the certificate
against that name (sent as the TLS server name). Redirects are not followed (``http.client``
never follows them): a 3xx is a failed attempt. No proxy is used: a proxy would look the name up
itself, beyond the check.

What went wrong is reduced to an outcome the partner may see (``no_answer`` whatever the cause:
refused, timed out, reset, no valid TLS, not HTTP), so the delivery log cannot tell an open port
from a closed or filtered one; the technical reason goes to the server log only.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import quote

from zhichi.webhooks.models import FAILURE_HTTP, FAILURE_NO_ANSWER, FAILURE_REDIRECT
from zhichi.webhooks.targets import IPAddress, Target

# what may stay unescaped in a path and query (RFC 3986 pchar, "/", "?" and "%" of an escape
# already written); anything else (e.g. Chinese) is percent-encoded as UTF-8
SAFE_IN_PATH = "/?%:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class Outcome:
    """``status_code`` the receiver answered (None: no HTTP answer); ``failure`` empty when
    delivered, else a FAILURE_* code; ``reason`` the technical cause, for the server log."""

    status_code: int | None
    failure: str
    reason: str
    address: str = ""


def _connect(address: IPAddress, port: int, timeout: float) -> socket.socket:
    """A TCP connection to ``address`` itself: no name is looked up here."""
    if isinstance(address, ipaddress.IPv6Address):
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sockaddr: tuple = (str(address), port, 0, 0)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sockaddr = (str(address), port)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = _connect(self.pinned_address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float):
        # the system's trust store; the certificate must name ``host`` (check_hostname)
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_address = address

    def connect(self) -> None:
        sock = _connect(self.pinned_address, self.port, self.timeout)
        try:
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _request_target(path: str) -> str:
    return quote(path, safe=SAFE_IN_PATH)


def _reason(exc: BaseException) -> str:
    """A short technical reason for the server log (never the URL: it may hold a token)."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or type(exc).__name__}"[:200]
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"[:200]
    return type(exc).__name__


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    """POST ``body`` to ``target``, trying its checked addresses in order until one connects."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    reasons = []
    for address in target.addresses:
        connection = connection_class(target.host, target.port, address=address, timeout=timeout)
        try:
            try:
                connection.connect()
            except OSError as exc:  # refused, unreachable, timed out, TLS: the next address
                reasons.append(f"{address}: {_reason(exc)}")
                continue
            try:
                connection.request(
                    "POST",
                    _request_target(target.path),
                    body=body,
                    headers={**headers, "Connection": "close"},
                )
                response = connection.getresponse()
            except (OSError, http.client.HTTPException, ValueError) as exc:
                return Outcome(None, FAILURE_NO_ANSWER, f"{address}: {_reason(exc)}", str(address))
            status = response.status
            response.close()  # the body is not read: nothing in it is used
            if 200 <= status < 300:
                return Outcome(status, "", "", str(address))
            failure = FAILURE_REDIRECT if 300 <= status < 400 else FAILURE_HTTP
            return Outcome(status, failure, f"{address}: HTTP {status}", str(address))
        finally:
            connection.close()
    return Outcome(None, FAILURE_NO_ANSWER, "; ".join(reasons) or "no address")
