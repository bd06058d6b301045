"""Intake: file a lead, find its duplicates, accept it into a case or decline it (C1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Department, Organisation, OrgKind, Role, User
from zhichi.audit.services import record
from zhichi.cases import services as case_services
from zhichi.cases.models import FACT_FIELDS, Case, CaseParty, Flag, PartyRole, Source
from zhichi.cases.services.parties import note_party_correction
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.core.routing import arbitration_first
from zhichi.intake import rules
from zhichi.intake.history import lead_history
from zhichi.intake.models import Lead, LeadParty, LeadStatus
from zhichi.intake.schemas import LeadIn, NameChoice, PersonNameIn
from zhichi.intake.signals import lead_decided
from zhichi.intake.validation import referring_org, validate_decline, validate_lead
from zhichi.parties import services as party_services
from zhichi.parties.models import ContactSource, Party, PartyKind

INTAKE_DEPARTMENT = "civil"

# the facts a lead's input gives as typed; its source and flags are worked out here
FACT_NAMES = tuple(name for name in FACT_FIELDS if name not in {"source", "flags"})


def receiver_for(actor: User, to_org: str | None) -> tuple[Organisation, Department | None]:
    """Where a lead lands: the civil intake department of the actor's own procuratorate (a
    criminal officer's referral of a victim included), or for a partner, the procuratorate."""
    if actor.organisation.kind == OrgKind.PROCURATORATE:
        org = actor.organisation
        intake = org.departments.filter(code=INTAKE_DEPARTMENT).first()
        return org, intake or actor.department
    candidates = Organisation.objects.filter(kind=OrgKind.PROCURATORATE, is_active=True)
    org = None
    if to_org:
        org = candidates.filter(code=to_org).first()
        if org is None:
            raise InvalidInput(
                [FieldError("to_org", "unknown", _("No procuratorate has this code."))]
            )
    else:
        org = (
            candidates.filter(district=actor.organisation.district).order_by("pk").first()
            or candidates.order_by("pk").first()
        )
    if org is None:
        raise InvalidInput([FieldError("to_org", "unknown", _("No procuratorate is set up yet."))])
    return org, org.departments.filter(code=INTAKE_DEPARTMENT).first()


def lead_flags(data: LeadIn) -> list[str]:
    flags = []
    if arbitration_first(labour_relationship=data.labour_relationship, has_iou=data.has_iou):
        flags.append(Flag.ARBITRATION_FIRST)  # rule SP-6
    return flags


def _referrer_for(actor: User, named: Organisation | None) -> Organisation | None:
    """Who referred the lead. A partner's lead is referred by its own organisation, and only its
    own staff may name it (issue 12 item 13); procuratorate staff may record any agency as the
    referrer, which shares nothing by itself (see rules.lead_scope)."""
    if actor.role != Role.PARTNER:
        return named
    if named is not None and named.pk != actor.organisation_id:
        raise InvalidInput(
            [
                FieldError(
                    "referring_org",
                    "not_own_organisation",
                    _(
                        "You can only file a lead for your own organisation: leave the referring "
                        "organisation empty or give your own organisation's code."
                    ),
                )
            ],
            detail=_("The lead has errors; nothing was saved."),
        )
    return actor.organisation


def ensure_may_file_lead(*, actor: User) -> None:
    """Refuse (and audit, rule R7) a role that may not file leads, before its input is read."""
    if not rules.can_create_lead(actor):
        record(action="lead.create", actor=actor, outcome="denied")
        raise NotPermitted(_("Your role may not file leads."))


# --- a typed name that differs from the name on record (issue 13 item 2) --------------------
@dataclass(frozen=True)
class NameConflict:
    """A person typed with an ID number that is on record under another name."""

    path: str  # "claimants.0" or "respondents.1"
    typed: str
    recorded: str
    shown: bool  # whether the filer may see the name on record (a lead or case of theirs)
    resolved: bool  # the filer said which name is right, against this record

    @property
    def message(self) -> str:
        if self.shown:
            return _(
                "This ID number is on record as %(recorded)s, not %(typed)s. Say which name is "
                "right: the name on record, or the name you typed (the record is then corrected)."
            ) % {"recorded": self.recorded, "typed": self.typed}
        return _(
            "This ID number is already on record under another name. Check the name and the ID "
            "number with the person, then say which name is right."
        )


