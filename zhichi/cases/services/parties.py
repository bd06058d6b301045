"""Correcting a party after acceptance (issue 13 item 2; API.md
``POST /api/v1/cases/{id}/parties/{party_id}/correct``).

The case officer or the department head corrects what is on record of a party of the case — the
name, the phone, the address, and for a claimant the vulnerability groups — with a reason;
changing an ID number needs the department head. The person's record is shared by every lead and
case they appear in, so the correction shows everywhere: identifiers are encrypted and indexed
again (rule ID-3), a phone or an address joins the person's contacts (the earlier ones stay
listed), the cases' search text follows the name, and each of the person's cases notes the
correction on its timeline (event ``party_corrected``). The case is graded again when the groups,
which the grade reads (C3), change. The audit trail and the timeline hold names as they are and
identifiers masked only.

``party_corrected`` is not declared in zhichi/cases/partner_view.py, so partner agencies never see
it: it carries the officer's reason and the earlier (wrong) values, which are the procuratorate's
own record-keeping; partners see the corrected name where they see the party at all.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.audit.services import record
from zhichi.cases import rules
from zhichi.cases.models import Case, CaseParty, PartyRole, TimelineEvent
from zhichi.cases.presenters import choice_label
from zhichi.cases.schemas import CORRECTABLE, CorrectionIn
from zhichi.cases.services import add_event, refresh_search_text
from zhichi.cases.services.common import changing_case
from zhichi.cases.services.derived import regrade
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.parties import services as party_services
from zhichi.parties.models import ContactSource, Group, Party, PartyKind


def ID_NUMBER_REFUSAL() -> str:
    return _("Only the department head may change an ID number.")


def changes_identity(data) -> bool:
    """Whether a correction asks to change an ID number (a head's decision): the key is sent
    with a value, whatever its type, so a forbidden caller is refused before it is judged."""
    if isinstance(data, CorrectionIn):
        return data.id_number is not None
    return isinstance(data, dict) and data.get("id_number") is not None


def ensure_may_correct(*, case_id: int, actor: User, identity: bool) -> Case:
    """Refuse (and audit) anyone but the case officer or the department head, and an ID number
    change by anyone but the head, before the input is judged (the API runs this first)."""
    case = Case.objects.get(pk=case_id)
    if not rules.can_work_on(actor, case):
        record(action="party.correct", actor=actor, obj=case, outcome="denied")
        raise NotPermitted(rules.WORK_REFUSAL())
    if identity and not rules.can_change_id_number(actor, case):
        record(
            action="party.correct",
            actor=actor,
            obj=case,
            outcome="denied",
            detail={"fields": ["id_number"]},
        )
        raise NotPermitted(ID_NUMBER_REFUSAL())
    return case


def _read(data) -> tuple[str, dict]:
    """The reason and the facts to correct (only those sent, each required when sent), read
    through the schema: 422 listing every problem."""
    data = parse(CorrectionIn, data, detail=_("The correction has errors; nothing was changed."))
    return data.reason, data.corrected()


def correct_party(
    *,
    case_id: int,
    party_id: int,
    actor: User,
    data: CorrectionIn | dict,
    version: int | None = None,
) -> Case:
    """Correct a party of the case with a reason (see the module's docstring). ``version`` is the
    case version the officer read (stale: 409). 403 for anyone but the case officer or the
    department head, and for an ID number change by anyone but the head; 422 at the field for
    bad input, for an ID number already on another person (``duplicate_identity``), and when
    nothing would change (``no_change``)."""
    ensure_may_correct(case_id=case_id, actor=actor, identity=changes_identity(data))
    change = changing_case(
        case_id, actor=actor, action="party.correct", version=version, permission=None
    )
    reason, values = _read(data)
    with change:  # the case first, then the party (services.common)
        case = change.case
        role = CaseParty.objects.get(case=case, party_id=party_id)
        party = Party.objects.select_for_update().get(pk=party_id)
        errors = []
        if "id_number" in values:
            if party.kind != PartyKind.PERSON:
                errors.append(
                    FieldError(
                        "id_number",
                        "not_person",
                        _("An organisation has a credit code, not a resident ID number."),
                    )
                )
            elif party_services.id_number_taken(values["id_number"], other_than=party):
                errors.append(
                    FieldError(
                        "id_number",
                        "duplicate_identity",
                        _(
                            "This ID number is already on record for another person: one ID "
                            "number cannot belong to two people. Check the number."
                        ),
                    )
                )
        if "groups" in values and role.role != PartyRole.CLAIMANT:
            errors.append(
                FieldError("groups", "not_claimant", _("Only a claimant has vulnerability groups."))
            )
        if errors:
            raise InvalidInput(errors, detail=_("The correction has errors; nothing was changed."))
        recording = party_services.Recording(
            by=actor, source=ContactSource.CASE, source_id=case.pk, ref=case.number
        )
        changes = party_services.correct_person(
            party,
            recording=recording,
            **{k: v for k, v in values.items() if k != "groups"},
        )
        if "groups" in values and values["groups"] != list(role.groups or []):
            changes["groups"] = {"from": list(role.groups or []), "to": values["groups"]}
            role.groups = values["groups"]
            role.save(update_fields=["groups"])
        if not changes:
            first = next(k for k in CORRECTABLE if k in values)
            raise InvalidInput(
                [
                    FieldError(
                        first,
                        "no_change",
                        _("This is what is on record already: there is nothing to correct."),
                    )
                ]
            )
        if "groups" in changes:
            regrade(case)  # the groups drive the grade and the risk (C3)
        note_party_correction(party=party, changes=changes, actor=actor, reason=reason, case=case)
        change.audit(obj=party, detail={"case": case.number, "changes": changes, "reason": reason})
    return case


def note_party_correction(
    *,
    party: Party,
    changes: dict,
    actor: User,
    reason: str,
    case: Case | None = None,
    lead=None,
) -> None:
    """Note a correction of ``party`` on the timeline of each of its cases, and keep their search
    text in step with the name. Made on ``case``, or when ``lead`` was filed (the filer said the
    typed name is right). A case of another procuratorate gets the change without the reason and
    the reference, which are the correcting side's own."""
    where = case or lead
    via, ref = ("case", case.number) if case is not None else ("lead", lead.receipt_code)
    roles = {
        cp.case_id: cp.role
        for cp in CaseParty.objects.filter(party=party).select_related("case").order_by("case_id")
    }
    for other in Case.objects.filter(pk__in=roles).order_by("pk"):
        own = other.organisation_id == where.organisation_id
        add_event(
            other,
            kind="party_corrected",
            actor=actor,
            summary=reason if own else "",
            data={
                "party": party.pk,
                "role": roles[other.pk],
                "name": party.name,
                "changes": changes,
                "via": via,
                "ref": ref if own and other.pk != getattr(case, "pk", None) else "",
            },
        )
    if "name" in changes:
        # The case it was made on is locked (changing_case) and refreshed now. The others are
        # refreshed after the commit, each in its own transaction under its own lock: a
        # correction never holds two cases' locks at once (two corrections of one person from two
        # cases would lock them in opposite orders), and a write to another case that read the
        # old name before the commit is overwritten by the refresh that waits for its lock.
        own = getattr(case, "pk", None)
        if own is not None:
            refresh_search_text(case)
        others = [pk for pk in sorted(roles) if pk != own]
        if others:
            transaction.on_commit(lambda: refresh_search_texts(others))


def refresh_search_texts(case_ids: list[int]) -> None:
    """The search text of each case, one at a time under its lock (after a party's name
    changed)."""
    for pk in case_ids:
        with transaction.atomic():
            other = Case.objects.select_for_update().filter(pk=pk).first()
            if other is not None:
                refresh_search_text(other)


# --- the timeline sentence, in the reader's language ------------------------------------------
def _groups(codes) -> str:
    # Translators: separator between items of a list, "、" in Chinese
    return _(", ").join(choice_label(Group, g) for g in codes or []) or _("none")


def describe_correction(e: TimelineEvent) -> str:
    changes = e.data.get("changes") or {}
    parts = []
    if "name" in changes:
        parts.append(
            _("name from %(from)s to %(to)s")
            % {"from": changes["name"].get("from", ""), "to": changes["name"].get("to", "")}
        )
    if "id_number" in changes:
        parts.append(
            _("ID number from %(from)s to %(to)s")
            % {
                "from": changes["id_number"].get("from") or "—",
                "to": changes["id_number"].get("to") or "—",
            }
        )
    if "phone" in changes:
        parts.append(
            _("phone from %(from)s to %(to)s")
            % {
                "from": changes["phone"].get("from") or "—",
                "to": changes["phone"].get("to") or "—",
            }
        )
    if "address" in changes:
        parts.append(_("a new address"))
    if "groups" in changes:
        parts.append(
            _("groups from %(from)s to %(to)s")
            % {
                "from": _groups(changes["groups"].get("from")),
                "to": _groups(changes["groups"].get("to")),
            }
        )
    text = _("%(name)s corrected: %(what)s") % {
        "name": e.data.get("name", ""),
        "what": _("; ").join(parts),
    }
    if e.data.get("ref"):
        if e.data.get("via") == "lead":
            text += _(" (when lead %(ref)s was filed)") % {"ref": e.data["ref"]}
        else:
            text += _(" (on case %(ref)s)") % {"ref": e.data["ref"]}
    return text
