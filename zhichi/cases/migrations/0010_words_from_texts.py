# Issue 13 item 6: what the system wrote is stored as codes with values, and put into words in
# the reader's language when shown. This turns the sentences stored before into codes:
#
# - deadlines: the label and the basis (into label_words, basis_words added by 0009);
# - cases: the level reasons, the risk reasons and the criminal-lead check's reasons and next
#   step (the core's Chinese, and the head's override written in the writer's language);
# - the timeline: "facts" and "share_revoked" events, whose summary held the system's sentence
#   (the headline is now made from the event's data; a reason typed with it stays as typed).
#
# A sentence no template knows keeps its text as it is: a deadline's as {"text": ...}, a reason
# as the plain string it was, a check's reason with its "text", a summary untouched; those are
# shown as written. Backward, every code is written out again in Chinese (the default language).
# The words are frozen in _old_words.py, beside this file; nothing of the application is used.

import re

from django.db import migrations

from zhichi.cases.migrations import _old_words as old

BATCH = 500
FACTS = ("Facts updated: ", "案件事实已更新：")
SHARE_ENDED = (
    re.compile(r"Sharing with (?P<org>.+?) ended: (?P<reason>.*)", re.S),
    re.compile(r"已终止与(?P<org>.+?)的共享：(?P<reason>.*)", re.S),
)


def _batches(queryset):
    rows = []
    for row in queryset.order_by("pk").iterator(chunk_size=BATCH):
        rows.append(row)
        if len(rows) == BATCH:
            yield rows
            rows = []
    if rows:
        yield rows


def deadlines_forward(apps, schema_editor):
    CaseDeadline = apps.get_model("cases", "CaseDeadline")
    for rows in _batches(CaseDeadline.objects.all()):
        for d in rows:
            d.label_words = old.read_deadline_label(d.kind, d.label)
            d.basis_words = old.read_deadline_basis(d.basis)
        CaseDeadline.objects.bulk_update(rows, ["label_words", "basis_words"])


def deadlines_backward(apps, schema_editor):
    CaseDeadline = apps.get_model("cases", "CaseDeadline")
    for rows in _batches(CaseDeadline.objects.all()):
        for d in rows:
            d.label = old.write_deadline_label(d.kind, d.label_words or {})[:200]
            d.basis = old.write_deadline_basis(d.basis_words or {})[:300]
        CaseDeadline.objects.bulk_update(rows, ["label", "basis"])


def _cases(apps, level, risk, check):
    Case = apps.get_model("cases", "Case")
    queryset = Case.objects.only("pk", "level_reasons", "risk_reasons", "criminal_check")
    for rows in _batches(queryset):
        for c in rows:
            c.level_reasons = level(c.level_reasons or [])
            c.risk_reasons = risk(c.risk_reasons or [])
            c.criminal_check = check(c.criminal_check or {})
        Case.objects.bulk_update(rows, ["level_reasons", "risk_reasons", "criminal_check"])


def cases_forward(apps, schema_editor):
    _cases(apps, old.read_level_reasons, old.read_risk_reasons, old.read_check)


def cases_backward(apps, schema_editor):
    _cases(apps, old.write_level_reasons, old.write_risk_reasons, old.write_check)


def events_forward(apps, schema_editor):
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    changed = []
    for e in TimelineEvent.objects.filter(kind="facts").iterator(chunk_size=BATCH):
        fields = ", ".join(e.data.get("changed") or [])
        if e.summary in (f"{head}{fields}" for head in FACTS):
            e.summary = ""  # the headline says it, from data["changed"]
            changed.append(e)
    for e in TimelineEvent.objects.filter(kind="share_revoked").iterator(chunk_size=BATCH):
        for pattern in SHARE_ENDED:
            found = pattern.fullmatch(e.summary or "")
            if found:
                e.data = {**(e.data or {}), "org": found["org"]}
                e.summary = found["reason"]  # the reason the officer typed, as typed
                changed.append(e)
                break
    TimelineEvent.objects.bulk_update(changed, ["summary", "data"], batch_size=BATCH)


def events_backward(apps, schema_editor):
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    changed = []
    for e in TimelineEvent.objects.filter(kind="facts", summary="").iterator(chunk_size=BATCH):
        e.summary = FACTS[1] + ", ".join(e.data.get("changed") or [])
        changed.append(e)
    for e in TimelineEvent.objects.filter(kind="share_revoked").iterator(chunk_size=BATCH):
        data = dict(e.data or {})
        if "org" not in data:
            continue
        e.summary = f"已终止与{data.pop('org')}的共享：{e.summary}"
        data.pop("share", None)
        e.data = data
        changed.append(e)
    TimelineEvent.objects.bulk_update(changed, ["summary", "data"], batch_size=BATCH)


def forward(apps, schema_editor):
    deadlines_forward(apps, schema_editor)
    cases_forward(apps, schema_editor)
    events_forward(apps, schema_editor)


def backward(apps, schema_editor):
    deadlines_backward(apps, schema_editor)
    cases_backward(apps, schema_editor)
    events_backward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_deadline_words")]

    operations = [migrations.RunPython(forward, backward)]