def _may_see_party(actor: User, party: Party) -> bool:
    """The name on record is shown only to someone who may already see a lead or a case of the
    person: an ID number typed on a form must not reveal who else is on record (rule ID-3, C8)."""

    return (
        LeadParty.objects.filter(party=party, lead__in=Lead.objects.visible_to(actor)).exists()
        or CaseParty.objects.filter(party=party, case__in=Case.objects.visible_to(actor)).exists()
    )


def _people(data: LeadIn) -> list[tuple[str, str, str, PersonNameIn]]:
    """(path, typed name, ID number, answer) of every person on the lead with an ID number."""
    people = [(f"claimants.{i}", c.name, c.id_number, c) for i, c in enumerate(data.claimants)]
    people += [
        (f"respondents.{i}", r.name, r.id_number, r)
        for i, r in enumerate(data.respondents)
        if r.kind == PartyKind.PERSON
    ]
    return [p for p in people if p[2]]


def name_conflicts(*, actor: User, data: LeadIn) -> list[NameConflict]:
    """Every person on the lead whose ID number is on record under another name, answered or
    not (the lead form shows the question again with the answer given)."""
    found = []
    for path, typed, id_number, answer in _people(data):
        party = party_services.find_person(id_number=id_number)
        if party is None or party_services.same_name(party.name, typed):
            continue
        resolved = bool(answer.name_choice) and (
            not answer.name_on_record or party_services.same_name(answer.name_on_record, party.name)
        )
        found.append(
            NameConflict(
                path=path,
                typed=typed,
                recorded=party.name,
                shown=_may_see_party(actor, party),
                resolved=resolved,
            )
        )
    return found


def _refuse_unresolved(actor: User, data: LeadIn) -> list[NameConflict]:
    """A typed name is never replaced by the name on record silently: 422 at the person's
    ``name`` (code ``name_conflict``) until the filer says which is right. Answers the
    conflicts, every one resolved."""
    conflicts = name_conflicts(actor=actor, data=data)
    answers = {path: answer for path, _name, _id, answer in _people(data)}
    errors = [
        FieldError(f"{c.path}.name", "name_conflict", c.message)
        for c in conflicts
        if not c.resolved
    ]
    errors += [
        FieldError(
            f"{c.path}.name_reason",
            "required",
            _("Say why the name on record is wrong: the record is corrected with your reason."),
        )
        for c in conflicts
        if c.resolved
        and answers[c.path].name_choice == NameChoice.TYPED
        and not answers[c.path].name_reason
    ]
    if errors:
        raise InvalidInput(
            errors,
            detail=_(
                "A name differs from the name on record for its ID number; nothing was saved. "
                "Say which name is right."
            ),
        )
    return conflicts


def _person(
    *, actor: User, lead: Lead, name: str, id_number: str, answer: PersonNameIn, **contacts
) -> Party:
    """The person of a lead: the one on record with this ID number, or a new one. When the filer
    said the typed name is right, the record is corrected to it first (audited, and noted on the
    timeline of the person's cases); a new phone or address joins the person's contacts."""
    recording = party_services.Recording(
        by=actor, source=ContactSource.LEAD, source_id=lead.pk, ref=lead.receipt_code
    )
    known = party_services.find_person(id_number=id_number)
    if (
        known is not None
        and answer.name_choice == NameChoice.TYPED
        and not party_services.same_name(known.name, name)
    ):
        known = Party.objects.select_for_update().get(pk=known.pk)
        changes = party_services.correct_person(known, recording=recording, name=name)
        note_party_correction(
            party=known, changes=changes, actor=actor, reason=answer.name_reason, lead=lead
        )
        record(
            action="party.correct",
            actor=actor,
            obj=known,
            detail={"lead": lead.receipt_code, "changes": changes, "reason": answer.name_reason},
        )
    return party_services.upsert_person(
        name=name, id_number=id_number, recording=recording, **contacts
    )


