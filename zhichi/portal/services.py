"""The portal's state changes (C15): a person's application is written step by step into a draft
that can be resumed with a code, then filed as a lead of the chosen procuratorate with the
person's consents; the status is looked up with the receipt code and the phone's last 4 digits.

Nobody is signed in here. The audit rows have no actor until the application is filed; then the
receiving procuratorate's portal account (``Role.PORTAL``, which never signs in) files the lead.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from zhichi.accounts.models import PORTAL_USERNAME_PREFIX, Organisation, OrgKind, Role, User
from zhichi.audit.models import Outcome
from zhichi.audit.services import record
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.evidence import services as evidence_services
from zhichi.evidence.storage import evidence_storage
from zhichi.intake import services as intake_services
from zhichi.parties import crypto
from zhichi.parties.models import PartyKind
from zhichi.portal import notices
from zhichi.portal.forms import months_since
from zhichi.portal.models import (
    Draft,
    DraftFile,
    FiledBy,
    Filing,
    NoticeKind,
    lookup_index,
)

STEPS = ("what", "who", "money", "you", "evidence", "consent")
# the privacy notice the person agreed to (templates/portal/privacy.html); a new text, a new version
PRIVACY_NOTICE_VERSION = "2026-12"
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


def step_number(step: str) -> int:
    return STEPS.index(step) + 1


# --- the portal account of each procuratorate --------------------------------------------------
def portal_account(organisation: Organisation) -> User:
    """The account that files the applications sent to ``organisation``: inactive, with no usable
    password and a role that no rule grants anything, so it can never sign in or read a thing.
    Made on first use (``get_or_create`` survives two first applications at once)."""
    intake = organisation.departments.filter(code=intake_services.INTAKE_DEPARTMENT).first()
    account, _created = User.objects.get_or_create(
        username=f"{PORTAL_USERNAME_PREFIX}{organisation.code}",
        defaults={
            "role": Role.PORTAL,
            "organisation": organisation,
            "department": intake,
            "is_active": False,
            "password": make_password(None),
            "first_name": "",
        },
    )
    if account.role != Role.PORTAL or account.is_active:
        # a person's account under this name would file in their name: refuse to
        raise RuntimeError(f"user {account.username!r} is not a portal system account")
    return account


# --- drafts ---------------------------------------------------------------------------------
class Closed(Exception):
    """The draft was sent already (or has expired): it takes no more changes."""


def _locked(draft_id: int) -> Draft:
    draft = Draft.objects.select_for_update().get(pk=draft_id)
    if draft.lead_id is not None or draft.expires_at <= timezone.now():
        raise Closed
    return draft


def _touch(draft: Draft) -> None:
    now = timezone.now()
    draft.updated_at = now
    draft.expires_at = now + timedelta(days=settings.ZHICHI["PORTAL_DRAFT_DAYS"])


def start(*, language: str) -> Draft:
    """Begin an application once the person has agreed to the privacy notice: nothing they type
    is kept before this (PIPL art. 29 and 31; issue 18 item 2). Audited with the notice's
    version."""
    now = timezone.now()
    with transaction.atomic():
        draft = Draft(language=language, privacy_notice=PRIVACY_NOTICE_VERSION, consented_at=now)
        _touch(draft)
        draft.save()
        record(
            action="portal.draft.create",
            actor=None,
            obj=draft,
            detail={"privacy_notice": PRIVACY_NOTICE_VERSION, "consent_sensitive": True},
        )
    return draft


def save_step(*, draft: Draft, step: str, answers: dict, language: str) -> Draft:
    """Keep one step's answers and move the furthest step reached on. Audited without the
    answers themselves."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}")
    with transaction.atomic():
        draft = _locked(draft.pk)
        all_answers = draft.answers
        all_answers[step] = answers
        draft.set_answers(all_answers)
        draft.step = max(draft.step, min(step_number(step) + 1, len(STEPS)))
        draft.language = language
        _touch(draft)
        draft.save()
        record(action="portal.draft.save", actor=None, obj=draft, detail={"step": step})
    return draft


def files_left(draft: Draft) -> int:
    return max(0, settings.ZHICHI["PORTAL_MAX_FILES"] - draft.files.count())


