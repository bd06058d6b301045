"""The life of a 12-worker wage case through the API (C3–C6), and the guards on the way."""

import pytest

from tests.conftest import lead_payload, make_id

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def twelve_workers():
    return [
        {
            "name": f"工人{i:02d}",
            "id_number": make_id(seq=f"{100 + i:03d}"),
            "groups": ["migrant_worker"],
            "amount_claimed": "10000.00",
            "months_unpaid": 4,
        }
        for i in range(12)
    ]


def test_c3_to_c6_whole_life_of_a_twelve_worker_wage_case(api):
    officer, head = api("civil1"), api("civilhead")
    lead = officer.post(
        "/api/v1/leads",
        lead_payload(claimants=twelve_workers(), labour_relationship="contractor_crew"),
    ).json()
    case_id = officer.post(f"/api/v1/leads/{lead['id']}/accept").json()["case_id"]
    case = officer.get(f"/api/v1/cases/{case_id}").json()
    assert case["money"]["claimed"] == "120000.00"
    assert case["level"] >= 2

    # review → pre-litigation, mediation fails
    r = officer.post(
        f"/api/v1/cases/{case_id}/stage",
        {"to": "pre_litigation", "reason": "先行调解", "version": case["version"]},
    )
    assert r.status_code == 200, r.content
    r = officer.post(
        f"/api/v1/cases/{case_id}/mediations",
        {"held_on": "2026-11-01", "mediator_org": "五华区人民调解委员会", "outcome": "failed"},
    )
    assert r.status_code == 201, r.content
    # litigation needs an approved support decision
    version = r.json()["version"]
    r = officer.post(
        f"/api/v1/cases/{case_id}/stage",
        {"to": "litigation", "reason": "支持起诉", "version": version},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "guard"
    approval = officer.post(
        f"/api/v1/cases/{case_id}/support-decision",
        {"decision": "support", "reasons": "符合支持起诉条件"},
    ).json()
    assert approval["status"] == "pending"
    assert officer.post(f"/api/v1/approvals/{approval['id']}/approve").status_code == 403
    r = head.post(f"/api/v1/approvals/{approval['id']}/approve", {"reason": "同意"})
    assert r.json()["status"] == "approved"
    version = officer.get(f"/api/v1/cases/{case_id}").json()["version"]
    r = officer.post(
        f"/api/v1/cases/{case_id}/stage",
        {"to": "litigation", "reason": "支持起诉", "version": version},
    )
    assert r.status_code == 200, r.content
    # judgment with service → appeal deadline, enforcement deadline, a visit planned
    r = officer.post(
        f"/api/v1/cases/{case_id}/court-events",
        {
            "kind": "judgment",
            "on": "2026-11-10",
            "court": "五华区人民法院",
            "served_on": "2026-11-12",
            "amount_awarded": "110000.00",
        },
    )
    assert r.status_code == 201, r.content
    case = r.json()
    kinds = {d["kind"] for d in case["deadlines"]}
    assert {"appeal", "enforcement_application", "visit"} <= kinds
    appeal = next(d for d in case["deadlines"] if d["kind"] == "appeal")
    assert (appeal["due"], appeal["rule"]) == ("2026-11-27", "TL-4")
    assert case["money"]["awarded"] == "110000.00"
    r = officer.post(
        f"/api/v1/cases/{case_id}/stage",
        {"to": "post_litigation", "reason": "判决生效", "version": case["version"]},
    )
    assert r.status_code == 200, r.content
    # two payments; each of the 12 shares of 110,000.00 is 9,166.67 but the first, which takes
    # the rounding difference (9,166.63): paying it 9,166.67 would be an overpayment (C6)
    claimant = case["claimants"][1]["party_id"]
    other = case["claimants"][2]["party_id"]
    officer.post(
        f"/api/v1/cases/{case_id}/payments",
        {
            "claimant_party_id": claimant,
            "paid_on": "2026-11-20",
            "amount": "9166.67",
            "payer": "云南某建筑劳务有限公司",
            "method": "bank",
        },
    )
    r = officer.post(
        f"/api/v1/cases/{case_id}/payments",
        {
            "claimant_party_id": other,
            "paid_on": "2026-11-21",
            "amount": "5000.00",
            "payer": "云南某建筑劳务有限公司",
        },
    )
    assert r.json()["money"]["recovered"] == "14166.67"
    # a return visit
    visits = officer.get(f"/api/v1/cases/{case_id}/visits").json()
    r = officer.post(
        f"/api/v1/visits/{visits[0]['id']}/record",
        {"done_on": "2026-11-25", "findings": "部分工资已支付", "paid_in_full": False},
    )
    assert r.status_code == 200, r.content
    assert len(officer.get(f"/api/v1/cases/{case_id}/visits").json()) == 2  # the next one planned
    # closing needs an outcome that agrees with the ledger
    version = officer.get(f"/api/v1/cases/{case_id}").json()["version"]
    r = officer.post(
        f"/api/v1/cases/{case_id}/close", {"outcome": "recovered_in_full", "version": version}
    )
    assert r.status_code == 422
    r = officer.post(
        f"/api/v1/cases/{case_id}/close",
        {"outcome": "partly_recovered", "note": "余款继续执行", "version": version},
    )
    assert r.status_code == 200, r.content
    case = r.json()
    assert (case["stage"], case["status"], case["outcome"]) == (
        "closed",
        "closed",
        "partly_recovered",
    )
    assert case["money"]["recovered"] == "14166.67"
    timeline = [e["kind"] for e in officer.get(f"/api/v1/cases/{case_id}/timeline").json()]
    assert timeline[0] == "lead_received" and timeline[-1] == "case_closed"
    assert "case_opened" in timeline
    assert "approval_decided" in timeline and "payment" in timeline
