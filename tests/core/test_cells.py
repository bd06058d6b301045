"""Spreadsheet cell readers for wage-arrears imports (zhichi.core.cells)."""

import ast
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core import cells
from zhichi.core.cells import (
    Cell,
    amount,
    day,
    id_number_cell,
    months,
    months_between,
    name,
    period,
    phone_cell,
    text,
)
from zhichi.core.identifiers import validate_id_number, validate_phone
from zhichi.core.money import rmb_capital

pytestmark = pytest.mark.unit

D = Decimal


def ok(value):
    return Cell(value)


def refused(code):
    return Cell(None, code)


EMPTY = Cell(None)


def test_cell_is_ok_only_without_a_code():
    assert Cell(3).ok
    assert Cell(None).ok
    assert not Cell(None, "format").ok


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  hello  ", "hello"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width ASCII becomes half-width
        ("a\u3000\u3000b", "a b"),  # ideographic spaces
        ("a\u00a0 \tb", "a b"),  # NBSP and tab
        ("a\u200bb", "a b"),  # zero-width space
        ("\ufeffheader", "header"),  # BOM at the start of a CSV
        ("line\nbreak", "line break"),
        (3, "3"),
        (3.0, "3"),
        (1200.5, "1200.5"),
        (True, "TRUE"),
        (date(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5, 9, 30), "2024-03-05 09:30:00"),
        (time(9, 30), "09:30:00"),
    ],
)
def test_text_normalises_cells(raw, expected):
    assert text(raw) == ok(expected)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\u200b", "\u00a0\t\n"])
def test_text_empty_cells_are_none_without_an_error(raw):
    assert text(raw) == EMPTY


def test_text_refuses_a_non_finite_float():
    assert text(float("nan")) == refused("format")


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张 三", "张三"),
        ("张\u3000\u3000三", "张三"),
        (" 李  四 ", "李四"),
        ("艾力•买买提", "艾力·买买提"),
        ("艾力．买买提", "艾力·买买提"),  # full-width full stop
        ("艾力.买买提", "艾力·买买提"),
        ("艾力・买买提", "艾力·买买提"),  # katakana middle dot
        ("艾力 · 买买提", "艾力·买买提"),
        ("深圳市某某建筑劳务有限公司", "深圳市某某建筑劳务有限公司"),
        ("ＡＢＣ 建筑公司", "ABC建筑公司"),  # a name with CJK loses all whitespace
        ("Acme  Building   Co. Ltd.", "Acme Building Co. Ltd."),  # Latin names keep one space
        ("A.B.C. Ltd", "A.B.C. Ltd"),  # a period between Latin letters stays
        ("John Smith", "John Smith"),
    ],
)
def test_name_normalises_person_and_organisation_names(raw, expected):
    assert name(raw) == ok(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("123", "format"), ("-", "format"), ("/", "format"), (0, "format"), ("张" * 201, "too_long")],
)
def test_name_refuses_placeholders_and_overlong_names(raw, code):
    assert name(raw) == refused(code)


def test_name_allows_exactly_200_characters():
    assert name("张" * 200) == ok("张" * 200)


def test_name_of_an_empty_cell_is_none():
    assert name("  ") == EMPTY


