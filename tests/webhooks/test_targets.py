"""Issue 12 item 4, at registration: a webhook URL may not point into the server's own networks.

Refused with 422 at ``url`` (page and API), nothing saved: schemes other than http(s), a user
name or password, ports other than the allowed ones, and hosts that are, or resolve to, loopback,
private, shared (CGNAT), link-local (the cloud metadata address included), multicast,
unspecified or reserved addresses — also as IPv4-mapped IPv6 and in unusual IPv4 spellings.
Hypothesis draws addresses from each forbidden network in every spelling, and public ones that
must pass. DNS is the fake resolver of conftest.py (no real lookup).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from zhichi.common.errors import InvalidInput
from zhichi.webhooks import services
from zhichi.webhooks.models import WebhookSubscription
from zhichi.webhooks.targets import TargetRefused, address_refusal, check_url, url_problem

EN = {"Accept-Language": "en"}
NOT_ALLOWED = (
    "Webhooks are not sent to this address: its host name was not found, or it leads to a "
    "local, private or reserved network. Enter your system's public address; for a system on "
    "the government intranet, ask the system administrator."
)
V4_FORBIDDEN = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", with the unspecified 0.0.0.0
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (CGNAT)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, with the cloud metadata address 169.254.169.254
        "172.16.0.0/12",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, with the broadcast 255.255.255.255
    )
]
V6_FORBIDDEN = [
    ipaddress.ip_network(n)
    for n in (
        "::1/128",
        "::/128",
        "fc00::/7",  # unique local (the AWS metadata service's IPv6 address is fd00:ec2::254)
        "fe80::/10",
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",
        "2001:db8::/32",
        "::/96",  # IPv4-compatible (deprecated)
    )
]
V4_PUBLIC = [
    ipaddress.ip_network(n)
    for n in ("1.0.0.0/8", "8.0.0.0/7", "58.0.0.0/7", "110.0.0.0/7", "202.96.0.0/12")
]
V6_PUBLIC = [ipaddress.ip_network(n) for n in ("240e::/20", "2400:da00::/32", "2001:4860::/32")]


def addresses_in(networks):
    return st.sampled_from(networks).flatmap(
        lambda n: st.integers(0, n.num_addresses - 1).map(lambda i: n[i])
    )


def v4_spellings(ip: ipaddress.IPv4Address, dns) -> list[str]:
    """Every way of writing ``ip`` into a URL that some parser reads as that address."""
    a, b, c, d = ip.packed
    dns.names["inside.example"] = [str(ip)]
    dns.names["mixed.example"] = ["93.184.215.14", str(ip)]
    mapped = ipaddress.IPv6Address(f"::ffff:{ip}")
    return [
        f"http://{ip}/",
        f"http://{ip}./",
        f"http://[::ffff:{ip}]/",
        f"http://[{mapped}]/",  # ::ffff:7f00:1
        f"http://[64:ff9b::{ip}]/",  # NAT64
        f"http://[2002:{a:02x}{b:02x}:{c:02x}{d:02x}::1]/",  # 6to4
        f"http://{int(ip)}/",  # 2130706433
        f"http://{hex(int(ip))}/",  # 0x7f000001
        f"http://{a:#x}.{int(ip) & 0xFFFFFF}/",  # 0x7f.1
        f"http://{a}.{int(ip) & 0xFFFFFF}/",  # 127.1
        f"http://{a}.{b}.{(c << 8) | d}/",  # 127.0.1
        "http://" + ".".join(f"0{octet:o}" for octet in ip.packed) + "/",  # 0177.0.0.01
        "http://inside.example/",
        "http://mixed.example/",  # one forbidden address among public ones is enough
    ]


# --- every forbidden network, in every spelling -----------------------------------------------
@pytest.mark.unit
@hypothesis_settings(max_examples=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ip=addresses_in(V4_FORBIDDEN))
def test_every_spelling_of_a_forbidden_ipv4_address_is_refused(dns, ip):
    for url in v4_spellings(ip, dns):
        assert url_problem(url)[0] == "address_not_allowed", url


@pytest.mark.unit
@hypothesis_settings(max_examples=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ip=addresses_in(V6_FORBIDDEN))
def test_a_forbidden_ipv6_address_is_refused_written_or_resolved(dns, ip):
    dns.names["inside6.example"] = [str(ip)]

    for url in (f"http://[{ip}]/", "https://inside6.example/hook"):
        assert url_problem(url)[0] == "address_not_allowed", url


@pytest.mark.unit
@hypothesis_settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ip=addresses_in(V4_PUBLIC + V6_PUBLIC))
def test_public_addresses_are_accepted_written_plainly_or_resolved(dns, ip):
    dns.names["partner.example"] = [str(ip)]
    literal = f"[{ip}]" if ip.version == 6 else str(ip)

    for url in (f"https://{literal}/hook", "https://partner.example/hook"):
        assert url_problem(url) is None, url
    if ip.version == 4:
        # an unusual spelling of a public address is refused too, for what it is
        assert url_problem(f"http://{int(ip)}/")[0] == "address_form"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.31.255.254", "private"),
        ("192.168.0.1", "private"),
        ("fd00:ec2::254", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address to refuse, not to bind)
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::7f00:1", "reserved"),
        ("fec0::1", "site-local"),
        ("192.0.2.10", "not a public address"),
        ("2001:db8::1", "not a public address"),
        ("::ffff:169.254.169.254", "stands for 169.254.169.254: link-local"),
        ("64:ff9b::a00:1", "stands for 10.0.0.1: private"),
        ("2002:7f00:1::1", "6to4 for 127.0.0.1: loopback"),
        ("fe80::1%eth0", "IPv6 address with a zone"),
    ],
)
def test_address_refusal_names_the_kind_of_network(address, why):
    assert address_refusal(ipaddress.ip_address(address), private=False, loopback=False) == why


@pytest.mark.unit
def test_allowing_private_or_loopback_opens_only_that_kind_never_link_local_or_metadata():
    def refused(address, **allow):
        return address_refusal(ipaddress.ip_address(address), **allow) is not None

    assert [refused(a, private=True, loopback=False) for a in ("10.0.0.1", "fd00::1")] == [
        False,
        False,
    ]
    assert refused("100.64.1.1", private=True, loopback=False) is False
    assert refused("127.0.0.1", private=True, loopback=False) is True
    assert refused("127.0.0.1", private=False, loopback=True) is False
    assert refused("10.0.0.1", private=False, loopback=True) is True
    never_allowed = ("169.254.169.254", "fe80::1", "224.0.0.1", "0.0.0.0", "240.0.0.1")  # noqa: S104
    for never in never_allowed:
        assert refused(never, private=True, loopback=True) is True, never
    assert address_refusal(ipaddress.ip_address("8.8.8.8"), private=False, loopback=False) is None


# --- ports, schemes, user information ---------------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(
    "url",
    [
        "http://partner.example/",
        "https://partner.example/",
        "http://partner.example:80/",
        "https://partner.example:443/",
        "http://partner.example:8080/",
        "https://partner.example:8443/",
    ],
)
def test_the_usual_web_ports_are_accepted(url):
    assert url_problem(url) is None


@pytest.mark.unit
@pytest.mark.parametrize("port", [1, 21, 22, 25, 3306, 5432, 6379, 8000, 9200, 11211, 65535])
def test_other_ports_are_refused(port):
    code, message = url_problem(f"https://partner.example:{port}/hook")

    assert code == "port"
    assert "80, 443, 8080, 8443" in message


@pytest.mark.unit
def test_the_allowed_ports_are_a_setting(settings):
    settings.ZHICHI = {**settings.ZHICHI, "WEBHOOK_ALLOWED_PORTS": ["443", "9443"]}

    assert url_problem("https://partner.example:9443/") is None
    assert url_problem("http://partner.example/")[0] == "port"  # 80 is no longer allowed


@pytest.mark.unit
def test_a_name_whose_lookup_fails_for_now_is_refused_with_try_again(dns):
    dns.error = socket.EAI_AGAIN

    with translation.override("en"):
        assert url_problem("https://partner.example/") == (
            "host_unresolved",
            "The host name could not be looked up just now. Try again in a few minutes.",
        )


@pytest.mark.unit
def test_an_internal_name_and_an_unknown_name_get_the_same_answer(dns):
    dns.names["db.internal.example"] = ["10.20.0.5"]

    inside = check_url_refusal("https://db.internal.example/")
    unknown = check_url_refusal("https://nowhere.invalid/")

    assert inside[:2] == unknown[:2] == ("address_not_allowed", NOT_ALLOWED)
    # the technical reason differs, and is for the server log only
    assert "10.20.0.5 (private)" in inside[2]
    assert "lookup of nowhere.invalid failed" in unknown[2]


def check_url_refusal(url: str) -> tuple[str, str, str]:
    with translation.override("en"):
        try:
            check_url(url)
        except TargetRefused as refused:
            return refused.code, refused.message, refused.reason
    raise AssertionError(f"{url} was accepted")


@pytest.mark.unit
def test_a_checked_target_keeps_the_host_name_and_the_resolved_addresses(dns):
    dns.names["partner.example"] = ["2400:da00::6", "93.184.215.14", "::ffff:58.1.2.3"]

    target = check_url("https://Partner.example:8443/hook/接收?a=1#frag")

    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "partner.example",
        8443,
        "/hook/接收?a=1",
    )
    assert [str(a) for a in target.addresses] == ["2400:da00::6", "93.184.215.14", "58.1.2.3"]
    assert dns.lookups == ["partner.example"]


# --- through the service, the API and the page ------------------------------------------------
REPRODUCTIONS = [
    ("http://127.0.0.1:8080/", "address_not_allowed"),
    ("http://169.254.169.254/latest/meta-data/", "address_not_allowed"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "address_not_allowed"),
    ("http://10.0.0.1/", "address_not_allowed"),
    ("http://172.16.5.4/", "address_not_allowed"),
    ("http://192.168.1.1/", "address_not_allowed"),
    ("http://100.64.0.1/", "address_not_allowed"),
    ("http://[::1]/", "address_not_allowed"),
    ("http://[fe80::1]/", "address_not_allowed"),
    ("http://224.0.0.1/", "address_not_allowed"),
    ("http://0.0.0.0/", "address_not_allowed"),
    ("http://2130706433/", "address_not_allowed"),
    ("http://0x7f.1/", "address_not_allowed"),
    ("http://127.1/", "address_not_allowed"),
    ("http://[::ffff:127.0.0.1]/", "address_not_allowed"),
    ("http://[::ffff:169.254.169.254]/", "address_not_allowed"),
    ("http://loopback.example/", "address_not_allowed"),  # resolves to 127.0.0.1
    ("http://localhost/", "address_not_allowed"),
    ("http://partner.example:22/", "port"),
    ("http://partner.example:5432/", "port"),
    ("gopher://partner.example/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("http://admin:secret@partner.example/", "userinfo"),
]


@pytest.mark.django_db
@pytest.mark.integration
@pytest.mark.parametrize(("url", "code"), REPRODUCTIONS)
def test_api_refuses_each_internal_target_with_422_at_the_url(api, dns, url, code):
    dns.names["loopback.example"] = ["127.0.0.1"]

    r = api("hrss1").post("/api/v1/webhooks", {"url": url, "events": ["transfer.sent"]}, headers=EN)

    assert r.status_code == 422, r.content
    assert sorted(r.json()) == ["detail", "errors"]
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("url", code)]
    if code == "address_not_allowed":
        assert r.json()["errors"][0]["message"] == NOT_ALLOWED
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.integration
@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://loopback.example/", "http://0x7f.1/"],
)
def test_the_page_form_refuses_an_internal_target_at_the_url_field(web, dns, url):
    dns.names["loopback.example"] = ["127.0.0.1"]

    r = web("hrss1").post(
        "/integrations/webhooks/new/", {"url": url, "events": ["transfer.sent"]}, headers=EN
    )

    assert r.status_code == 422
    assert r.context["form"].errors["url"] == [NOT_ALLOWED]
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.integration
def test_a_host_name_that_resolves_to_loopback_is_refused_and_nothing_is_saved(users, dns):
    dns.names["partner.example"] = ["93.184.215.14", "127.0.0.1"]

    problem = url_problem("https://partner.example/hook")
    with pytest.raises(InvalidInput) as exc:
        services.create_subscription(
            actor=users["hrss1"],
            data={"url": "https://partner.example/hook", "events": ["transfer.sent"]},
        )

    assert problem[0] == "address_not_allowed"
    assert [(e.field, e.code) for e in exc.value.errors] == [("url", "address_not_allowed")]
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.integration
def test_the_allow_private_setting_lets_an_intranet_address_through(users, dns, settings):
    dns.names["hrss.intranet.example"] = ["10.8.1.20"]
    data = {"url": "https://hrss.intranet.example/hook", "events": ["transfer.sent"]}
    with pytest.raises(InvalidInput):
        services.create_subscription(actor=users["hrss1"], data=data)

    settings.ZHICHI = {**settings.ZHICHI, "WEBHOOK_ALLOW_PRIVATE": True}
    created = services.create_subscription(actor=users["hrss1"], data=data)
    literal = services.create_subscription(
        actor=users["hrss1"], data={**data, "url": "http://192.168.10.7:8080/hook"}
    )

    assert (created.subscription.url, literal.subscription.url) == (
        "https://hrss.intranet.example/hook",
        "http://192.168.10.7:8080/hook",
    )
    # private on purpose does not open this machine or the metadata service
    for url in ("http://127.0.0.1/", "http://169.254.169.254/"):
        with pytest.raises(InvalidInput) as exc:
            services.create_subscription(actor=users["hrss1"], data={**data, "url": url})
        assert exc.value.errors[0].code == "address_not_allowed"


@pytest.mark.unit
def test_the_defaults_refuse_private_and_loopback_on_the_usual_ports():
    assert (
        django_settings.ZHICHI["WEBHOOK_ALLOW_PRIVATE"],
        django_settings.ZHICHI["WEBHOOK_ALLOW_LOOPBACK"],
        django_settings.ZHICHI["WEBHOOK_ALLOWED_PORTS"],
    ) == (False, False, ["80", "443", "8080", "8443"])


@pytest.mark.unit
def test_a_malformed_port_list_stops_start_up_with_a_clear_message():
    env = {**os.environ, "ZHICHI_WEBHOOK_ALLOWED_PORTS": "443,https"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "-c", "import tests.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "ZHICHI_WEBHOOK_ALLOWED_PORTS must list port numbers from 1 to 65535" in result.stderr
