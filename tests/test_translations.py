"""Chinese is the default language: every message must have its translation."""

import re
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries():
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid" not in block:
            continue
        yield block


@pytest.mark.unit
def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    missing = []
    for block in _entries():
        msgid = "".join(re.findall(r'^msgid (".*"(?:\n".*")*)', block, re.M))
        if msgid in ('""', ""):
            continue  # the header
        if "#, fuzzy" in block:
            missing.append(("fuzzy", msgid[:60]))
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if not strs or any(s.strip() == '""' for s in strs):
            missing.append(("untranslated", msgid[:60]))
    assert missing == []


@pytest.mark.unit
def test_compiled_catalogue_is_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Workbench") == "工作台"
    with translation.override("en"):
        assert translation.gettext("Workbench") == "Workbench"