# --- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1200, "1200.00"),
        (0, "0.00"),
        (1200.1, "1200.10"),
        (1200.0999999999, "1200.10"),  # Excel's binary double for 1200.1
        (0.1 + 0.2, "0.30"),
        (-0.0, "0.00"),
        ("1200", "1200.00"),
        ("１２００", "1200.00"),
        ("1,200.50", "1200.50"),
        ("1，200", "1200.00"),
        ("1'200", "1200.00"),
        ("1 200", "1200.00"),
        ("¥1200", "1200.00"),
        ("￥1,200.00", "1200.00"),
        ("RMB 1200", "1200.00"),
        ("rmb1200", "1200.00"),
        ("人民币1200", "1200.00"),
        ("1200元", "1200.00"),
        ("1200圆", "1200.00"),
        ("1200块", "1200.00"),
        ("1200元整", "1200.00"),
        ("1200整", "1200.00"),
        ("1200元人民币", "1200.00"),
        ("人民币1200元整", "1200.00"),
        (".5", "0.50"),
        ("1200.500", "1200.50"),  # trailing zeros lose no fen
        ("1.2万", "12000.00"),
        ("1.2万元", "12000.00"),
        ("12万", "120000.00"),
        ("1.23456万", "12345.60"),
        ("0.5亿", "50000000.00"),
        # capitals (大写), rule DOC-2
        ("壹仟贰佰元整", "1200.00"),
        ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"),
        ("人民币贰佰元零伍分", "200.05"),
        ("伍拾元", "50.00"),
        ("拾元", "10.00"),
        ("拾伍元", "15.00"),
        ("壹仟贰佰圆正", "1200.00"),
        ("人民币伍角叁分", "0.53"),
        ("伍分", "0.05"),
        ("人民币零元整", "0.00"),
        ("壹仟零伍元", "1005.00"),
        ("壹拾万零伍佰元整", "100500.00"),
        ("壹亿零壹万元整", "100010000.00"),
        ("壹拾亿壹仟万元整", "1010000000.00"),
        ("壹仟陆佰捌拾元零叁角贰分", "1680.32"),
        ("玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分", "999999999999.99"),
        # lower-case numerals
        ("一千二百元", "1200.00"),
        ("一万二千元", "12000.00"),
        ("两千元", "2000.00"),
        ("十二元", "12.00"),
        ("一千零五元", "1005.00"),
        ("二十五元", "25.00"),
    ],
)
def test_amount_reads_figures_and_numerals(raw, expected):
    result = amount(raw)
    assert result == ok(D(expected))
    assert result.value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("abc", "format"),
        ("¥", "format"),
        ("元", "format"),
        ("整", "format"),
        ("1200.5.3", "format"),
        ("1e5", "format"),
        ("$1200", "format"),
        ("三千五", "format"),  # 3005 or 3500? colloquial, not guessed
        ("一万五", "format"),
        ("一千五万", "format"),
        ("壹仟贰佰伍", "format"),
        ("三块五", "format"),
        ("五零元", "format"),
        ("仟元", "format"),
        ("壹佰壹仟元", "format"),  # units out of order
        ("壹万壹亿元", "format"),
        (True, "format"),
        (date(2024, 3, 5), "format"),
        (float("nan"), "format"),
        (float("inf"), "format"),
        ("-5", "negative"),
        ("-¥1200", "negative"),
        ("¥-1200", "negative"),
        (-1, "negative"),
        (-0.01, "negative"),
        ("1000000000000", "too_large"),
        ("1万亿", "format"),
        ("10000亿", "too_large"),
        (10**12, "too_large"),
        (1e12, "too_large"),
        ("1200.555", "fen"),
        ("0.001", "fen"),
        ("1.2345678万", "fen"),
        (1200.123, "fen"),
        (0.005, "fen"),
    ],
)
def test_amount_refuses_with_a_stable_code(raw, code):
    assert amount(raw) == refused(code)


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_amount_of_an_empty_cell_is_none_without_an_error(raw):
    assert amount(raw) == EMPTY


two_place_amounts = st.integers(min_value=0, max_value=10**14 - 1).map(lambda fen: D(fen) / 100)


@settings(max_examples=400)
@given(two_place_amounts)
def test_amount_reads_back_every_rmb_capital(d):
    assert amount(rmb_capital(d)) == ok(d)


@settings(max_examples=400)
@given(two_place_amounts)
def test_amount_reads_back_figures_with_thousands_separators(d):
    assert amount(f"{d:,}元") == ok(d)


@settings(max_examples=400)
@given(st.integers(min_value=0, max_value=10**11 - 1).map(lambda fen: D(fen) / 100))
def test_amount_reads_excel_doubles_back_to_the_fen(d):
    assert amount(float(d)) == ok(d)


