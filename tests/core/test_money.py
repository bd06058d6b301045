"""Money numerals and document dates (DOMAIN.md section 7, rule DOC-2)."""

import ast
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from zhichi.core import money
from zhichi.core.money import chinese_date, format_yuan, rmb_capital, round_fen

pytestmark = pytest.mark.unit

# The DOMAIN.md DOC-2 vectors, taken from the 支付结算办法 annex examples.
DOC2_VECTORS = [
    ("4000000", "人民币肆佰万元整"),
    ("1409.50", "人民币壹仟肆佰零玖元伍角"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("100500", "人民币壹拾万零伍佰元整"),
    ("0.53", "人民币伍角叁分"),
    ("100010000", "人民币壹亿零壹万元整"),
]

# Further cases worked out by hand from the DOC-2 rules.
EXTRA_VECTORS = [
    ("0", "人民币零元整"),
    ("0.00", "人民币零元整"),
    ("0.05", "人民币伍分"),
    ("0.50", "人民币伍角"),
    ("1", "人民币壹元整"),
    ("10", "人民币壹拾元整"),
    ("15", "人民币壹拾伍元整"),
    ("110000", "人民币壹拾壹万元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("100000", "人民币壹拾万元整"),
    ("100000000", "人民币壹亿元整"),
    ("1000010", "人民币壹佰万零壹拾元整"),
    ("1000000000", "人民币壹拾亿元整"),
    ("1010000000", "人民币壹拾亿壹仟万元整"),
    ("100005000", "人民币壹亿零伍仟元整"),
    ("105000000", "人民币壹亿零伍佰万元整"),
    ("10001", "人民币壹万零壹元整"),
    ("20.10", "人民币贰拾元零壹角"),
    ("20.01", "人民币贰拾元零壹分"),
    ("21.01", "人民币贰拾壹元零壹分"),
    ("21.10", "人民币贰拾壹元壹角"),
    ("338724", "人民币叁拾叁万捌仟柒佰贰拾肆元整"),
    ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "expected"), DOC2_VECTORS)
def test_doc2_rmb_capital_matches_domain_vectors(amount, expected):
    assert rmb_capital(Decimal(amount)) == expected


@pytest.mark.parametrize(("amount", "expected"), EXTRA_VECTORS)
def test_doc2_rmb_capital_zero_and_group_cases(amount, expected):
    assert rmb_capital(Decimal(amount)) == expected


def test_doc2_rmb_capital_accepts_int_and_str():
    assert rmb_capital(4000000) == "人民币肆佰万元整"
    assert rmb_capital("1409.50") == "人民币壹仟肆佰零玖元伍角"
    assert rmb_capital(" 325.04 ") == "人民币叁佰贰拾伍元零肆分"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "人民币壹分"),
        ("0.004", "人民币零元整"),
        ("1.235", "人民币壹元贰角肆分"),
        ("1.225", "人民币壹元贰角叁分"),  # HALF_UP, not banker's rounding
        ("9.995", "人民币壹拾元整"),
    ],
)
def test_doc2_rmb_capital_rounds_half_up_to_the_fen(amount, expected):
    assert rmb_capital(amount) == expected


@pytest.mark.parametrize("amount", [1.5, 0.0, True])
def test_doc2_rmb_capital_refuses_float_and_bool(amount):
    with pytest.raises(TypeError):
        rmb_capital(amount)


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-0.01"),
        -1,
        "-5",
        Decimal("NaN"),
        Decimal("Infinity"),
        "inf",
        "abc",
        "",
        Decimal("1000000000000"),
        10**12,
        "999999999999.995",  # rounds to 1 万亿
        Decimal("1E+30"),
    ],
)
def test_doc2_rmb_capital_rejects_negative_non_finite_and_too_large(amount):
    with pytest.raises(ValueError):
        rmb_capital(amount)


def test_doc2_rmb_capital_refuses_other_types():
    with pytest.raises(TypeError):
        rmb_capital(None)
    with pytest.raises(TypeError):
        rmb_capital([1])


def test_round_fen_half_up():
    assert round_fen("2.675") == Decimal("2.68")
    assert round_fen(3) == Decimal("3.00")
    with pytest.raises(TypeError):
        round_fen(2.675)


