"""A refused ``create_lead`` is audited like every other service's refusal (rule R7; architecture
review 2026-12, "Smaller defects found"): one ``lead.create`` row with outcome ``denied``, written
outside the failed transaction so it stays, and no lead."""

from __future__ import annotations

import pytest

from tests.conftest import lead_payload
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.intake import services
from zhichi.intake.models import Lead
from zhichi.intake.validation import validate_lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def refusals() -> list[tuple[str, str, dict]]:
    return [
        (e.username, e.outcome, e.detail)
        for e in AuditEntry.objects.filter(action="lead.create").order_by("id")
    ]


def test_a_partner_naming_another_agency_is_audited_as_denied_and_saves_nothing(users, orgs):
    with pytest.raises(InvalidInput):
        services.create_lead(
            actor=users["hrss1"], data=validate_lead(lead_payload(referring_org="WHWF"))
        )

    assert refusals() == [("hrss1", "denied", {"reasons": ["referring_org:not_own_organisation"]})]
    assert Lead.objects.count() == 0


def test_an_unknown_receiving_procuratorate_is_audited_as_denied(users):
    with pytest.raises(InvalidInput):
        services.create_lead(
            actor=users["hrss1"], data=validate_lead(lead_payload()), to_org="NOSUCHPROC"
        )

    assert refusals() == [("hrss1", "denied", {"reasons": ["to_org:unknown"]})]
    assert Lead.objects.count() == 0


def test_a_user_who_may_not_file_is_audited_once_as_denied(users):
    with pytest.raises(NotPermitted):
        services.create_lead(actor=users["registrar1"], data=validate_lead(lead_payload()))

    assert refusals() == [("registrar1", "denied", {})]
    assert Lead.objects.count() == 0


def test_the_api_refusal_is_audited_once(api):
    r = api("hrss1").post("/api/v1/leads", lead_payload(referring_org="WHWF"))

    assert r.status_code == 422, r.content
    assert refusals() == [("hrss1", "denied", {"reasons": ["referring_org:not_own_organisation"]})]
    assert Lead.objects.count() == 0


def test_the_api_refuses_a_user_who_may_not_file_with_one_audit_row(api):
    r = api("registrar1").post("/api/v1/leads", lead_payload())

    assert r.status_code == 403, r.content
    assert refusals() == [("registrar1", "denied", {})]
    assert Lead.objects.count() == 0


def test_the_page_refusal_of_a_user_who_may_not_file_is_audited_once(web):
    from zhichi.audit.models import AuditEntry

    r = web("sysadmin").post("/leads/new/", {"summary": "x"})

    assert r.status_code == 403
    denied = AuditEntry.objects.filter(action="lead.create", outcome="denied")
    assert [(e.username, e.outcome) for e in denied] == [("sysadmin", "denied")]
    # opening the form is refused without an audit row (a GET changes nothing)
    assert web("sysadmin").get("/leads/new/").status_code == 403
    assert denied.count() == 1
