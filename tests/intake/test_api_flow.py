import pytest

from zhichi.cases.models import Case
from zhichi.intake.models import Lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_api_lead_accept_flow_creates_case_with_number_and_timeline(api, payload):
    client = api("civil1")
    r = client.post("/api/v1/leads", payload())
    assert r.status_code == 201, r.content
    lead = r.json()
    assert lead["status"] == "new"
    assert lead["claimants"][0]["id_number_masked"].startswith("530102")
    assert "*" in lead["claimants"][0]["id_number_masked"]
    assert lead["flags"] == ["arbitration_first"]
    r = client.post(f"/api/v1/leads/{lead['id']}/accept")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["case_number"].startswith("五华检民支〔")
    case = client.get(f"/api/v1/cases/{body['case_id']}").json()
    assert case["stage"] == "review"
    assert case["money"]["claimed"] == "20000.50"
    timeline = client.get(f"/api/v1/cases/{body['case_id']}/timeline").json()
    assert [e["kind"] for e in timeline] == [
        "lead_received",
        "lead_duplicate_check",
        "lead_accepted",
        "case_opened",
    ]


def test_me_names_the_tokens_user(api):
    body = api("hrss1").get("/api/v1/me").json()
    assert body == {
        "username": "hrss1",
        "name": "hrss1",
        "role": "partner",
        "organisation": "WHHRSS",
        "department": None,
    }


def test_me_without_a_token_is_401(client):
    assert client.get("/api/v1/me").status_code == 401


def test_risk_signals_filed_with_a_lead_reach_its_case_and_its_risk_rules_ew_1_ew_3(api, payload):
    client = api("civil1")
    r = client.post("/api/v1/leads", {**payload(), "signals": ["construction", "mass_incident"]})
    assert r.status_code == 201, r.content
    lead = r.json()
    assert lead["signals"] == ["construction", "mass_incident"]

    case_id = client.post(f"/api/v1/leads/{lead['id']}/accept").json()["case_id"]

    case = Case.objects.get(pk=case_id)
    assert case.signals == ["construction", "mass_incident"]
    # construction +1; an incident that happened weighs as past petitions (+3)
    assert {"construction", "past_petitions"} <= {r["code"] for r in case.risk_reasons}


def test_a_lead_with_an_unknown_risk_signal_is_refused_at_the_field(api, payload):
    before = Lead.objects.count()
    r = api("civil1").post("/api/v1/leads", {**payload(), "signals": ["riot"]})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["signals.0"]
    assert Lead.objects.count() == before
