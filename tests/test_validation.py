"""The typed readers of zhichi/common/validation.py (issue 12, item 10): any JSON value where text, a
choice, a date, an amount or a number is expected is refused at its field, never a TypeError;
NUL, other C0 control characters and lone surrogates are refused in any text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhichi.common.validation import Collector, printable, text_problem, unsafe_text

pytestmark = pytest.mark.unit

CHOICES = [("phone", "Phone"), ("letter", "Letter")]
# every JSON type that is not the one expected, and Python values a form could pass
ODD_VALUES = [{}, {"a": 1}, [], ["phone"], [[]], 1, 1.5, True, False, -1]


def errors(c: Collector) -> dict[str, str]:
    return {e.field: e.code for e in c.errors}


@pytest.mark.parametrize("raw", ODD_VALUES, ids=repr)
def test_choice_refuses_any_non_text_at_the_field_issue12_item10(raw):
    """{"method": {}} reached `raw not in valid` and raised TypeError (unhashable dict)."""
    c = Collector()

    value = c.choice({"method": raw}, "method", "method", CHOICES)

    assert value == ""
    assert errors(c) == {"method": "choice"}


@pytest.mark.parametrize("raw", ODD_VALUES, ids=repr)
def test_choices_refuses_each_non_text_item(raw):
    c = Collector()

    value = c.choices({"groups": [raw, "phone"]}, "groups", "groups", CHOICES)

    assert value == ["phone"]
    assert errors(c) == {"groups.0": "choice"}


@pytest.mark.parametrize("raw", [{}, [], 5, 2.5, True])
def test_text_refuses_non_text(raw):
    c = Collector()

    assert c.text({"note": raw}, "note", "note") == ""
    assert errors(c) == {"note": "type"}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("a\x00b", "control_character"),
        ("bell\x07", "control_character"),
        ("\x1b[31m", "control_character"),
        ("form\x0cfeed", "control_character"),
        ("\ud800", "invalid_character"),
        ("x\udfffy", "invalid_character"),
    ],
    ids=["nul", "bell", "escape", "form-feed", "high-surrogate", "low-surrogate"],
)
def test_text_refuses_nul_control_characters_and_lone_surrogates(raw, code):
    c = Collector()

    assert c.text({"summary": raw}, "summary", "summary", max_length=100) == ""
    assert errors(c) == {"summary": code}


def test_text_keeps_tabs_line_breaks_and_chinese():
    c = Collector()

    value = c.text({"note": "第一行\r\n第二行\t完"}, "note", "note", max_length=100)

    assert (value, c.errors) == ("第一行\r\n第二行\t完", [])


@pytest.mark.parametrize("raw", [{}, [], True, 1.5, "2026-02-30", "20260205", "\x00"])
def test_day_refuses_what_is_not_a_date(raw):
    c = Collector()

    assert c.day({"on": raw}, "on", "on") is None
    assert errors(c) == {"on": "date"}


@pytest.mark.parametrize(
    "raw",
    [{}, [], True, 1.5, "NaN", "1e3", "12,000.001x", 10**5000],
    ids=["dict", "list", "bool", "float", "nan", "exponent", "junk", "5000-digit-int"],
)
def test_money_refuses_what_is_not_an_amount(raw):
    c = Collector()

    assert c.money({"amount": raw}, "amount", "amount") is None
    assert set(errors(c)) == {"amount"}


def test_money_reads_a_plain_amount():
    c = Collector()

    assert c.money({"amount": "12000.5"}, "amount", "amount") == Decimal("12000.50")


@pytest.mark.parametrize(
    "raw",
    [{}, [], True, 1.5, "x", float("inf"), float("nan"), "9" * 5000],
    ids=["dict", "list", "bool", "float", "text", "inf", "nan", "5000-digits"],
)
def test_whole_refuses_what_is_not_a_whole_number(raw):
    c = Collector()

    assert c.whole({"months": raw}, "months", "months") is None
    assert errors(c) == {"months": "integer"}


@pytest.mark.parametrize("raw", [{}, "yes", 1, None])
def test_boolean_and_items_refuse_the_wrong_shape(raw):
    c = Collector()
    c.boolean({"flag": raw}, "flag", "flag")
    c.items({"list": raw}, "list", "list", maximum=5)

    expected = {} if raw is None else {"flag": "type", "list": "type"}
    assert errors(c) == expected


@pytest.mark.parametrize("data", [None, [], "text", 5])
def test_readers_take_a_missing_mapping_as_missing_values(data):
    """A nested part that is not an object (the caller reports its shape) does not raise."""
    c = Collector()

    c.text(data, "name", "p.name", required=True)
    c.choice(data, "kind", "p.kind", CHOICES)

    assert errors(c) == {"p.name": "required", "p.kind": "required"}


def test_unsafe_text_names_every_bad_string_and_key_by_its_path():
    body = {
        "summary": "ok",
        "claimants": [{"name": "张三"}, {"name": "李\x00四", "address": "\ud800"}],
        "bad\x01key": 1,
    }

    found = {e.field: e.code for e in unsafe_text(body)}

    assert found == {
        "claimants.1.name": "control_character",
        "claimants.1.address": "invalid_character",
        "bad\ufffdkey": "control_character",
    }


def test_unsafe_text_walks_a_deep_body_without_recursion_and_reports_at_most_20():
    deep: object = "\x00"
    for _ in range(5000):
        deep = [deep]
    many = {f"f{i}": "\x00" for i in range(100)}

    assert [e.code for e in unsafe_text(deep)] == ["control_character"]
    assert len(unsafe_text(many)) == 20


def test_text_problem_and_printable():
    assert text_problem("正常的文字\t\n") is None
    assert printable("a\x00b\ud800") == "a\ufffdb\ufffd"
