"""A case with everything a document can be issued from: an approved support decision, a
mediation agreement with instalments, a return visit done, a transfer, an approved suggestion and
granted judicial assistance."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest
from django.utils import timezone

from tests.assistance.conftest import application_data, opinion_data
from tests.transfers.conftest import send, wage_case
from zhichi.assistance import services as assistance
from zhichi.cases.services import disposal
from zhichi.cases.services.approvals import decide_approval
from zhichi.supervision import services as supervision


def build_full_case(users, seq: str = "81"):
    case = wage_case(users, consent=True, seq=seq)
    officer, head, chief = users["civil1"], users["civilhead"], users["chief"]
    today = timezone.localdate()
    approval = disposal.propose_support_decision(
        case_id=case.pk,
        actor=officer,
        data={
            "decision": "support",
            "reasons": "用人单位拖欠劳动报酬事实清楚，申请人系农民工，诉讼能力较弱。",
        },
    )
    decide_approval(approval_id=approval.pk, actor=head, approve=True)
    disposal.record_mediation(
        case_id=case.pk,
        actor=officer,
        data={
            "held_on": today.isoformat(),
            "mediator_org": "五华区人民调解委员会",
            "outcome": "agreement",
            "agreed_amount": "18000.00",
            "instalments": [
                {
                    "due": (today.replace(day=28)).isoformat()
                    if today.day <= 28
                    else today.isoformat(),
                    "amount": "9000.00",
                },
                {
                    "due": (today.replace(year=today.year + 1, month=1, day=31)).isoformat(),
                    "amount": "9000.00",
                },
            ],
        },
    )
    visit = disposal.plan_visit(
        case_id=case.pk,
        actor=officer,
        data={"planned_on": today.isoformat(), "target": "claimant", "method": "phone"},
    )
    disposal.record_visit(
        visit_id=visit.pk,
        actor=officer,
        data={
            "done_on": today.isoformat(),
            "findings": "申请人表示已收到第一期款项。",
            "paid_in_full": False,
        },
    )
    send(users, case, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
    s = supervision.draft_suggestion(
        case_id=case.pk,
        actor=officer,
        data={
            "to_org_name": "五华区住房和城乡建设局",
            "issue": "未落实农民工工资保证金制度。",
            "recommendations": "督促落实工资保证金制度。",
        },
    )
    decide_approval(approval_id=s.approval_id, actor=chief, approve=True)
    a = assistance.record_application(case_id=case.pk, actor=officer, data=application_data(case))
    assistance.submit_opinion(application_id=a.pk, actor=officer, data=opinion_data())
    for who in (head, chief):
        a.refresh_from_db()
        decide_approval(approval_id=a.approval_id, actor=who, approve=True)
    return case


@pytest.fixture
def full_case(users):
    return build_full_case(users)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def pdf_fonts(data: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            for d in descendants or []:
                desc = d.get_object().get("/FontDescriptor")
                if desc is not None and any(
                    k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    names.add("embedded:" + str(font["/BaseFont"]))
    return names


def declined_lead(users, seq: str = "71"):
    """A lead hrss1 referred, declined by civil1 with a redirect to arbitration."""
    from tests.conftest import lead_payload, make_id
    from zhichi.intake import services as intake_services
    from zhichi.intake.validation import validate_lead

    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                claimants=[
                    {
                        "name": f"申请人{seq}",
                        "id_number": make_id(birth="19800101", seq=f"{int(seq):03d}"),
                        "amount_claimed": "8000.00",
                        "months_unpaid": 2,
                    }
                ]
            )
        ),
    )
    return intake_services.decline_lead(
        lead_id=lead.pk,
        actor=users["civil1"],
        data={"reason": "该纠纷已经人民法院立案受理。", "redirect": "arbitration"},
    )


def docx_with(*paragraphs: str, title: str = "", header: str = "") -> bytes:
    """A DOCX whose body is ``paragraphs`` (template text for uploads), optionally with a
    document title property and a page header."""
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    if title:
        d.core_properties.title = title
    if header:
        d.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
