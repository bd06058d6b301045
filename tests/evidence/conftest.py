"""Evidence fixtures: a private evidence store per test, and a world with attachments."""

from __future__ import annotations

import pytest

from tests.conftest import lead_payload, make_id
from tests.evidence import samples
from zhichi.evidence import services
from zhichi.evidence.models import Attachment
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    """Each test stores its evidence in its own directory, so "nothing stored" can be checked."""
    path = tmp_path / "evidence"
    settings.ZHICHI = {**settings.ZHICHI, "EVIDENCE_DIR": path, "EVIDENCE_STORAGE": "filesystem"}
    return path


def stored_files(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def state(path) -> tuple:
    """What a refused request must leave unchanged: the rows and the files."""
    return (sorted(Attachment.objects.values_list("pk", "sha256")), stored_files(path))


def put(user, *, case=None, lead=None, name="欠条.pdf", data=samples.PDF, kind="iou"):
    return services.upload_attachment(
        actor=user,
        file=samples.upload(name, data),
        kind=kind,
        description="证据",
        case_id=case,
        lead_id=lead,
    )


@pytest.fixture
def world(users) -> dict:
    """Like the access matrix's world: a case of WHPROC/civil (officer civil1) from a lead hrss1
    referred without consent to share, and a new lead hrss1 referred; plus attachments: one on
    the case by civil1, one on the new lead by hrss1, one on the new lead by civil1."""
    referred = intake_services.create_lead(
        actor=users["hrss1"], data=validate_lead(lead_payload(consent_to_share=False))
    )
    case = intake_services.accept_lead(lead_id=referred.pk, actor=users["civil1"])
    new = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(
                consent_to_share=False,
                claimants=[{"name": "张三丰", "id_number": make_id(seq="222")}],
            )
        ),
    )
    return {
        "case": case.pk,
        "lead": new.pk,
        "accepted_lead": referred.pk,
        "case_att": put(users["civil1"], case=case.pk).pk,
        "partner_att": put(users["hrss1"], lead=new.pk, name="工资表.pdf").pk,
        "staff_att": put(users["civil1"], lead=new.pk, name="询问笔录.pdf").pk,
    }


@pytest.fixture
def shared(users) -> dict:
    """A case hrss1 referred WITH consent to share (so the partner sees it), accepted by civil1."""
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(claimants=[{"name": "赵六", "id_number": make_id(seq="333")}])
        ),
    )
    case = intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])
    return {"case": case.pk, "lead": lead.pk}
