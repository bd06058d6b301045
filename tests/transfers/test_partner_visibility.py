"""Which transfers a partner agency sees (issue 12 item 6; API.md § Transfers, C8): only those its
own organisation sent or receives. Transfers between the procuratorate's departments, and those
between the procuratorate and another agency, answer 404 and are absent from the case and lead
pages, the case's transfer list, the timeline and the webhooks sent to the partner."""

from __future__ import annotations

import pytest

from tests.conftest import lead_payload, make_id
from tests.transfers.conftest import send, wage_case
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.parties import crypto
from zhichi.transfers import services
from zhichi.webhooks.models import Event, WebhookDelivery, WebhookSubscription

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CRIMINAL = {"to_org": "WHPROC", "to_department": "criminal", "kind": "criminal_lead"}


@pytest.fixture
def case_with_three_transfers(users):
    """hrss1's referral (consent), sent to the criminal department (internal), to WHHRSS (the
    bureau's own) and to WHLAC (legal aid: the centre's own, not the bureau's)."""
    case = wage_case(users, consent=True, seq="31", workers=12)
    internal = send(users, case, **CRIMINAL)
    services.accept_transfer(transfer_id=internal.pk, actor=users["criminal1"])
    bureau = send(users, case, to_org="WHHRSS", kind="labour_inspection")
    centre = send(users, case, to_org="WHLAC", kind="legal_aid")
    return case, internal, bureau, centre


@pytest.mark.parametrize(
    ("username", "own"), [("hrss1", "bureau"), ("lac1", "centre")], ids=["hrss1", "lac1"]
)
def test_item6_a_partner_reads_only_its_own_transfers_of_a_shared_case(
    users, api, case_with_three_transfers, username, own
):
    case, internal, bureau, centre = case_with_three_transfers
    mine = {"bureau": bureau, "centre": centre}[own]
    client = api(username)

    listed = client.get(f"/api/v1/cases/{case.pk}/transfers").json()
    statuses = {
        t.pk: client.get(f"/api/v1/transfers/{t.pk}").status_code
        for t in (internal, bureau, centre)
    }

    assert [t["id"] for t in listed] == [mine.pk]
    assert statuses == {t.pk: 200 if t == mine else 404 for t in (internal, bureau, centre)}
    inbox = client.get("/api/v1/transfers?box=inbox").json()["items"]
    assert [t["id"] for t in inbox] == [mine.pk]
    # the evaluator's advice stays with the procuratorate that sent it
    assert client.get(f"/api/v1/transfers/{mine.pk}").json()["criminal_check"] == {}


def test_item6_the_criminal_department_reads_the_advice_of_its_own_procuratorate(
    users, api, case_with_three_transfers
):
    _case, internal, _bureau, _centre = case_with_three_transfers

    body = api("criminal1").get(f"/api/v1/transfers/{internal.pk}").json()

    assert body["criminal_check"]["verdict"] == "order_first"


def test_item6_the_timeline_shows_a_partner_its_own_transfer_steps_with_their_text(
    users, api, case_with_three_transfers
):
    case, internal, bureau, centre = case_with_three_transfers

    events = api("hrss1").get(f"/api/v1/cases/{case.pk}/timeline").json()
    text = " ".join(e["summary"] for e in events)

    assert [e["kind"] for e in events if e["kind"].startswith("transfer_")] == ["transfer_send"]
    assert bureau.number in text
    assert internal.number not in text and centre.number not in text
    staff = " ".join(
        e["summary"] for e in api("civil1").get(f"/api/v1/cases/{case.pk}/timeline").json()
    )
    assert all(t.number in staff for t in (internal, bureau, centre))


def test_item6_the_lead_page_hides_an_internal_lead_transfer_from_the_referring_partner(users, web):
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=True, claimants=[{"name": "赵六", "id_number": make_id(seq="731")}]
            )
        ),
    )
    internal = services.send_transfer(
        actor=users["civil1"], data={"reason": "刑事线索内部移送", **CRIMINAL}, lead_id=lead.pk
    )

    r = web("hrss1").get(f"/leads/{lead.pk}/")

    assert r.status_code == 200
    page = r.content.decode()
    assert internal.number not in page and "刑事线索内部移送" not in page
    # nothing of its own to show: the section is left out altogether
    assert "transfers" not in [s["key"] for s in r.context["extra_sections"]]
    assert internal.number in web("civil1").get(f"/leads/{lead.pk}/").content.decode()


def test_item6_no_transfer_event_of_an_internal_transfer_goes_to_a_partners_webhooks(users):
    subscriptions = {
        name: WebhookSubscription.objects.create(
            organisation=users[name].organisation,
            url="https://partner.example.org/hook",
            events=[e.value for e in Event if e != Event.PING],
            secret_enc=crypto.encrypt("s3cret-for-tests"),
            secret_hint="s3cr",
            created_by=users[name],
        )
        for name in ("hrss1", "lac1")
    }
    case = wage_case(users, consent=True, seq="32")
    internal = send(users, case, **CRIMINAL)
    services.accept_transfer(transfer_id=internal.pk, actor=users["criminal1"])
    services.answer_transfer(
        transfer_id=internal.pk,
        actor=users["criminal1"],
        data={"text": "已立案", "result": "filed"},
    )
    bureau = send(users, case, to_org="WHHRSS", kind="labour_inspection")

    sent = {
        name: sorted(
            (d.event, d.payload.get("transfer_id"))
            for d in WebhookDelivery.objects.filter(subscription=s)
        )
        for name, s in subscriptions.items()
    }

    assert sent == {"hrss1": [(Event.TRANSFER_SENT.value, bureau.pk)], "lac1": []}
