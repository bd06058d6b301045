"""Who referred a lead, and what that lets the referring agency see (issue 12 item 13).

Procuratorate staff may record that an agency referred a lead; that alone shares nothing. The
agency sees the lead when its own staff filed it, or with the person's consent to share, or
through an explicit share; it sees the case only with consent or a share. Only a partner's own
staff may name their organisation as the referrer.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_credit_code, make_id
from zhichi.audit.models import AuditEntry
from zhichi.intake.models import Lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

LEADS = "/api/v1/leads"
CASES = "/api/v1/cases"
EN = {"Accept-Language": "en"}


def file_lead(client, body) -> dict:
    r = client.post(LEADS, body)
    assert r.status_code == 201, r.content
    return r.json()


def accept(client, lead_id: int) -> dict:
    r = client.post(f"{LEADS}/{lead_id}/accept")
    assert r.status_code == 200, r.content
    return r.json()


def api_list_ids(client, path: str) -> set[int]:
    r = client.get(path, {"limit": 200})
    assert r.status_code == 200, r.content
    return {item["id"] for item in r.json()["items"]}


def page_lists(web_client, path: str, pk: int) -> bool:
    r = web_client.get(path)
    assert r.status_code == 200
    return f'href="{path}{pk}/"' in r.content.decode()


@pytest.fixture
def attributed(api, payload) -> dict:
    """The reproduction: civil1 files a lead naming WHHRSS as the referrer, without consent."""
    return file_lead(api("civil1"), payload(referring_org="WHHRSS", consent_to_share=False))


# --- staff attribution alone shares nothing ----------------------------------------------------
def test_staff_attribution_without_consent_hides_the_lead_from_that_agency(attributed, api, web):
    lead_id = attributed["id"]

    assert attributed["referring_org"] == "WHHRSS"  # the fact is recorded
    assert api("hrss1").get(f"{LEADS}/{lead_id}").status_code == 404
    assert web("hrss1").get(f"/leads/{lead_id}/").status_code == 404
    assert lead_id not in api_list_ids(api("hrss1"), LEADS)
    assert not page_lists(web("hrss1"), "/leads/", lead_id)
    # the procuratorate still sees it, with the referrer named
    assert api("civil1").get(f"{LEADS}/{lead_id}").json()["referring_org"] == "WHHRSS"
    assert page_lists(web("civil1"), "/leads/", lead_id)


def test_after_acceptance_the_attributed_agency_sees_neither_lead_nor_case(attributed, api, web):
    case = accept(api("civil1"), attributed["id"])
    hrss = api("hrss1")

    assert hrss.get(f"{CASES}/{case['case_id']}").status_code == 404
    assert web("hrss1").get(f"/cases/{case['case_id']}/").status_code == 404
    assert hrss.get(f"{CASES}/{case['case_id']}/timeline").status_code == 404
    assert case["case_id"] not in api_list_ids(hrss, CASES)
    assert not page_lists(web("hrss1"), "/cases/", case["case_id"])
    assert hrss.get(f"{LEADS}/{attributed['id']}").status_code == 404
    assert attributed["id"] not in api_list_ids(hrss, LEADS)


def test_attribution_without_consent_leaves_no_way_in_for_the_agency(attributed, api, web):
    """Nor through the employer profile, the lead's evidence or its attachments list."""
    hrss = api("hrss1")
    lead_id = attributed["id"]

    assert hrss.get(f"/api/v1/employers/{make_credit_code()}").status_code == 404
    assert web("hrss1").get(f"/employers/{make_credit_code()}/").status_code == 404
    assert hrss.get(f"/api/v1/leads/{lead_id}/attachments").status_code == 404
    assert web("hrss1").post(f"/attachments/lead/{lead_id}/upload/").status_code == 404


def test_the_duplicate_panel_does_not_reveal_an_attributed_lead(attributed, api, payload):
    """hrss1 files a lead for the same claimant: the hidden lead is not reported as a duplicate
    to it, while the procuratorate sees both."""
    own = file_lead(api("hrss1"), payload(consent_to_share=False))

    assert own["duplicates"] == []
    staff_view = api("civil1").get(f"{LEADS}/{own['id']}").json()
    assert {d["lead_id"] for d in staff_view["duplicates"]} == {attributed["id"]}


def test_another_agency_sees_nothing_of_an_attributed_lead(attributed, api):
    assert api("wf1").get(f"{LEADS}/{attributed['id']}").status_code == 404