def add_file(*, draft: Draft, file, kind: str) -> DraftFile:
    """Keep an evidence photo (or a PDF) for the application: checked by its bytes and size, and
    stored sealed like every evidence file. A refusal is audited and stores nothing."""
    limit = settings.ZHICHI["PORTAL_MAX_FILE_BYTES"]
    try:
        if files_left(draft) == 0:
            raise InvalidInput(
                [
                    FieldError(
                        "file",
                        "too_many",
                        pgettext("portal", "You have added as many files as you can (%(n)d).")
                        % {"n": settings.ZHICHI["PORTAL_MAX_FILES"]},
                    )
                ]
            )
        stored = evidence_services.store_checked_file(
            file,
            limit=limit,
            content_types=PHOTO_TYPES,
            refused_type=pgettext("portal", "Only photos (JPG or PNG) and PDF files can be added."),
        )
    except InvalidInput as exc:
        record(
            action="portal.file.add",
            actor=None,
            obj=draft,
            outcome="denied",
            detail={"reasons": sorted({f"{e.field}:{e.code}" for e in exc.errors})},
        )
        raise
    try:
        with transaction.atomic():
            _locked(draft.pk)
            added = DraftFile.objects.create(draft=draft, kind=kind, **asdict(stored))
            record(
                action="portal.file.add",
                actor=None,
                obj=draft,
                detail={"kind": kind, "size": stored.size, "sha256": stored.sha256},
            )
    except BaseException:
        evidence_storage().delete(stored.storage_name)
        raise
    return added


def remove_file(*, draft: Draft, file_id: int) -> None:
    """Take a file off the application again (and out of the store)."""
    with transaction.atomic():
        _locked(draft.pk)
        found = DraftFile.objects.filter(draft=draft, pk=file_id).first()
        if found is None:
            return
        name = found.storage_name
        found.delete()
        record(action="portal.file.remove", actor=None, obj=draft, detail={"sha256": found.sha256})
        transaction.on_commit(lambda: evidence_storage().delete(name))


def find_draft(code: str) -> Draft | None:
    """A live draft by its resume code (submitted ones included, to show their receipt)."""
    if not code:
        return None
    return Draft.objects.live().filter(code=code).first()


# --- filing -------------------------------------------------------------------------------------
# where an error of the lead's schema is answered: the step that asked the question
FIELD_STEPS = {
    "category": "what",
    "summary": "what",
    "respondents": "who",
    "labour_relationship": "who",
    "has_iou": "who",
    "claimants.0.amount_claimed": "money",
    "claimants.0.months_unpaid": "money",
    "claimants": "you",
    "voluntary": "consent",
    "consent_to_share": "consent",
}


def step_of(field: str) -> str:
    for prefix, step in FIELD_STEPS.items():
        if field == prefix or field.startswith(prefix + "."):
            return step
    return "consent"


class NotReady(Exception):
    """A step has no answers yet: the person is sent back to it."""

    def __init__(self, step: str):
        super().__init__(step)
        self.step = step


def lead_input(answers: dict, consent: dict, *, today) -> dict:
    """The lead, in ``intake.schemas.LeadIn``'s shape, from the steps' answers."""
    for step in STEPS[:4]:
        if step not in answers:
            raise NotReady(step)
    what, who, money, you = (answers[s] for s in STEPS[:4])
    respondent = {"kind": who["kind"], "name": who["name"], "address": who.get("address", "")}
    if who["kind"] == PartyKind.ORGANISATION:
        respondent["credit_code"] = who.get("credit_code", "")
    since = money.get("since") or ""
    months = None
    if since:
        year, month = (int(part) for part in since.split("-"))
        months = months_since(today.replace(year=year, month=month, day=1), today)
    return {
        "source": "portal",
        "received_on": today.isoformat(),
        "category": what["category"],
        "summary": what["summary"],
        "claimants": [
            {
                "name": you["name"],
                "id_number": you.get("id_number", ""),
                "phone": you["phone"],
                "address": you.get("address", ""),
                "groups": you.get("groups", []),
                "vulnerability_basis": you.get("hardship", []),
                "amount_claimed": money.get("amount") or None,
                "months_unpaid": months,
            }
        ],
        "respondents": [respondent],
        "voluntary": consent["consent_voluntary"],  # rule SP-5: the person's own application
        "consent_to_share": consent["consent_to_share"],
        "labour_relationship": who.get("labour_relationship", "unknown"),
        "has_iou": who.get("has_iou") == "yes",
    }