def test_format_yuan():
    assert format_yuan(Decimal("12000")) == "¥12,000.00"
    assert format_yuan(12000) == "¥12,000.00"
    assert format_yuan("338724") == "¥338,724.00"
    assert format_yuan(Decimal("8897.415")) == "¥8,897.42"
    assert format_yuan(Decimal("0.5")) == "¥0.50"
    assert format_yuan(0) == "¥0.00"
    assert format_yuan(Decimal("-1234.5")) == "-¥1,234.50"
    with pytest.raises(TypeError):
        format_yuan(12000.0)
    with pytest.raises(ValueError):
        format_yuan(Decimal("NaN"))


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 11, 28), "二〇二六年十一月二十八日"),
        (date(2026, 1, 1), "二〇二六年一月一日"),
        (date(2020, 10, 10), "二〇二〇年十月十日"),
        (date(2001, 12, 20), "二〇〇一年十二月二十日"),
        (date(1999, 3, 31), "一九九九年三月三十一日"),
        (date(2000, 2, 29), "二〇〇〇年二月二十九日"),
        (date(2024, 6, 30), "二〇二四年六月三十日"),
        (date(2025, 7, 15), "二〇二五年七月十五日"),
    ],
)
def test_doc1_chinese_date(d, expected):
    assert chinese_date(d) == expected


def test_chinese_date_refuses_non_dates():
    with pytest.raises(TypeError):
        chinese_date("2026-11-28")


def test_core_money_imports_only_the_standard_library():
    tree = ast.parse(Path(money.__file__).read_text(encoding="utf-8"))
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert modules <= {"__future__", "datetime", "decimal"}


# --- properties ---------------------------------------------------------------------------

_DIGIT_VALUES = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def parse_capital(text: str) -> Decimal:
    """An independent reader of 人民币大写, used to check that nothing is lost."""
    assert text.startswith("人民币")
    body = text.removeprefix("人民币").removesuffix("整")
    total = section = digit = 0
    yuan = 0
    jiao = fen = 0
    for ch in body:
        if ch in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[ch]
        elif ch in _SMALL_UNITS:
            section += digit * _SMALL_UNITS[ch]
            digit = 0
        elif ch == "万":
            section = (section + digit) * 10_000
            digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
        elif ch == "元":
            yuan = total + section + digit
            total = section = digit = 0
        elif ch == "角":
            jiao, digit = digit, 0
        elif ch == "分":
            fen, digit = digit, 0
        else:
            raise AssertionError(f"unexpected character {ch!r} in {text}")
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100


cent_amounts = st.integers(min_value=0, max_value=10**11 - 1).map(lambda c: Decimal(c) / 100)


@settings(max_examples=1000)
@given(a=cent_amounts, b=cent_amounts)
def test_doc2_property_distinct_amounts_give_distinct_capitals(a, b):
    assume(a != b)
    assert rmb_capital(a) != rmb_capital(b)


@settings(max_examples=1000)
@given(amount=cent_amounts)
def test_doc2_property_shape_of_capital(amount):
    text = rmb_capital(amount)
    assert text.startswith("人民币")
    assert "零零" not in text
    has_jiao_or_fen = amount != amount.to_integral_value()
    assert text.endswith("整") == (not has_jiao_or_fen)
    assert parse_capital(text) == amount
    assert "整" not in text[:-1]


@settings(max_examples=1000)
@given(amount=st.integers(min_value=0, max_value=10**12 - 1))
def test_doc2_property_whole_yuan_round_trip(amount):
    text = rmb_capital(amount)
    assert text.endswith("元整")
    assert parse_capital(text) == amount
    assert "零零" not in text


_DATE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_SMALL = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _parse_small(text: str) -> int:
    if "十" not in text:
        assert len(text) == 1
        return _SMALL[text]
    tens, _, units = text.partition("十")
    return (_SMALL[tens] if tens else 1) * 10 + (_SMALL[units] if units else 0)


def parse_chinese_date(text: str) -> date:
    year, rest = text.split("年")
    month, rest = rest.split("月")
    day = rest.removesuffix("日")
    assert rest.endswith("日")
    return date(
        int("".join(str(_DATE_DIGITS[c]) for c in year)), _parse_small(month), _parse_small(day)
    )


@settings(max_examples=1000)
@given(d=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_chinese_date_property_round_trips(d):
    assert parse_chinese_date(chinese_date(d)) == d


def test_chinese_date_every_day_of_a_leap_year_round_trips():
    d = date(2024, 1, 1)
    while d.year == 2024:
        assert parse_chinese_date(chinese_date(d)) == d
        d += timedelta(days=1)
