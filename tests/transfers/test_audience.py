"""Issue 19: whom the figures are counted for (``cases.scope.audience``).

The statistics keep one count for everyone with the same audience (``stats.figcache``). That is
only right while every scoped list is a function of the audience alone: two users with one
audience must read the same cases, leads, transfers, assistance applications, suggestions and
attachments, shares and transfers included; users of different audiences must not be taken for
one another.
"""

from __future__ import annotations

import pytest

from tests.conftest import _user
from zhichi.accounts.models import Role
from zhichi.assistance.models import AssistanceApplication
from zhichi.cases.models import Case
from zhichi.cases.scope import audience
from zhichi.evidence.models import Attachment
from zhichi.intake.models import Lead
from zhichi.supervision.models import Suggestion
from zhichi.transfers.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def scoped_ids(user) -> dict[str, list[int]]:
    lists = {
        "cases": Case.objects.visible_to(user),
        "internal cases": Case.objects.internal_to(user),
        "leads": Lead.objects.visible_to(user),
        "transfers": Transfer.objects.visible_to(user),
        "inbox": Transfer.objects.inbox_of(user),
        "outbox": Transfer.objects.outbox_of(user),
        "applications": AssistanceApplication.objects.visible_to(user),
        "suggestions": Suggestion.objects.visible_to(user),
        "attachments": Attachment.objects.visible_to(user),
    }
    return {name: sorted(qs.values_list("pk", flat=True)) for name, qs in lists.items()}


@pytest.fixture
def twins(users, orgs):
    """A second user beside each of several fixture users, with the same organisation, role and
    department."""
    return {
        "civil1": users["civil2"],
        "criminal1": _user("criminal2", orgs["proc"], Role.OFFICER, orgs["criminal"]),
        "chief": _user("chief2", orgs["proc"], Role.CHIEF),
        "hrss1": _user("hrss2", orgs["hrss"], Role.PARTNER),
        "registrar1": _user("registrar2", orgs["proc"], Role.REGISTRAR, orgs["registry"]),
    }


def test_one_audience_reads_the_same_records(tworld, users, twins):
    seen = {}
    for name, twin in twins.items():
        user = users[name]
        assert audience(user) == audience(twin)
        seen[name] = scoped_ids(user)
        assert scoped_ids(twin) == seen[name], name
    # not vacuous: the world puts cases, transfers both ways and shares in these scopes
    assert seen["civil1"]["cases"] and seen["civil1"]["outbox"]
    assert seen["criminal1"]["inbox"] and seen["criminal1"]["cases"]
    assert seen["hrss1"]["inbox"]


def test_different_audiences_are_told_apart(tworld, users):
    pairs = [
        ("civil1", "civilhead"),  # the role
        ("civil1", "criminal1"),  # the department
        ("civil1", "outsider"),  # the organisation
        ("hrss1", "wf1"),
    ]
    for one, other in pairs:
        assert audience(users[one]) != audience(users[other]), (one, other)
    assert scoped_ids(users["civil1"]) != scoped_ids(users["criminal1"])


def test_a_user_outside_every_scope_has_no_audience(users):
    assert audience(users["civil1"]) == (
        users["civil1"].organisation_id,
        users["civil1"].department_id,
        Role.OFFICER,
    )
    users["civil1"].is_active = False
    assert audience(users["civil1"]) == (None, None, "")
