"""Rule R2 for transfers, shares and case facts: every fixture user × every route, exact status.

The world (conftest.tworld): ``case`` of WHPROC/civil, transferred to the criminal department (t1,
sent) and to WHHRSS on a legal basis (t2, sent); ``case2`` with consent, t3 accepted by the
criminal department and t4 answered by WHHRSS; a new ``lead`` referred by hrss1.
"""

from __future__ import annotations

import pytest

from tests.access import (
    USERS,
    Endpoint,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
)
from zhichi.cases.models import Case, CaseShare
from zhichi.transfers.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PROC_READERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1"})
# case: its department, the procuratorate-wide roles, and the receivers of t1 and t2
CASE_VIEWERS = PROC_READERS | {"criminal1", "hrss1"}
CASE2_VIEWERS = PROC_READERS | {"criminal1", "hrss1"}
CASE_MOVERS = frozenset({"civil1", "civilhead"})
LEAD_VIEWERS = PROC_READERS | {"hrss1"}
LEAD_SENDERS = frozenset({"civil1", "civil2", "civilhead", "chief"})
T_CRIMINAL_VIEWERS = PROC_READERS | {"criminal1"}  # t1, t3
T_HRSS_VIEWERS = PROC_READERS | {"hrss1"}  # t2, t4
CRIMINAL_RECEIVERS = frozenset({"criminal1", "chief"})
SENDERS = frozenset({"civil1", "civil2", "civilhead", "chief"})
OWN_ORG_READERS = PROC_READERS | {"criminal1"}

TO_LAC = {
    "to_org": "WHLAC",
    "kind": "legal_aid",
    "reason": "需要法律援助",
    "legal_basis": "法律援助法第三十一条",
}

