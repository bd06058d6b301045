"""No N+1 anywhere (issue 19, item 3): every page and every API list reads a number of queries
that does not grow with the rows it shows, under a ceiling.

Each list is read with ``FEW`` of its rows and again with three times as many, by a user who sees
them all; the two reads must run the same statements (a failure names each statement that ran
more often: the N+1). Every read must stay under ``CEILING`` queries. Pages that show one object
are read with several related rows of each kind and must stay under the same ceiling. The walk at
the end takes every GET route of the access inventory (tests/test_access_matrix.py and each
feature's ``test_access*.py``) and every API list of tests/test_api_pagination.py, so a new page
or list cannot ship without its count here.
"""

from __future__ import annotations

import functools
import importlib
import io
import itertools
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import querycount
from tests.access import Endpoint, call_endpoint, module_world
from tests.conftest import lead_payload, make_credit_code, make_id
from tests.test_access_matrix import COLLECTION_ENDPOINTS, OBJECT_ENDPOINTS, SEPARATELY_TESTED
from tests.test_api_pagination import PAGED, PLAIN_ARRAYS
from tests.transfers.conftest import send, wage_case
from tests.webhooks.conftest import FakeResolver

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

FEW = 2  # rows of the listed thing in the first read; the second read shows three times as many
YEAR = "date_from=2026-01-01&date_to=2026-12-04"  # the suite's clock starts on 2026-12-04
CEILING = 40  # no page or list may read more, however many rows it shows (issue 19, item 3)


# --- the world each list grows in -------------------------------------------------------------
@dataclass
class World:
    users: dict
    ids: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict)  # the module's world (build, below)
    serial: itertools.count = field(default_factory=lambda: itertools.count(10))

    def seq(self) -> str:
        """A fresh two-digit serial: distinct people and years of birth for each new case."""
        return f"{next(self.serial):02d}"

    def case(self, **facts):
        return wage_case(self.users, consent=True, seq=self.seq(), **facts)


@dataclass(frozen=True)
class ListCase:
    route: str  # the URL name the access inventory gives it
    path: str  # formatted with the world's ids
    user: str
    grow: Callable[[World, int], None]  # adds n rows the user sees on the list
    setup: Callable[[World], None] | None = None  # what the path names (the case of a case list)
    api_route: str = ""  # the OpenAPI path of an API list (tests/test_api_pagination.py)
    label: str = ""
    figures: bool = False  # it shows figures worked out from the rows, not the rows themselves
    ceiling: int = CEILING  # higher only where explained at the row
    count: Callable | None = None  # how the response counts its rows (else ``shown``)
    one_object: bool = False  # a page of one object: also read under the ceiling as one

    @property
    def kind(self) -> str:
        return "api" if self.path.startswith("/api/") else "page"

    def __str__(self) -> str:
        return self.label or self.route


def shown(response) -> int:
    """How many rows a response shows: the items of an API list, the rows of a page or of a
    file (a header's rows are the same in every read, so differences count the rows added)."""
    kind = response["Content-Type"]
    if kind.startswith("text/csv"):
        return len(response.body.decode("utf-8-sig").splitlines())
    if kind.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.body), read_only=True).active
        return sum(1 for _ in sheet.iter_rows())
    if kind.startswith("application/json"):
        body = response.json()
        return len(body["items"] if isinstance(body, dict) else body)
    context = response.context
    for key in (
        "rows",
        "page_obj",
        "page",
        "items",
        "object_list",
        "results",
        "my_cases",
        "case_rows",
    ):
        if key in context:
            return len(context[key])
    raise AssertionError(f"no rows in the page's context: {sorted(context.keys())}")


def read(client, path: str):
    def get():
        response = client.get(path)
        # a streamed file reads its rows while it is sent: read it whole while counting
        response.body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
        return response

    response, sqls = querycount.statements(get)
    assert response.status_code == 200, response.content[:300]
    return response, sqls


# --- growers: n more rows of each list --------------------------------------------------------
def more_leads(w: World, n: int) -> None:
    from zhichi.intake import services
    from zhichi.intake.validation import validate_lead

    for _ in range(n):
        s = w.seq()
        services.create_lead(
            actor=w.users["hrss1"],
            data=validate_lead(
                lead_payload(
                    claimants=[
                        {"name": f"工人{s}", "id_number": make_id(birth=f"19{s}0101", seq="101")},
                        {"name": f"工友{s}", "id_number": make_id(birth=f"19{s}0101", seq="202")},
                    ]
                )
            ),
        )


def more_cases(w: World, n: int) -> None:
    for _ in range(n):
        w.case()


def more_transfers(w: World, n: int) -> None:
    for _ in range(n):
        send(w.users, w.case(), to_org="WHPROC", to_department="criminal", kind="criminal_lead")


def more_applications(w: World, n: int) -> None:
    from tests.assistance.conftest import record

    for _ in range(n):
        record(w.users, w.case())


def more_suggestions(w: World, n: int) -> None:
    from tests.supervision.conftest import draft

    for _ in range(n):
        draft(w.users, w.case())


