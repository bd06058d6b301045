"""A GIN index on the cases' flags for PostgreSQL, which answers ``flags__has_element`` (the case
list's flag filter, issue 13 item 3) with ``@>``. SQLite scans the list with json_each; the flag
filter there is one condition among the list's other indexed ones."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS cases_case_flags_gin ON cases_case USING gin (flags jsonb_path_ops)"
DROP = "DROP INDEX IF EXISTS cases_case_flags_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_drop_deadline_texts")]
    operations = [migrations.RunPython(forwards, backwards)]
