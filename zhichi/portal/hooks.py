"""What the portal adds to the apps below it when it starts (``install``, from PortalConfig.ready):
the notices of each step of a portal applicant's matter, the staff's section on the lead and case
pages, its key rotation steps and its purge steps.

The notices (issue 18 item 6) come from two places the lower apps already announce: intake's
``lead_decided`` (accepted, declined) and every new timeline event of a case (a mediation set for
a date or cancelled, a mediation held, the head's approval of a support decision, a payment, the
closing). Most cases have no portal filing: an event of a kind that is never told costs nothing,
one that may be told costs one query.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.audit.services import record
from zhichi.cases.models import ApprovalKind, PartyRole, TimelineEvent
from zhichi.cases.schemas import SUPPORT
from zhichi.common import page_sections, purges
from zhichi.evidence import storage
from zhichi.intake.models import Lead, LeadParty, LeadStatus
from zhichi.intake.signals import lead_decided
from zhichi.parties import rotation
from zhichi.portal import messaging, sections, throttle, wording
from zhichi.portal.models import Draft, DraftFile, Filing, NoticeKind, lookup_index
from zhichi.portal.notices import notify

# the timeline events that may concern the person (cases.services write them); "payment_reversed"
# is not one: a reversal corrects the record, it pays nobody
TOLD_EVENTS = frozenset(
    {
        "mediation_scheduled",
        "mediation_cancelled",
        "mediation",
        "approval_decided",
        "payment",
        "case_closed",
    }
)
PURGE_BATCH = 200


# --- notices -----------------------------------------------------------------------------------
def on_lead_decided(sender, *, lead: Lead, case=None, **kwargs) -> None:
    """Accepted or declined (with where to turn instead): never the reason the officer typed."""
    filing = Filing.objects.filter(lead=lead).first()
    if filing is None:
        return
    if lead.status == LeadStatus.ACCEPTED:
        kind, data = NoticeKind.ACCEPTED, {}
    elif lead.status == LeadStatus.DECLINED:
        kind, data = NoticeKind.DECLINED, {"redirect": lead.decline_redirect}
    else:
        return
    notify(filing=filing, kind=kind, data=data, source_key=f"lead:{lead.pk}:{lead.status}")


def _told(event: TimelineEvent, filing: Filing) -> tuple[str, dict] | None:
    """The notice (kind, data) an event of the case of ``filing`` makes, if any."""
    data = event.data or {}
    # a mediation's notices tell where it stands (``status``): set for a day, called off, held.
    # The place is the one thing typed by the staff a notice carries: the person must know where
    # to come. The mediator, and why a session was cancelled, are never told.
    if event.kind == "mediation_scheduled":
        return NoticeKind.MEDIATION, {
            "status": wording.SCHEDULED,
            "on": data.get("on", ""),
            "at_time": data.get("at_time") or "",
            "place": data.get("place", ""),
        }
    if event.kind == "mediation_cancelled":
        return NoticeKind.MEDIATION, {
            "status": wording.CANCELLED,
            "on": data.get("on", ""),
            "at_time": data.get("at_time") or "",
        }
    if event.kind == "mediation":
        return NoticeKind.MEDIATION, {
            "status": wording.HELD,
            "outcome": data.get("outcome", ""),
            "session": data.get("session", ""),
            "held_on": data.get("held_on", ""),
        }
    if event.kind == "approval_decided":
        # the decision is taken when the head approves it; a proposal or a rejected one is not
        if data.get("kind") != ApprovalKind.SUPPORT_DECISION or not data.get("approved"):
            return None
        if data.get("decision") == SUPPORT:
            return NoticeKind.SUPPORT_DECIDED, {}
        return NoticeKind.NOT_SUPPORTED, {}
    if event.kind == "payment":
        # only money paid to someone the application was about: another claimant's payment is
        # that person's business
        if not LeadParty.objects.filter(
            lead_id=filing.lead_id, role=PartyRole.CLAIMANT, party_id=data.get("claimant")
        ).exists():
            return None
        return NoticeKind.MONEY, {
            "amount": data.get("amount", ""),
            "paid_on": data.get("paid_on", ""),
        }
    if event.kind == "case_closed":
        return NoticeKind.CLOSED, {"outcome": data.get("outcome", "")}
    return None


def on_timeline_event(sender, *, instance: TimelineEvent, created: bool, raw=False, **kwargs):
    if not created or raw or instance.kind not in TOLD_EVENTS:
        return
    if instance.kind == "approval_decided" and (instance.data or {}).get("kind") != (
        ApprovalKind.SUPPORT_DECISION
    ):
        return
    filing = Filing.objects.filter(lead__case_id=instance.case_id).first()
    if filing is None:
        return
    told = _told(instance, filing)
    if told is not None:
        kind, data = told
        notify(filing=filing, kind=kind, data=data, source_key=f"event:{instance.pk}")


# --- key rotation (rule R4) ---------------------------------------------------------------------
def rotate_filings() -> int:
    """The phones of the filings, encrypted again under the primary key, and the status lookup's
    keyed hash recomputed (its key is derived from the primary key, so it changes with it)."""
    changed = 0
    ids = Filing.objects.values_list("pk", flat=True)
    for pk in ids.iterator(chunk_size=500):
        with transaction.atomic():
            filing = Filing.objects.select_for_update().select_related("lead").get(pk=pk)
            before = (filing.phone_enc, filing.helper_phone_enc, filing.lookup_index)
            filing.phone_enc = rotation.reseal_field(filing.phone_enc)
            filing.helper_phone_enc = rotation.reseal_field(filing.helper_phone_enc)
            filing.lookup_index = lookup_index(filing.lead.receipt_code, filing.phone[-4:])
            if (filing.phone_enc, filing.helper_phone_enc, filing.lookup_index) != before:
                filing.save(update_fields=["phone_enc", "helper_phone_enc", "lookup_index"])
                changed += 1
    return changed


def rotate_drafts() -> int:
    """The answers of the drafts, encrypted again under the primary key."""
    changed = 0
    ids = Draft.objects.exclude(answers_enc="").values_list("pk", flat=True)
    for pk in ids.iterator(chunk_size=500):
        with transaction.atomic():
            draft = Draft.objects.select_for_update().get(pk=pk)
            resealed = rotation.reseal_field(draft.answers_enc)
            if resealed != draft.answers_enc:
                Draft.objects.filter(pk=pk).update(answers_enc=resealed)
                changed += 1
    return changed


# --- the daily purge ----------------------------------------------------------------------------
def purge_expired_drafts(now=None) -> int:
    """Delete the applications never sent whose time ran out (``Draft.expires_at``), with their
    evidence files, a batch at a time (the files once the deletion is committed); audited per
    batch without the answers. Returns how many drafts were deleted (0: nothing left)."""
    now = now or timezone.now()
    expired = Draft.objects.filter(expires_at__lte=now, lead__isnull=True)
    with transaction.atomic():
        ids = list(
            expired.select_for_update().order_by("id").values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            return 0
        names = list(
            DraftFile.objects.filter(draft_id__in=ids).values_list("storage_name", flat=True)
        )
        Draft.objects.filter(pk__in=ids).delete()  # their DraftFile rows go with them
        record(action="portal.draft.purge", detail={"drafts": len(ids), "files": len(names)})
        store = storage.evidence_storage()
        for name in names:
            transaction.on_commit(lambda name=name: store.delete(name))
    return len(ids)


def install() -> None:
    messaging.check_configuration()
    lead_decided.connect(on_lead_decided, sender=Lead, dispatch_uid="portal.lead_decided")
    post_save.connect(on_timeline_event, sender=TimelineEvent, dispatch_uid="portal.timeline_event")
    title = _("Public portal")
    for page, context in (("lead", sections.lead_section), ("case", sections.case_section)):
        page_sections.register(
            page,
            page_sections.Section(
                key="portal",
                title=title,
                template="portal/_filing_section.html",
                context=context,
                order=50,
                partners=False,  # the person's consents and phone are the procuratorate's own
            ),
        )
    rotation.register("portal filings", rotate_filings)
    rotation.register("portal drafts", rotate_drafts)
    rotation.register("portal draft files", lambda: storage.reseal_rows(DraftFile))
    purges.register("portal drafts", purge_expired_drafts)
    throttle.install_purge()