ENDPOINTS = [
    # pages
    Endpoint("transfers:inbox", "page", "get", "/transfers/inbox/", 200),
    Endpoint("transfers:outbox", "page", "get", "/transfers/outbox/", 200),
    Endpoint("transfers:detail", "page", "get", "/transfers/{t1}/", 200, T_CRIMINAL_VIEWERS),
    Endpoint(
        "transfers:send_case",
        "page",
        "get",
        "/transfers/new/case/{case}/",
        200,
        CASE_VIEWERS,
        CASE_MOVERS,
    ),
    Endpoint(
        "transfers:send_case",
        "page",
        "post",
        "/transfers/new/case/{case}/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {
            "kind": "legal_aid",
            "receiver": "WHLAC",
            "reason": "需要法律援助",
            "legal_basis": "法律援助法",
        },
        label="transfers:send_case POST",
    ),
    Endpoint(
        "transfers:send_lead",
        "page",
        "get",
        "/transfers/new/lead/{lead}/",
        200,
        LEAD_VIEWERS,
        LEAD_SENDERS,
    ),
    Endpoint(
        "transfers:receive",
        "page",
        "post",
        "/transfers/{t1}/receive/",
        302,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
    ),
    Endpoint(
        "transfers:accept",
        "page",
        "post",
        "/transfers/{t1}/accept/",
        302,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
    ),
    Endpoint(
        "transfers:reject",
        "page",
        "post",
        "/transfers/{t1}/reject/",
        302,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
        {"reject-reason": "不属于本部门"},
    ),
    Endpoint(
        "transfers:feedback",
        "page",
        "post",
        "/transfers/{t3}/feedback/",
        302,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
        {"feedback-result": "filed", "feedback-text": "已立案监督"},
    ),
    Endpoint(
        "transfers:close",
        "page",
        "post",
        "/transfers/{t4}/close/",
        302,
        T_HRSS_VIEWERS,
        SENDERS,
        {"close-note": "已收到反馈"},
    ),
    Endpoint(
        "cases:case_facts",
        "page",
        "post",
        "/cases/{case}/facts/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"labour_relationship": "employee", "evasion": "absconded", "version": "{case_version}"},
    ),
    Endpoint(
        "cases:share_revoke",
        "page",
        "post",
        "/cases/shares/{share}/revoke/",
        302,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"reason": "协作结束"},
    ),
    Endpoint(
        "transfers:evidence_download",
        "page",
        "get",
        "/transfers/{t2}/evidence/{attachment}/",
        200,
        T_HRSS_VIEWERS,
        SENDERS | {"hrss1"},
    ),
    # API
    Endpoint(
        "api:transfer_evidence_download",
        "api",
        "get",
        "/api/v1/transfers/{t2}/evidence/{attachment}/download",
        200,
        T_HRSS_VIEWERS,
        SENDERS | {"hrss1"},
    ),
    Endpoint(
        "api:transfer_case",
        "api",
        "post",
        "/api/v1/cases/{case}/transfers",
        201,
        CASE_VIEWERS,
        CASE_MOVERS,
        TO_LAC,
    ),
    Endpoint(
        "api:case_transfers", "api", "get", "/api/v1/cases/{case}/transfers", 200, CASE_VIEWERS
    ),
    Endpoint(
        "api:transfer_lead",
        "api",
        "post",
        "/api/v1/leads/{lead}/transfers",
        201,
        LEAD_VIEWERS,
        LEAD_SENDERS,
        {
            "to_org": "WHPROC",
            "to_department": "criminal",
            "kind": "criminal_lead",
            "reason": "刑事线索",
        },
    ),
    Endpoint("api:list_transfers", "api", "get", "/api/v1/transfers", 200),
    Endpoint("api:get_transfer", "api", "get", "/api/v1/transfers/{t1}", 200, T_CRIMINAL_VIEWERS),
    Endpoint(
        "api:transfer_receive",
        "api",
        "post",
        "/api/v1/transfers/{t1}/receive",
        200,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
    ),
    Endpoint(
        "api:transfer_accept",
        "api",
        "post",
        "/api/v1/transfers/{t1}/accept",
        200,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
    ),
    Endpoint(
        "api:transfer_reject",
        "api",
        "post",
        "/api/v1/transfers/{t1}/reject",
        200,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
        {"reason": "不属于本部门"},
    ),
    Endpoint(
        "api:transfer_feedback",
        "api",
        "post",
        "/api/v1/transfers/{t3}/feedback",
        200,
        T_CRIMINAL_VIEWERS,
        CRIMINAL_RECEIVERS,
        {"text": "已立案监督", "result": "filed"},
    ),
    Endpoint(
        "api:transfer_close",
        "api",
        "post",
        "/api/v1/transfers/{t4}/close",
        200,
        T_HRSS_VIEWERS,
        SENDERS,
        {"note": "已收到反馈"},
    ),
    Endpoint(
        "api:update_facts",
        "api",
        "post",
        "/api/v1/cases/{case}/facts",
        200,
        CASE_VIEWERS,
        CASE_MOVERS,
        {"labour_relationship": "employee", "evasion": ["absconded"], "version": "{case_version}"},
    ),
    Endpoint("api:list_shares", "api", "get", "/api/v1/cases/{case}/shares", 200, OWN_ORG_READERS),
    Endpoint(
        "api:revoke_share",
        "api",
        "post",
        "/api/v1/cases/{case}/shares/{share}/revoke",
        200,
        OWN_ORG_READERS,
        CASE_MOVERS,
        {"reason": "协作结束"},
    ),
]


def _state() -> tuple:
    return (
        sorted(Transfer.objects.values_list("pk", "status", "version")),
        sorted(CaseShare.objects.values_list("pk", "ended_at")),
        sorted(Case.objects.values_list("pk", "version")),
    )


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_transfer_access(endpoint, user, tworld, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, tworld, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404):
        assert _state() == before  # a refused request changes nothing


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.kind == "api" and e.visible is not None], ids=str
)
def test_r2_hidden_transfer_looks_like_a_missing_one(endpoint, tworld, web, api):
    hidden = call_endpoint(endpoint, "outsider", tworld, web, api)
    gone = {k: 999999 for k in tworld}
    missing = call_endpoint(endpoint, "outsider", tworld, web, api, ids=gone)

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize(("endpoint", "user"), bad_body_cells(ENDPOINTS))
def test_who_may_act_is_decided_before_the_body_issue12_item10(endpoint, user, tworld, api):
    response = call_with_bad_body(endpoint, user, tworld, api)
    assert response.status_code == bad_body_expected(endpoint, user), response.content
