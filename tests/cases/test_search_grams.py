"""Issue 19 item 3: the gram index of case search (decision 0002, migration 0018).

- rule: a query's grams are always among the grams of a text that holds it (no case is missed),
  checked for any text and substring (hypothesis);
- the index answers a search of one, two, three and more characters, a case number in another
  bracket form and a Latin credit code, on SQLite (FTS5) and PostgreSQL (GIN);
- it follows an edit: a name corrected away is no longer found, the new one is;
- the candidates it names are tested for the substring itself (grams in another order are not
  a match);
- the index is used: the SQL names it, and on SQLite its triggers are in place.
"""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cases.test_search import accept, person
from tests.conftest import make_id
from zhichi.cases.models import Case
from zhichi.cases.services import refresh_search_text
from zhichi.core.searchtext import query_grams, search_form, search_grams

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

# letters and digits of the kinds a search text holds, and the separators between its words
_CHARS = st.sampled_from(list("王建国李小梅张三丰有限公司(2026)12号 ab9-·"))


@given(text=st.text(_CHARS, max_size=40), data=st.data())
@settings(max_examples=400, deadline=None)
def test_a_substring_grams_are_among_the_text_grams(text, data):
    text = search_form(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    held = set(search_grams(text).split())
    assert set(query_grams(text[start:end])) <= held


def test_grams_vectors():
    assert search_grams("王建国 李四") == "王 王建 建 建国 国 李 李四 四"
    assert search_grams("(2026)12号") == "2 20 0 02 26 6 1 12 2号 号"
    assert query_grams("建国") == ["建国"]
    assert query_grams("王") == ["王"]
    assert query_grams("王建国") == ["王建", "建国"]
    assert query_grams("(2026)12") == ["20", "02", "26", "12"]
    assert query_grams("()") == []  # only the substring test can answer it


@pytest.fixture
def cases(users):
    wang = accept(users, claimants=[person("王建国", make_id(seq="111"))])
    li = accept(users, claimants=[person("李国建", make_id(birth="19700707", seq="333"))])
    return wang, li


def found(q: str) -> set[int]:
    return set(Case.objects.search(q).values_list("pk", flat=True))


def test_search_of_every_length_uses_the_gram_index(cases):
    wang, li = cases
    assert found("王") == {wang.pk}
    assert found("建国") == {wang.pk}  # li holds 国建, and both grams 建 and 国, not 建国
    assert found("国建") == {li.pk}
    assert found("王建国") == {wang.pk}
    assert found("建") == {wang.pk, li.pk}
    assert found("王国") == set()
    number = wang.number.replace("〔", "[").replace("〕", "]")
    assert found(number) == {wang.pk}
    assert found("") == {wang.pk, li.pk}


def test_the_sql_names_the_gram_index(cases):
    sql = str(Case.objects.search("建国").query)
    assert ("cases_case_grams" if connection.vendor == "sqlite" else "string_to_array") in sql


def test_grams_follow_an_edit_of_the_names(cases):
    wang, _li = cases
    party = wang.parties.get(role="claimant").party
    party.name = "周凤英"
    party.save(update_fields=["name"])
    refresh_search_text(wang)
    wang.refresh_from_db()
    assert wang.search_grams == search_grams(wang.search_text)
    assert wang.pk not in found("建国")
    assert found("凤英") == {wang.pk}


def test_cleared_grams_leave_the_index(cases):
    wang, _li = cases
    Case.objects.filter(pk=wang.pk).update(search_text="", search_grams="")
    assert wang.pk not in found("王")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM cases_case_grams WHERE cases_case_grams MATCH '\"王\"'"
            )
            assert wang.pk not in {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers are SQLite's")
def test_the_sqlite_triggers_survive_every_migration():
    # a later migration that rebuilds cases_case on SQLite drops its triggers with the old table
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"cases_case_grams_ai", "cases_case_grams_ad", "cases_case_grams_au"} <= names


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite weighs its grams itself")
def test_a_gram_most_cases_hold_is_read_in_order_not_from_the_index(cases, monkeypatch):
    from zhichi.cases import models as case_models

    wang, li = cases
    monkeypatch.setattr(case_models, "SQLITE_DENSE_GRAM", 1)  # 建 is in both cases
    assert "cases_case_grams" not in str(Case.objects.search("建").query)
    assert found("建") == {wang.pk, li.pk}
    assert "cases_case_grams" in str(Case.objects.search("王").query)  # in one case only
    assert found("王建国") == {wang.pk}
