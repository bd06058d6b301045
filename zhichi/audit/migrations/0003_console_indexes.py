# Indexes for the auditor's console (docs/audit.md, "The auditor's console"): its filters on the
# user name, the IP address, the outcome and an object's id each read an index, never the whole
# trail. On PostgreSQL they are built CONCURRENTLY: a trail of millions of rows keeps taking the
# entries every change writes while they are built (hence a migration outside a transaction).

from django.db import migrations, models


class AddIndexWithoutBlocking(migrations.AddIndex):
    """AddIndex, built CONCURRENTLY on PostgreSQL (no lock against inserts), plainly elsewhere."""

    def _concurrently(self, schema_editor) -> dict:
        return {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, **self._concurrently(schema_editor))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, **self._concurrently(schema_editor))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0002_anchored_head"),
    ]

    operations = [
        AddIndexWithoutBlocking(
            model_name="auditentry",
            index=models.Index(fields=["username", "id"], name="audit_entry_username_idx"),
        ),
        AddIndexWithoutBlocking(
            model_name="auditentry",
            index=models.Index(fields=["ip", "id"], name="audit_entry_ip_idx"),
        ),
        AddIndexWithoutBlocking(
            model_name="auditentry",
            index=models.Index(fields=["outcome", "id"], name="audit_entry_outcome_idx"),
        ),
        AddIndexWithoutBlocking(
            model_name="auditentry",
            index=models.Index(fields=["object_id"], name="audit_entry_object_id_idx"),
        ),
    ]
