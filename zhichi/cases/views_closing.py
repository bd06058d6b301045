"""The case page's closing and reopening: closing with an outcome that agrees with the ledger,
after a confirm step that shows its figures (C6), and reopening a closed case (a second person
decides when the one asking closed or handles it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.cases import rules
from zhichi.cases.forms_disposal import CloseForm, ReopenForm
from zhichi.cases.models import Outcome
from zhichi.cases.page import show_case, submit
from zhichi.cases.presenters import sent_to
from zhichi.cases.services import disposal, reopening


@dataclass(frozen=True)
class Closing:
    """The confirm step of closing: the outcome and the ledger figures it is judged against."""

    form: CloseForm  # the outcome, note and version, sent again with confirm=1
    outcome_label: str
    note: str
    totals: dict


@login_required
@require_POST
def close_case(request, pk: int):
    """Two steps: the outcome is checked against the ledger and shown with its figures for the
    officer to confirm; only the confirmed form closes the case (C6)."""
    case = rules.get_case_for(request.user, pk)
    form = CloseForm(request.POST)
    if not form.confirmed:

        def confirm(book):
            data = request.POST.copy()
            data["confirm"] = "1"
            closing = Closing(
                form=CloseForm(data),
                outcome_label=str(Outcome(form.text("outcome")).label),
                note=form.text("note"),
                totals=book.totals,
            )
            # the close form stays below, closed, with what was typed, to change the outcome or note
            again = CloseForm(
                initial={
                    "outcome": form.text("outcome"),
                    "note": form.text("note"),
                    "version": form.version(),
                }
            )
            return show_case(
                request, case, key="close", form=again, open_form=False, closing=closing
            )

        return submit(
            request,
            case,
            key="close",
            form=form,
            call=lambda: disposal.check_closing(
                case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
            ),
            anchor="",
            answer=confirm,
        )
    return submit(
        request,
        case,
        key="close",
        form=form,
        call=lambda: disposal.close_case(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="",
        success=_("Case closed."),
    )


def _reopened(done: reopening.Reopening) -> str:
    if done.approval is None:
        return _("Case reopened at its stage before closing.")
    text = _("You closed or handle this case, so a second person decides the reopening. %(where)s")
    return text % {"where": sent_to(done.approval)}


@login_required
@require_POST
def reopen_case(request, pk: int):
    case = rules.get_case_for(request.user, pk)
    form = ReopenForm(request.POST)
    return submit(
        request,
        case,
        key="reopen",
        form=form,
        call=lambda: reopening.reopen_case(
            case_id=case.pk, actor=request.user, data=form.payload(), version=form.version()
        ),
        anchor="",
        success=_reopened,
    )