def create_lead(*, actor: User, data: LeadIn | dict, to_org: str | None = None) -> Lead:
    """File a lead, read through ``schemas.LeadIn`` (a dict in its shape, or the instance the
    API parsed). Partners always file as their own organisation.

    A person typed with an ID number on record under another name is refused at the name (422,
    ``name_conflict``) until the filer says which name is right (``name_choice``): the name on
    record, or the typed name, which corrects the record with a reason. A new phone or address
    of a known person is added to the person's contacts, never dropped (issue 13 item 2).

    Every refusal is audited (rule R7): one ``lead.create`` row with outcome ``denied``, written
    outside the failed transaction so it stays when the refusal undoes everything else.
    """
    ensure_may_file_lead(actor=actor)  # audits its own refusal
    data = validate_lead(data)  # as before the service's own checks: not audited
    try:
        return _file_lead(actor=actor, data=data, to_org=to_org or data.to_org or None)
    except InvalidInput as exc:
        record(
            action="lead.create",
            actor=actor,
            outcome="denied",
            detail={"reasons": sorted({f"{e.field}:{e.code}" for e in exc.errors})},
        )
        raise


@dataclass(frozen=True)
class PublicFiling:
    lead: Lead
    # "claimants.0" -> the name the person typed, where their ID number is on record under
    # another name: the lead keeps the name on record, the portal keeps this for the staff
    typed_names: dict[str, str]


def file_public_lead(*, account: User, data: LeadIn | dict) -> PublicFiling:
    """File a lead the public portal received (issue 18 item 3). ``account`` is the receiving
    procuratorate's portal account (``Role.PORTAL``), which never signs in; the source is always
    ``portal``. Call inside the portal's own transaction, which records the consents.

    The public is never asked about a name on record: that would tell a stranger who is on
    record under which ID number (rule ID-3). Where a typed name differs, the lead keeps the name
    on record and the typed one is returned for the staff to check with the person.
    """
    if account.role != Role.PORTAL:
        raise NotPermitted(_("Only the public portal files public applications."))
    data = validate_lead(data).model_copy(update={"source": Source.PORTAL})
    typed = {c.path: c.typed for c in name_conflicts(actor=account, data=data)}

    def on_record(group: str) -> list:
        """The people of ``group`` with the name on record chosen wherever theirs differs."""
        return [
            p.model_copy(update={"name_choice": NameChoice.RECORD})
            if f"{group}.{i}" in typed
            else p
            for i, p in enumerate(getattr(data, group))
        ]

    if typed:
        data = data.model_copy(
            update={"claimants": on_record("claimants"), "respondents": on_record("respondents")}
        )
    return PublicFiling(lead=_file_lead(actor=account, data=data, to_org=None), typed_names=typed)