@settings(max_examples=400)
@given(st.text())
def test_amount_never_raises_on_text(raw):
    result = amount(raw)
    assert result.value is None or isinstance(result.value, Decimal)


# --- dates ----------------------------------------------------------------------------------

MARCH_5 = date(2024, 3, 5)
MARCH_5_SERIAL = 45356


def serial_of(d):
    """Excel's 1900 serial for a date from 1900-03-01 on (after the phantom 1900-02-29)."""
    return (d - date(1899, 12, 30)).days


@pytest.mark.parametrize(
    "raw",
    [
        MARCH_5,
        datetime(2024, 3, 5, 17, 45),
        MARCH_5_SERIAL,
        float(MARCH_5_SERIAL),
        MARCH_5_SERIAL + 0.75,  # the fraction is the time of day
        "2024-03-05",
        "2024/3/5",
        "2024.3.5",
        "2024年3月5日",
        "2024年3月5号",
        "2024 年 3 月 5 日",
        "２０２４年３月５日",
        "20240305",
        "2024/3/5 0:00",
        "2024-03-05 08:30:00",
        "二〇二四年三月五日",
        "二零二四年三月五日",
        "二○二四年三月五日",
        "45356",
    ],
)
def test_day_reads_dates_serials_and_text(raw):
    assert day(raw) == ok(MARCH_5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024年3月", date(2024, 3, 1)),
        ("2024-03", date(2024, 3, 1)),
        ("2024.3", date(2024, 3, 1)),
        ("2024/12", date(2024, 12, 1)),
        ("二〇二四年十二月三十一日", date(2024, 12, 31)),
        ("二〇二四年十月二十一日", date(2024, 10, 21)),
        ("二〇二四年十一月三十日", date(2024, 11, 30)),
        ("2024年2月29日", date(2024, 2, 29)),
        ("1900-01-01", date(1900, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
    ],
)
def test_day_reads_month_only_and_chinese_numeral_dates(raw, expected):
    assert day(raw) == ok(expected)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_day_reads_the_1900_serial_system(serial, expected):
    assert day(serial) == ok(expected)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(0, date(1904, 1, 1)), (1, date(1904, 1, 2)), (MARCH_5_SERIAL - 1462, MARCH_5)],
)
def test_day_reads_the_1904_serial_system(serial, expected):
    assert day(serial, date1904=True) == ok(expected)


@pytest.mark.parametrize(
    "raw",
    [
        60,  # 1900-02-29 never existed
        0,
        -1,
        2958466,
        float("nan"),
        True,
        time(9, 0),
        timedelta(days=3),
        "2024-02-30",
        "20240230",
        "2023年2月29日",
        "2024-13",
        "2024年0月",
        "1899-12-31",
        "2101-01-01",
        "2024-3/5",
        "三月五日",
        "yesterday",
        "1234",
    ],
)
def test_day_refuses_impossible_dates(raw):
    assert day(raw) == refused("format")


def test_day_refuses_a_negative_1904_serial():
    assert day(-1, date1904=True) == refused("format")


@settings(max_examples=400)
@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_day_reads_back_every_excel_serial(d):
    assert day(serial_of(d)) == ok(d)
    assert day(float(serial_of(d)) + 0.5) == ok(d)


@settings(max_examples=400)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_day_reads_back_chinese_dates(d):
    assert day(d.strftime("%Y年%m月%d日")) == ok(d)
    assert day(d.isoformat()) == ok(d)


# --- months and periods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (3, 3),
        (3.0, 3),
        (0, 0),
        (600, 600),
        ("3", 3),
        ("3个月", 3),
        ("三个月", 3),
        ("十二个月", 12),
        ("二十四个月", 24),
        ("两个月", 2),
        ("３个月", 3),
        (" 6 个月 ", 6),
    ],
)
def test_months_reads_counts(raw, expected):
    assert months(raw) == ok(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (601, "range"),
        (-1, "range"),
        ("-3", "range"),
        ("1000个月", "range"),
        ("2.5", "format"),
        (2.5, "format"),
        ("半个月", "format"),
        ("三月", "format"),
        ("abc", "format"),
        (True, "format"),
        (float("inf"), "format"),
    ],
)
def test_months_refuses_with_a_stable_code(raw, code):
    assert months(raw) == refused(code)


