"""The gram index of case search (docs/decisions/0002-case-search.md, issue 19): every case keeps
``search_grams`` (each character and each pair of neighbouring characters of its search text's
words), and an index over them answers a search of any length, one character upwards:

- SQLite: an FTS5 table over the column (external content, kept by triggers), whose ``ascii``
  tokenizer splits exactly at the spaces (every gram is letters and digits only), and its
  vocabulary (how many cases hold each gram);
- PostgreSQL: a GIN index on the grams as an array. It replaces the trigram index, which could
  not serve a query of one or two characters.

The grams of the cases already stored are computed here, with a frozen copy of the rule.
"""

from django.db import migrations, models

BATCH = 2000

SQLITE = [
    "CREATE VIRTUAL TABLE cases_case_grams USING fts5("
    "search_grams, content='cases_case', content_rowid='id', tokenize='ascii', detail='none')",
    "CREATE TRIGGER cases_case_grams_ai AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_grams(rowid, search_grams) VALUES (new.id, new.search_grams); END",
    "CREATE TRIGGER cases_case_grams_ad AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_grams(cases_case_grams, rowid, search_grams) "
    "VALUES ('delete', old.id, old.search_grams); END",
    "CREATE TRIGGER cases_case_grams_au AFTER UPDATE OF search_grams ON cases_case BEGIN "
    "INSERT INTO cases_case_grams(cases_case_grams, rowid, search_grams) "
    "VALUES ('delete', old.id, old.search_grams); "
    "INSERT INTO cases_case_grams(rowid, search_grams) VALUES (new.id, new.search_grams); END",
    "INSERT INTO cases_case_grams(cases_case_grams) VALUES ('rebuild')",
    # how many cases hold each gram: a search skips the index for a gram that most cases hold
    "CREATE VIRTUAL TABLE cases_case_grams_vocab USING fts5vocab(cases_case_grams, 'row')",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS cases_case_grams_vocab",
    "DROP TRIGGER IF EXISTS cases_case_grams_au",
    "DROP TRIGGER IF EXISTS cases_case_grams_ad",
    "DROP TRIGGER IF EXISTS cases_case_grams_ai",
    "DROP TABLE IF EXISTS cases_case_grams",
]
POSTGRES = [
    "DROP INDEX IF EXISTS cases_case_search_trgm",
    "CREATE INDEX cases_case_search_grams ON cases_case "
    "USING gin (string_to_array(search_grams, ' '))",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS cases_case_search_grams",
    "CREATE INDEX IF NOT EXISTS cases_case_search_trgm ON cases_case "
    "USING gin (search_text gin_trgm_ops)",
]


def _runs(text):
    runs, current = [], []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def search_grams(text):
    # frozen copy of zhichi.core.searchtext.search_grams: a migration keeps the rule of its day
    seen = {}
    for run in _runs(text or ""):
        for i, char in enumerate(run):
            seen[char] = None
            if i + 1 < len(run):
                seen[run[i : i + 2]] = None
    return " ".join(seen)


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.only("pk", "search_text").order_by("pk").iterator(chunk_size=BATCH):
        case.search_grams = search_grams(case.search_text)
        changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["search_grams"])
            changed = []
    if changed:
        Case.objects.bulk_update(changed, ["search_grams"])


def index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def unindex(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_mediation_appointments")]
    operations = [
        migrations.AddField(
            model_name="case",
            name="search_grams",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
