import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.audit.tampering import raw
from zhichi.audit.models import AppendOnlyError, AuditEntry
from zhichi.audit.services import record, verify_chain

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_r7_record_writes_who_what_outcome(users):
    entry = record(action="case.open", actor=users["civil1"], object_type="x", object_id=7)
    assert (entry.username, entry.organisation, entry.role, entry.action, entry.object_id) == (
        "civil1",
        "WHPROC",
        "officer",
        "case.open",
        "7",
    )
    assert entry.outcome == "ok"


def test_r7_entries_form_a_hash_chain_that_verifies(users):
    for i in range(5):
        record(action="test.write", actor=users["civil1"], object_id=i)
    report = verify_chain()
    assert report.ok
    assert report.checked == 5
    call_command("verify_audit")


def test_r7_entries_cannot_be_changed_or_deleted_by_the_application(users):
    entry = record(action="test.write", actor=users["civil1"])
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_r7_tampering_below_the_application_is_detected(users):
    first = record(action="test.write", actor=users["civil1"], object_id=1)
    record(action="test.write", actor=users["civil1"], object_id=2)
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["99", first.pk])
    report = verify_chain()
    assert report.first_broken_id == first.pk
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_r7_failed_login_is_audited_without_the_password(client, users):
    client.post("/login/", {"username": "civil1", "password": "wrong-password-123"})
    entry = AuditEntry.objects.filter(action="auth.login", outcome="failed").get()
    assert entry.username == "civil1"
    assert "wrong-password-123" not in str(entry.detail)
    assert entry.ip == "127.0.0.1"
