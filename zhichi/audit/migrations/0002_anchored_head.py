# Anchor the audit chain (issue 12 item 9, docs/audit.md): the head keeps the row count and the last
# entry under a keyed MAC, and on PostgreSQL a trigger refuses UPDATE and DELETE of audit rows.

from django.db import migrations, models, transaction

# TRUNCATE is left alone: the test suite's flush between transactional tests truncates every
# table, and a truncated trail is caught by the checkpoint journal (and, once the database roles
# are separated, by the missing privilege).
APPEND_ONLY_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_auditentry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_refuse_change();
"""
DROP_APPEND_ONLY_TRIGGER = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_refuse_change();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_TRIGGER, params=None)


def anchor_existing_chain(apps, schema_editor):
    """A trail written before this change: sign its head as it stands, and write the first
    checkpoint once this migration commits. A head that does not name the last row is left
    unsigned, so verify_audit reports it instead of this migration blessing it."""
    from zhichi.audit import anchor

    alias = schema_editor.connection.alias
    head_model = apps.get_model("audit", "AuditChainHead")
    entry_model = apps.get_model("audit", "AuditEntry")
    head = head_model.objects.using(alias).filter(pk=1).first()
    last = entry_model.objects.using(alias).order_by("-id").values_list("id", "hash").first()
    if head is None or last is None or last[1] != head.last_hash:
        return
    count = entry_model.objects.using(alias).count()
    last_id, last_hash = last
    mac = anchor.head_mac(count=count, last_id=last_id, last_hash=last_hash)
    head_model.objects.using(alias).filter(pk=1).update(count=count, last_id=last_id, mac=mac)
    transaction.on_commit(
        lambda: anchor.write_checkpoint_after_commit(count, last_id, last_hash), using=alias
    )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='count',
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='last_id',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='mac',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(anchor_existing_chain, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
