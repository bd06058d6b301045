"""A trigram index for case search on PostgreSQL (LIKE '%…%' on 3+ characters uses it).

SQLite has no equivalent index for LIKE; its search scans search_text (see docs/decisions).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cases_case_search_trgm ON cases_case USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS cases_case_search_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