def _office(code: str) -> Organisation:
    office = Organisation.objects.filter(
        code=code, kind=OrgKind.PROCURATORATE, is_active=True
    ).first()
    if office is None:
        raise InvalidInput(
            [FieldError("office", "unknown", pgettext("portal", "Choose a procuratorate."))]
        )
    return office


def submit(*, draft: Draft, consent: dict) -> Filing:
    """File the application: the lead (``intake.services.file_public_lead``, source ``portal``),
    the consents and who filed (PIPL; rule SP-5), the evidence files, and the first notice. Sent
    twice (a double tap, a retry), it files once and answers the same lead.

    Raises ``NotReady`` for a step never answered and ``InvalidInput`` for answers the lead
    refuses (each error's field names its step, see ``step_of``); nothing is kept then.
    """
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.lead_id is not None:
            return draft.lead.portal_filing
        if draft.expires_at <= timezone.now():
            raise Closed
        answers = draft.answers
        you = answers.get("you") or {}
        data = lead_input(answers, consent, today=timezone.localdate())
        office = _office(you.get("office", ""))
        account = portal_account(office)
        public = intake_services.file_public_lead(account=account, data=data)
        lead = public.lead
        helper = you.get("filed_by") == FiledBy.HELPER
        phone = you["phone"]
        filing = Filing.objects.create(
            lead=lead,
            filed_by=FiledBy.HELPER if helper else FiledBy.SELF,
            helper_name=you.get("helper_name", "") if helper else "",
            helper_relation=you.get("helper_relation", "") if helper else "",
            helper_phone_enc=crypto.encrypt(you["helper_phone"])
            if helper and you.get("helper_phone")
            else "",
            helper_confirms_consent=bool(helper and consent.get("helper_confirms_consent")),
            phone_enc=crypto.encrypt(phone),
            lookup_index=lookup_index(lead.receipt_code, phone[-4:]),
            # the notice agreed to before the first answer was kept
            privacy_notice=draft.privacy_notice,
            consent_sensitive=True,
            consent_voluntary=consent["consent_voluntary"],
            consent_sms=bool(consent.get("consent_sms")),
            consented_at=timezone.now(),  # the last consents; the first are on the draft
            language=draft.language,
            typed_name=public.typed_names.get("claimants.0", ""),
        )
        files = list(draft.files.all())
        for f in files:
            evidence_services.attach_stored_file(
                actor=account,
                lead=lead,
                kind=f.kind,
                stored=evidence_services.StoredFile.of(f),
                via="portal",
            )
        # the lead holds the answers now: the draft keeps only the link to its receipt
        DraftFile.objects.filter(draft=draft).delete()
        draft.answers_enc = ""
        draft.lead = lead
        _touch(draft)
        draft.save()
        notices.notify(
            filing=filing,
            kind=NoticeKind.RECEIVED,
            data={"received_on": lead.received_on.isoformat()},
            source_key=f"lead:{lead.pk}:received",
        )
        record(
            action="portal.submit",
            actor=account,
            obj=lead,
            detail={
                "draft": draft.pk,
                "filed_by": filing.filed_by,
                "helper_relation": filing.helper_relation,
                "privacy_notice": filing.privacy_notice,
                "consent_sensitive": filing.consent_sensitive,
                "consent_voluntary": filing.consent_voluntary,
                "consent_to_share": lead.consent_to_share,
                "consent_sms": filing.consent_sms,
                "helper_confirms_consent": filing.helper_confirms_consent,
                "files": len(files),
                "typed_name_differs": bool(filing.typed_name),
            },
        )
    return filing


# --- status lookup ---------------------------------------------------------------------------
def lookup(*, code: str, last4: str) -> Filing | None:
    """The filing with this receipt code whose phone ends in ``last4``; None for a wrong code and
    for wrong digits alike, so an answer never tells which was wrong. Audited either way."""
    filing = (
        Filing.objects.select_related("lead", "lead__organisation")
        .filter(lead__receipt_code=code, lookup_index=lookup_index(code, last4))
        .first()
        if code and len(last4) == 4
        else None
    )
    record(
        action="portal.status",
        actor=None,
        obj=filing.lead if filing else None,
        outcome=Outcome.OK if filing else Outcome.DENIED,
    )
    return filing