def _file_lead(*, actor: User, data: LeadIn, to_org: str | None) -> Lead:
    referring = _referrer_for(actor, referring_org(data))
    organisation, department = receiver_for(actor, to_org)
    source = data.source
    if actor.role == Role.PARTNER:
        source = Source.AGENCY
    with transaction.atomic():
        conflicts = _refuse_unresolved(actor, data)
        lead = Lead.objects.create(
            organisation=organisation,
            department=department,
            **{name: getattr(data, name) for name in FACT_NAMES},
            source=source,
            flags=lead_flags(data),
            referring_org=referring,
            created_by=actor,
        )
        for pos, c in enumerate(data.claimants):
            party = _person(
                actor=actor,
                lead=lead,
                name=c.name,
                id_number=c.id_number,
                answer=c,
                phone=c.phone,
                address=c.address,
            )
            LeadParty.objects.create(
                lead=lead,
                party=party,
                role=PartyRole.CLAIMANT,
                position=pos,
                groups=c.groups,
                vulnerability_basis=c.vulnerability_basis,
                amount_claimed=c.amount_claimed,
                months_unpaid=c.months_unpaid,
            )
        for pos, r in enumerate(data.respondents):
            if r.kind == PartyKind.ORGANISATION:
                party = party_services.upsert_organisation(
                    name=r.name, credit_code=r.credit_code, address=r.address
                )
            else:
                party = _person(
                    actor=actor,
                    lead=lead,
                    name=r.name,
                    id_number=r.id_number,
                    answer=r,
                    address=r.address,
                )
            LeadParty.objects.create(
                lead=lead, party=party, role=PartyRole.RESPONDENT, position=pos
            )
        answers = {path: answer for path, _name, _id, answer in _people(data)}
        record(
            action="lead.create",
            actor=actor,
            obj=lead,
            detail={
                "claimants": len(data.claimants),
                "respondents": len(data.respondents),
                "referring_org": referring.code if referring else None,
                "consent_to_share": data.consent_to_share,
                # which name the filer chose where a typed one differed from the record
                "name_choices": {c.path: answers[c.path].name_choice for c in conflicts},
            },
        )
    return lead


@dataclass(frozen=True)
class Duplicate:
    reason: str  # "same_claimant" | "same_respondent"
    lead_id: int
    case_id: int | None
    receipt_code: str
    case_number: str = ""

    @property
    def label(self) -> str:
        """The case number where the viewer may see the case, else the lead's receipt code."""
        return self.case_number or self.receipt_code


def find_duplicates(
    lead: Lead, *, visible: QuerySet[Lead], visible_cases: QuerySet[Case] | None = None
) -> list[Duplicate]:
    """Other leads with the same claimant, or the same respondent within the window (C1).

    Only leads the viewer may see are reported, and a duplicate names its case only when the
    viewer may see that case, so a duplicate never reveals another agency's work.
    """
    window = timedelta(days=settings.ZHICHI["DUPLICATE_WINDOW_DAYS"])
    parties = list(lead.parties.select_related("party"))
    claimant_ids = [lp.party_id for lp in parties if lp.role == PartyRole.CLAIMANT]
    respondent_ids = [lp.party_id for lp in parties if lp.role == PartyRole.RESPONDENT]
    respondent_names = [
        lp.party.name
        for lp in parties
        if lp.role == PartyRole.RESPONDENT and lp.party.kind == PartyKind.ORGANISATION
    ]
    found: dict[tuple[int, str], Duplicate] = {}
    others = visible.exclude(pk=lead.pk).select_related("case")
    if claimant_ids:
        for other in others.filter(
            parties__role=PartyRole.CLAIMANT, parties__party_id__in=claimant_ids
        ).distinct()[:50]:
            found[(other.pk, "same_claimant")] = _dup(other, "same_claimant")
    if respondent_ids:
        near = Q(
            received_on__gte=lead.received_on - window, received_on__lte=lead.received_on + window
        )
        same = Q(parties__party_id__in=respondent_ids)
        if respondent_names:
            same |= Q(
                parties__party__kind=PartyKind.ORGANISATION,
                parties__party__name__in=respondent_names,
            )
        for other in others.filter(near, same, parties__role=PartyRole.RESPONDENT).distinct()[:50]:
            found.setdefault((other.pk, "same_respondent"), _dup(other, "same_respondent"))
    if visible_cases is not None:
        case_ids = {d.case_id for d in found.values() if d.case_id}
        seen = set(visible_cases.filter(pk__in=case_ids).values_list("pk", flat=True))
        for key, d in list(found.items()):
            if d.case_id and d.case_id not in seen:
                found[key] = Duplicate(d.reason, d.lead_id, None, d.receipt_code)
    return sorted(found.values(), key=lambda d: (d.reason, -d.lead_id))


def _dup(other: Lead, reason: str) -> Duplicate:
    case: Case | None = other.case
    return Duplicate(
        reason=reason,
        lead_id=other.pk,
        case_id=case.pk if case else None,
        receipt_code=other.receipt_code,
        case_number=case.number if case else "",
    )


