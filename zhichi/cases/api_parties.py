"""Correcting a party of a case in the partner API (API.md § Cases; issue 13 item 2)."""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from zhichi.cases import rules
from zhichi.cases.api import CaseOut, _load
from zhichi.cases.models import CaseParty
from zhichi.cases.presenters import case_out
from zhichi.cases.services import parties
from zhichi.common.api import WRITE_ERRORS, checks_first
from zhichi.common.schemas import IDENTIFIER, one_of, text
from zhichi.parties.models import Group, Party

router = Router()


def _left_alone(extra: dict | None = None):
    """A fact left out (or null) is not corrected: no default is shown, since none is applied."""

    def shape(schema: dict) -> None:
        schema.pop("default", None)
        schema.update(extra or {})

    return shape


class CorrectionIn(Schema):
    """The reason, and the facts to correct: only those sent change."""

    reason: text(max_length=2000, required=True) = Field(
        ..., description="why the record was wrong (kept as typed)"
    )
    name: text(Party, "name") | None = Field(None, json_schema_extra=_left_alone())
    phone: text(max_length=IDENTIFIER) | None = Field(
        None,
        description="becomes the current phone; the earlier ones stay in the person's contacts",
        json_schema_extra=_left_alone(),
    )
    address: text(Party, "address") | None = Field(
        None,
        description="becomes the current address; the earlier ones stay in the contacts",
        json_schema_extra=_left_alone(),
    )
    groups: list[one_of(Group)] | None = Field(
        None,
        description="a claimant's groups on this case (the case is graded again)",
        json_schema_extra=_left_alone(),
    )
    id_number: text(max_length=IDENTIFIER) | None = Field(
        None,
        description="the department head only (403 for anyone else); 422 `duplicate_identity` "
        "when another person on record has it",
        json_schema_extra=_left_alone(),
    )
    version: int | None = Field(None, description="the case version you read (409 when stale)")


def _case_party(request, case_id: int, party_id: int) -> CaseParty:
    """The party as a party of a case the caller may see, else 404."""
    case = rules.get_case_for(request.auth, case_id)
    return get_object_or_404(CaseParty.objects.select_related("case"), case=case, party_id=party_id)


def _sends_id_number(request) -> bool:
    """Whether the body asks to change an ID number, read before the body is judged: a forbidden
    caller gets 403 whatever else it sent."""
    try:
        return parties.changes_identity(json.loads(request.body or b"null"))
    except (ValueError, UnicodeDecodeError):
        return False


def _corrects(request, case_id, party_id):
    role = _case_party(request, case_id, party_id)
    parties.ensure_may_correct(
        case_id=role.case_id, actor=request.auth, identity=_sends_id_number(request)
    )


@router.post(
    "/{case_id}/parties/{party_id}/correct",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Correct a party (name, phone, address, groups; an ID number: a head) with a reason",
)
@checks_first(_corrects)
def correct_party(request, case_id: int, party_id: int, payload: CorrectionIn):
    """Audited and on the case's timeline (`party_corrected`, internal to the procuratorate). A
    new phone or address joins the person's contacts; identifiers are encrypted and indexed
    again; the case is graded again when the groups change. 404 for a party not on the case."""
    role = _case_party(request, case_id, party_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    parties.correct_party(
        case_id=role.case_id, party_id=role.party_id, actor=request.auth, data=data, version=version
    )
    return case_out(_load(role.case_id))
