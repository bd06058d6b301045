"""One scoping vocabulary (issue 14 item 6): what a user may read is asked through the queryset
methods ``visible_to(user)`` / ``internal_to(user)`` and loaded through ``get_or_404``; no app
keeps a function of its own for it, and no two rules share a name with different meanings."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.http import Http404

from tests.supervision.conftest import open_case
from zhichi.assistance.models import AssistanceApplication
from zhichi.cases.models import Case
from zhichi.cases.rules import get_case_for, get_internal_case_for, sees_internal_work
from zhichi.common.scoping import get_or_404
from zhichi.employers.models import JointAction
from zhichi.evidence.models import Attachment
from zhichi.intake.models import Lead
from zhichi.supervision.models import Suggestion
from zhichi.transfers.models import Transfer
from zhichi.webhooks.models import WebhookSubscription

ZHICHI = Path(__file__).resolve().parent.parent / "zhichi"
SCOPED = [
    Case,
    Lead,
    Transfer,
    AssistanceApplication,
    Suggestion,
    Attachment,
    JointAction,
    WebhookSubscription,
]


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)]


def test_every_scoped_model_answers_visible_to():
    for model in SCOPED:
        assert callable(getattr(model.objects, "visible_to", None)), model.__name__
    for model in (Case, Lead):
        assert callable(getattr(model.objects, "internal_to", None)), model.__name__


def test_no_module_keeps_a_scoping_function_of_its_own():
    """``*_visible_to(user)``, ``*_scope(user)`` and ``subscriptions_for(user)`` were the old
    shapes: a new one would be a second way to ask the same question."""
    offenders = []
    for path in ZHICHI.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for fn in _functions(path):
            if fn.name.startswith("_"):
                continue
            if fn.name.endswith("_visible_to") or (
                fn.name.endswith("_scope") and path.name != "scope.py" and path.name != "models.py"
            ):
                offenders.append(f"{path.relative_to(ZHICHI)}:{fn.lineno} {fn.name}")
    assert offenders == []


def test_no_two_rules_share_a_name():
    """Three ``get_case_for`` with three meanings were a defect: each public name in the apps'
    ``rules.py`` means one thing."""
    seen: dict[str, list[str]] = defaultdict(list)
    for path in ZHICHI.glob("*/rules.py"):
        for fn in _functions(path):
            if not fn.name.startswith("_"):
                seen[fn.name].append(path.parent.name)
    assert {name: apps for name, apps in seen.items() if len(apps) > 1} == {}


def test_every_scoped_getter_goes_through_get_or_404():
    """A ``get_*_for`` in a rules module loads through the one scoped getter (or another scoped
    getter), so none loads a record without scoping it."""
    missing = []
    for path in ZHICHI.glob("*/rules.py"):
        source = path.read_text(encoding="utf-8")
        for fn in _functions(path):
            if fn.name.startswith("get_") and fn.name.endswith("_for"):
                body = ast.get_source_segment(source, fn)
                if "get_or_404(" not in body and "get_internal_" not in body:
                    missing.append(f"{path.parent.name}.{fn.name}")
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["x", None, "1; drop", 10**12])
def test_get_or_404_answers_404_for_a_missing_or_malformed_key(pk):
    with pytest.raises(Http404):
        get_or_404(Case.objects.all(), pk)


@pytest.mark.django_db
def test_internal_to_keeps_a_partners_case_internals_from_it_but_not_from_the_own_staff(users):
    """A case the partner referred with consent is visible to it, and none of its internal work
    is: ``internal_to`` is the own procuratorate's staff only."""
    case = open_case(users, consent=True)
    partner = users["hrss1"]
    assert Case.objects.visible_to(partner).filter(pk=case.pk).exists()
    assert not Case.objects.internal_to(partner).filter(pk=case.pk).exists()
    assert not sees_internal_work(partner, case)
    assert get_case_for(partner, case.pk) == case
    with pytest.raises(Http404):
        get_internal_case_for(partner, case.pk)
    officer = users["civil1"]
    assert Case.objects.internal_to(officer).filter(pk=case.pk).exists()
    assert sees_internal_work(officer, case)
    assert get_internal_case_for(officer, case.pk) == case


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditor"])
def test_the_three_administrators_see_nothing_through_any_scope(users, name):
    """Rule R5, through every model that holds case work (webhook subscriptions are an
    organisation's settings, guarded by their own role check)."""
    for model in SCOPED[:-1]:
        assert model.objects.visible_to(users[name]).query.is_empty(), model.__name__
    assert Case.objects.internal_to(users[name]).query.is_empty()
