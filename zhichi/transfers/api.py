"""Transfers in the partner API (API.md § Transfers): send from a case or a lead, the inbox and
outbox, and the receiving side's steps; the sender closes."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zhichi.audit.services import record
from zhichi.cases.partner_view import sees_internal
from zhichi.cases.rules import get_case_for
from zhichi.common.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    checks_first,
    keyset_paginated,
    viewer,
)
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.schemas import IsoText, OptionalIsoText, one_of
from zhichi.evidence.api import BINARY
from zhichi.evidence.services import attachment_response
from zhichi.intake.rules import get_lead_for
from zhichi.rulebook.words import check_words
from zhichi.transfers import rules, services, workflow
from zhichi.transfers.models import Transfer, TransferStatus
from zhichi.transfers.schemas import FeedbackIn, RejectIn, StepIn, TransferCloseIn, TransferIn

router = Router()


# A transfer read with ``RELATED`` and its evidence, as the viewer may see it.
class TransferOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    case_id: int | None
    case_number: str | None
    lead_id: int | None
    lead_receipt_code: str | None
    from_org: str = Field(..., alias="from_org.code")
    from_department: str | None
    to_org: str = Field(..., alias="to_org.code")
    to_department: str | None
    reason: str
    basis: str
    legal_basis: str
    sent_by: str = Field(..., alias="sent_by.username")
    sent_at: IsoText
    receipt_due: IsoText
    feedback_due: IsoText
    overdue: str = Field(..., description='"receipt", "answer" or "" (nothing overdue)')
    received_at: OptionalIsoText
    decided_at: OptionalIsoText
    reject_reason: str
    answered_at: OptionalIsoText
    feedback_text: str
    feedback_result: str
    closed_at: OptionalIsoText
    criminal_check: dict[str, Any]
    evidence: list[dict[str, Any]] = Field(
        ..., description="the evidence package: id, kind, name, size, sha256, download_url"
    )
    version: int
    actions: list[str] = Field(
        ...,
        description="what you may do with it now, in order (receive, accept, reject, feedback, "
        "close): each is POST /transfers/{id}/<action>",
    )

    @staticmethod
    def resolve_case_number(t: Transfer) -> str | None:
        return t.case.number if t.case_id else None

    @staticmethod
    def resolve_lead_receipt_code(t: Transfer) -> str | None:
        return t.lead.receipt_code if t.lead_id else None

    @staticmethod
    def resolve_from_department(t: Transfer) -> str | None:
        return t.from_department.code if t.from_department else None

    @staticmethod
    def resolve_to_department(t: Transfer) -> str | None:
        return t.to_department.code if t.to_department else None

    @staticmethod
    def resolve_criminal_check(t: Transfer, context) -> dict:
        # the evaluator's advice is the sending procuratorate's own (C8)
        if not sees_internal(viewer(context), t.from_org_id):
            return {}
        return check_words(t.criminal_check)

    @staticmethod
    def resolve_evidence(t: Transfer) -> list[dict]:
        return [
            {
                "id": a.pk,
                "kind": a.kind,
                "name": a.original_name,
                "size": a.size,
                "sha256": a.sha256,
                "download_url": f"/api/v1/transfers/{t.pk}/evidence/{a.pk}/download",
            }
            for a in t.evidence.all()
        ]

    @staticmethod
    def resolve_actions(t: Transfer, context) -> list[str]:
        return workflow.allowed_actions(viewer(context), t)


RELATED = ("case", "lead", "from_org", "from_department", "to_org", "to_department", "sent_by")


def _load(pk: int) -> Transfer:
    return Transfer.objects.select_related(*RELATED).prefetch_related("evidence").get(pk=pk)


# Who may act is decided before the body is judged (issue 12, item 10): see checks_first.
def _sends_case(request, case_id):
    services.ensure_may_send(actor=request.auth, case_id=get_case_for(request.auth, case_id).pk)


def _sends_lead(request, lead_id):
    services.ensure_may_send(actor=request.auth, lead_id=get_lead_for(request.auth, lead_id).pk)


def _moves(action: str):
    def guard(request, transfer_id):
        t = rules.get_transfer_for(request.auth, transfer_id)
        services.ensure_may_move(transfer_id=t.pk, actor=request.auth, action=action)

    return guard


@router.get(
    "/transfers/{transfer_id}/evidence/{attachment_id}/download",
    response={401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Download one attachment of a transfer's evidence package (audited)",
    openapi_extra={"responses": {200: BINARY}},
)
def transfer_evidence_download(request, transfer_id: int, attachment_id: int):
    t = rules.get_transfer_for(request.auth, transfer_id)
    attachment = t.evidence.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    if not rules.can_download_evidence(request.auth, t):
        record(action="attachment.download", actor=request.auth, obj=attachment, outcome="denied")
        raise NotPermitted(
            _("The transfer has ended for your side: the evidence can no longer be downloaded.")
        )
    return attachment_response(attachment=attachment, actor=request.auth, via="transfer-api")


@router.post(
    "/cases/{case_id}/transfers",
    response={201: TransferOut, **WRITE_ERRORS},
    summary="Transfer a case to another agency or department (C7)",
)
@checks_first(_sends_case)
def transfer_case(request, case_id: int, payload: TransferIn):
    case = get_case_for(request.auth, case_id)
    t = services.send_transfer(actor=request.auth, data=payload, case_id=case.pk)
    return Status(201, _load(t.pk))


@router.get(
    "/cases/{case_id}/transfers",
    response={200: list[TransferOut], **READ_ERRORS},
    summary="The transfers of a case that you may see",
)
def case_transfers(request, case_id: int):
    case = get_case_for(request.auth, case_id)
    qs = (
        Transfer.objects.visible_to(request.auth)
        .filter(case=case)
        .select_related(*RELATED)
        .prefetch_related("evidence")
    )
    return qs.order_by("-sent_at", "-id")[:200]


@router.post(
    "/leads/{lead_id}/transfers",
    response={201: TransferOut, **WRITE_ERRORS},
    summary="Transfer a lead to another agency or department (C7)",
)
@checks_first(_sends_lead)
def transfer_lead(request, lead_id: int, payload: TransferIn):
    lead = get_lead_for(request.auth, lead_id)
    t = services.send_transfer(actor=request.auth, data=payload, lead_id=lead.pk)
    return Status(201, _load(t.pk))


@router.get(
    "/transfers",
    response={200: list[TransferOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="Your inbox or outbox of transfers, newest first",
)
@keyset_paginated()
def list_transfers(
    request,
    box: one_of(("inbox", "outbox")) = "inbox",
    status: one_of(TransferStatus) | None = None,
):
    errors = []
    if box not in {"inbox", "outbox"}:
        errors.append(FieldError("box", "choice", "inbox | outbox"))
    if status and status not in TransferStatus.values:
        errors.append(FieldError("status", "choice", " | ".join(TransferStatus.values)))
    if errors:
        raise InvalidInput(errors)
    qs = (Transfer.objects.inbox_of if box == "inbox" else Transfer.objects.outbox_of)(request.auth)
    qs = qs.box_filter(status=status or "")
    return qs.select_related(*RELATED).prefetch_related("evidence")


@router.get(
    "/transfers/{transfer_id}", response={200: TransferOut, **READ_ERRORS}, summary="A transfer"
)
def get_transfer(request, transfer_id: int):
    t = rules.get_transfer_for(
        request.auth,
        transfer_id,
        Transfer.objects.select_related(*RELATED).prefetch_related("evidence"),
    )
    return t


def _step(request, transfer_id: int, call, **kwargs):
    t = rules.get_transfer_for(request.auth, transfer_id)
    call(transfer_id=t.pk, actor=request.auth, **kwargs)
    return _load(t.pk)


@router.post(
    "/transfers/{transfer_id}/receive",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Confirm receipt (the receiving side)",
)
@checks_first(_moves("receive"))
def transfer_receive(request, transfer_id: int, payload: StepIn | None = None):
    version = payload.version if payload else None
    return _step(request, transfer_id, services.receive_transfer, version=version)


@router.post(
    "/transfers/{transfer_id}/accept",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Accept (the receiving side)",
)
@checks_first(_moves("accept"))
def transfer_accept(request, transfer_id: int, payload: StepIn | None = None):
    version = payload.version if payload else None
    return _step(request, transfer_id, services.accept_transfer, version=version)


@router.post(
    "/transfers/{transfer_id}/reject",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Reject with a reason (the receiving side); its access ends",
)
@checks_first(_moves("reject"))
def transfer_reject(request, transfer_id: int, payload: RejectIn):
    return _step(
        request,
        transfer_id,
        services.reject_transfer,
        data=payload,
        version=payload.version,
    )


@router.post(
    "/transfers/{transfer_id}/feedback",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Answer with what was done (the receiving side)",
)
@checks_first(_moves("answer"))
def transfer_feedback(request, transfer_id: int, payload: FeedbackIn):
    return _step(
        request,
        transfer_id,
        services.answer_transfer,
        data=payload,
        version=payload.version,
    )


@router.post(
    "/transfers/{transfer_id}/close",
    response={200: TransferOut, **WRITE_ERRORS},
    summary="Close once answered or rejected (the sending side); the receiver's access ends",
)
@checks_first(_moves("close"))
def transfer_close(request, transfer_id: int, payload: TransferCloseIn | None = None):
    return _step(
        request,
        transfer_id,
        services.close_transfer,
        data=payload,
        version=payload.version if payload else None,
    )