MARCH_TO_AUGUST = (date(2024, 3, 1), date(2024, 8, 31))


@pytest.mark.parametrize(
    "raw",
    [
        "2024年3月至2024年8月",
        "2024年3月-8月",
        "2024年3月-2024年8月",
        "2024.03-2024.08",
        "2024/3/1~2024/8/31",
        "2024/3/1～2024/8/31",
        "2024-03至2024-08",
        "2024-03-2024-08",
        "2024-03－2024-08",
        "2024年3月—2024年8月",
        "2024年3月–2024年8月",
        "2024年3月到8月",
        "2024年3月 至 2024年8月",
        "自2024年3月至2024年8月止",
        "2024年3月1日至2024年8月31日",
        "二〇二四年三月至二〇二四年八月",
    ],
)
def test_period_reads_spans_of_months(raw):
    assert period(raw) == ok(MARCH_TO_AUGUST)


def test_period_end_on_a_day_keeps_that_day():
    assert period("2024/3/15-2024/4/10") == ok((date(2024, 3, 15), date(2024, 4, 10)))


def test_period_end_in_february_is_its_last_day():
    assert period("2024年1月至2月") == ok((date(2024, 1, 1), date(2024, 2, 29)))


def test_period_of_a_single_month_is_that_month():
    assert period("2024年3月") == ok((date(2024, 3, 1), date(2024, 3, 31)))


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2024年8月至2024年3月", "order"),
        ("2024年11月-2月", "order"),  # the end inherits 2024: not guessed as 2025
        ("2024-03-05", "format"),
        ("2024年3月至", "format"),
        ("至2024年8月", "format"),
        ("去年三月到八月", "format"),
        ("2024年3月至2024年13月", "format"),
        (MARCH_5, "format"),
        (45356, "format"),
    ],
)
def test_period_refuses_with_a_stable_code(raw, code):
    assert period(raw) == refused(code)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 3, 1), date(2024, 8, 31), 6),
        (date(2024, 3, 15), date(2024, 3, 20), 1),
        (date(2024, 3, 31), date(2024, 4, 1), 2),
        (date(2023, 11, 1), date(2024, 2, 29), 4),
    ],
)
def test_months_between_counts_calendar_months_inclusively(start, end, expected):
    assert months_between(start, end) == expected


def test_months_between_refuses_a_reversed_span():
    with pytest.raises(ValueError):
        months_between(date(2024, 3, 2), date(2024, 3, 1))


@settings(max_examples=300)
@given(st.dates(), st.dates())
def test_months_between_is_at_least_one_for_an_ordered_span(a, b):
    start, end = min(a, b), max(a, b)
    assert months_between(start, end) >= 1


# --- identifiers ----------------------------------------------------------------------------

ID_ENDING_X = "11010519491231002X"  # GB 11643's example; its check character is X


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("440524188001010014", "440524188001010014"),
        (" 4405 2418 8001 0100 14 ", "440524188001010014"),
        ("４４０５２４１８８００１０１００１４", "440524188001010014"),
        ("11010519491231002x", ID_ENDING_X),
        ("11010519491231002Ｘ", ID_ENDING_X),
        ("'440524188001010014", "440524188001010014"),  # Excel's text mark
        (440524880101001, "440524880101001"),  # old 15-digit IDs survive as numbers
        (440524880101001.0, "440524880101001"),
        ("440524880101001.0", "440524880101001"),
        ("11010519491231003", "11010519491231003"),  # 17 digits, check not X: validator's job
        ("12345", "12345"),
    ],
)
def test_id_number_cell_passes_text_on_to_the_validator(raw, expected):
    assert id_number_cell(raw) == ok(expected)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("4.40524E+17", "scientific"),
        ("4.40524e17", "scientific"),
        ("4.40524E17", "scientific"),
        ("4.40524188001010E+17", "scientific"),
        (440524188001010014, "stored_as_number"),
        (440524188001010000, "stored_as_number"),
        (11010519491231002, "stored_as_number"),  # 17-digit int: digits past 15 are lost
        (1234567890123456, "stored_as_number"),
        (4.40524188001010e17, "stored_as_number"),
        (1234.5, "stored_as_number"),
        ("440524188001010000.0", "stored_as_number"),
        ("11010519491231002", "lost_x"),
        (True, "format"),
        (-440524880101001, "format"),
        (float("nan"), "format"),
        (date(2024, 3, 5), "format"),
    ],
)
def test_id_number_cell_reports_what_excel_destroyed(raw, code):
    assert id_number_cell(raw) == refused(code)


