"""The case page's parties: each person's contacts, and correcting a party (issue 13 item 2).

A "Correct" link on a party's row opens the correction form for that party
(``?correct=<party id>#act-correct``); the form posts to ``case_party_correct``, which calls
``cases.services.parties.correct_party`` like the API does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_parties import PartyCorrectionForm
from zhichi.cases.models import Case, CaseParty, CaseStatus
from zhichi.cases.partner_view import sees_internal
from zhichi.cases.services import parties as party_corrections
from zhichi.parties.models import ContactKind, ContactSource, PartyContact


def _contact_rows(case: Case, roles: list[CaseParty]) -> dict[int, list[dict]]:
    """Each person's contacts, newest first (the first of each kind is the current one), with
    where they were recorded: this case or its lead by its reference, anything else only as
    "another lead or case" (that the person has other matters is not this case's business)."""
    lead = getattr(case, "lead", None)  # the lead the case came from, if any
    here = {
        (ContactSource.CASE, case.pk),
        (ContactSource.LEAD, lead.pk if lead is not None else None),
    }
    rows: dict[int, list[dict]] = {}
    seen_current: set[tuple[int, str]] = set()
    contacts = PartyContact.objects.filter(party_id__in=[r.party_id for r in roles]).select_related(
        "recorded_by"
    )
    for contact in contacts.order_by("party_id", "-recorded_at", "-id"):
        current = (contact.party_id, contact.kind) not in seen_current
        seen_current.add((contact.party_id, contact.kind))
        if contact.source == ContactSource.EARLIER:
            where = _("on record before contacts were kept")
        elif (contact.source, contact.source_id) in here:
            where = contact.source_ref
        else:
            where = _("another lead or case")
        rows.setdefault(contact.party_id, []).append(
            {"contact": contact, "current": current, "where": where}
        )
    return rows


def parties_context(request, case: Case, roles: list[CaseParty], *, form=None) -> dict:
    """What the parties section shows beyond the parties: their contacts (the procuratorate's
    own staff only) and the correction form (the case officer and the department head, on an
    open case), prefilled for the party asked for with ``?correct=``."""
    user = request.user
    internal = sees_internal(user, case.organisation_id)
    history = _contact_rows(case, roles) if internal else {}
    for role in roles:
        role.contact_rows = history.get(role.party_id, [])
    may_correct = case.status == CaseStatus.OPEN and rules.can_work_on(user, case)
    if form is None and may_correct and request.method == "GET":
        wanted = request.GET.get("correct", "")
        role = next((r for r in roles if str(r.party_id) == wanted), None)
        if role is not None:
            form = PartyCorrectionForm(role=role, identity=rules.can_change_id_number(user, case))
            form.is_open = True
    return {
        "may_correct_parties": may_correct,
        "correction_form": form if may_correct else None,
        "phone_kind": ContactKind.PHONE,
    }


@login_required
@require_POST
def correct_party(request, pk: int, party_id: int):
    from zhichi.cases.views_disposal import _submit  # views_disposal imports the case views

    case = rules.get_case_for(request.user, pk)
    role = get_object_or_404(
        CaseParty.objects.select_related("party", "case"), case=case, party_id=party_id
    )
    form = PartyCorrectionForm(
        request.POST, role=role, identity=rules.can_change_id_number(request.user, case)
    )
    return _submit(
        request,
        case,
        key="correct",
        form=form,
        call=lambda: party_corrections.correct_party(
            case_id=case.pk,
            party_id=party_id,
            actor=request.user,
            data=form.payload(),
            version=form.version(),
        ),
        anchor="overview",
        success=_("Party corrected; the correction is on the timeline."),
    )
