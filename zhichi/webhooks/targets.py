"""Where a webhook may be sent (issue 12 item 4: a webhook is not an internal port scanner).

A target is refused unless it is ``http(s)`` on an allowed port, with no user name or password,
on a host the host allowlist admits, and every address its name resolves to is a public one.
Loopback, private (RFC 1918, fc00::/7), shared (CGNAT 100.64/10), link-local (169.254/16 with the
cloud metadata address, fe80::/10), multicast, unspecified and reserved addresses are refused,
also when written as an IPv4-mapped IPv6 address or an unusual IPv4 spelling
(``2130706433``, ``0x7f.1``, ``127.1``). A deployment on an intranet allows private networks on
purpose (``ZHICHI_WEBHOOK_ALLOW_PRIVATE``), and this machine's loopback separately
(``ZHICHI_WEBHOOK_ALLOW_LOOPBACK``); link-local, multicast and reserved addresses never pass.

The same check runs when a subscription is made and again before every attempt: the name is
resolved once, and the delivery connects to exactly the addresses that were checked
(``transport.post``), so a name that changes its answer in between (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
# networks an organisation uses for itself; passed only with ZHICHI_WEBHOOK_ALLOW_PRIVATE
PRIVATE_USE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
# IPv6 forms that stand for an IPv4 address: judged as that address (RFC 6052 NAT64)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# at most this many of a name's addresses are tried, one after the other, in one attempt
MAX_ADDRESSES = 3


@dataclass(frozen=True)
class Target:
    """A checked target: the host as written (for the Host header and the TLS server name) and
    the addresses it resolved to, each of them allowed, in the resolver's order."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


class TargetRefused(Exception):
    """The URL may not receive webhooks. ``code`` and ``message`` are for the person who entered
    it; ``reason`` is the technical cause, for the server log only. ``temporary``: the name
    could not be looked up just now (the resolver did not answer)."""

    def __init__(self, code: str, message: str, reason: str, *, temporary: bool = False):
        super().__init__(reason)
        self.code = code
        self.message = message
        self.reason = reason
        self.temporary = temporary


# --- settings ---------------------------------------------------------------------------------
def allowed_hosts() -> list[str]:
    return [
        h.strip().strip("[]").rstrip(".").lower()
        for h in settings.ZHICHI.get("WEBHOOK_ALLOWED_HOSTS", [])
        if h.strip()
    ]


def allowed_ports() -> list[int]:
    ports = settings.ZHICHI.get("WEBHOOK_ALLOWED_PORTS", [80, 443, 8080, 8443])
    return sorted({int(p) for p in ports})


def allow_private() -> bool:
    return bool(settings.ZHICHI.get("WEBHOOK_ALLOW_PRIVATE", False))


def allow_loopback() -> bool:
    return bool(settings.ZHICHI.get("WEBHOOK_ALLOW_LOOPBACK", False))


# --- hosts and addresses ----------------------------------------------------------------------
def host_allowed(host: str) -> bool:
    """Empty ZHICHI_WEBHOOK_ALLOWED_HOSTS allows any host; ".example.org" allows the domain and
    its subdomains, like Django's ALLOWED_HOSTS. The address rules apply on top."""
    allowed = allowed_hosts()
    if not allowed:
        return True
    host = host.rstrip(".").lower()
    for entry in allowed:
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def address_refusal(
    address: IPAddress, *, private: bool | None = None, loopback: bool | None = None
) -> str | None:
    """Why ``address`` may not receive webhooks (for the log), or None when it may. ``private``
    and ``loopback`` default to the settings."""
    private = allow_private() if private is None else private
    loopback = allow_loopback() if loopback is None else loopback
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "IPv6 address with a zone"
        embedded = address.ipv4_mapped or (
            ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None
        )
        if embedded is not None:
            inner = address_refusal(embedded, private=private, loopback=loopback)
            return f"stands for {embedded}: {inner}" if inner else None
        if address.sixtofour is not None:
            inner = address_refusal(address.sixtofour, private=private, loopback=loopback)
            if inner:
                return f"6to4 for {address.sixtofour}: {inner}"
        if address.is_site_local:
            return "site-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return None if loopback else "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if any(address in network for network in PRIVATE_USE):
        return None if private else "private"
    if address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:
        return "not a public address"
    return None