def more_approvals(w: World, n: int) -> None:
    from zhichi.cases.services import disposal

    for _ in range(n):
        disposal.propose_support_decision(
            case_id=w.case().pk,
            actor=w.users["civil1"],
            data={"decision": "support", "reasons": "符合支持起诉条件"},
        )


def more_tokens(w: World, n: int) -> None:
    from zhichi.accounts.services import issue_token

    for _ in range(n):
        issue_token(user=w.users["civil1"], name=f"sync {w.seq()}")


def more_subscriptions(w: World, n: int) -> None:
    from zhichi.webhooks import services

    for _ in range(n):
        services.create_subscription(
            actor=w.users["chief"],
            data={"url": f"https://p{w.seq()}.example/hook", "events": ["transfer.sent"]},
        )


# --- growers on one case: n more of the case's own rows ---------------------------------------
def one_case(w: World) -> None:
    """A case with seven claimants (one aid each, rule JA-4), its officer civil1."""
    case = wage_case(w.users, consent=True, seq=w.seq(), workers=7)
    w.ids["case"] = case.pk
    w.ids["claimants"] = list(
        case.parties.filter(role="claimant").order_by("position").values_list("party_id", flat=True)
    )


def sent_and_rejected(w: World, n: int, **data) -> None:
    """n transfers of the case, each rejected by its receiver so the next may be sent (one open
    transfer of a kind to a receiver at a time)."""
    from zhichi.transfers import services

    receiver = {"WHPROC": "criminal1", "WHHRSS": "hrss1", "WHLAC": "lac1"}[data["to_org"]]
    for _ in range(n):
        t = services.send_transfer(
            actor=w.users["civil1"],
            data={"reason": "涉嫌拒不支付劳动报酬", **data},
            case_id=w.ids["case"],
        )
        services.reject_transfer(
            transfer_id=t.pk, actor=w.users[receiver], data={"reason": "不属于本机关管辖"}
        )


def more_case_transfers(w: World, n: int) -> None:
    sent_and_rejected(w, n, to_org="WHPROC", to_department="criminal", kind="criminal_lead")


def more_legal_aid(w: World, n: int) -> None:
    sent_and_rejected(w, n, to_org="WHLAC", kind="legal_aid")


def more_shares(w: World, n: int) -> None:
    """Each transfer to another agency shares the case with it: one share per transfer."""
    from zhichi.transfers import services

    for _ in range(n):
        t = services.send_transfer(
            actor=w.users["civil1"],
            data={"reason": "请依法查处", "to_org": "WHHRSS", "kind": "labour_inspection"},
            case_id=w.ids["case"],
        )
        services.accept_transfer(transfer_id=t.pk, actor=w.users["hrss1"])
        services.answer_transfer(
            transfer_id=t.pk,
            actor=w.users["hrss1"],
            data={"text": "已下达限期整改指令书", "result": "order_issued"},
        )


def more_case_applications(w: World, n: int) -> None:
    from tests.assistance.conftest import application_data
    from zhichi.assistance import services
    from zhichi.cases.models import Case

    case = Case.objects.get(pk=w.ids["case"])
    for _ in range(n):
        services.record_application(
            case_id=case.pk,
            actor=w.users["civil1"],
            data=application_data(case, applicant_party_id=w.ids["claimants"].pop()),
        )


def more_case_suggestions(w: World, n: int) -> None:
    from tests.supervision.conftest import DRAFT
    from zhichi.supervision import services

    for _ in range(n):
        services.draft_suggestion(case_id=w.ids["case"], actor=w.users["civil1"], data=DRAFT)


