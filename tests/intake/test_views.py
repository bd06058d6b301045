"""Lead pages: the form with claimant rows (with and without JS), detail with duplicates,
accept and decline, the list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_credit_code, make_id
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.intake.models import Lead, LeadParty
from zhichi.parties.models import Party

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
NEW = "/leads/new/"


def form_data(claimants: list[dict], respondents: list[dict] | None = None, **main) -> dict:
    """POST data for the lead form: the main fields and both formsets with management forms."""
    respondents = respondents if respondents is not None else []
    data = {
        "source": "walk_in",
        "received_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "category": "wages",
        "summary": "工地拖欠工资三个月",
        "labour_relationship": "contractor_crew",
        "voluntary": "on",
        "consent_to_share": "on",
        "claimants-TOTAL_FORMS": str(len(claimants)),
        "claimants-INITIAL_FORMS": "0",
        "claimants-MIN_NUM_FORMS": "0",
        "claimants-MAX_NUM_FORMS": "500",
        "respondents-TOTAL_FORMS": str(len(respondents)),
        "respondents-INITIAL_FORMS": "0",
        "respondents-MIN_NUM_FORMS": "0",
        "respondents-MAX_NUM_FORMS": "20",
        "save": "1",
    }
    for prefix, rows in (("claimants", claimants), ("respondents", respondents)):
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(main)
    return data


WANG = {
    "name": "王建国",
    "id_number": make_id(seq="111"),
    "phone": "13800001111",
    "amount_claimed": "12000.00",
    "months_unpaid": "4",
    "groups": ["migrant_worker"],
    "vulnerability_basis": ["economic_hardship"],
}
LI = {
    "name": "李秀英",
    "id_number": make_id(birth="19900101", seq="222"),
    "amount_claimed": "8000.50",
}
EMPLOYER = {
    "kind": "organisation",
    "name": "云南某建筑劳务有限公司",
    "credit_code": make_credit_code(),
}


def _counts() -> tuple[int, int, int, int]:
    return (
        Lead.objects.count(),
        LeadParty.objects.count(),
        Party.objects.count(),
        AuditEntry.objects.filter(action="lead.create").count(),
    )


# --- the form ----------------------------------------------------------------------------------
def test_lead_form_get_is_200_with_one_empty_claimant_row(web, users):
    r = web("civil1").get(NEW)

    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="claimants-0-name"' in html
    assert 'name="claimants-1-name"' not in html
    assert 'name="claimants-TOTAL_FORMS" value="1"' in html


def test_valid_lead_with_two_claimants_redirects_to_the_lead_page(web, users):
    r = web("civil1").post(NEW, form_data([WANG, LI], [EMPLOYER]))

    lead = Lead.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/leads/{lead.pk}/"
    assert [(lp.party.name, lp.amount_claimed) for lp in lead.claimants] == [
        ("王建国", Decimal("12000.00")),
        ("李秀英", Decimal("8000.50")),
    ]
    assert [lp.party.name for lp in lead.respondents] == ["云南某建筑劳务有限公司"]
    assert lead.claimants[0].groups == ["migrant_worker"]
    assert lead.claimants[0].months_unpaid == 4
    assert (lead.source, lead.created_by.username, lead.department.code) == (
        "walk_in",
        "civil1",
        "civil",
    )


def test_the_lead_form_records_risk_signals_and_the_lead_page_names_them_ew_3(web, users):
    client = web("civil1")
    r = client.post(
        NEW, form_data([WANG], [EMPLOYER], signals=["past_petitions", "project_closing"])
    )

    lead = Lead.objects.get()
    assert r.status_code == 302
    assert lead.signals == ["past_petitions", "project_closing"]
    page = client.get(f"/leads/{lead.pk}/", headers=EN).content.decode()
    assert "Past collective petitions, sit-ins or blockades" in page


def test_id1_bad_checksum_on_the_page_is_422_with_the_error_at_the_field(web, users):
    before = _counts()
    bad = {**WANG, "id_number": "110105194912310021"}

    r = web("civil1").post(NEW, form_data([bad, LI], [EMPLOYER]), headers=EN)

    assert r.status_code == 422
    html = r.content.decode()
    assert (
        '<div class="invalid-feedback d-block" id="id_claimants-0-id_number_error">'
        "<div>The check character does not match: please check the number (rule ID-1).</div>"
        "</div>"
    ) in html
    assert 'id="id_claimants-1-id_number_error"' not in html
    assert "Please correct the errors below" in html
    assert _counts() == before


def test_page_keeps_what_was_typed_after_an_error(web, users):
    bad = {**WANG, "id_number": "110105194912310021"}

    r = web("civil1").post(NEW, form_data([bad, LI], [EMPLOYER]), headers=EN)

    html = r.content.decode()
    assert 'name="claimants-1-name" value="李秀英"' in html
    assert 'value="110105194912310021"' in html


def test_add_claimant_without_js_adds_a_row_and_shows_no_errors(web, users):
    data = form_data([WANG, LI], [EMPLOYER], add_claimants="1")
    del data["save"]

    r = web("civil1").post(NEW, data, headers=EN)

    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="claimants-2-name"' in html
    assert 'name="claimants-3-name"' not in html
    assert 'name="claimants-TOTAL_FORMS" value="3"' in html
    assert 'name="claimants-0-name" value="王建国"' in html
    assert "invalid-feedback" not in html
    assert "Please correct the errors below" not in html
    assert Lead.objects.count() == 0


def test_add_claimant_without_js_on_an_invalid_form_still_shows_no_errors(web, users):
    data = form_data([{**WANG, "id_number": "123"}], summary="", add_claimants="1")
    del data["save"]

    r = web("civil1").post(NEW, data, headers=EN)

    assert r.status_code == 200
    assert "invalid-feedback" not in r.content.decode()


def test_htmx_claimant_row_returns_the_next_row_and_an_oob_total(web, users):
    r = web("civil1").get(
        "/leads/new/claimant-row/?claimants-TOTAL_FORMS=2", headers={"HX-Request": "true"}
    )

    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="claimants-2-name"' in html
    assert 'name="claimants-1-name"' not in html
    assert (
        '<input type="hidden" name="claimants-TOTAL_FORMS" value="3" '
        'id="id_claimants-TOTAL_FORMS" hx-swap-oob="true">'
    ) in html
    assert 'name="claimants-2-DELETE"' in html


def test_htmx_claimant_row_with_garbage_total_starts_at_row_zero(web, users):
    r = web("civil1").get("/leads/new/claimant-row/?claimants-TOTAL_FORMS=abc")

    html = r.content.decode()
    assert 'name="claimants-0-name"' in html
    assert 'name="claimants-TOTAL_FORMS" value="1"' in html


def test_a_removed_claimant_row_is_not_saved(web, users):
    data = form_data([WANG, {**LI, "DELETE": "on"}], [EMPLOYER])

    r = web("civil1").post(NEW, data)

    assert r.status_code == 302
    assert [lp.party.name for lp in Lead.objects.get().claimants] == ["王建国"]


def test_a_removed_row_with_a_bad_id_does_not_block_saving(web, users):
    data = form_data([WANG, {**LI, "id_number": "110105194912310021", "DELETE": "on"}])

    r = web("civil1").post(NEW, data)

    assert r.status_code == 302
    assert [lp.party.name for lp in Lead.objects.get().claimants] == ["王建国"]


def test_a_lead_form_with_no_claimant_is_422_and_nothing_saved(web, users):
    before = _counts()

    r = web("civil1").post(NEW, form_data([{"name": ""}], [EMPLOYER]), headers=EN)

    assert r.status_code == 422
    assert "Add at least one claimant." in r.content.decode()
    assert _counts() == before


def test_partner_form_files_an_agency_referral(web, users):
    r = web("hrss1").post(NEW, form_data([WANG], [EMPLOYER], source="agency"))

    assert r.status_code == 302
    lead = Lead.objects.get()
    assert (lead.source, lead.referring_org.code, lead.organisation.code) == (
        "agency",
        "WHHRSS",
        "WHPROC",
    )


def test_a_criminal_officer_filing_on_the_page_is_sent_to_a_page_they_can_open(web, users):
    client = web("criminal1")

    r = client.post(NEW, form_data([WANG], [EMPLOYER]))

    lead = Lead.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/leads/{lead.pk}/")
    assert client.get(r["Location"]).status_code == 200


def test_registrar_may_not_open_the_lead_form(web, users):
    assert web("registrar1").get(NEW).status_code == 403


# --- detail, duplicates ------------------------------------------------------------------------
def _api_lead(api, payload, user="civil1", **overrides) -> dict:
    r = api(user).post("/api/v1/leads", payload(**overrides))
    assert r.status_code == 201, r.content
    return r.json()


def test_lead_detail_shows_duplicates(web, api, payload):
    first = _api_lead(api, payload)
    second = _api_lead(
        api,
        payload,
        claimants=[{"name": "王建国", "id_number": make_id(seq="111")}],
        respondents=[],
    )

    r = web("civil1").get(f"/leads/{second['id']}/", headers=EN)

    assert r.status_code == 200
    assert [(d.lead_id, d.reason) for d in r.context["duplicates"]] == [
        (first["id"], "same_claimant")
    ]
    html = r.content.decode()
    assert (
        f'<a href="/leads/{first["id"]}/" class="font-monospace">{first["receipt_code"]}</a>'
        in html
    )
    assert "Same claimant" in html


def test_lead_detail_shows_masked_ids_only(web, api, payload):
    lead = _api_lead(api, payload)

    html = web("civil1").get(f"/leads/{lead['id']}/").content.decode()

    assert "530102********1110" in html
    assert make_id(seq="111") not in html
    assert "13800001111" not in html


# --- accept and decline ------------------------------------------------------------------------
def test_accept_on_the_page_redirects_to_the_case_page(web, api, payload):
    lead = _api_lead(api, payload)
    client = web("civil1")

    r = client.post(f"/leads/{lead['id']}/accept/")

    case = Case.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/cases/{case.pk}/"
    page = client.get(r["Location"], headers=EN)
    html = page.content.decode()
    assert page.status_code == 200
    assert case.number in html
    assert "530102********1110" in html
    assert make_id(seq="111") not in html
    assert f"Case opened as {case.number} from lead {lead['receipt_code']}" in html


def test_accepting_an_accepted_lead_on_the_page_redirects_back_and_opens_no_case(web, api, payload):
    lead = _api_lead(api, payload)
    client = web("civil1")
    client.post(f"/leads/{lead['id']}/accept/")

    r = client.post(f"/leads/{lead['id']}/accept/")

    assert r.status_code == 302
    assert r["Location"] == f"/leads/{lead['id']}/"
    assert Case.objects.count() == 1


def test_accept_is_post_only(web, api, payload):
    lead = _api_lead(api, payload)

    r = web("civil1").get(f"/leads/{lead['id']}/accept/")

    assert r.status_code == 405
    assert Case.objects.count() == 0


def test_decline_with_empty_reason_is_422_and_lead_stays_new(web, api, payload):
    lead = _api_lead(api, payload)

    r = web("civil1").post(
        f"/leads/{lead['id']}/decline/", {"reason": "", "redirect": "legal_aid"}, headers=EN
    )

    assert r.status_code == 422
    assert 'id="id_reason_error"' in r.content.decode()
    assert Lead.objects.get().status == "new"


def test_decline_with_reason_redirects_to_the_lead_and_declines_it(web, api, payload):
    lead = _api_lead(api, payload)

    r = web("civil1").post(
        f"/leads/{lead['id']}/decline/", {"reason": "建议劳动仲裁", "redirect": "arbitration"}
    )

    assert r.status_code == 302
    assert r["Location"] == f"/leads/{lead['id']}/"
    saved = Lead.objects.get()
    assert (saved.status, saved.decline_reason, saved.decline_redirect) == (
        "declined",
        "建议劳动仲裁",
        "arbitration",
    )


# --- the list ----------------------------------------------------------------------------------
def test_lead_list_shows_only_visible_leads(web, api, payload):
    mine = _api_lead(api, payload)
    _api_lead(api, payload, user="outsider")

    r = web("civil1").get("/leads/")

    assert r.status_code == 200
    assert [lead.pk for lead in r.context["page_obj"]] == [mine["id"]]


def test_lead_list_query_count_does_not_grow_with_items(web, api, payload):
    client = web("civil1")
    _api_lead(api, payload, claimants=[{"name": "甲", "id_number": make_id(seq="601")}])
    first = _api_lead(api, payload, claimants=[{"name": "乙", "id_number": make_id(seq="602")}])
    api("civil1").post(f"/api/v1/leads/{first['id']}/accept")
    client.get("/leads/")
    with CaptureQueriesContext(connection) as two:
        client.get("/leads/")

    _api_lead(api, payload, claimants=[{"name": "丙", "id_number": make_id(seq="603")}])
    second = _api_lead(api, payload, claimants=[{"name": "丁", "id_number": make_id(seq="604")}])
    api("civil1").post(f"/api/v1/leads/{second['id']}/accept")
    with CaptureQueriesContext(connection) as four:
        r = client.get("/leads/")
    assert len(r.context["page_obj"]) == 4
    assert len(four) == len(two)


def test_lead_list_query_count_one_and_three_items(web, api, payload):
    client = web("civil1")
    _api_lead(api, payload, claimants=[{"name": "甲", "id_number": make_id(seq="611")}])
    client.get("/leads/")
    with CaptureQueriesContext(connection) as one:
        client.get("/leads/")

    for seq in ("612", "613"):
        _api_lead(api, payload, claimants=[{"name": "乙", "id_number": make_id(seq=seq)}])
    with CaptureQueriesContext(connection) as three:
        r = client.get("/leads/")
    assert len(r.context["page_obj"]) == 3
    assert len(three) == len(one)
