"""Idempotency-Key records are kept ZHICHI_IDEMPOTENCY_HOURS (default 24), pruned by the daily
housekeeping, and an expired key is a new request; an idempotent POST looks its token up once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhichi.accounts.api_auth import purge_idempotency_records
from zhichi.accounts.models import ApiToken, IdempotencyRecord
from zhichi.intake.models import Lead

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

LEADS = "/api/v1/leads"


def _age(key: str, hours: float) -> None:
    IdempotencyRecord.objects.filter(key=key).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def test_the_retention_defaults_to_24_hours():
    assert settings.ZHICHI["IDEMPOTENCY_HOURS"] == 24


def test_purge_deletes_records_older_than_the_retention_and_keeps_fresh_ones(api, payload):
    client = api("civil1")
    client.post(LEADS, payload(), headers={"Idempotency-Key": "old"})
    client.post(LEADS, payload(summary="另一件"), headers={"Idempotency-Key": "fresh"})
    hours = settings.ZHICHI["IDEMPOTENCY_HOURS"]
    _age("old", hours + 1)
    _age("fresh", hours - 1)

    assert purge_idempotency_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_daily_purge_command_prunes_old_idempotency_records(api, payload):
    client = api("civil1")
    client.post(LEADS, payload(), headers={"Idempotency-Key": "old"})
    client.post(LEADS, payload(summary="另一件"), headers={"Idempotency-Key": "fresh"})
    _age("old", settings.ZHICHI["IDEMPOTENCY_HOURS"] + 1)

    call_command("purge_case_files", stdout=io.StringIO())

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_after_pruning_the_same_key_is_processed_anew(api, payload):
    client = api("civil1")
    key = {"Idempotency-Key": "lead-again"}
    first = client.post(LEADS, payload(), headers=key)
    _age("lead-again", settings.ZHICHI["IDEMPOTENCY_HOURS"] + 1)
    purge_idempotency_records()

    again = client.post(LEADS, payload(), headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in again
    assert again.json()["id"] != first.json()["id"]
    assert Lead.objects.count() == 2


def test_an_expired_key_not_yet_pruned_is_a_new_request_and_is_kept_anew(api, payload):
    client = api("civil1")
    key = {"Idempotency-Key": "lead-expired"}
    first = client.post(LEADS, payload(), headers=key)
    _age("lead-expired", settings.ZHICHI["IDEMPOTENCY_HOURS"] + 1)

    again = client.post(LEADS, payload(summary="换了内容"), headers=key)  # no 422 "reused"
    replay = client.post(LEADS, payload(summary="换了内容"), headers=key)

    assert (first.status_code, again.status_code, replay.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in again
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == again.json() != first.json()
    assert Lead.objects.count() == 2
    assert IdempotencyRecord.objects.filter(key="lead-expired").count() == 1


def test_a_key_within_the_retention_is_still_replayed(api, payload):
    client = api("civil1")
    key = {"Idempotency-Key": "lead-recent"}
    first = client.post(LEADS, payload(), headers=key)
    _age("lead-recent", settings.ZHICHI["IDEMPOTENCY_HOURS"] - 1)

    again = client.post(LEADS, payload(), headers=key)

    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Lead.objects.count() == 1


def _token_selects(queries) -> int:
    table = ApiToken._meta.db_table
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and f'"{table}"' in q["sql"].split(" FROM ")[1][:60]
    )


def test_an_idempotent_post_looks_its_token_up_once(api, payload):
    client = api("civil1")
    client.get(LEADS)  # warm up: the token's last-used stamp is written once

    with CaptureQueriesContext(connection) as plain:
        assert client.post(LEADS, payload()).status_code == 201
    with CaptureQueriesContext(connection) as keyed:
        r = client.post(LEADS, payload(summary="另一件"), headers={"Idempotency-Key": "once"})
        assert r.status_code == 201

    assert _token_selects(plain.captured_queries) == 1
    assert _token_selects(keyed.captured_queries) == 1
    # the key adds only its own record's queries (insert in a savepoint, the stored answer)
    record = [q["sql"] for q in keyed.captured_queries if "idempotencyrecord" in q["sql"]]
    assert len(record) == 2
