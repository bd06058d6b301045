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
from zhichi.cases.models import (
    CaseParty,
)
from zhichi.cases.page import (
    submit,
)
from zhichi.cases.services import parties as party_corrections


@login_required
@require_POST
def correct_party(request, pk: int, party_id: int):

    case = rules.get_case_for(request.user, pk)
    role = get_object_or_404(
        CaseParty.objects.select_related("party", "case"), case=case, party__pk=party_id
    )
    form = PartyCorrectionForm(
        request.POST, role=role, identity=rules.can_change_id_number(request.user, case)
    )
    return submit(
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
