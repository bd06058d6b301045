"""The transfer pages, the case page's transfers section and partner restrictions (C7, C8)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.transfers.conftest import send, wage_case
from zhichi.cases.models import Case
from zhichi.cases.words import level_reason_words
from zhichi.transfers import services
from zhichi.transfers.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CRIMINAL = {"to_org": "WHPROC", "to_department": "criminal", "kind": "criminal_lead"}


def test_send_form_refuses_at_the_field_and_keeps_what_was_typed(users, web):
    case = wage_case(users, consent=False, seq="91")
    client = web("civil1")

    r = client.post(
        f"/transfers/new/case/{case.pk}/",
        {"kind": "labour_inspection", "receiver": "WHHRSS", "reason": "请责令支付工资"},
    )

    assert r.status_code == 422
    form = r.context["form"]
    assert list(form.errors) == ["legal_basis"]
    assert "请责令支付工资" in r.content.decode()
    assert Transfer.objects.count() == 0


def test_send_form_sends_and_lands_on_the_transfer(users, web):
    case = wage_case(users, consent=True, seq="92")

    r = web("civil1").post(
        f"/transfers/new/case/{case.pk}/",
        {"kind": "criminal_lead", "receiver": "WHPROC/criminal", "reason": "涉嫌拒不支付劳动报酬"},
    )

    t = Transfer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/transfers/{t.pk}/"
    assert (t.to_org.code, t.to_department.code) == ("WHPROC", "criminal")


def test_receiver_select_leaves_out_the_cases_own_department(users, web):
    case = wage_case(users, consent=True, seq="93")

    r = web("civil1").get(f"/transfers/new/case/{case.pk}/")

    values = [v for v, _label in r.context["form"].fields["receiver"].choices]
    assert "WHPROC/criminal" in values and "WHHRSS" in values
    assert "WHPROC/civil" not in values and "WHPROC" not in values


def test_inbox_counts_and_filters(users, web):
    case = wage_case(users, consent=True, seq="94")
    t = send(users, case, **CRIMINAL)
    send(users, case, to_org="WHHRSS", kind="labour_inspection")
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])
    client = web("criminal1")

    r = client.get("/transfers/inbox/")
    assert r.status_code == 200
    counts = {value: n.number for value, _label, n in r.context["counts"]}
    assert (counts["accepted"], counts["sent"], r.context["total"].number) == (1, 0, 1)
    assert [x.pk for x in r.context["page_obj"]] == [t.pk]
    assert client.get("/transfers/inbox/?status=sent").context["page_obj"].paginator.count == 0
    # the sender's outbox holds both
    assert web("civil1").get("/transfers/outbox/").context["total"].number == 2


def test_inbox_query_count_does_not_grow_with_rows(users, web):
    case = wage_case(users, consent=True, seq="95")
    client = web("criminal1")
    client.get("/transfers/inbox/")  # the session's first request stamps it: warm it up
    send(users, case, **CRIMINAL)
    with CaptureQueriesContext(connection) as one:
        client.get("/transfers/inbox/")
    send(users, case, to_org="WHPROC", to_department="criminal", kind="other")
    case2 = wage_case(users, consent=True, seq="96")
    send(users, case2, **CRIMINAL)
    with CaptureQueriesContext(connection) as three:
        r = client.get("/transfers/inbox/")

    assert r.context["total"].number == 3
    assert len(three) == len(one)


def test_page_steps_accept_then_answer_with_errors_at_the_field(users, web):
    case = wage_case(users, consent=True, seq="97")
    t = send(users, case, **CRIMINAL)
    client = web("criminal1")

    assert client.post(f"/transfers/{t.pk}/accept/").status_code == 302
    bad = client.post(f"/transfers/{t.pk}/feedback/", {"feedback-result": "filed"})
    assert bad.status_code == 422
    assert list(bad.context["feedback_form"].errors) == ["text"]
    good = client.post(
        f"/transfers/{t.pk}/feedback/", {"feedback-result": "filed", "feedback-text": "已立案监督"}
    )
    assert good.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.feedback_text) == ("answered", "已立案监督")


def test_a_step_out_of_order_on_the_page_says_why(users, web):
    case = wage_case(users, consent=True, seq="98")
    t = send(users, case, **CRIMINAL)
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])

    r = web("criminal1").post(f"/transfers/{t.pk}/receive/", follow=True)

    assert r.status_code == 200
    assert any(m.level_tag == "error" for m in r.context["messages"])


def test_the_case_page_offers_the_evaluators_next_step(users, web):
    case = wage_case(users, consent=True, seq="99", workers=12)

    r = web("civil1").get(f"/cases/{case.pk}/")

    section = next(s for s in r.context["extra_sections"] if s["key"] == "transfers")
    advice = section["ctx"]["advice"]
    assert advice["verdict"] == "order_first"
    assert advice["suggestion"]["kind"] == "labour_inspection"
    assert f"/transfers/new/case/{case.pk}/?kind=labour_inspection" in r.content.decode()


def test_the_facts_form_on_the_case_page(users, web):
    case = wage_case(users, consent=True, seq="90")
    case.refresh_from_db()
    client = web("civil1")

    bad = client.post(
        f"/cases/{case.pk}/facts/",
        {
            "labour_relationship": "employee",
            "payment_order_issued_on": "2026-13-01",
            "version": case.version,
        },
    )
    assert bad.status_code == 422
    assert "payment_order_issued_on" in bad.context["forms"]["facts"].errors
    good = client.post(
        f"/cases/{case.pk}/facts/",
        {
            "labour_relationship": "contractor_crew",
            "evasion": ["absconded"],
            "consent_to_share": "on",
            "version": case.version,
        },
    )
    assert good.status_code == 302
    case.refresh_from_db()
    assert (case.labour_relationship, case.evasion) == ("contractor_crew", ["absconded"])


# --- what a partner sees (C8) ---------------------------------------------------------------------
def test_a_partner_sees_no_internal_fields_in_the_api(users, api):
    case = wage_case(users, consent=True, seq="89", workers=12)  # hrss1 referred it, with consent
    staff = api("civil1").get(f"/api/v1/cases/{case.pk}").json()
    assert staff["level_reasons"] and staff["criminal_check"]["verdict"] == "order_first"

    body = api("hrss1").get(f"/api/v1/cases/{case.pk}").json()

    assert (body["level_reasons"], body["criminal_check"], body["flags"]) == ([], {}, [])
    assert body["risk"] == {"score": None, "reasons": []}
    assert all("id_number" not in c for c in body["claimants"])
    assert api("hrss1").get(f"/api/v1/cases/{case.pk}?unmask=1").status_code == 403


def test_a_partner_timeline_leaves_out_the_internal_steps(users, api):
    from zhichi.cases.services import disposal

    case = wage_case(users, consent=True, seq="88")
    disposal.propose_support_decision(
        case_id=case.pk, actor=users["civil1"], data={"decision": "support", "reasons": "内部意见"}
    )

    staff = {e["kind"] for e in api("civil1").get(f"/api/v1/cases/{case.pk}/timeline").json()}
    partner = {e["kind"] for e in api("hrss1").get(f"/api/v1/cases/{case.pk}/timeline").json()}

    assert "support_proposed" in staff
    assert "support_proposed" not in partner and "case_opened" in partner


def test_a_partner_case_page_hides_grading_reasons_and_approvals(users, web):
    from zhichi.cases.services import disposal

    case = wage_case(users, consent=True, seq="87")
    disposal.propose_support_decision(
        case_id=case.pk,
        actor=users["civil1"],
        data={"decision": "support", "reasons": "内部审查意见甲"},
    )
    case = Case.objects.get(pk=case.pk)

    staff = web("civil1").get(f"/cases/{case.pk}/").content.decode()
    page = web("hrss1").get(f"/cases/{case.pk}/").content.decode()

    assert "内部审查意见甲" in staff and "内部审查意见甲" not in page
    reason = escape(level_reason_words(case.level_reasons)[0])
    assert reason in staff and reason not in page
    for cp in case.parties.select_related("party").filter(role="claimant"):
        assert cp.party.id_number not in page
        assert cp.party.id_number_masked in page


def test_item6_a_partner_sees_only_the_transfers_it_is_a_side_of_on_the_case_page(users, web):
    # issue 12 item 6: an internal transfer (criminal lead) is not the referring bureau's business
    case = wage_case(users, consent=True, seq="86")
    internal = send(users, case, **CRIMINAL)
    own = send(users, case, to_org="WHHRSS", kind="labour_inspection")

    r = web("hrss1").get(f"/cases/{case.pk}/")

    page = r.content.decode()
    section = next(s for s in r.context["extra_sections"] if s["key"] == "transfers")
    assert [row["transfer"].pk for row in section["ctx"]["rows"]] == [own.pk]
    assert internal.number not in page and own.number in page
    assert f'href="/transfers/{own.pk}/"' in page
    assert web("hrss1").get(f"/transfers/{internal.pk}/").status_code == 404
    staff = web("civil1").get(f"/cases/{case.pk}/").content.decode()
    assert internal.number in staff and own.number in staff


def test_the_transfer_page_masks_an_individual_business_credit_code(users, web):
    # rule ID-3: a 92… code names a person's business; only its masked form leaves the case
    from tests.conftest import lead_payload, make_credit_code
    from zhichi.intake import services as intake_services
    from zhichi.intake.validation import validate_lead

    code = make_credit_code("92530102MA6K2P3Q0")
    lead = intake_services.create_lead(
        actor=users["civil1"],
        data=validate_lead(
            lead_payload(
                respondents=[{"kind": "organisation", "name": "个体户", "credit_code": code}]
            )
        ),
    )
    case = intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])
    t = send(users, case, to_org="WHHRSS", kind="labour_inspection")

    page = web("hrss1").get(f"/transfers/{t.pk}/").content.decode()

    assert code not in page
    assert case.parties.get(role="respondent").party.credit_code_masked in page
