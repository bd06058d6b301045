import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from zhichi.accounts.models import ApiToken, NumberSequence
from zhichi.accounts.services import issue_token, next_number, revoke_token, user_for_token

pytestmark = pytest.mark.integration


@pytest.mark.django_db
def test_next_number_is_gap_free_per_organisation_kind_and_year(orgs):
    with transaction.atomic():
        got = [next_number(organisation=orgs["proc"], kind="case", year=2026) for _ in range(3)]
        other_year = next_number(organisation=orgs["proc"], kind="case", year=2027)
        other_org = next_number(organisation=orgs["other"], kind="case", year=2026)
    assert got == [1, 2, 3]
    assert (other_year, other_org) == (1, 1)


@pytest.mark.django_db
def test_next_number_given_back_when_the_caller_rolls_back(orgs):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        next_number(organisation=orgs["proc"], kind="case", year=2026)
        raise Boom
    with transaction.atomic():
        assert next_number(organisation=orgs["proc"], kind="case", year=2026) == 1


@pytest.mark.django_db(transaction=True)
def test_next_number_refuses_to_run_outside_a_transaction(orgs):
    with pytest.raises(RuntimeError):
        next_number(organisation=orgs["proc"], kind="case", year=2026)


@pytest.mark.django_db(transaction=True)
def test_next_number_unique_under_concurrency(orgs):
    results: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(10):
                with transaction.atomic():
                    results.append(next_number(organisation=orgs["proc"], kind="case", year=2030))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == list(range(1, 41))
    assert NumberSequence.objects.get(kind="case", year=2030).last == 40


@pytest.mark.django_db
def test_tokens_are_stored_hashed_and_resolve_to_their_user(users):
    issued = issue_token(user=users["civil1"], name="partner system")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.raw not in (stored.digest, stored.prefix)
    assert len(stored.digest) == 64
    assert user_for_token(issued.raw) == users["civil1"]
    assert user_for_token(issued.raw + "x") is None
    revoke_token(token=stored, actor=users["civil1"])
    assert user_for_token(issued.raw) is None


@pytest.mark.django_db
def test_issue_token_command_prints_the_token_last(users, capsys):
    call_command("issue_token", "hrss1")
    out = capsys.readouterr().out.strip().splitlines()
    assert user_for_token(out[-1]) == users["hrss1"]
