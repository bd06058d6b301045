"""``field__among=[ids]`` (common.lookups, issue 19): the same rows as ``__in``, the list sent as
one parameter however long it is, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhichi.accounts.models import Organisation, User

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def org_ids(orgs):
    return sorted(Organisation.objects.values_list("pk", flat=True))


def test_among_finds_what_in_finds(org_ids):
    wanted = org_ids[::2]

    among = sorted(Organisation.objects.filter(pk__among=wanted).values_list("pk", flat=True))

    assert among == sorted(Organisation.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert among == wanted
    assert not Organisation.objects.filter(pk__among=[]).exists()


def test_among_on_a_foreign_key(users):
    org = users["civil1"].organisation_id

    found = set(User.objects.filter(organisation__among=[org]).values_list("pk", flat=True))

    assert users["civil1"].pk in found
    assert found == set(User.objects.filter(organisation_id=org).values_list("pk", flat=True))


def test_a_list_longer_than_sqlites_parameter_limit_is_one_parameter(org_ids):
    ids = [*range(10**9, 10**9 + 40_000), org_ids[0]]  # SQLite takes at most 32,766

    with CaptureQueriesContext(connection) as ctx:
        found = list(Organisation.objects.filter(pk__among=ids).values_list("pk", flat=True))

    assert found == [org_ids[0]]
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize("bad", [["1"], [1.5], [True], [None]])
def test_among_takes_ids_only(bad):
    with pytest.raises(TypeError):
        list(Organisation.objects.filter(pk__among=bad))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), max_size=30))
def test_among_agrees_with_in_for_any_ids(org_ids, picked):
    # the fixture's organisations are read only
    ids = picked + org_ids[: len(picked) % 4]

    among = set(Organisation.objects.filter(pk__among=ids).values_list("pk", flat=True))

    assert among == set(Organisation.objects.filter(pk__in=ids).values_list("pk", flat=True))
