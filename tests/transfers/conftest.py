"""A world of transfers: cases of WHPROC/civil (officer civil1) and transfers in each state."""

from __future__ import annotations

import pytest

from tests.conftest import lead_payload, make_credit_code, make_id
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.transfers import services

EMPLOYER = make_credit_code()


def wage_case(users, *, consent: bool, seq: str, workers: int = 1, **facts):
    """A wage case of civil1, from a lead hrss1 referred."""
    claimants = [
        {
            "name": f"工人{seq}{i}",
            "id_number": make_id(birth=f"19{seq[:2]}0101", seq=f"{i:03d}"),
            "amount_claimed": "25000.00",
            "months_unpaid": 4,
        }
        for i in range(workers)
    ]
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=consent,
                claimants=claimants,
                respondents=[
                    {"kind": "organisation", "name": "某建筑劳务公司", "credit_code": EMPLOYER}
                ],
                **facts,
            )
        ),
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def upload(user, case, name: str = "证据.pdf"):
    """A small real PDF attached to the case through the evidence service."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.evidence.samples import PDF
    from zhichi.evidence.services import upload_attachment

    return upload_attachment(
        actor=user,
        file=SimpleUploadedFile(name, PDF, content_type="application/pdf"),
        kind="contract",
        case_id=case.pk,
    )


def send(users, case, **data):
    payload = {"reason": "涉嫌拒不支付劳动报酬", **data}
    return services.send_transfer(actor=users["civil1"], data=payload, case_id=case.pk)


@pytest.fixture
def tworld(users):
    """
    case   — no consent; t1 → WHPROC/criminal (sent), t2 → WHHRSS (sent, on a legal basis)
    case2  — consent; t3 → WHPROC/criminal (accepted), t4 → WHHRSS (answered)
    lead   — a new lead in civil intake (referred by hrss1, no consent)
    """
    case = wage_case(users, consent=False, seq="11")
    case2 = wage_case(users, consent=True, seq="22")
    contract = upload(users["civil1"], case, "劳动合同.pdf")
    t1 = send(users, case, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
    t2 = send(
        users,
        case,
        to_org="WHHRSS",
        kind="labour_inspection",
        legal_basis="《劳动保障监察条例》第十一条",
        evidence=[contract.pk],
    )
    t3 = send(users, case2, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
    services.accept_transfer(transfer_id=t3.pk, actor=users["criminal1"])
    t4 = send(users, case2, to_org="WHHRSS", kind="labour_inspection")
    services.accept_transfer(transfer_id=t4.pk, actor=users["hrss1"])
    services.answer_transfer(
        transfer_id=t4.pk,
        actor=users["hrss1"],
        data={"text": "已下达限期整改指令书", "result": "order_issued"},
    )
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=False,
                claimants=[{"name": "李四", "id_number": make_id(seq="555")}],
            )
        ),
    )
    share = case.shares.get(source=f"transfer:{t2.pk}")
    case.refresh_from_db()
    return {
        "case": case.pk,
        "case_version": case.version,  # writes to the facts name the version read (item 11)
        "case2": case2.pk,
        "t1": t1.pk,
        "t2": t2.pk,
        "t3": t3.pk,
        "t4": t4.pk,
        "lead": lead.pk,
        "share": share.pk,
        "attachment": contract.pk,
    }
