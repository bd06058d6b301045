import pytest

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