def parse_literal(host: str) -> tuple[IPAddress | None, bool]:
    """(the address, whether it was written in the usual form) when ``host`` is an IP address;
    (None, True) for a name. Unusual IPv4 spellings (``2130706433``, ``0x7f.1``, ``127.1``,
    ``0177.0.0.1``) are decoded the way the system's resolver would read them."""
    try:
        return ipaddress.ip_address(host), True
    except ValueError:
        pass
    if host.endswith("."):
        address, _usual = parse_literal(host[:-1])
        return (address, False) if address is not None else (None, True)
    if host.isascii() and host and all(ch.isalnum() or ch == "." for ch in host):
        try:
            packed = socket.inet_aton(host)
        except OSError:
            return None, True
        return ipaddress.IPv4Address(packed), False
    return None, True


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to (one lookup), IPv4-mapped ones as plain IPv4.
    Raises ``socket.gaierror`` when the name is not found."""
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    ):
        address = ipaddress.ip_address(sockaddr[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address not in found:
            found.append(address)
    return found


# --- the whole check --------------------------------------------------------------------------
def _not_allowed(reason: str) -> TargetRefused:
    # One answer whether the name is unknown or leads somewhere forbidden: the answer must not
    # tell which internal names exist.
    return TargetRefused(
        "address_not_allowed",
        _(
            "Webhooks are not sent to this address: its host name was not found, or it leads "
            "to a local, private or reserved network. Enter your system's public address; "
            "for a system on the government intranet, ask the system administrator."
        ),
        reason,
    )


def check_url(url: str) -> Target:
    """The checked target of ``url`` (its name resolved once), or ``TargetRefused``."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise TargetRefused("invalid", _("Enter the URL without spaces."), "spaces in the URL")
    try:
        parts = urlsplit(url)
        written_port = parts.port  # a port that is not a number raises ValueError
    except ValueError:
        raise TargetRefused("invalid", _("Enter a valid URL."), "URL cannot be parsed") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise TargetRefused(
            "scheme", _("The URL must start with https:// or http://."), "scheme not http(s)"
        )
    if "@" in parts.netloc:
        raise TargetRefused(
            "userinfo",
            _(
                "Put no user name or password in the URL; the signature tells the receiver "
                "who sent it."
            ),
            "user information in the URL",
        )
    host = parts.hostname or ""
    if not host:
        raise TargetRefused("host", _("The URL needs a host name or address."), "no host")
    port = written_port if written_port is not None else DEFAULT_PORTS[parts.scheme]
    ports = allowed_ports()
    if port not in ports:
        raise TargetRefused(
            "port",
            _(
                "Webhooks are only sent to the usual web ports (%(ports)s). Leave the port out, "
                "or use one of these."
            )
            % {"ports": ", ".join(str(p) for p in ports)},
            f"port {port} not allowed",
        )
    if not host_allowed(host):
        raise TargetRefused(
            "host_not_allowed",
            _(
                "Webhooks may not be sent to this host. The system administrator decides which "
                "hosts are allowed."
            ),
            f"host {host} not in ZHICHI_WEBHOOK_ALLOWED_HOSTS",
        )
    literal, usual = parse_literal(host)
    if literal is not None:
        addresses = [literal.ipv4_mapped or literal] if literal.version == 6 else [literal]
    else:
        try:
            addresses = resolve(host, port)
        except socket.gaierror as exc:
            if exc.errno == socket.EAI_AGAIN:
                raise TargetRefused(
                    "host_unresolved",
                    _("The host name could not be looked up just now. Try again in a few minutes."),
                    f"lookup of {host} failed for now: {exc}",
                    temporary=True,
                ) from None
            raise _not_allowed(f"lookup of {host} failed: {exc}") from None
        except (UnicodeError, ValueError) as exc:
            raise _not_allowed(f"lookup of {host} failed: {type(exc).__name__}") from None
    refusals = [f"{address} ({why})" for address in addresses if (why := address_refusal(address))]
    if refusals or not addresses:
        raise _not_allowed(f"{host} → " + (", ".join(refusals) or "no address"))
    if not usual:
        raise TargetRefused(
            "address_form",
            _(
                "Write the IP address in the usual form: four numbers from 0 to 255 separated "
                "by dots, without leading zeros."
            ),
            f"unusual spelling of {addresses[0]}",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port,
        path=path,
        addresses=tuple(addresses[:MAX_ADDRESSES]),
    )


def url_problem(url: str) -> tuple[str, str] | None:
    """(code, message) when ``url`` may not receive webhooks, else None."""
    try:
        check_url(url)
    except TargetRefused as refused:
        return refused.code, refused.message
    return None
