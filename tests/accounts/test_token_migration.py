"""Issue 12 item 8: tokens stored before expiry existed get created_at + 90 days and a name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.migrating import latest_afterwards
from tests.migrating import migrate as _migrate

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BEFORE = ("accounts", "0002_notification")
AFTER = ("accounts", "0004_token_name_and_expiry_required")


def migrate(target):
    return _migrate([target])


@pytest.fixture(autouse=True)
def _latest_afterwards():
    # going back to accounts 0002 also unapplies what depends on 0004 in other apps
    with latest_afterwards():
        yield


def test_item8_tokens_without_an_expiry_get_created_plus_90_days_and_a_name():
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    ApiToken = old.get_model("accounts", "ApiToken")
    user = User.objects.create(username="legacy", role="partner")
    created = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    unnamed = ApiToken.objects.create(
        user=user, name="", prefix="zc_aaaaaaa", digest="a" * 64, created_at=created
    )
    dated = ApiToken.objects.create(
        user=user,
        name="kept",
        prefix="zc_bbbbbbb",
        digest="b" * 64,
        created_at=created,
        expires_at=created + timedelta(days=7),
    )

    new = migrate(AFTER)

    tokens = new.get_model("accounts", "ApiToken").objects
    assert tokens.get(pk=unnamed.pk).expires_at == created + timedelta(days=90)
    assert tokens.get(pk=unnamed.pk).name == "token zc_aaaaaaa"
    assert (tokens.get(pk=dated.pk).expires_at, tokens.get(pk=dated.pk).name) == (
        created + timedelta(days=7),
        "kept",
    )
    assert new.get_model("accounts", "User").objects.get(pk=user.pk).security_stamp == ""
