"""The search text of the cases stored before it was kept in search form (issue 13 item 3,
zhichi/core/searchtext.py): rewritten in that form, so that their numbers are found in any
bracket form, as those of new cases are. Going back leaves the text as it is: the older code
searches it with a lower-cased query, which finds everything but the bracketed numbers."""

import unicodedata

from django.db import migrations

_OPENING = "〔【〖〘〚[［(（⦅｟"
_CLOSING = "〕】〗〙〛]］)）⦆｠"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "("), **dict.fromkeys(_CLOSING, ")")})
BATCH = 2000


def search_form(text: str) -> str:
    # frozen copy of zhichi.core.searchtext.search_form: a migration keeps the rule of its day
    return unicodedata.normalize("NFKC", text or "").translate(_BRACKETS).lower()


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.only("pk", "search_text").order_by("pk").iterator(chunk_size=BATCH):
        text = search_form(case.search_text)
        if text != case.search_text:
            case.search_text = text
            changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["search_text"])
            changed = []
    if changed:
        Case.objects.bulk_update(changed, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_flags_gin_index")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
