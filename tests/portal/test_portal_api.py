"""A portal lead's filing in the API (GET /api/v1/leads/{lead_id}/portal): the receiving
procuratorate's staff read it; everyone else gets 404, as for a lead without a filing."""

from __future__ import annotations

import pytest

from tests.conftest import lead_payload
from tests.portal.factories import make_filing
from zhichi.cases import sharing
from zhichi.cases.models import ShareBasis, ShareReason
from zhichi.intake import services as intake
from zhichi.intake.models import LeadShare

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def url(lead_id: int) -> str:
    return f"/api/v1/leads/{lead_id}/portal"


@pytest.fixture
def filing(orgs, users, settings):
    settings.ZHICHI = {**settings.ZHICHI, "SMS_BACKEND": ""}
    filing = make_filing(orgs, helper=True, typed_name="赵晓满")
    intake.accept_lead(lead_id=filing.lead_id, actor=users["civil1"])
    return filing


def test_the_receiving_officer_reads_the_filing(api, filing):
    response = api("civil1").get(url(filing.lead_id))

    assert response.status_code == 200
    notice = filing.notices.get()
    assert response.json() == {
        "filed_by": "helper",
        "helper_relation": "community_worker",
        "consents": {"sensitive": True, "voluntary": True, "helper_confirms": True},
        "privacy_notice": "2026-12",
        "consent_sms": True,
        "consented_at": filing.consented_at.isoformat(),
        "typed_name_differs": True,
        "notices": [
            {"kind": "accepted", "at": notice.created_at.isoformat(), "sms_status": "not_sent"}
        ],
    }


def test_no_phone_and_no_name_is_in_the_answer(api, filing):
    body = api("civilhead").get(url(filing.lead_id)).content.decode()

    for personal in ("13912345678", "13698765432", "李大姐", "赵晓满"):
        assert personal not in body


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("civil1", 200),
        ("civil2", 200),
        ("civilhead", 200),
        ("chief", 200),
        ("registrar1", 200),
        ("criminal1", 404),
        ("hrss1", 404),
        ("wf1", 404),
        ("outsider", 404),
    ],
)
def test_who_may_read_it(api, filing, username, status):
    assert api(username).get(url(filing.lead_id)).status_code == status


def test_a_partner_the_lead_is_shared_with_still_gets_404(api, filing, orgs, users):
    sharing.grant(
        LeadShare,
        subject_field="lead",
        subject=filing.lead,
        organisation=orgs["hrss"],
        department=None,
        reason=ShareReason.TRANSFER,
        basis=ShareBasis.LEGAL_BASIS,
        legal_basis="《保障农民工工资支付条例》第十条",
        source="test:1",
        actor=users["civil1"],
    )

    assert api("hrss1").get(f"/api/v1/leads/{filing.lead_id}").status_code == 200
    assert api("hrss1").get(url(filing.lead_id)).status_code == 404


def test_a_lead_that_did_not_come_from_the_portal_is_404(api, users):
    lead = intake.create_lead(actor=users["civil1"], data=lead_payload())

    assert api("civil1").get(url(lead.pk)).status_code == 404
    assert api("civil1").get(url(lead.pk + 1000)).status_code == 404


def test_without_a_token_it_is_401(client, filing):
    assert client.get(url(filing.lead_id)).status_code == 401
