"""Number patterns (rule DOC-1) are data: only {short}, {year} and {seq} with a bounded width."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhichi.core import numbering

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{short}民支受〔{year}〕{seq}号", "五华检民支受〔2026〕7号"),
        ("{short}受字〔{year}〕第{seq:03d}号", "五华检受字〔2026〕第007号"),
        ("{seq:8d}", "00000007"),
        ("{{{seq}}}", "{7}"),
    ],
)
def test_doc1_patterns_give_the_documented_numbers(pattern, expected):
    assert numbering.check_pattern(pattern) == []
    assert numbering.format_number(pattern, short="五华检", year=2026, seq=7) == expected


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("{short.__class__.__mro__}{seq}", "placeholder"),
        ("{seq:>3000000}", "placeholder"),
        ("{seq:09d}", "placeholder"),
        ("{seq!r}", "placeholder"),
        ("{short[0]}{seq}", "placeholder"),
        ("{year:04d}{seq}", "placeholder"),
        ("{}{seq}", "placeholder"),
        ("{seq", "brace"),
        ("x}{seq}", "brace"),
        ("{short}〔{year}〕号", "no_seq"),
        ("{seq}" + "号" * 100, "max_length"),
    ],
)
def test_doc1_anything_else_is_refused(pattern, code):
    assert [p.code for p in numbering.check_pattern(pattern)][:1] == [code]
    with pytest.raises(ValueError):
        numbering.format_number(pattern, short="五华检", year=2026, seq=1)


PIECES = st.sampled_from(
    [
        "{short}",
        "{year}",
        "{seq}",
        "{seq:03d}",
        "{seq:8d}",
        "〔",
        "〕",
        "号",
        "{",
        "}",
        "{{",
        "}}",
        "{short.x}",
        "{seq:>99}",
        "{0}",
    ]
)


@given(
    pattern=st.lists(PIECES | st.text(max_size=3), max_size=12).map("".join),
    short=st.text(max_size=20),
    seq=st.integers(min_value=1, max_value=10**7),
)
def test_doc1_no_pattern_can_make_a_number_longer_than_its_parts(pattern, short, seq):
    """Whatever an administrator types, the number is bounded and nothing but the three values
    is ever substituted."""
    if numbering.check_pattern(pattern):
        with pytest.raises(ValueError):
            numbering.format_number(pattern, short=short, year=2026, seq=seq)
        return
    number = numbering.format_number(pattern, short=short, year=2026, seq=seq)
    fields = pattern.count("{short}") * len(short) + pattern.count("{year}") * 4
    assert len(number) <= len(pattern) + fields + pattern.count("{seq") * 10
