"""The leads API (API.md § Leads): create, duplicates, SP-6, lists, accept, decline, bad input,
authentication, Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_credit_code, make_id
from zhichi.accounts.models import ApiToken
from zhichi.accounts.services import issue_token, revoke_token
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.intake.models import Lead, LeadParty
from zhichi.parties.models import Party

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

LEADS = "/api/v1/leads"
EN = {"Accept-Language": "en"}


def claimant(name: str, seq: str, **extra) -> dict:
    return {"name": name, "id_number": make_id(seq=seq), "amount_claimed": "1000.00", **extra}


def file_lead(client, body) -> dict:
    r = client.post(LEADS, body)
    assert r.status_code == 201, r.content
    return r.json()


# --- create ------------------------------------------------------------------------------------
def test_create_lead_is_201_with_masked_identifiers_and_receipt_code(api, payload):
    r = api("civil1").post(LEADS, payload())

    assert r.status_code == 201
    body = r.json()
    first, second = body["claimants"]
    assert first["id_number_masked"] == "530102********1110"
    assert first["phone_masked"] == "138****1111"
    assert second["id_number_masked"] == "530102********2226"
    assert second["phone_masked"] == ""
    assert "id_number" not in first
    assert "phone" not in first
    assert body["status"] == "new"
    assert len(body["receipt_code"]) == 10
    assert Lead.objects.get().receipt_code == body["receipt_code"]
    assert [c["amount_claimed"] for c in body["claimants"]] == ["12000.00", "8000.50"]
    assert body["duplicates"] == []
    assert body["organisation"] == "WHPROC"


def test_create_lead_writes_one_lead_create_audit_row(api, payload, users):
    body = file_lead(api("civil1"), payload())

    rows = AuditEntry.objects.filter(action="lead.create")
    assert [(r.username, r.object_id, r.outcome) for r in rows] == [
        ("civil1", str(body["id"]), "ok")
    ]


def test_partner_lead_is_filed_as_agency_referral_to_the_district_procuratorate(api, payload):
    body = file_lead(api("hrss1"), payload(source="walk_in"))

    assert (body["source"], body["referring_org"], body["organisation"]) == (
        "agency",
        "WHHRSS",
        "WHPROC",
    )


def test_a_criminal_officers_lead_lands_in_civil_intake_and_the_filer_gets_201(api, payload):
    r = api("criminal1").post(LEADS, payload())

    lead = Lead.objects.get()
    assert lead.department.code == "civil"
    # the lead is saved, so the answer must be the 201 with it, not a 404 for the filer
    assert r.status_code == 201, r.content
    assert r.json()["id"] == lead.pk


# --- duplicates (C1) ---------------------------------------------------------------------------
def test_same_claimant_id_in_second_lead_is_reported_as_same_claimant(api, payload):
    client = api("civil1")
    first = file_lead(client, payload())
    second = file_lead(
        client,
        payload(claimants=[claimant("王建国", "111")], respondents=[]),
    )

    assert second["duplicates"] == [
        {"lead_id": first["id"], "case_id": None, "reason": "same_claimant"}
    ]


def test_same_respondent_credit_code_within_180_days_is_same_respondent(api, payload):
    client = api("civil1")
    first = file_lead(client, payload())
    received = timezone.localdate() - timedelta(days=100)
    second = file_lead(
        client,
        payload(received_on=received.isoformat(), claimants=[claimant("赵六", "333")]),
    )

    assert second["duplicates"] == [
        {"lead_id": first["id"], "case_id": None, "reason": "same_respondent"}
    ]


def test_same_respondent_received_200_days_apart_is_not_a_duplicate(api, payload):
    client = api("civil1")
    file_lead(client, payload())
    received = timezone.localdate() - timedelta(days=202)  # the first lead came 2 days ago
    second = file_lead(
        client,
        payload(received_on=received.isoformat(), claimants=[claimant("赵六", "333")]),
    )

    assert second["duplicates"] == []


def test_duplicate_of_an_accepted_lead_carries_its_case_id(api, payload):
    client = api("civil1")
    first = file_lead(client, payload())
    accepted = client.post(f"{LEADS}/{first['id']}/accept").json()
    second = file_lead(client, payload(claimants=[claimant("王建国", "111")], respondents=[]))

    assert second["duplicates"] == [
        {"lead_id": first["id"], "case_id": accepted["case_id"], "reason": "same_claimant"}
    ]


def test_duplicates_never_report_a_lead_the_caller_may_not_see(api, payload):
    file_lead(api("outsider"), payload())  # same claimant, another procuratorate
    mine = file_lead(api("civil1"), payload())

    assert mine["duplicates"] == []


# --- rule SP-6 -------------------------------------------------------------------------------
def test_sp6_employee_without_iou_flags_arbitration_first(api, payload):
    body = file_lead(api("civil1"), payload(labour_relationship="employee", has_iou=False))

    assert body["flags"] == ["arbitration_first"]


def test_sp6_employee_with_iou_has_no_arbitration_flag(api, payload):
    body = file_lead(api("civil1"), payload(labour_relationship="employee", has_iou=True))

    assert body["flags"] == []


def test_sp6_contractor_crew_has_no_arbitration_flag(api, payload):
    body = file_lead(api("civil1"), payload(labour_relationship="contractor_crew", has_iou=False))

    assert body["flags"] == []


# --- list and get ------------------------------------------------------------------------------
def test_list_leads_pages_with_limit_and_cursor_newest_first(api, payload):
    client = api("civil1")
    ids = [file_lead(client, payload(summary=f"lead {n}"))["id"] for n in range(3)]

    first = client.get(LEADS, {"limit": 2})
    assert first.status_code == 200
    page1 = first.json()
    assert [i["id"] for i in page1["items"]] == [ids[2], ids[1]]
    assert isinstance(page1["next_cursor"], str)
    assert page1["next_cursor"] != ""

    page2 = client.get(LEADS, {"limit": 2, "cursor": page1["next_cursor"]}).json()
    assert [i["id"] for i in page2["items"]] == [ids[0]]
    assert page2["next_cursor"] is None


def test_list_leads_items_carry_claimant_count(api, payload):
    client = api("civil1")
    body = file_lead(client, payload())

    items = client.get(LEADS).json()["items"]

    assert [(i["id"], i["claimant_count"], i["status"]) for i in items] == [(body["id"], 2, "new")]


@pytest.mark.parametrize("cursor", ["bm90LWEtY3Vyc29y", "aWQ6YWJj", "%%%"])
def test_list_leads_with_invalid_cursor_is_422(api, payload, cursor):
    client = api("civil1")
    file_lead(client, payload())

    r = client.get(LEADS, {"cursor": cursor})

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("cursor", "invalid")]


def test_list_leads_limit_above_200_is_422(api):
    r = api("civil1").get(LEADS, {"limit": 201})

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["limit"]


def test_get_lead_returns_what_create_returned(api, payload):
    client = api("civil1")
    created = file_lead(client, payload())

    r = client.get(f"{LEADS}/{created['id']}")

    assert r.status_code == 200
    assert r.json() == created


def test_get_unknown_lead_is_404_with_detail(api):
    r = api("civil1").get(f"{LEADS}/999999")

    assert r.status_code == 404
    assert list(r.json()) == ["detail"]


# --- accept and decline ------------------------------------------------------------------------
def test_accept_lead_returns_case_id_and_number(api, payload):
    client = api("civil1")
    lead = file_lead(client, payload())

    r = client.post(f"{LEADS}/{lead['id']}/accept")

    assert r.status_code == 200
    body = r.json()
    assert sorted(body) == ["case_id", "case_number"]
    case = Case.objects.get()
    assert (body["case_id"], body["case_number"]) == (case.pk, case.number)
    assert case.number == f"五华检民支〔{timezone.localdate().year}〕1号"
    refreshed = client.get(f"{LEADS}/{lead['id']}").json()
    assert (refreshed["status"], refreshed["case_id"], refreshed["case_number"]) == (
        "accepted",
        case.pk,
        case.number,
    )


def test_accepting_twice_is_422_and_leaves_one_case(api, payload):
    client = api("civil1")
    lead = file_lead(client, payload())
    client.post(f"{LEADS}/{lead['id']}/accept")

    r = client.post(f"{LEADS}/{lead['id']}/accept")

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("status", "already_decided")]
    assert Case.objects.count() == 1


def test_decline_with_reason_and_redirect_sets_status_declined(api, payload):
    client = api("civil1")
    lead = file_lead(client, payload())

    r = client.post(
        f"{LEADS}/{lead['id']}/decline",
        {"reason": "已过仲裁时效，建议申请法律援助", "redirect": "legal_aid"},
    )

    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["decline_reason"], body["decline_redirect"]) == (
        "declined",
        "已过仲裁时效，建议申请法律援助",
        "legal_aid",
    )
    assert Lead.objects.get().status == "declined"
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"redirect": "legal_aid"},
        {"reason": "", "redirect": "legal_aid"},
        {"reason": "   ", "redirect": "legal_aid"},
    ],
    ids=["missing", "empty", "blank"],
)
def test_decline_without_reason_is_422_on_field_reason(api, payload, body):
    client = api("civil1")
    lead = file_lead(client, payload())

    r = client.post(f"{LEADS}/{lead['id']}/decline", body)

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["reason"]
    assert Lead.objects.get().status == "new"


def test_decline_with_unknown_redirect_is_422(api, payload):
    client = api("civil1")
    lead = file_lead(client, payload())

    r = client.post(f"{LEADS}/{lead['id']}/decline", {"reason": "不符合条件", "redirect": "moon"})

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("redirect", "choice")]
    assert Lead.objects.get().status == "new"


def test_registrar_accepting_is_403_and_the_denial_is_audited(api, payload):
    lead = file_lead(api("civil1"), payload())

    r = api("registrar1").post(f"{LEADS}/{lead['id']}/accept")

    assert r.status_code == 403
    assert Case.objects.count() == 0
    # rule R7: every denial is an audit row. The row must survive the refused request.
    denied = AuditEntry.objects.filter(action="lead.accept", outcome="denied")
    assert [(e.username, e.object_id) for e in denied] == [("registrar1", str(lead["id"]))]


# --- bad input: 422, the documented body, and nothing saved --------------------------------------
def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        Lead.objects.count(),
        LeadParty.objects.count(),
        Party.objects.count(),
        Case.objects.count(),
        AuditEntry.objects.filter(action="lead.create").count(),
    )


def _bad_claimant(**fields) -> list[dict]:
    return [{"name": "王建国", "id_number": make_id(seq="111"), **fields}]


BAD_INPUT = [
    pytest.param(
        {"claimants": _bad_claimant(id_number="110105194912310021")},
        "claimants.0.id_number",
        "checksum",
        id="id1-bad-id-checksum",
    ),
    pytest.param({"claimants": []}, "claimants", "required", id="empty-claimants"),
    pytest.param(
        {"claimants": _bad_claimant(amount_claimed="-5")},
        "claimants.0.amount_claimed",
        "negative",
        id="negative-amount",
    ),
    pytest.param(
        {"claimants": _bad_claimant(amount_claimed="abc")},
        "claimants.0.amount_claimed",
        "money",
        id="non-numeric-amount",
    ),
    pytest.param(
        {"claimants": _bad_claimant(amount_claimed="100.125")},
        "claimants.0.amount_claimed",
        "precision",
        id="amount-with-3-decimals",
    ),
    pytest.param(
        {"received_on": (timezone.now().date() + timedelta(days=3)).isoformat()},
        "received_on",
        "future",
        id="future-received-on",
    ),
    pytest.param({"received_on": "2026-13-45"}, "received_on", "date", id="malformed-date"),
    pytest.param(
        {"claimants": [{"name": "王" * 10000}]},
        "claimants.0.name",
        "max_length",
        id="10000-char-name",
    ),
    pytest.param(
        {
            "respondents": [
                {"kind": "organisation", "name": "某公司", "credit_code": "91100000100003962A"}
            ]
        },
        "respondents.0.credit_code",
        "checksum",
        id="id2-bad-credit-code-checksum",
    ),
    pytest.param({"category": "spaceships"}, "category", "choice", id="unknown-category"),
    pytest.param({"source": "pigeon"}, "source", "choice", id="unknown-source"),
    pytest.param({"claimants": "王建国"}, "claimants", "list_type", id="claimants-as-string"),
    pytest.param(
        {
            "payment_order": {
                "authority": "五华区人社局",
                "issued_on": (timezone.now().date() - timedelta(days=10)).isoformat(),
                "deadline": (timezone.now().date() - timedelta(days=20)).isoformat(),
            }
        },
        "payment_order.deadline",
        "before_issue",
        id="order-deadline-before-issue",
    ),
    pytest.param(
        {"claimants": [claimant("王建国", "111"), claimant("王建国", "111")]},
        "claimants.1.id_number",
        "duplicate",
        id="two-claimants-same-id",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD_INPUT)
def test_bad_lead_is_422_with_field_error_and_nothing_saved(api, payload, overrides, field, code):
    client = api("civil1")
    before = _snapshot()

    r = client.post(LEADS, payload(**overrides), headers=EN)

    assert r.status_code == 422
    body = r.json()
    assert sorted(body) == ["detail", "errors"]
    assert isinstance(body["detail"], str)
    assert body["detail"] != ""
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]
    assert all(sorted(e) == ["code", "field", "message"] and e["message"] for e in body["errors"])
    assert _snapshot() == before


def test_amount_as_boolean_is_422_on_the_amount_field_and_nothing_saved(api, payload):
    before = _snapshot()

    r = api("civil1").post(LEADS, payload(claimants=_bad_claimant(amount_claimed=True)))

    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"claimants.0.amount_claimed"}
    assert _snapshot() == before


def test_amount_as_json_number_with_3_decimals_names_the_amount_field(api, payload):
    before = _snapshot()

    r = api("civil1").post(LEADS, payload(claimants=_bad_claimant(amount_claimed=100.125)))

    assert r.status_code == 422
    # the error names the input field, not pydantic's union members (".str", ".int")
    assert {e["field"] for e in r.json()["errors"]} == {"claimants.0.amount_claimed"}
    assert _snapshot() == before


def test_several_bad_fields_are_all_reported_at_once(api, payload):
    # the documented types are checked first, every field at once; the lead's own rules (an ID's
    # check character, a date in the future) then, every field at once
    r = api("civil1").post(
        LEADS,
        payload(category="x", claimants=_bad_claimant(amount_claimed="abc")),
    )

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("category", "choice"),
        ("claimants.0.amount_claimed", "money"),
    ]

    r = api("civil1").post(
        LEADS,
        payload(
            received_on=(timezone.now().date() + timedelta(days=3)).isoformat(),
            claimants=_bad_claimant(id_number="110105194912310021"),
        ),
    )

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("received_on", "future"),
        ("claimants.0.id_number", "checksum"),
    ]


def test_error_message_is_english_with_accept_language_en(api, payload):
    r = api("civil1").post(
        LEADS,
        payload(claimants=_bad_claimant(id_number="110105194912310021")),
        headers={"Accept-Language": "en"},
    )

    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == (
        "The check character does not match: please check the number (rule ID-1)."
    )
    assert r["Content-Language"] == "en"


def test_id1_error_message_is_chinese_with_accept_language_zh_hans(api, payload):
    client = api("civil1")
    body = payload(claimants=_bad_claimant(id_number="110105194912310021"))

    en = client.post(LEADS, body, headers={"Accept-Language": "en"})
    zh = client.post(LEADS, body, headers={"Accept-Language": "zh-hans"})

    assert (en.status_code, zh.status_code) == (422, 422)
    en_error, zh_error = en.json()["errors"][0], zh.json()["errors"][0]
    assert (zh_error["field"], zh_error["code"]) == (en_error["field"], en_error["code"])
    assert zh_error["message"] == "校验码不正确，请核对号码（规则 ID-1）。"
    assert zh_error["message"] != en_error["message"]
    assert zh["Content-Language"] == "zh-hans"


def test_messages_are_chinese_without_accept_language(api, payload):
    r = api("civil1").post(LEADS, payload(claimants=_bad_claimant(id_number="110105194912310021")))

    assert r.json()["errors"][0]["message"] == "校验码不正确，请核对号码（规则 ID-1）。"


# --- authentication ----------------------------------------------------------------------------
def test_no_token_is_401_with_detail():
    r = Client().get(LEADS)

    assert r.status_code == 401
    assert list(r.json()) == ["detail"]


def test_post_without_token_is_401_and_nothing_saved(payload, users):
    r = Client().post(LEADS, payload(), content_type="application/json")

    assert r.status_code == 401
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("token", ["zc_" + "x" * 43, "not-a-token", "zc_"])
def test_bad_token_is_401(users, token):
    r = Client().get(LEADS, headers={"Authorization": f"Bearer {token}"})

    assert r.status_code == 401
    assert list(r.json()) == ["detail"]


def test_revoked_token_is_401(users):
    issued = issue_token(user=users["civil1"], name="to revoke")
    headers = {"Authorization": f"Bearer {issued.raw}"}
    assert Client().get(LEADS, headers=headers).status_code == 200

    revoke_token(token=issued.token, actor=users["civil1"])
    r = Client().get(LEADS, headers=headers)

    assert r.status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_disabled_users_token_is_401(users):
    issued = issue_token(user=users["civil1"], name="tests")
    headers = {"Authorization": f"Bearer {issued.raw}"}
    assert Client().get(LEADS, headers=headers).status_code == 200

    users["civil1"].is_active = False
    users["civil1"].save(update_fields=["is_active"])
    r = Client().get(LEADS, headers=headers)

    assert r.status_code == 401


def test_health_needs_no_token():
    r = Client().get("/api/v1/health")

    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "tasks": "ok"}


# --- Idempotency-Key ---------------------------------------------------------------------------
def test_same_idempotency_key_twice_replays_the_first_answer_and_saves_one_lead(api, payload):
    client = api("civil1")
    body = payload()
    key = {"Idempotency-Key": "lead-2026-0001"}

    first = client.post(LEADS, body, headers=key)
    second = client.post(LEADS, body, headers=key)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1
    assert AuditEntry.objects.filter(action="lead.create").count() == 1


def test_same_idempotency_key_with_a_different_body_is_422(api, payload):
    client = api("civil1")
    key = {"Idempotency-Key": "lead-2026-0002"}
    client.post(LEADS, payload(), headers=key)

    r = client.post(LEADS, payload(summary="另一件事"), headers=key)

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("Idempotency-Key", "reused")]
    assert Lead.objects.count() == 1


def test_same_idempotency_key_from_another_user_is_independent(api, payload):
    key = {"Idempotency-Key": "shared-key"}

    mine = api("civil1").post(LEADS, payload(), headers=key)
    theirs = api("civil2").post(LEADS, payload(), headers=key)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert Lead.objects.count() == 2


def test_idempotent_accept_replays_the_case_and_opens_one(api, payload):
    client = api("civil1")
    lead = file_lead(client, payload())
    key = {"Idempotency-Key": "accept-1"}

    first = client.post(f"{LEADS}/{lead['id']}/accept", headers=key)
    second = client.post(f"{LEADS}/{lead['id']}/accept", headers=key)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert Case.objects.count() == 1


# --- query counts (ARCHITECTURE: 1 item and 3 items give the same count) -------------------------
def test_list_leads_query_count_does_not_grow_with_items(api, payload):
    client = api("civil1")
    file_lead(client, payload(claimants=[claimant("甲", "301")]))
    client.get(LEADS)  # warm up: the token's last-used stamp is written once
    with CaptureQueriesContext(connection) as one:
        assert client.get(LEADS).status_code == 200

    file_lead(client, payload(claimants=[claimant("乙", "302")]))
    file_lead(
        client,
        payload(
            claimants=[claimant("丙", "303"), claimant("丁", "304")],
            respondents=[
                {
                    "kind": "organisation",
                    "name": "别家公司",
                    "credit_code": make_credit_code("91530102MA6K2P3Q1"),
                }
            ],
        ),
    )
    with CaptureQueriesContext(connection) as three:
        r = client.get(LEADS)
    assert len(r.json()["items"]) == 3
    assert len(three) == len(one)
