"""A partner's webhook in a real browser (C16): subscribe, receive a signed event, read the log.

The labour bureau (hrss1) subscribes its system — a small HTTP receiver this test runs on
127.0.0.1 — to "transfer.sent" and is shown the signing secret once. civil1 then transfers a case
to the bureau through the transfers service (outside the browser, in the live server's database);
the delivery goes out after the commit (the test settings run tasks immediately), the receiver
gets one POST whose X-Zhichi-Signature is the HMAC-SHA256 of the body under the shown secret, and
the subscription's delivery log in the browser shows it delivered.

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page (the delivery status) it takes them from the same translation catalogue
the page uses (the UI's default language, zh-hans).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, lead_payload, make_credit_code, make_id
from zhichi.cases.models import Case
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.transfers.services import send_transfer
from zhichi.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.e2e

PAGE_LANGUAGE = "zh-hans"
DESCRIPTION = "人社局劳动保障监察系统（E2E）"
CLAIMANT_NAME = "冯建华"
CLAIMANT_ID = make_id(birth="19790606", seq="853")
LEGAL_BASIS = "《劳动保障监察条例》第十一条（E2E）"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


# --- a partner's receiving system -------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """An HTTP server on a free port of 127.0.0.1 that records every POST and answers 200.

    Webhooks refuse loopback addresses and unusual ports by default (issue 12 item 4); this test
    allows them on purpose, for its own receiver only."""
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.requests.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    settings.ZHICHI = {
        **settings.ZHICHI,
        "WEBHOOK_ALLOW_LOOPBACK": True,
        "WEBHOOK_ALLOWED_PORTS": [*settings.ZHICHI["WEBHOOK_ALLOWED_PORTS"], server.server_port],
    }
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def signature(secret: str, body: bytes) -> str:
    """What the receiver computes: sha256=<hex HMAC-SHA256 of the body, keyed with the secret>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- set-up through the services ------------------------------------------------------------


def open_case(users) -> Case:
    """An open wage case of civil1, filed at the counter without consent to share."""
    lead = intake_services.create_lead(
        actor=users["civil1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=False,
                claimants=[
                    {
                        "name": CLAIMANT_NAME,
                        "id_number": CLAIMANT_ID,
                        "amount_claimed": "16000.00",
                        "months_unpaid": 4,
                    }
                ],
                respondents=[
                    {
                        "kind": "organisation",
                        "name": "昆明某物业服务有限公司（E2E）",
                        "credit_code": make_credit_code(),
                    }
                ],
            )
        ),
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


# --- browser helpers --------------------------------------------------------------------------


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def submit(page: Page, button: Locator, *, expected_status: int = 200) -> None:
    """Click a submit button and wait for the page the server answers with (after redirects)."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    assert response is not None and response.status == expected_status, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )


# --- the test -------------------------------------------------------------------------------


def test_partner_subscribes_and_receives_a_signed_transfer_event_shown_delivered_in_the_log(
    page: Page, e2e_users, receiver: Receiver
):
    case = open_case(e2e_users)

    # --- the labour bureau subscribes its system to "transfer.sent" ------------------------------
    log_in(page, "hrss1")
    page.goto("/integrations/webhooks/")
    form = page.locator('main form[action="/integrations/webhooks/new/"]')
    expect(form).to_be_visible()
    form.locator("#id_new_url").fill(receiver.url)
    form.locator('input[name="events"][value="transfer.sent"]').check()
    form.locator("#id_new_description").fill(DESCRIPTION)
    submit(page, form.locator("[type=submit]"))
    assert re.search(r"/integrations/webhooks/new/$", page.url), page.url

    subscription = WebhookSubscription.objects.get()
    assert subscription.organisation.code == "WHHRSS"
    assert (subscription.url, subscription.events) == (receiver.url, ["transfer.sent"])
    # the secret, shown this once
    secret = page.locator("#webhook-secret").input_value()
    assert len(secret) >= 32, secret
    assert secret.startswith(subscription.secret_hint)
    assert secret not in subscription.secret_enc  # kept encrypted, never in the clear
    detail_path = f"/integrations/webhooks/{subscription.pk}/"
    page.locator(f'main a[href="{detail_path}"]').click()
    page.wait_for_url(re.compile(re.escape(detail_path) + "$"))
    expect(page.locator("main h1")).to_have_text(receiver.url)
    assert secret not in page.content()  # only its first characters, from now on
    expect(page.locator("section[aria-labelledby='h-subscription']")).to_contain_text(
        subscription.secret_hint + "…"
    )
    expect(page.locator("section[aria-labelledby='h-deliveries'] tbody tr")).to_have_count(0)
    assert receiver.requests == []

    # --- civil1 transfers a case to the bureau (in the live server's database) ------------------
    # no consent to share: the transfer names its legal basis. The delivery is sent after the
    # commit, in this thread (the test settings' ImmediateBackend), before send_transfer returns.
    transfer = send_transfer(
        actor=e2e_users["civil1"],
        data={
            "to_org": "WHHRSS",
            "kind": "labour_inspection",
            "reason": "用工单位拖欠工资，请依法责令支付（E2E-移送）",
            "legal_basis": LEGAL_BASIS,
        },
        case_id=case.pk,
    )
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.event == "transfer.sent"
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )

    # the receiver got exactly one POST, signed with the secret it was shown
    assert len(receiver.requests) == 1, receiver.requests
    received = receiver.requests[0]
    assert received.path == "/hook"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["x-zhichi-event"] == "transfer.sent"
    assert received.headers["x-zhichi-delivery"] == str(delivery.pk)
    assert hmac.compare_digest(
        received.headers["x-zhichi-signature"], signature(secret, received.body)
    )
    assert received.headers["x-zhichi-signature"] != signature(secret + "x", received.body)
    envelope = json.loads(received.body)
    assert (envelope["id"], envelope["event"]) == (delivery.pk, "transfer.sent")
    data = envelope["data"]
    assert (data["transfer_id"], data["number"], data["case_id"]) == (
        transfer.pk,
        transfer.number,
        case.pk,
    )
    assert (data["from_org"], data["to_org"], data["status"]) == ("WHPROC", "WHHRSS", "sent")
    text = received.body.decode()
    assert CLAIMANT_NAME not in text and CLAIMANT_ID not in text  # ids and states only

    # nothing is left to send: the retry command finds nothing due and sends nothing again
    out = StringIO()
    call_command("retry_webhooks", stdout=out)
    assert out.getvalue().startswith("delivered 0, to retry 0, failed 0"), out.getvalue()
    assert len(receiver.requests) == 1

    # --- the bureau reads the delivery log ------------------------------------------------------
    page.reload()
    rows = page.locator("section[aria-labelledby='h-deliveries'] tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    with translation.override(PAGE_LANGUAGE):
        event_label = str(WebhookDelivery(event="transfer.sent").get_event_display())
    cells = row.locator("td")
    expect(cells.nth(0)).to_contain_text(event_label)
    expect(cells.nth(0)).to_contain_text(f"#{delivery.pk}")
    expect(cells.nth(1).locator(".badge.badge-status-done")).to_have_text(
        zh(DeliveryStatus.DELIVERED.label)
    )
    expect(cells.nth(2)).to_have_text("1")
    expect(cells.nth(3)).to_contain_text("200")
    expect(cells.nth(5)).not_to_have_text("—")