def _day(offset: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def more_appointments(w: World, n: int) -> None:
    from zhichi.cases.services import appointments

    for i in range(n):
        appointments.schedule_mediation(
            case_id=w.ids["case"],
            actor=w.users["civil1"],
            data={
                "on": _day(20 + i),
                "place": "五华区人民调解委员会",
                "mediator_org": "五华区调委会",
            },
        )


def more_visits(w: World, n: int) -> None:
    from zhichi.cases.services import disposal

    for i in range(n):
        disposal.plan_visit(
            case_id=w.ids["case"],
            actor=w.users["civil1"],
            data={"planned_on": _day(10 + i), "target": "claimant", "method": "phone"},
        )


def more_attachments(w: World, n: int, *, on: str = "case") -> None:
    from tests.evidence import samples
    from zhichi.evidence import services

    for i in range(n):
        services.upload_attachment(
            actor=w.users["civil1"],
            file=samples.upload(f"{EXHIBIT}{w.seq()}{i}.pdf", samples.PDF),
            kind="iou",
            description="证据",
            **{f"{on}_id": w.ids[on]},
        )


EXHIBIT = "附件甲"  # in the name of each attachment a grower adds, and nowhere else


def exhibits(response) -> int:
    """The attachments a page of one case or lead lists, by their names."""
    return response.content.decode().count(EXHIBIT)


def one_lead(w: World) -> None:
    from zhichi.intake.models import Lead

    more_leads(w, 1)
    w.ids["lead"] = Lead.objects.latest("pk").pk


def more_payments(w: World, n: int) -> None:
    from zhichi.cases.services import payments

    for i in range(n):
        payments.record_payment(
            case_id=w.ids["case"],
            actor=w.users["civil1"],
            data={
                "claimant_party_id": w.ids["claimants"][i % 7],
                "paid_on": _day(-1),
                "amount": "100.00",
                "payer": "昆明某劳务分包队",
                "method": "银行转账",
            },
        )


def more_imports(w: World, n: int) -> None:
    from tests.imports import corpus
    from zhichi.imports import services

    for _ in range(n):
        services.upload_import(
            actor=w.users["civil1"],
            upload=corpus.upload(corpus.xlsx([corpus.worker(1), corpus.worker(2)])),
        )


def more_joint_actions(w: World, n: int) -> None:
    from tests.employers.conftest import EMPLOYER
    from zhichi.employers import services

    for _ in range(n):
        services.record_joint_action(
            actor=w.users["civil1"],
            data={
                "on": _day(0),
                "employer": EMPLOYER,
                "organisations": ["WHHRSS"],
                "case_ids": [w.case().pk],
                "result": "联合约谈",
                "amount_paid_on_site": "100.00",
            },
        )


def one_subscription(w: World) -> None:
    from zhichi.webhooks import services

    w.ids["subscription"] = services.create_subscription(
        actor=w.users["chief"],
        data={"url": "https://partner.example/zhichi", "events": ["case.stage_changed"]},
    ).subscription.pk


def more_deliveries(w: World, n: int) -> None:
    from zhichi.webhooks import services

    for _ in range(n):
        services.send_ping(actor=w.users["chief"], subscription_id=w.ids["subscription"])


def more_done_import_rows(w: World, n: int) -> None:
    """A finished import of n more workers than the last (each of another employer, so each row
    makes its own lead); the list shown is the new import's."""
    from django.test import TestCase

    from tests.imports import corpus
    from zhichi.imports import services

    w.ids["rows"] = w.ids.get("rows", 0) + n
    first = w.ids.get("workers", 0)  # new people each time: one already imported is a duplicate
    w.ids["workers"] = first + w.ids["rows"]
    rows = [
        corpus.worker(
            first + i + 1,
            employer=f"云南第{first + i + 1}建筑劳务有限公司",
            credit_code=make_credit_code(f"91530102MA6K2P{first + i + 100:03d}"),
        )
        for i in range(w.ids["rows"])
    ]
    job = services.upload_import(actor=w.users["civil1"], upload=corpus.upload(corpus.xlsx(rows)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.start_import(actor=w.users["civil1"], job_id=job.pk)
    w.ids["done"] = job.pk


def one_done_import(w: World) -> None:
    more_done_import_rows(w, 1)


def more_employers(w: World, n: int) -> None:
    """Cases against n more employers whose names hold 建筑."""
    from tests.employers.conftest import open_case

    for _ in range(n):
        s = int(w.seq())
        open_case(
            w.users,
            seq=s * 3,
            code=make_credit_code(f"91530102MA6K2P{s:03d}"),
            name=f"云南第{s}建筑有限公司",
        )


def more_users(w: World, n: int) -> None:
    from zhichi.accounts.models import Role, User

    for _ in range(n):
        User.objects.create_user(
            username=f"officer{w.seq()}",
            organisation=w.users["civil1"].organisation,
            department=w.users["civil1"].department,
            role=Role.OFFICER,
        )


SIGNERS = ["civil1", "civil2", "civilhead", "criminal1", "chief", "registrar1", "hrss1", "wf1"]


def more_sessions(w: World, n: int) -> None:
    """n more people signed in (one session each)."""
    from django.test import Client

    from tests.conftest import PASSWORD

    for _ in range(n):
        username = SIGNERS[len(w.ids.setdefault("signed_in", []))]
        r = Client().post("/login/", {"username": username, "password": PASSWORD})
        assert r.status_code == 302
        w.ids["signed_in"].append(username)


def more_locks(w: World, n: int) -> None:
    from axes.models import AccessAttempt

    for _ in range(n):
        AccessAttempt.objects.create(
            username=f"guess{w.seq()}",
            ip_address="203.0.113.9",
            user_agent="probe",
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/login/",
            failures_since_start=5,
        )


def more_staff_tokens(w: World, n: int) -> None:
    from zhichi.accounts.services import issue_token

    for i in range(n):
        issue_token(user=w.users[SIGNERS[i % len(SIGNERS)]], name=f"sync {w.seq()}")


def more_audit_entries(w: World, n: int) -> None:
    from zhichi.audit.services import record

    for _ in range(n):
        record(
            action="case.open",
            actor=w.users[SIGNERS[int(w.seq()) % len(SIGNERS)]],
            object_type="cases.case",
            object_id=7,
        )


def more_organisations(w: World, n: int) -> None:
    from zhichi.accounts.models import Organisation, OrgKind

    for _ in range(n):
        s = w.seq()
        Organisation.objects.create(
            code=f"MED{s}",
            name=f"第{s}人民调解委员会",
            kind=OrgKind.MEDIATION,
            province="53",
            district="530102",
        )


def more_departments(w: World, n: int) -> None:
    from zhichi.accounts.models import Department

    for _ in range(n):
        s = w.seq()
        Department.objects.create(
            organisation=w.users["civil1"].organisation, code=f"d{s}", name=f"第{s}检察部"
        )


def own_organisation(w: World) -> None:
    w.ids["org"] = w.users["civil1"].organisation_id


def one_case_of_the_employer(w: World) -> None:
    from tests.employers.conftest import EMPLOYER

    w.case()  # an employer has a page once a case names it
    w.ids["code"] = EMPLOYER


def more_failed_import_rows(w: World, n: int) -> None:
    """A finished import with n more rejected rows than the last (a worker without a name)."""
    from django.test import TestCase

    from tests.imports import corpus
    from zhichi.imports import services

    w.ids["bad"] = w.ids.get("bad", 0) + n
    rows = [corpus.worker(1)] + [corpus.worker(i + 2, name=None) for i in range(w.ids["bad"])]
    job = services.upload_import(actor=w.users["civil1"], upload=corpus.upload(corpus.xlsx(rows)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.start_import(actor=w.users["civil1"], job_id=job.pk)
    w.ids["done"] = job.pk


def one_failed_import(w: World) -> None:
    more_failed_import_rows(w, 1)


def more_cases_with_rows(w: World, n: int) -> None:
    """n more cases, each with a transfer, an application and a suggestion: rows for every
    export and every figure."""
    from tests.assistance.conftest import record
    from tests.supervision.conftest import draft

    for _ in range(n):
        case = w.case()
        send(w.users, case, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
        record(w.users, case)
        draft(w.users, case)


def the_full_case(w: World) -> None:
    """The documents' case: everything a document can be issued from, one document issued."""
    w.ids["case"] = w.shared["documents"]["case"]


def more_documents(w: World, n: int) -> None:
    """n re-issues of the support opinion: the list shows each issue, the replaced ones too."""
    from zhichi.documents import services

    for _ in range(n):
        services.issue_document(
            case_id=w.ids["case"], kind="support_opinion", actor=w.users["civil1"], reason="更正"
        )


def more_template_versions(w: World, n: int) -> None:
    """n more versions of the suggestion's template, each put in use by the administrator."""
    from zhichi.documents import render, services

    for _ in range(n):
        services.upload_template(
            actor=w.users["sysadmin"],
            kind="suggestion",
            data=render.builtin_docx("suggestion"),
            name=f"suggestion{w.seq()}.docx",
        )


def template_versions(response) -> int:
    return sum(len(row["versions"]) for row in response.context["rows"])


LISTS = [
    ListCase("intake:lead_list", "/leads/", "civil1", more_leads),
    ListCase("api:list_leads", "/api/v1/leads", "civil1", more_leads, api_route="/api/v1/leads"),
    ListCase("cases:case_list", "/cases/", "civil1", more_cases),
    ListCase("api:list_cases", "/api/v1/cases", "civil1", more_cases, api_route="/api/v1/cases"),
    ListCase("transfers:inbox", "/transfers/inbox/", "criminal1", more_transfers),
    ListCase("transfers:outbox", "/transfers/outbox/", "civil1", more_transfers),
    ListCase(
        "api:list_transfers",
        "/api/v1/transfers",
        "criminal1",
        more_transfers,
        api_route="/api/v1/transfers",
    ),
    ListCase(
        "api:list_transfers",
        "/api/v1/transfers?box=outbox",
        "civil1",
        more_transfers,
        label="api:list_transfers?box=outbox",
    ),
    ListCase("assistance:register", "/assistance/", "civil1", more_applications),
    ListCase(
        "api:list_applications",
        "/api/v1/assistance",
        "civil1",
        more_applications,
        api_route="/api/v1/assistance",
    ),
    ListCase("supervision:register", "/supervision/suggestions/", "civil1", more_suggestions),
    ListCase(
        "api:list_suggestions",
        "/api/v1/suggestions",
        "civil1",
        more_suggestions,
        api_route="/api/v1/suggestions",
    ),
    ListCase("cases:approvals", "/cases/approvals/", "civilhead", more_approvals),
    ListCase(
        "api:approvals_inbox",
        "/api/v1/approvals",
        "civilhead",
        more_approvals,
        api_route="/api/v1/approvals",
    ),
    ListCase("accounts:tokens", "/account/tokens/", "civil1", more_tokens),
    ListCase(
        "api:list_my_tokens",
        "/api/v1/me/tokens",
        "civil1",
        more_tokens,
        api_route="/api/v1/me/tokens",
    ),
    ListCase("webhooks:list", "/integrations/webhooks/", "chief", more_subscriptions),
    ListCase(
        "api:list_webhooks",
        "/api/v1/webhooks",
        "chief",
        more_subscriptions,
        api_route="/api/v1/webhooks",
    ),
    ListCase(
        "api:case_transfers",
        "/api/v1/cases/{case}/transfers",
        "civil1",
        more_case_transfers,
        one_case,
        "/api/v1/cases/{case_id}/transfers",
    ),
    ListCase(
        "api:case_legal_aid",
        "/api/v1/cases/{case}/legal-aid",
        "civil1",
        more_legal_aid,
        one_case,
        "/api/v1/cases/{case_id}/legal-aid",
    ),
    ListCase(
        "api:list_shares",
        "/api/v1/cases/{case}/shares",
        "civil1",
        more_shares,
        one_case,
        "/api/v1/cases/{case_id}/shares",
    ),
    ListCase(
        "api:case_applications",
        "/api/v1/cases/{case}/assistance",
        "civil1",
        more_case_applications,
        one_case,
        "/api/v1/cases/{case_id}/assistance",
    ),
    ListCase(
        "api:case_suggestions",
        "/api/v1/cases/{case}/suggestions",
        "civil1",
        more_case_suggestions,
        one_case,
        "/api/v1/cases/{case_id}/suggestions",
    ),
    ListCase(
        "api:list_mediation_appointments",
        "/api/v1/cases/{case}/mediation-appointments",
        "civil1",
        more_appointments,
        one_case,
        "/api/v1/cases/{case_id}/mediation-appointments",
    ),
    ListCase(
        "api:list_visits",
        "/api/v1/cases/{case}/visits",
        "civil1",
        more_visits,
        one_case,
        "/api/v1/cases/{case_id}/visits",
    ),
    ListCase(
        "api:case_timeline",
        "/api/v1/cases/{case}/timeline",
        "civil1",
        more_visits,
        one_case,
        "/api/v1/cases/{case_id}/timeline",
    ),
    ListCase(
        "api:list_case_attachments",
        "/api/v1/cases/{case}/attachments",
        "civil1",
        more_attachments,
        one_case,
        "/api/v1/cases/{case_id}/attachments",
    ),
    ListCase(
        "api:list_lead_attachments",
        "/api/v1/leads/{lead}/attachments",
        "civil1",
        lambda w, n: more_attachments(w, n, on="lead"),
        one_lead,
        "/api/v1/leads/{lead_id}/attachments",
    ),
    ListCase("imports:list", "/imports/", "civil1", more_imports),
    ListCase(
        "api:list_imports", "/api/v1/imports", "civil1", more_imports, api_route="/api/v1/imports"
    ),
    ListCase("joint_actions:list", "/joint-actions/", "civil1", more_joint_actions),
    ListCase(
        "api:list_joint_actions",
        "/api/v1/joint-actions",
        "civil1",
        more_joint_actions,
        api_route="/api/v1/joint-actions",
    ),
    ListCase(
        "api:list_webhook_deliveries",
        "/api/v1/webhooks/{subscription}/deliveries",
        "chief",
        more_deliveries,
        one_subscription,
        "/api/v1/webhooks/{subscription_id}/deliveries",
    ),
    ListCase(
        "imports:leads",
        "/imports/{done}/leads/",
        "civil1",
        more_done_import_rows,
        one_done_import,
    ),
    ListCase("employers:search", "/employers/?q=建筑", "civil1", more_employers),
    ListCase(
        "employers:profile",
        "/employers/{code}/",
        "civil1",
        more_cases,
        one_case_of_the_employer,
    ),
    ListCase("security:users", "/security/users/", "secadmin", more_users),
    ListCase("security:sessions", "/security/sessions/", "secadmin", more_sessions),
    ListCase("security:locks", "/security/locks/", "secadmin", more_locks),
    ListCase("security:tokens", "/security/tokens/", "secadmin", more_staff_tokens),
    # filtered to the entries made here: reading the trail is itself an entry (rule R7)
    ListCase("audit_console:trail", "/audit/?action=case.open", "auditor", more_audit_entries),
    ListCase(
        "audit_console:history",
        "/audit/object/cases.case/7/",
        "auditor",
        more_audit_entries,
    ),
    ListCase("system:organisations", "/system/organisations/", "sysadmin", more_organisations),
    ListCase(
        "system:organisation",
        "/system/organisations/{org}/",
        "sysadmin",
        more_departments,
        own_organisation,
    ),
    ListCase("notifications", "/notifications/", "criminal1", more_transfers),
    ListCase("workbench", "/", "civil1", more_cases),
    ListCase(
        "webhooks:detail",
        "/integrations/webhooks/{subscription}/",
        "chief",
        more_deliveries,
        one_subscription,
    ),
    ListCase(
        "imports:errors",
        "/imports/{done}/errors.xlsx",
        "civil1",
        more_failed_import_rows,
        one_failed_import,
    ),
    ListCase(
        "api:import_errors",
        "/api/v1/imports/{done}/errors.xlsx",
        "civil1",
        more_failed_import_rows,
        one_failed_import,
    ),
    ListCase(
        "audit_console:export_csv",
        "/audit/export.csv?action=case.open",
        "auditor",
        more_audit_entries,
    ),
    ListCase(
        "audit_console:export_xlsx",
        "/audit/export.xlsx?action=case.open",
        "auditor",
        more_audit_entries,
    ),
    ListCase("api:export_leads", "/api/v1/exports/leads.xlsx", "civil1", more_leads),
    ListCase("api:export_cases", "/api/v1/exports/cases.xlsx", "civil1", more_cases_with_rows),
    ListCase(
        "api:export_transfers",
        "/api/v1/exports/transfers.xlsx?box=outbox",
        "civil1",
        more_transfers,
    ),
    ListCase(
        "api:export_assistance", "/api/v1/exports/assistance.xlsx", "civil1", more_applications
    ),
    ListCase(
        "api:export_suggestions", "/api/v1/exports/suggestions.xlsx", "civil1", more_suggestions
    ),
    ListCase("api:export_employers", "/api/v1/exports/employers.xlsx", "civil1", more_employers),
    ListCase(
        "stats:figure",
        f"/stats/figures/cases_accepted/?{YEAR}",
        "civilhead",
        more_cases_with_rows,
    ),
    # the dashboard and the report count each figure for the period and for the one before (the
    # comparison each card shows): about twenty aggregates twice, whatever the number of cases
    ListCase(
        "stats:dashboard",
        f"/stats/?{YEAR}",
        "civilhead",
        more_cases_with_rows,
        figures=True,
        ceiling=60,
    ),
    ListCase(
        "stats:report",
        "/stats/report/?period=month",
        "civilhead",
        more_cases_with_rows,
        figures=True,
        ceiling=50,
    ),
    ListCase("stats:warnings", "/stats/warnings/", "civilhead", more_cases_with_rows, figures=True),
    ListCase(
        "api:stats_summary",
        "/api/v1/stats/summary",
        "civilhead",
        more_cases_with_rows,
        figures=True,
    ),
    ListCase(
        "api:stats_breakdown",
        "/api/v1/stats/breakdown?by=level",
        "civilhead",
        more_cases_with_rows,
        api_route="/api/v1/stats/breakdown",
        figures=True,
    ),
    ListCase(
        "api:list_documents",
        "/api/v1/cases/{case}/documents",
        "civil1",
        more_documents,
        the_full_case,
        "/api/v1/cases/{case_id}/documents",
    ),
    # pages of one object, with more of their own rows
    ListCase(
        "intake:lead_detail",
        "/leads/{lead}/",
        "civil1",
        lambda w, n: more_attachments(w, n, on="lead"),
        one_lead,
        label="intake:lead_detail with more attachments",
        one_object=True,
        count=exhibits,
    ),
    ListCase(
        "cases:case_detail",
        "/cases/{case}/",
        "civil1",
        more_attachments,
        one_case,
        label="cases:case_detail with more attachments",
        one_object=True,
        count=exhibits,
    ),
    ListCase(
        "imports:detail",
        "/imports/{done}/",
        "civil1",
        more_failed_import_rows,
        one_failed_import,
        label="imports:detail with more rejected rows",
        one_object=True,
        count=lambda response: len(response.context["failed"]),
    ),
    ListCase(
        "imports:detail",
        "/imports/{done}/",
        "civil1",
        more_done_import_rows,
        one_done_import,
        label="imports:detail with more leads",
        one_object=True,
        count=lambda response: len(response.context["leads"]),
    ),
    ListCase(
        "documents:templates",
        "/documents/templates/",
        "sysadmin",
        more_template_versions,
        count=template_versions,
    ),
]


@pytest.fixture
def resolver(monkeypatch):
    """The webhooks' hosts resolve to a public address without the network."""
    monkeypatch.setattr(socket, "getaddrinfo", FakeResolver())


@pytest.mark.parametrize("case", LISTS, ids=str)
def test_a_list_reads_the_same_queries_for_few_and_three_times_as_many_rows(
    case, users, world, web, api, resolver
):
    w = World(users, shared=world)
    if case.setup:
        case.setup(w)
    client = api(case.user) if case.kind == "api" else web(case.user)
    read(client, case.path.format(**w.ids))  # what a process reads once is read here
    rows = case.count or shown
    first = read(client, case.path.format(**w.ids))[0]
    empty = 0 if case.figures else rows(first)
    case.grow(w, FEW)
    few, small = read(client, case.path.format(**w.ids))
    case.grow(w, 2 * FEW)
    many, large = read(client, case.path.format(**w.ids))

    # the rows are there to be counted: the page shows every one that was added
    if not case.figures:
        assert (rows(few), rows(many)) == (empty + FEW, empty + 3 * FEW)
    failures = [
        querycount.flat_failure(str(case), small, large),
        querycount.ceiling_failure(str(case), large, case.ceiling),
    ]
    assert not any(failures), "\n".join(f for f in failures if f)


# --- pages and API answers that show one object ------------------------------------------------
def _rich_case(users) -> dict:
    """A case with seven claimants, three attachments, transfers to three agencies (one carrying
    the attachments, one with the legal aid centre's lawyer), payments, visits, mediation
    sessions, an application for assistance and a suggestion; a lead with two claimants and
    attachments from both sides; a joint action; a webhook subscription with deliveries."""
    from tests.assistance.conftest import record
    from tests.employers.conftest import EMPLOYER
    from tests.evidence import samples
    from tests.supervision.conftest import draft
    from tests.transfers.conftest import upload
    from zhichi.assistance import services as assistance
    from zhichi.cases.models import Case
    from zhichi.employers import services as employers
    from zhichi.evidence.models import Attachment
    from zhichi.evidence.services import upload_attachment
    from zhichi.transfers import services as transfers
    from zhichi.webhooks import services as webhooks

    w = World(users, serial=itertools.count(90))
    one_case(w)
    case = w.ids["case"]
    case_obj = Case.objects.get(pk=case)
    attachments = [upload(users["civil1"], case_obj, f"证据{i}.pdf").pk for i in range(3)]
    t1 = send(users, case_obj, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
    t2 = send(users, case_obj, to_org="WHHRSS", kind="labour_inspection", evidence=attachments)
    legal_aid = send(users, case_obj, to_org="WHLAC", kind="legal_aid")
    transfers.accept_transfer(transfer_id=legal_aid.pk, actor=users["lac1"])
    assistance.assign_lawyer(
        transfer_id=legal_aid.pk,
        actor=users["lac1"],
        data={"lawyer_name": "张律师", "law_firm": "云南某律师事务所", "assigned_on": _day(0)},
    )
    more_payments(w, 3)
    more_visits(w, 2)
    more_appointments(w, 2)
    received = record(users, case_obj)
    pending = draft(users, case_obj)
    one_lead(w)
    w.ids["case_att"] = attachments[0]
    more_attachments(w, 2, on="lead")
    partner_att = upload_attachment(
        actor=users["hrss1"],
        file=samples.upload("工资表.pdf", samples.PDF),
        kind="iou",
        description="证据",
        lead_id=w.ids["lead"],
    ).pk
    action = employers.record_joint_action(
        actor=users["civil1"],
        data={
            "on": _day(0),
            "employer": EMPLOYER,
            "organisations": ["WHHRSS"],
            "case_ids": [case],
            "result": "联合约谈",
            "amount_paid_on_site": "100.00",
        },
    ).pk
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", FakeResolver())
        one_subscription(w)
        for _ in range(3):
            webhooks.send_ping(actor=users["chief"], subscription_id=w.ids["subscription"])
    return {
        "case": case,
        "other": case,
        "lead": w.ids["lead"],
        "t1": t1.pk,
        "t2": t2.pk,
        "attachment": attachments[0],
        "legal_aid": legal_aid.pk,
        "received": received.pk,
        "pending": pending.pk,
        "case_att": attachments[0],
        "partner_att": partner_att,
        "staff_att": Attachment.objects.filter(lead_id=w.ids["lead"], uploaded_by=users["civil1"])
        .values_list("pk", flat=True)
        .first(),
        "action": action,
        "code": EMPLOYER,
        "subscription": w.ids["subscription"],
        "target": users["wf1"].pk,
        "org": users["civil1"].organisation_id,
        "dept": users["civil1"].department_id,
        "object_type": "cases.case",
        "object_id": str(case),
    }


def build(users) -> dict:
    """The rich case for every module, and each module's own world where its ids mean other
    things (the documents' case file export, the statistics' list export, the imports)."""
    from tests.documents.test_access import build as documents_world
    from tests.imports.test_access import build as imports_world
    from tests.stats.test_access_exports import build as exports_world

    common = _rich_case(users)
    return {
        "common": common,
        "documents": {**common, **documents_world(users)},
        "imports": {**common, **imports_world(users)},
        "stats.exports": {**common, **exports_world(users)},
    }


_world, users, world = module_world(build)


# the access modules whose ids name their own world's objects (build, above)
OWN_WORLDS = {
    "tests.documents.test_access": "documents",
    "tests.imports.test_access": "imports",
    "tests.stats.test_access_exports": "stats.exports",
}
# who reads each page: the first of these the access inventory lets in
READERS = ["civil1", "civilhead", "chief", "hrss1", "wf1", "criminal1", "registrar1", "lac1"]
READERS += ["sysadmin", "secadmin", "auditor", "civil2", "outsider"]


def inventory() -> list[tuple[str, Endpoint]]:
    """(its world, row) of every GET row of the access inventory (rule R2's matrix and each
    feature's ``test_access*.py``, as tests/test_access_matrix.py collects them)."""
    rows = [("common", e) for e in OBJECT_ENDPOINTS + COLLECTION_ENDPOINTS]
    root = Path(__file__).parent
    for path in sorted(root.rglob("test_access*.py")):
        if path.name == "test_access_matrix.py":
            continue
        name = ".".join(("tests", *path.relative_to(root).with_suffix("").parts))
        module = importlib.import_module(name)
        rows += [(OWN_WORLDS.get(name, "common"), e) for e in getattr(module, "ENDPOINTS", [])]
    return [(key, e) for key, e in rows if e.method == "get"]


ROUTES_COUNTED_WITH_ROWS = {case.route for case in LISTS}
# the lists; a page of one object counted with more of its rows is read as one object too
LISTED = {case.route for case in LISTS if not case.one_object}
ONE_OBJECT = [
    pytest.param(key, e, id=f"{e}@{key}" if key != "common" else str(e))
    for key, e in inventory()
    if e.name not in LISTED
]
# routes of SEPARATELY_TESTED that answer no GET
POST_ONLY = {"logout", "notifications_read"}
# routes of SEPARATELY_TESTED read elsewhere, with why they are not counted here
NOT_COUNTED = {
    # Django's own and ninja's: the schema and its docs page read no rows
    "api:openapi-json": "the API's schema: no database",
    "api:openapi-view": "the API's docs page: no database",
    # the portal's pages of one filing need a browser's draft or a receipt's code
    "portal:start": "a POST that starts a draft",
    "portal:step": "one draft's step, in tests/portal",
    "portal:receipt": "one receipt, in tests/portal",
    "portal:status_detail": "one filing's status, in tests/portal",
    "portal:leave": "a POST that ends a draft",
    "api:get_lead_portal_filing": "one portal lead's filing, in tests/portal",
}
# pages about the session or the public portal (SEPARATELY_TESTED in the access matrix) that
# show one fixed thing; the portal's pages of one filing are read in tests/portal
OPEN_PAGES = [
    ("login", "page", "/login/", None, 200),
    ("api:me", "api", "/api/v1/me", "civil1", 200),
    ("api:health", "api", "/api/v1/health", None, 200),
    ("portal:home", "page", "/portal/", None, 200),
    ("portal:about", "page", "/portal/about/", None, 200),
    ("portal:privacy", "page", "/portal/privacy/", None, 200),
    ("portal:status", "page", "/portal/status/", None, 200),
    ("portal:apply", "page", "/portal/apply/", None, 302),  # to the first step
    ("portal:resume", "page", "/portal/resume/", None, 200),
]


def _reader(endpoint: Endpoint) -> str:
    return next(u for u in READERS if endpoint.expected(u) == endpoint.ok)


@pytest.mark.parametrize(("key", "endpoint"), ONE_OBJECT)
def test_a_page_of_one_object_reads_under_the_ceiling(key, endpoint, world, web, api):
    ids = world[key]
    user = _reader(endpoint)
    signed_in = functools.cache(web)  # signing in is not the page's: once, before counting

    def call():
        response = call_endpoint(endpoint, user, ids, signed_in, api)
        if response.streaming:  # a streamed file reads while it is sent
            b"".join(response.streaming_content)
        return response

    call()  # what a process reads once (the law library, the calendar) is read here
    response, sqls = querycount.statements(call)

    assert response.status_code == endpoint.ok, response.content[:300]
    failure = querycount.ceiling_failure(f"{endpoint} as {user}", sqls, CEILING)
    assert failure is None, failure
    # a page that pages through rows is a list: it needs its few-and-many count in LISTS
    listing = {"page_obj", "rows"} & set(response.context.keys() if response.context else ())
    assert not listing or endpoint.name in ROUTES_COUNTED_WITH_ROWS, listing


@pytest.mark.parametrize(("name", "kind", "path", "user", "ok"), OPEN_PAGES, ids=lambda v: v)
def test_a_page_about_the_session_reads_under_the_ceiling(name, kind, path, user, ok, web, api):
    from django.test import Client

    client = (api(user) if kind == "api" else web(user)) if user else Client()
    client.get(path)
    response, sqls = querycount.statements(lambda: client.get(path))

    assert response.status_code == ok
    failure = querycount.ceiling_failure(name, sqls, CEILING)
    assert failure is None, failure


# --- the walk: nothing is left out ------------------------------------------------------------
def test_every_api_list_is_counted_with_its_rows():
    """Every list of the API (the paged ones and the plain arrays API.md gives whole) has its
    few-and-many count above."""
    assert {c.api_route for c in LISTS if c.api_route} == PAGED | PLAIN_ARRAYS


def test_every_get_route_is_counted():
    """Every GET route of the access inventory is read here: as a list with its rows, or as a
    page of one object under the ceiling; every route the inventory leaves to other tests
    (SEPARATELY_TESTED) is read here or named in NOT_COUNTED with its reason."""
    counted = {c.route for c in LISTS} | {e.name for _key, e in inventory()}
    counted |= {name for name, *_ in OPEN_PAGES}
    get_routes = {e.name for _key, e in inventory()} | (SEPARATELY_TESTED - POST_ONLY)
    assert get_routes - counted == set(NOT_COUNTED)
    assert {c.route for c in LISTS} <= get_routes


def test_the_check_names_the_statement_a_loop_repeats(users):
    """The check itself fails on an N+1, and its message names the repeated statement."""
    from zhichi.accounts.models import User

    def page(n: int) -> list:
        return [User.objects.get(pk=u.pk).username for u in list(users.values())[:n]]

    _, small = querycount.statements(lambda: page(2))
    _, large = querycount.statements(lambda: page(6))

    message = querycount.flat_failure("a loop", small, large)
    assert message is not None
    assert "2 queries with few rows, 6 with more" in message
    assert '2 → 6: SELECT "accounts_user"."id"' in message
    assert querycount.flat_failure("a loop", small, large, allowance=4) is None
    assert "×6: SELECT" in querycount.ceiling_failure("a loop", large, 5)
    assert querycount.ceiling_failure("a loop", large, 6) is None
