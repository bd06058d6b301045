"""The assistance pages: the register, recording, the application page's steps, the case and
workbench sections, and the legal aid centre's forms on a legal aid transfer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.assistance.conftest import claimant_of, opinion_data, record
from tests.transfers.conftest import send, wage_case
from zhichi.assistance import services
from zhichi.assistance.models import AssistanceApplication, AssistanceStatus, LegalAidReferral
from zhichi.cases.services.approvals import decide_approval
from zhichi.transfers import services as transfer_services

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_record_form_refuses_at_the_field_and_keeps_what_was_typed(users, web, acase):
    r = web("civil1").post(
        f"/assistance/cases/{acase.pk}/new/",
        {
            "applicant_party_id": str(claimant_of(acase).party_id),
            "basis": "other",
            "hardship": "妻子重病住院",
            "hardship_caused_by_case": "on",
            "requested_amount": "",
        },
        **EN,
    )
    assert r.status_code == 422
    assert list(r.context["form"].errors) == ["requested_amount"]
    assert "妻子重病住院" in r.content.decode()
    assert AssistanceApplication.objects.count() == 0


def test_record_form_shows_the_cap_and_lands_on_the_application(users, web, acase):
    client = web("civil1")
    page = client.get(f"/assistance/cases/{acase.pk}/new/", **EN)
    assert page.status_code == 200
    assert "¥338,724.00" in page.content.decode()
    r = client.post(
        f"/assistance/cases/{acase.pk}/new/",
        {
            "applicant_party_id": str(claimant_of(acase).party_id),
            "form": "oral",
            "basis": "other",
            "hardship": "妻子重病住院",
            "hardship_caused_by_case": "on",
            "requested_amount": "30000",
        },
    )
    a = AssistanceApplication.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assistance/{a.pk}/"
    assert (a.form, a.requested_amount) == ("oral", Decimal("30000.00"))


def test_opinion_form_errors_land_on_the_exclusion_questions(users, web, acase):
    a = record(users, acase)
    r = web("civil1").post(
        f"/assistance/{a.pk}/opinion/",
        {"verification": "核实", "proposal": "grant", "proposed_amount": "1000", "opinion": "同意"},
        **EN,
    )
    assert r.status_code == 422
    errors = r.context["forms"]["opinion"].errors
    assert "exclusion_serious_fault" in errors and "exclusion_already_compensated" in errors
    a.refresh_from_db()
    assert a.status == AssistanceStatus.RECEIVED


def test_opinion_form_sends_for_approval(users, web, acase):
    a = record(users, acase)
    post = {f"exclusion_{k}": "no" for k in opinion_data()["exclusions"]}
    post.update(
        {"verification": "核实", "proposal": "grant", "proposed_amount": "1000", "opinion": "同意"}
    )
    r = web("civil1").post(f"/assistance/{a.pk}/opinion/", post)
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == AssistanceStatus.IN_APPROVAL
    inbox = web("civilhead").get("/cases/approvals/", **EN).content.decode()
    assert f"/assistance/{a.pk}/" in inbox and "Department head&#x27;s review" in inbox


def test_application_page_shows_chain_and_the_allowed_step(users, web, acase):
    a = record(users, acase)
    services.submit_opinion(application_id=a.pk, actor=users["civil1"], data=opinion_data())
    body = web("civil1").get(f"/assistance/{a.pk}/", **EN).content.decode()
    assert "Approval chain" in body and "Chief procurator&#x27;s decision" in body
    assert 'id="form-funds"' not in body
    a.refresh_from_db()
    decide_approval(approval_id=a.approval_id, actor=users["civilhead"], approve=True)
    a.refresh_from_db()
    decide_approval(approval_id=a.approval_id, actor=users["chief"], approve=True)
    body = web("civil1").get(f"/assistance/{a.pk}/", **EN).content.decode()
    assert 'id="form-funds"' in body
    # a head of another department sees nothing (404), the chief sees it without forms
    assert web("criminal1").get(f"/assistance/{a.pk}/").status_code == 404
    assert 'id="form-funds"' not in web("chief").get(f"/assistance/{a.pk}/").content.decode()


def test_register_counts_filters_and_empty_state(users, web, acase):
    client = web("civil1")
    empty = client.get("/assistance/", **EN).content.decode()
    assert "No assistance application yet" in empty
    record(users, acase)
    r = client.get("/assistance/?status=received", **EN)
    assert r.status_code == 200 and len(r.context["rows"]) == 1
    assert len(client.get("/assistance/?status=paid").context["rows"]) == 0
    assert len(client.get("/assistance/?q=工人61").context["rows"]) == 1


def test_case_section_and_workbench(users, web, acase):
    record(users, acase)
    body = web("civil1").get(f"/cases/{acase.pk}/", **EN).content.decode()
    assert 'id="assistance"' in body and "Refer to legal aid" in body
    assert "kind=legal_aid&amp;to=WHLAC" in body
    wb = web("civil1").get("/", **EN).content.decode()
    assert "Judicial assistance in my cases" in wb


def test_partner_with_a_share_sees_no_assistance(users, web):
    case = wage_case(users, consent=True, seq="63")
    record(users, case)
    body = web("hrss1").get(f"/cases/{case.pk}/", **EN)
    assert body.status_code == 200
    assert 'id="assistance"' not in body.content.decode()
    assert web("hrss1").get("/assistance/").status_code == 404


def test_legal_aid_centre_names_lawyer_and_reports_outcome(users, web):
    case = wage_case(users, consent=True, seq="64")
    t = send(users, case, to_org="WHLAC", kind="legal_aid")
    transfer_services.accept_transfer(transfer_id=t.pk, actor=users["lac1"])
    centre = web("lac1")
    page = centre.get(f"/transfers/{t.pk}/", **EN).content.decode()
    assert 'id="form-lawyer"' in page
    bad = centre.post(
        f"/assistance/legal-aid/{t.pk}/lawyer/",
        {"lawyer_name": "", "law_firm": "云南某律师事务所", "assigned_on": ""},
        **EN,
    )
    assert bad.status_code == 422 and "云南某律师事务所" in bad.content.decode()
    today = timezone.localdate().isoformat()
    ok = centre.post(
        f"/assistance/legal-aid/{t.pk}/lawyer/",
        {"lawyer_name": "李律师", "law_firm": "云南某律师事务所", "assigned_on": today},
    )
    assert ok.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.feedback_result) == ("answered", "lawyer_assigned")
    centre.post(
        f"/assistance/legal-aid/{t.pk}/outcome/",
        {"outcome": "settled", "outcome_on": today, "note": "调解结案"},
    )
    assert LegalAidReferral.objects.get(transfer=t).outcome == "settled"
    body = web("civil1").get(f"/cases/{case.pk}/", **EN).content.decode()
    assert "李律师" in body and "Settled or mediated" in body
    # the referring side may not name the lawyer
    assert (
        web("civil1")
        .post(
            f"/assistance/legal-aid/{t.pk}/lawyer/",
            {"lawyer_name": "x", "law_firm": "y", "assigned_on": today},
        )
        .status_code
        == 403
    )
