"""Rule R2 for judicial assistance and legal aid: every fixture user × every route of the app,
page and API, with the exact status; a refused request changes nothing. Assistance stays inside
the procuratorate: a partner who sees the case (hrss1 referred it, with consent) sees none of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.access import (
    USERS,
    Endpoint,
    anonymous_response,
    bad_body_cells,
    bad_body_expected,
    call_endpoint,
    call_with_bad_body,
    hidden_cells,
    module_world,
)
from tests.assistance.conftest import application_data, opinion_data
from tests.transfers.conftest import send, wage_case
from zhichi.assistance import services
from zhichi.assistance.models import AssistanceApplication, LegalAidReferral
from zhichi.cases.models import Approval, CaseParty
from zhichi.transfers import services as transfer_services

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

TODAY = timezone.localdate().isoformat()
VIEWERS = frozenset({"civil1", "civil2", "civilhead", "chief", "registrar1"})
WORKERS = frozenset({"civil1", "civilhead"})
STAFF = frozenset(  # who has the register page: procuratorate staff who may see cases
    {"civil1", "civil2", "civilhead", "criminal1", "chief", "registrar1", "outsider"}
)


def _application(users, case, party, stage: str):
    """One application at ``stage``: recorded through the service; the later stages are written
    directly (this module tests access, tests/assistance/test_services.py the steps)."""
    a = services.record_application(
        case_id=case.pk,
        actor=users["civil1"],
        data=application_data(case, applicant_party_id=party.party_id),
    )
    if stage == "received":
        return a
    today = timezone.localdate()
    done = {
        "status": "granted",
        "proposal": "grant",
        "proposed_amount": Decimal("1000"),
        "granted_amount": Decimal("1000"),
        "decided_on": today,
    }
    order = ["funds", "notice", "payment", "paid"]
    reached = order.index(stage)
    if reached >= 1:
        done["funds_arrived_on"] = today
    if reached >= 2:
        done["notified_on"] = today
    if reached >= 3:
        done.update(status="paid", paid_on=today, paid_amount=Decimal("100"))
    AssistanceApplication.objects.filter(pk=a.pk).update(**done)
    return a


def build(users) -> dict:
    case = wage_case(users, consent=True, seq="71", workers=5)
    parties = list(CaseParty.objects.filter(case=case, role="claimant").order_by("id"))
    stages = ["received", "funds", "notice", "payment", "paid"]
    apps = {s: _application(users, case, p, s) for s, p in zip(stages, parties, strict=True)}
    t = send(users, case, to_org="WHLAC", kind="legal_aid")
    transfer_services.accept_transfer(transfer_id=t.pk, actor=users["lac1"])
    services.assign_lawyer(
        transfer_id=t.pk,
        actor=users["lac1"],
        data={"lawyer_name": "李律师", "law_firm": "某律师事务所", "assigned_on": TODAY},
    )
    other = wage_case(users, consent=True, seq="72")
    return {
        "case": case.pk,
        "other": other.pk,
        "claimant": CaseParty.objects.get(case=other, role="claimant").party_id,
        "received": apps["received"].pk,
        "granted": apps["funds"].pk,
        "funded": apps["notice"].pk,
        "notified": apps["payment"].pk,
        "paid": apps["paid"].pk,
        "legal_aid": t.pk,
    }


_world, users, world = module_world(build)


NEW = {
    "applicant_party_id": "{claimant}",
    "requested_amount": "30000",
    "hardship": "重病无力医治",
    "basis": "other",
}
NEW_PAGE = {**NEW, "hardship_caused_by_case": "on"}
OPINION = opinion_data()
OPINION_PAGE = {
    **{f"exclusion_{k}": "no" for k in OPINION["exclusions"]},
    "verification": "核实",
    "proposal": "grant",
    "proposed_amount": "1000",
    "opinion": "同意",
}
FUNDS = {"arrived_on": TODAY}
NOTICE = {"notified_on": TODAY, "method": "phone"}
PAY = {"paid_on": TODAY, "amount": "100", "method": "cash"}
FOLLOW = {"on": TODAY, "note": "已用于治疗"}
WITHDRAW = {"reason": "申请人撤回"}
LAWYER = {"lawyer_name": "王律师", "law_firm": "某律师事务所", "assigned_on": TODAY}
OUTCOME = {"outcome": "settled", "outcome_on": TODAY}
SENDERS = VIEWERS  # the legal aid transfer's sending side (lac1 receives it)

ENDPOINTS = [
    # pages
    Endpoint("assistance:register", "page", "get", "/assistance/", 200, STAFF),
    Endpoint(
        "assistance:new", "page", "get", "/assistance/cases/{other}/new/", 200, VIEWERS, WORKERS
    ),
    Endpoint(
        "assistance:new",
        "page",
        "post",
        "/assistance/cases/{other}/new/",
        302,
        VIEWERS,
        WORKERS,
        NEW_PAGE,
        label="assistance:new POST",
    ),
    Endpoint("assistance:detail", "page", "get", "/assistance/{received}/", 200, VIEWERS),
    Endpoint(
        "assistance:opinion",
        "page",
        "post",
        "/assistance/{received}/opinion/",
        302,
        VIEWERS,
        WORKERS,
        OPINION_PAGE,
    ),
    Endpoint(
        "assistance:funds",
        "page",
        "post",
        "/assistance/{granted}/funds/",
        302,
        VIEWERS,
        WORKERS,
        FUNDS,
    ),
    Endpoint(
        "assistance:notice",
        "page",
        "post",
        "/assistance/{funded}/notice/",
        302,
        VIEWERS,
        WORKERS,
        NOTICE,
    ),
    Endpoint(
        "assistance:payment",
        "page",
        "post",
        "/assistance/{notified}/payment/",
        302,
        VIEWERS,
        WORKERS,
        PAY,
    ),
    Endpoint(
        "assistance:follow_up",
        "page",
        "post",
        "/assistance/{paid}/follow-up/",
        302,
        VIEWERS,
        WORKERS,
        FOLLOW,
    ),
    Endpoint(
        "assistance:withdraw",
        "page",
        "post",
        "/assistance/{received}/withdraw/",
        302,
        VIEWERS,
        WORKERS,
        WITHDRAW,
    ),
    Endpoint(
        "assistance:legal_aid_lawyer",
        "page",
        "post",
        "/assistance/legal-aid/{legal_aid}/lawyer/",
        302,
        SENDERS,
        frozenset(),
        LAWYER,
    ),
    Endpoint(
        "assistance:legal_aid_outcome",
        "page",
        "post",
        "/assistance/legal-aid/{legal_aid}/outcome/",
        302,
        SENDERS,
        frozenset(),
        OUTCOME,
    ),
    # API
    Endpoint("api:list_applications", "api", "get", "/api/v1/assistance", 200),
    Endpoint("api:get_application", "api", "get", "/api/v1/assistance/{received}", 200, VIEWERS),
    Endpoint(
        "api:case_applications", "api", "get", "/api/v1/cases/{case}/assistance", 200, VIEWERS
    ),
    Endpoint(
        "api:record_application",
        "api",
        "post",
        "/api/v1/cases/{other}/assistance",
        201,
        VIEWERS,
        WORKERS,
        NEW,
    ),
    Endpoint(
        "api:submit_opinion",
        "api",
        "post",
        "/api/v1/assistance/{received}/opinion",
        200,
        VIEWERS,
        WORKERS,
        OPINION,
    ),
    Endpoint(
        "api:record_funds",
        "api",
        "post",
        "/api/v1/assistance/{granted}/funds",
        200,
        VIEWERS,
        WORKERS,
        FUNDS,
    ),
    Endpoint(
        "api:record_notice",
        "api",
        "post",
        "/api/v1/assistance/{funded}/notice",
        200,
        VIEWERS,
        WORKERS,
        NOTICE,
    ),
    Endpoint(
        "api:record_payment",
        "api",
        "post",
        "/api/v1/assistance/{notified}/payment",
        200,
        VIEWERS,
        WORKERS,
        PAY,
    ),
    Endpoint(
        "api:record_follow_up",
        "api",
        "post",
        "/api/v1/assistance/{paid}/follow-up",
        200,
        VIEWERS,
        WORKERS,
        FOLLOW,
    ),
    Endpoint(
        "api:withdraw",
        "api",
        "post",
        "/api/v1/assistance/{received}/withdraw",
        200,
        VIEWERS,
        WORKERS,
        WITHDRAW,
    ),
    Endpoint("api:case_legal_aid", "api", "get", "/api/v1/cases/{case}/legal-aid", 200, VIEWERS),
    Endpoint(
        "api:get_legal_aid", "api", "get", "/api/v1/transfers/{legal_aid}/legal-aid", 200, SENDERS
    ),
    Endpoint(
        "api:assign_lawyer",
        "api",
        "post",
        "/api/v1/transfers/{legal_aid}/legal-aid/lawyer",
        200,
        SENDERS,
        frozenset(),
        LAWYER,
    ),
    Endpoint(
        "api:record_outcome",
        "api",
        "post",
        "/api/v1/transfers/{legal_aid}/legal-aid/outcome",
        200,
        SENDERS,
        frozenset(),
        OUTCOME,
    ),
]


def _state() -> tuple:
    rows = AssistanceApplication.objects.order_by("pk").values_list(
        "pk", "status", "version", "funds_arrived_on", "notified_on", "paid_on", "follow_up_on"
    )
    referrals = LegalAidReferral.objects.values_list("lawyer_name", "outcome")
    return (list(rows), list(referrals), Approval.objects.count())


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_r2_assistance_access(endpoint, user, world, web, api):
    before = _state()

    r = call_endpoint(endpoint, user, world, web, api)

    assert r.status_code == endpoint.expected(user), r.content[:300]
    if r.status_code in (403, 404, 422):
        assert _state() == before  # a refused request changes nothing


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/api/v1/transfers/{legal_aid}/legal-aid/lawyer", LAWYER),
        ("/api/v1/transfers/{legal_aid}/legal-aid/outcome", OUTCOME),
    ],
)
def test_the_legal_aid_centre_records_on_its_referral(path, data, world, api):
    r = api("lac1").post(path.format(**world), data)
    assert r.status_code == 200, r.content[:300]


def test_the_legal_aid_centre_sees_no_assistance(world, api, web):
    assert api("lac1").get(f"/api/v1/assistance/{world['received']}").status_code == 404
    assert api("lac1").get(f"/api/v1/cases/{world['case']}/assistance").status_code == 404
    assert web("lac1").get("/assistance/").status_code == 404


HIDDEN = hidden_cells(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "user"), HIDDEN)
def test_r2_a_hidden_object_answers_like_one_that_does_not_exist(endpoint, user, world, web, api):
    hidden = call_endpoint(endpoint, user, world, web, api)
    missing = {k: 999999 for k in world if k != "claimant"}
    gone = call_endpoint(endpoint, user, world, web, api, ids=missing)

    assert (hidden.status_code, hidden.json()) == (gone.status_code, gone.json())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_request_redirects_to_login_or_is_401(endpoint, world):
    r = anonymous_response(endpoint, world)

    if endpoint.kind == "page":
        assert r.status_code == 302
        assert r["Location"].startswith("/login/?next=")
    else:
        assert r.status_code == 401


@pytest.mark.parametrize(("endpoint", "user"), bad_body_cells(ENDPOINTS))
def test_who_may_act_is_decided_before_the_body_issue12_item10(endpoint, user, world, api):
    response = call_with_bad_body(endpoint, user, world, api)
    assert response.status_code == bad_body_expected(endpoint, user), response.content
