"""Correcting a party of a case in the partner API (API.md § Cases; issue 13 item 2)."""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404
from ninja import Router

from zhichi.cases import rules
from zhichi.cases.api import CaseOut, shown_case
from zhichi.cases.models import CaseParty
from zhichi.cases.schemas import CorrectionIn
from zhichi.cases.services import parties
from zhichi.common.api import WRITE_ERRORS, checks_first

router = Router()


def _case_party(request, case_id: int, party_id: int) -> CaseParty:
    """The party as a party of a case the caller may see, else 404 (also for an id past the
    database's integers: ``party__pk`` is checked against the key's range, ``party_id`` is not)."""
    case = rules.get_case_for(request.auth, case_id)
    return get_object_or_404(
        CaseParty.objects.select_related("case"), case=case, party__pk=party_id
    )


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
    parties.correct_party(
        case_id=role.case_id,
        party_id=role.party_id,
        actor=request.auth,
        data=payload,
        version=payload.version,
    )
    return shown_case(request, role.case_id)
