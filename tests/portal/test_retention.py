"""What the portal keeps at rest (rule R4) and for how long: key rotation re-encrypts the
filings' phones, the drafts' answers and their evidence files, and keeps the status lookup
working; the daily purge deletes the applications never sent whose time ran out, with their
files, and nothing else."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.portal.factories import HELPER_PHONE, PHONE, make_draft, make_filing
from zhichi.evidence.storage import evidence_storage
from zhichi.portal.hooks import purge_expired_drafts
from zhichi.portal.models import Draft, DraftFile, Filing, lookup_index

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

NEW_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleTE="


def rotate(settings, django_capture_on_commit_callbacks) -> str:
    """Add a new primary key, run rotate_keys, then drop the old key; the command's output."""
    settings.ZHICHI = {
        **settings.ZHICHI,
        "ENCRYPTION_KEYS": [NEW_KEY, *settings.ZHICHI["ENCRYPTION_KEYS"]],
    }
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rotate_keys", stdout=out)
    settings.ZHICHI = {**settings.ZHICHI, "ENCRYPTION_KEYS": [NEW_KEY]}  # the old key is gone
    return out.getvalue()


def test_rotation_reencrypts_the_phones_and_the_lookup_still_matches(
    orgs, settings, django_capture_on_commit_callbacks
):
    filing = make_filing(orgs, helper=True)
    before = Filing.objects.values_list("phone_enc", "helper_phone_enc", "lookup_index").get()

    out = rotate(settings, django_capture_on_commit_callbacks)

    assert "portal filings" in out
    filing.refresh_from_db()
    assert (filing.phone, filing.helper_phone) == (PHONE, HELPER_PHONE)
    assert (filing.phone_enc, filing.helper_phone_enc, filing.lookup_index) != before
    code = filing.lead.receipt_code
    assert list(Filing.objects.filter(lookup_index=lookup_index(code, PHONE[-4:]))) == [filing]
    assert not Filing.objects.filter(lookup_index=lookup_index(code, "0000")).exists()


def test_rotation_reencrypts_the_drafts_and_reseals_their_files(
    settings, django_capture_on_commit_callbacks
):
    draft = make_draft(answers={"what": {"summary": "老板不给钱"}}, files=1)
    old_name = draft.files.get().storage_name

    out = rotate(settings, django_capture_on_commit_callbacks)

    assert "portal drafts" in out and "portal draft files" in out
    draft = Draft.objects.get(pk=draft.pk)
    assert draft.answers == {"what": {"summary": "老板不给钱"}}
    stored = draft.files.get()
    assert stored.storage_name != old_name
    assert not evidence_storage().exists(old_name)
    with evidence_storage().open(stored.storage_name, "rb") as handle:
        assert handle.read() == f"photo {draft.pk}-0".encode()


def test_the_purge_deletes_expired_unsent_drafts_with_their_files_only(
    orgs, django_capture_on_commit_callbacks
):
    expired = make_draft(expired=True, files=2)
    expired_names = list(expired.files.values_list("storage_name", flat=True))
    live = make_draft(files=1)
    live_name = live.files.get().storage_name
    sent = make_draft(expired=True)
    with transaction.atomic():
        sent.lead = make_filing(orgs).lead
        sent.save(update_fields=["lead"])

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_case_files", stdout=out)

    assert "portal drafts: 1 deleted" in out.getvalue()
    assert set(Draft.objects.values_list("pk", flat=True)) == {live.pk, sent.pk}
    assert list(DraftFile.objects.values_list("storage_name", flat=True)) == [live_name]
    assert [evidence_storage().exists(name) for name in expired_names] == [False, False]
    assert evidence_storage().exists(live_name)


def test_a_draft_is_purged_only_once_its_time_is_up(fixed_clock):
    draft = make_draft()

    assert purge_expired_drafts() == 0
    fixed_clock.shift(timedelta(days=31))
    assert purge_expired_drafts() == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()
