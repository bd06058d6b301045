# Issue 13 item 6: what the system wrote is stored as codes with values, and put into words in
# the reader's language when shown (cases 0010 does the case's own rows). Here:
#
# - the case timeline's transfer steps (transfer_send … transfer_close): their summary held the
#   system's sentence about the transfer, in the language of whoever acted; the headline is now
#   made from the event's data, so the data gets the receiver's name and the kind of transfer
#   (from the transfer itself) and a summary that is one of those sentences is emptied. A
#   summary no template knows stays as it is (shown after the headline);
# - the criminal-lead check kept on a transfer when it was sent: its reasons and next step as
#   codes with values, as on the case.
#
# Backward, the checks' sentences are written again in Chinese (the default language). The
# timeline's transfer steps stay as they are: the code before this migration (from transfers 0002,
# issue 13 item 5) already made their headline from data["org"] and data["transfer_kind"] and
# wrote no summary, so taking those values out and writing the sentence back would show it as
# "Transfer … sent to — (—): 移送 … 已发送至…".

import re

from django.db import migrations

from zhichi.cases.migrations import _old_words as old

BATCH = 500
# the sentences of the old code, in English and in Chinese, by action
SENTENCES = {
    "send": (
        "Transfer {number} sent to {org} ({kind})",
        "移送 {number} 已发送至{org}（{kind}）",
    ),
    "receive": ("Transfer {number} received by {org}", "移送 {number} 已由{org}签收"),
    "accept": ("Transfer {number} accepted by {org}", "移送 {number} 已由{org}接收"),
    "reject": ("Transfer {number} rejected by {org}", "移送 {number} 已被{org}退回"),
    "answer": ("Transfer {number} answered by {org}", "{org}已反馈移送 {number}"),
    "close": ("Transfer {number} closed", "移送 {number} 已办结"),
}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"(\{\w+\})", template)
    return re.compile("".join(".+?" if p.startswith("{") else re.escape(p) for p in parts if p))


PATTERNS = {action: [_pattern(t) for t in texts] for action, texts in SENTENCES.items()}


def _events(apps):
    TimelineEvent = apps.get_model("cases", "TimelineEvent")
    return TimelineEvent, TimelineEvent.objects.filter(kind__startswith="transfer_")


def events_forward(apps, schema_editor):
    Transfer = apps.get_model("transfers", "Transfer")
    receivers = {
        pk: (org, kind)
        for pk, org, kind in Transfer.objects.values_list("pk", "to_org__name", "kind")
    }
    TimelineEvent, events = _events(apps)
    changed = []
    for e in events.order_by("pk").iterator(chunk_size=BATCH):
        action = e.kind.removeprefix("transfer_")
        data = dict(e.data or {})
        if data.get("transfer") in receivers:
            org, kind = receivers[data["transfer"]]
            data.setdefault("org", org)
            data.setdefault("transfer_kind", kind)
        if any(p.fullmatch(e.summary or "") for p in PATTERNS.get(action, [])):
            e.summary = ""
        e.data = data
        changed.append(e)
    TimelineEvent.objects.bulk_update(changed, ["summary", "data"], batch_size=BATCH)


def events_backward(apps, schema_editor):
    """Nothing to write back: the headline before was made from the same data (see above)."""


def _checks(apps, convert):
    Transfer = apps.get_model("transfers", "Transfer")
    rows = []
    for t in Transfer.objects.only("pk", "criminal_check").order_by("pk").iterator(BATCH):
        if t.criminal_check:
            t.criminal_check = convert(t.criminal_check)
            rows.append(t)
    Transfer.objects.bulk_update(rows, ["criminal_check"], batch_size=BATCH)


def forward(apps, schema_editor):
    events_forward(apps, schema_editor)
    _checks(apps, old.read_check)


def backward(apps, schema_editor):
    events_backward(apps, schema_editor)
    _checks(apps, old.write_check)


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0002_sender_department"),
        ("cases", "0010_words_from_texts"),
    ]

    operations = [migrations.RunPython(forward, backward)]