def _ensure_may_decide(lead_id: int, actor: User, action: str) -> None:
    """Refuse before any transaction starts, so the audit row of the denial is kept (rule R7)."""
    lead = Lead.objects.get(pk=lead_id)
    if not rules.can_decide_lead(actor, lead):
        record(action=action, actor=actor, obj=lead, outcome="denied")
        raise NotPermitted(
            _("Only the receiving procuratorate's case officers may decide this lead.")
        )


def _locked_new_lead(lead_id: int) -> Lead:
    lead = Lead.objects.select_for_update().select_related("organisation").get(pk=lead_id)
    if lead.status != LeadStatus.NEW:
        raise InvalidInput(
            [
                FieldError(
                    "status",
                    "already_decided",
                    _("This lead was already decided (%(status)s).")
                    % {"status": LeadStatus(lead.status).label},
                )
            ]
        )
    return lead


def accept_lead(*, lead_id: int, actor: User, officer: User | None = None) -> Case:
    """Accept a new lead: open a case in review with the next number and the lead's parties."""
    _ensure_may_decide(lead_id, actor, "lead.accept")
    if officer is not None and not (
        officer.is_active
        and officer.organisation_id == actor.organisation_id
        and officer.role in {Role.OFFICER, Role.HEAD}
    ):
        raise InvalidInput(
            [FieldError("officer", "not_casework", _("Choose an officer of this procuratorate."))]
        )
    with transaction.atomic():
        lead = _locked_new_lead(lead_id)
        participants = [
            case_services.CaseParticipant(
                party=lp.party,
                role=lp.role,
                groups=lp.groups,
                vulnerability_basis=lp.vulnerability_basis,
                amount_claimed=lp.amount_claimed,
                months_unpaid=lp.months_unpaid,
            )
            for lp in lead.parties.select_related("party")
        ]
        department = lead.department or (
            actor.department if actor.organisation_id == lead.organisation_id else None
        )
        decided_at = timezone.now()
        # the case's story starts with the lead's own: received, the duplicate check as the
        # deciding officer sees it on the lead, accepted (issue 13 item 11)
        duplicates = find_duplicates(
            lead,
            visible=Lead.objects.visible_to(actor),
            visible_cases=Case.objects.visible_to(actor),
        )
        case = case_services.open_case(
            actor=actor,
            organisation=lead.organisation,
            department=department,
            facts=lead.facts_of(),
            referring_org=lead.referring_org,
            participants=participants,
            officer=officer,
            origin={"lead": lead.pk, "receipt_code": lead.receipt_code},
            history=lead_history(lead, decided_at=decided_at, decider=actor, duplicates=duplicates),
        )
        lead.status = LeadStatus.ACCEPTED
        lead.case = case
        lead.decided_at = decided_at
        lead.decided_by = actor
        lead.save(update_fields=["status", "case", "decided_at", "decided_by"])
        record(action="lead.accept", actor=actor, obj=lead, detail={"case": case.number})
        lead_decided.send(sender=Lead, lead=lead, case=case)
    return case


def decline_lead(*, lead_id: int, actor: User, data: dict) -> Lead:
    """Decline with a reason and a redirect (legal aid, arbitration, ...)."""
    _ensure_may_decide(lead_id, actor, "lead.decline")
    reason, redirect = validate_decline(data)
    with transaction.atomic():
        lead = _locked_new_lead(lead_id)
        lead.status = LeadStatus.DECLINED
        lead.decline_reason = reason
        lead.decline_redirect = redirect
        lead.decided_at = timezone.now()
        lead.decided_by = actor
        lead.save(
            update_fields=[
                "status",
                "decline_reason",
                "decline_redirect",
                "decided_at",
                "decided_by",
            ]
        )
        record(action="lead.decline", actor=actor, obj=lead, detail={"redirect": redirect})
        lead_decided.send(sender=Lead, lead=lead, case=None)
    return lead