# --- consent, or the agency's own filing, does share -------------------------------------------
def test_staff_attribution_with_consent_shares_the_lead_and_its_case(api, payload, web):
    lead = file_lead(api("civil1"), payload(referring_org="WHHRSS", consent_to_share=True))
    hrss = api("hrss1")

    assert hrss.get(f"{LEADS}/{lead['id']}").status_code == 200
    assert lead["id"] in api_list_ids(hrss, LEADS)
    case = accept(api("civil1"), lead["id"])
    assert hrss.get(f"{CASES}/{case['case_id']}").status_code == 200
    assert web("hrss1").get(f"/cases/{case['case_id']}/").status_code == 200
    assert case["case_id"] in api_list_ids(hrss, CASES)
    assert page_lists(web("hrss1"), "/cases/", case["case_id"])
    assert api("wf1").get(f"{LEADS}/{lead['id']}").status_code == 404


def test_a_partners_own_lead_stays_visible_to_it_without_consent(api, payload, web):
    lead = file_lead(api("hrss1"), payload(consent_to_share=False))
    hrss = api("hrss1")

    assert (lead["referring_org"], lead["consent_to_share"]) == ("WHHRSS", False)
    assert hrss.get(f"{LEADS}/{lead['id']}").status_code == 200
    assert web("hrss1").get(f"/leads/{lead['id']}/").status_code == 200
    assert lead["id"] in api_list_ids(hrss, LEADS)
    assert page_lists(web("hrss1"), "/leads/", lead["id"])
    # its case, without the person's consent, stays with the procuratorate (C8)
    case = accept(api("civil1"), lead["id"])
    assert hrss.get(f"{CASES}/{case['case_id']}").status_code == 404
    after = hrss.get(f"{LEADS}/{lead['id']}").json()
    assert (after["status"], after["case_id"], after["case_number"]) == ("accepted", None, None)


# --- only a partner's own staff attribute a lead to it -----------------------------------------
def test_a_partner_naming_another_agency_is_422_and_nothing_is_saved(api, payload):
    saved = AuditEntry.objects.filter(action="lead.create", outcome="ok")
    before = (Lead.objects.count(), saved.count())

    r = api("hrss1").post(LEADS, payload(referring_org="WHWF"), headers=EN)

    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("referring_org", "not_own_organisation")
    ]
    assert "your own organisation" in r.json()["errors"][0]["message"]
    after = (Lead.objects.count(), saved.count())
    assert after == before  # the refusal itself is audited as denied (test_create_lead_refusals)


def test_a_partner_naming_a_procuratorate_as_referrer_is_422(api, payload):
    r = api("hrss1").post(LEADS, payload(referring_org="WHPROC"))

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["referring_org"]


def test_a_partner_naming_its_own_organisation_files_as_itself(api, payload):
    lead = file_lead(api("hrss1"), payload(referring_org="WHHRSS", consent_to_share=False))

    assert (lead["referring_org"], lead["source"]) == ("WHHRSS", "agency")
    assert api("hrss1").get(f"{LEADS}/{lead['id']}").status_code == 200


def test_a_partners_page_form_ignores_a_forged_referrer(web, users):
    """The partner's form has no "referred by" field: a forged value is not read, and the lead is
    its own referral."""
    data = {
        "source": "agency",
        "received_on": "2026-01-05",
        "category": "wages",
        "summary": "拖欠工资",
        "labour_relationship": "unknown",
        "referring_org": "WHWF",
        "claimants-TOTAL_FORMS": "1",
        "claimants-INITIAL_FORMS": "0",
        "claimants-0-name": "王建国",
        "claimants-0-id_number": make_id(seq="111"),
        "respondents-TOTAL_FORMS": "0",
        "respondents-INITIAL_FORMS": "0",
    }

    r = web("hrss1").post("/leads/new/", data)

    assert r.status_code == 302, r.content.decode()[:500]
    assert Lead.objects.get().referring_org.code == "WHHRSS"


def test_the_lead_create_audit_row_names_the_referrer_and_the_consent(attributed):
    entry = AuditEntry.objects.get(action="lead.create")

    assert (entry.detail["referring_org"], entry.detail["consent_to_share"]) == ("WHHRSS", False)


def test_the_staff_form_explains_that_naming_a_referrer_does_not_share(web):
    r = web("civil1").get("/leads/new/", headers=EN)

    assert "does not share it with them" in r.content.decode()
