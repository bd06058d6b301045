"""Portal filings and drafts made directly, as the portal's submit leaves them: a lead filed by
the procuratorate's portal account (``intake.services.file_public_lead``) and its ``Filing``."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tests.conftest import lead_payload, make_id
from zhichi.accounts.models import Role, User
from zhichi.evidence.storage import evidence_storage, new_name
from zhichi.intake.services import file_public_lead
from zhichi.parties import crypto
from zhichi.portal.models import Draft, DraftFile, FiledBy, Filing, lookup_index
from zhichi.portal.services import PRIVACY_NOTICE_VERSION

PHONE = "13912345678"
HELPER_PHONE = "13698765432"
CLAIMANT = "赵小满"


def portal_account(orgs) -> User:
    """The portal's system account of the fixtures' procuratorate (never signs in)."""
    account, _created = User.objects.get_or_create(
        username=f"portal.{orgs['proc'].code}",
        defaults={
            "role": Role.PORTAL,
            "organisation": orgs["proc"],
            "department": orgs["civil"],
            "is_active": False,
        },
    )
    return account


def make_filing(
    orgs,
    *,
    seq: str = "731",
    phone: str = PHONE,
    consent_sms: bool = True,
    helper: bool = False,
    typed_name: str = "",
    language: str = "zh-hans",
    **lead_overrides,
) -> Filing:
    """A portal lead (one claimant, the person who applied) and its filing."""
    data = lead_payload(
        source="portal",
        summary="工地干了四个月，老板不给钱。",
        claimants=[
            {
                "name": CLAIMANT,
                "id_number": make_id(seq=seq),
                "phone": phone,
                "groups": ["migrant_worker"],
                "amount_claimed": "12000.00",
                "months_unpaid": 4,
            }
        ],
        consent_to_share=False,
        **lead_overrides,
    )
    with transaction.atomic():
        lead = file_public_lead(account=portal_account(orgs), data=data).lead
        return Filing.objects.create(
            lead=lead,
            filed_by=FiledBy.HELPER if helper else FiledBy.SELF,
            helper_name="李大姐" if helper else "",
            helper_relation="community_worker" if helper else "",
            helper_phone_enc=crypto.encrypt(HELPER_PHONE) if helper else "",
            helper_confirms_consent=helper,
            phone_enc=crypto.encrypt(phone),
            lookup_index=lookup_index(lead.receipt_code, phone[-4:]),
            privacy_notice="2026-12",
            consent_sensitive=True,
            consent_voluntary=True,
            consent_sms=consent_sms,
            consented_at=timezone.now(),
            language=language,
            typed_name=typed_name,
        )


def make_draft(*, expired: bool = False, answers: dict | None = None, files: int = 0) -> Draft:
    """An unsent draft, expired or not, with ``files`` stored evidence photos."""
    now = timezone.now()
    draft = Draft(
        privacy_notice=PRIVACY_NOTICE_VERSION,
        consented_at=now,
        updated_at=now,
        expires_at=now - timedelta(minutes=1) if expired else now + timedelta(days=30),
    )
    draft.set_answers(answers or {"what": {"summary": "老板不给钱"}})
    draft.save()
    for i in range(files):
        content = f"photo {draft.pk}-{i}".encode()
        DraftFile.objects.create(
            draft=draft,
            kind="other",
            original_name=f"photo{i}.jpg",
            content_type="image/jpeg",
            extension="jpg",
            size=len(content),
            sha256="0" * 64,
            storage_name=evidence_storage().save(new_name(), ContentFile(content)),
        )
    return draft