def test_id_number_cell_result_validates():
    cell = id_number_cell("４４０５２４１８８００１０１００１４")
    assert validate_id_number(cell.value, today=date(2025, 6, 30)).valid
    assert validate_id_number(
        id_number_cell("11010519491231002x").value, today=date(2025, 6, 30)
    ).valid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        (" 138 0013 8000 ", "138 0013 8000"),
        ("１３８００１３８０００", "13800138000"),
        ("0871-63123456", "0871-63123456"),
        ("'13800138000", "13800138000"),
    ],
)
def test_phone_cell_passes_text_on_to_the_validator(raw, expected):
    result = phone_cell(raw)
    assert result == ok(expected)
    assert validate_phone(result.value).valid


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (1380013800.5, "format"),
        (float("nan"), "format"),
        (-13800138000, "format"),
        (True, "format"),
        ("1.38001E+10", "scientific"),
    ],
)
def test_phone_cell_refuses_what_is_no_phone(raw, code):
    assert phone_cell(raw) == refused(code)


@pytest.mark.parametrize("reader", [id_number_cell, phone_cell, day, months, period, name, text])
@pytest.mark.parametrize("raw", [None, "", " \u3000 "])
def test_every_reader_gives_none_without_an_error_for_an_empty_cell(reader, raw):
    assert reader(raw) == EMPTY


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=400)
@given(st.text())
def test_text_is_idempotent(raw):
    once = text(raw).value
    assert once is None or text(once).value == once


@settings(max_examples=400)
@given(st.text())
def test_name_is_idempotent(raw):
    once = name(raw).value
    assert once is None or name(once).value == once


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from("张三艾力买买提 \u3000\u200b·•．.ＡBc")))
def test_name_is_idempotent_on_chinese_names(raw):
    once = name(raw).value
    assert once is None or name(once).value == once


readers = [day, period, months, id_number_cell, phone_cell, text, name, amount]
# Text that looks like the cells the readers expect, so the search reaches past the first check.
cellish = st.text(
    alphabet=st.sampled_from("0123456789.-/年月日号至到~万亿元角分零一二十百千拾佰仟壹贰Ee+ x'")
)


@pytest.mark.parametrize("reader", readers, ids=lambda r: r.__name__)
@settings(max_examples=1000, deadline=None)  # QUALITY.md R11: ≥ 1,000 examples per validator
@given(raw=st.one_of(st.text(), cellish, st.floats(), st.integers()))
def test_readers_never_raise(reader, raw):
    result = reader(raw)
    assert isinstance(result, Cell)
    assert (result.value is None) or result.ok


def test_core_cells_imports_only_the_standard_library_and_identifiers():
    tree = ast.parse(Path(cells.__file__).read_text(encoding="utf-8"))
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert modules <= {
        "__future__",
        "dataclasses",
        "datetime",
        "decimal",
        "math",
        "re",
        "unicodedata",
        "zhichi.core.identifiers",
    }


def test_format_characters_are_exactly_unicode_category_cf():
    """The fast path's class of format characters is the running Python's category Cf."""
    import unicodedata

    from zhichi.core.cells import _FORMAT

    expected = {c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
    found = {c for c in range(0x110000) if _FORMAT.fullmatch(chr(c))}
    assert found == expected
