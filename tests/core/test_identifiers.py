"""Identifier validation and masking (DOMAIN.md section 6, rules ID-1, ID-2, ID-3)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhichi.core.identifiers import (
    IdCheck,
    Issue,
    convert_15_to_18,
    credit_check_char,
    id_check_char,
    mask_bank_card,
    mask_credit_code,
    mask_id_number,
    mask_phone,
    normalise,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

pytestmark = pytest.mark.unit

TODAY = date(2025, 6, 30)
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB/T 2260 province-level codes, written out independently of the module under test.
PROVINCES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
]


def codes(issues: tuple[Issue, ...]) -> list[str]:
    return [issue.code for issue in issues]


def with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


def to_fullwidth(text: str) -> str:
    """ASCII to its full-width form, as a Chinese IME types it."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


# --- rule ID-1: resident ID ------------------------------------------------------


def test_id1_standard_example_valid():
    result = validate_id_number("11010519491231002X", today=TODAY)
    assert result == IdCheck(
        valid=True,
        normalised="11010519491231002X",
        errors=(),
        birth_date=date(1949, 12, 31),
        sex="female",
    )


def test_id1_second_standard_example_born_1880_valid():
    result = validate_id_number("440524188001010014", today=TODAY)
    assert result.valid is True
    assert result.errors == ()
    assert result.birth_date == date(1880, 1, 1)
    assert result.sex == "male"


def test_id1_fifteen_digit_converts_to_eighteen():
    result = validate_id_number("110105491231002", today=TODAY)
    assert result.valid is True
    assert result.normalised == "11010519491231002X"
    assert result.converted_from_15 is True
    assert result.birth_date == date(1949, 12, 31)


def test_id1_convert_15_to_18_vector():
    assert convert_15_to_18("110105491231002") == "11010519491231002X"


def test_id1_wrong_check_digit_is_checksum_error():
    result = validate_id_number("110105194912310021", today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["checksum"]


def test_id1_check_char_vectors():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("bad", ["", "1101051949123100", "1101051949123100２", "1101051949123100a"])
def test_id1_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        id_check_char(bad)


@pytest.mark.parametrize("bad", ["", "11010549123100", "11010549123100X"])
def test_id1_convert_15_to_18_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        convert_15_to_18(bad)


def test_id1_lowercase_x_normalised_to_upper():
    result = validate_id_number("11010519491231002x", today=TODAY)
    assert result.valid is True
    assert result.normalised == "11010519491231002X"


def test_id1_fullwidth_input_normalised():
    result = validate_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert result.valid is True
    assert result.normalised == "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        "110105 19491231 002X",
        " 11010519491231002X ",
        "110105\u300019491231\u3000002X",
        "110105-19491231-002X",
        "110105\t19491231\n002X",
        "11010519491231\u200b002X",
    ],
)
def test_id1_spaces_hyphens_and_zero_width_removed(raw):
    result = validate_id_number(raw, today=TODAY)
    assert result.valid is True
    assert result.normalised == "11010519491231002X"


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "-"])
def test_id1_empty_is_required_error(raw):
    result = validate_id_number(raw, today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["required"]


@pytest.mark.parametrize("raw", ["1", "11010519491231002", "11010519491231002X1", "1101054912310"])
def test_id1_wrong_length_is_length_error(raw):
    result = validate_id_number(raw, today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["length"]


@pytest.mark.parametrize(
    "raw",
    [
        "1101051949123100XX",  # X only allowed last
        "11010519491231002A",
        "A1010519491231002X",
        "11010549123100X",  # 15-digit form has no check character
        "11010549123100Y",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits are not ID digits
    ],
)
def test_id1_wrong_characters_is_format_error(raw):
    result = validate_id_number(raw, today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["format"]


@pytest.mark.parametrize(
    "prefix", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60", "70", "80"]
)
def test_id1_unknown_province_is_region_error(prefix):
    result = validate_id_number(with_check(prefix + "010519491231002"), today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["region"]


def test_id1_yunnan_kunming_region_valid():
    result = validate_id_number(with_check("53010219800101001"), today=TODAY)
    assert result.valid is True
    assert result.sex == "male"


def test_id1_foreign_permanent_resident_leading_9_accepted():
    result = validate_id_number(with_check("91115619800101001"), today=TODAY)
    assert result.valid is True


def test_id1_feb_30_is_birth_date_error():
    result = validate_id_number(with_check("11010519490230002"), today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["birth_date"]
    assert result.birth_date is None


@pytest.mark.parametrize("birth", ["19491301", "19490000", "19490431", "19000229", "00000101"])
def test_id1_impossible_date_is_birth_date_error(birth):
    result = validate_id_number(with_check("110105" + birth + "002"), today=TODAY)
    assert codes(result.errors) == ["birth_date"]


def test_id1_leap_day_valid():
    result = validate_id_number(with_check("11010520000229002"), today=TODAY)
    assert result.valid is True
    assert result.birth_date == date(2000, 2, 29)


def test_id1_birth_before_1800_is_birth_date_error():
    result = validate_id_number(with_check("11010517991231002"), today=TODAY)
    assert codes(result.errors) == ["birth_date"]


def test_id1_future_birth_date_is_error():
    result = validate_id_number(with_check("11010520250701002"), today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["future_birth"]
    assert result.birth_date == date(2025, 7, 1)


def test_id1_born_today_is_valid():
    result = validate_id_number(with_check("11010520250630002"), today=TODAY)
    assert result.valid is True


def test_id1_region_birth_and_checksum_reported_together():
    result = validate_id_number("000105194902300020", today=TODAY)
    assert result.valid is False
    assert codes(result.errors) == ["region", "birth_date", "checksum"]


def test_id1_fifteen_digit_with_impossible_date_is_birth_date_error():
    result = validate_id_number("110105490230002", today=TODAY)
    assert result.valid is False
    assert result.converted_from_15 is True
    assert codes(result.errors) == ["birth_date"]
    assert len(result.normalised) == 18


def test_id1_sex_from_sequence_parity():
    assert validate_id_number(with_check("11010519800101001"), today=TODAY).sex == "male"
    assert validate_id_number(with_check("11010519800101002"), today=TODAY).sex == "female"


def test_id1_error_messages_are_nonempty_english():
    result = validate_id_number("000105194902300020", today=TODAY)
    assert all(issue.message and issue.message.isascii() for issue in result.errors)


def test_id1_normalise_examples():
    assert normalise("１１０１０５ １９４９－１２３１\u3000００２ｘ") == "11010519491231002X"
    assert normalise("") == ""


# --- rule ID-2: unified social credit code ---------------------------------------


@pytest.mark.parametrize("code", ["914403001922038216", "91110108551385082Q", "91100000100003962T"])
def test_id2_real_codes_pass_both_checks(code):
    result = validate_credit_code(code)
    assert result == IdCheck(valid=True, normalised=code, errors=(), warnings=())


def test_id2_wrong_check_char_is_checksum_error():
    result = validate_credit_code("91100000100003962A")
    assert result.valid is False
    assert codes(result.errors) == ["checksum"]


def test_id2_check_char_vectors():
    assert credit_check_char("91440300192203821") == "6"
    assert credit_check_char("91110108551385082") == "Q"
    assert credit_check_char("91100000100003962") == "T"


@pytest.mark.parametrize("bad", ["", "9144030019220382", "9144030019220382I", "914403001922038211"])
def test_id2_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        credit_check_char(bad)


@pytest.mark.parametrize(
    "raw",
    [
        "91110108551385082q",
        "９１１１０１０８５５１３８５０８２Ｑ",
        " 9111 0108 5513 8508 2Q ",
        "91110108-55138508-2Q",
    ],
)
def test_id2_lowercase_fullwidth_and_spaces_normalised(raw):
    result = validate_credit_code(raw)
    assert result.valid is True
    assert result.normalised == "91110108551385082Q"


@pytest.mark.parametrize("raw", ["", "  ", "\u3000"])
def test_id2_empty_is_required_error(raw):
    assert codes(validate_credit_code(raw).errors) == ["required"]


@pytest.mark.parametrize("raw", ["9144030019220382", "9144030019220382166", "91"])
def test_id2_wrong_length_is_length_error(raw):
    assert codes(validate_credit_code(raw).errors) == ["length"]


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "#", "中"])
def test_id2_excluded_characters_are_charset_error(bad):
    result = validate_credit_code("9144030019220382" + bad + "6")
    assert result.valid is False
    assert codes(result.errors) == ["charset"]


def test_id2_bad_org_code_is_warning_not_error():
    # Position 17 changed 1 -> 2 (org code now fails), position 18 recomputed.
    code = "91440300192203822" + credit_check_char("91440300192203822")
    result = validate_credit_code(code)
    assert result.valid is True
    assert result.errors == ()
    assert codes(result.warnings) == ["org_code_checksum"]


def test_id2_org_code_with_letters_valued_a10_to_z35():
    # M=22 A=10 6 K=20 0 0 0 1: 22*3+10*7+6*9+20*10+1*2 = 392; 392 mod 11 = 7; 11-7 = 4.
    good = "91530100MA6K00014"
    bad = "91530100MA6K00015"
    assert validate_credit_code(good + credit_check_char(good)).warnings == ()
    assert codes(validate_credit_code(bad + credit_check_char(bad)).warnings) == [
        "org_code_checksum"
    ]


def test_id2_org_code_check_10_is_x_and_11_is_0():
    # "00000006": 6*2 = 12 -> 12 mod 11 = 1 -> c = 10 -> X; "00000000": 0 -> c = 11 -> 0.
    for org in ("00000006X", "000000000"):
        first17 = "91110000" + org
        assert validate_credit_code(first17 + credit_check_char(first17)).warnings == ()


# --- mainland phone numbers -------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800000000",
        "+86 138 0000 0000",
        "+8613800000000",
        "008613800000000",
        "8613800000000",
        "138-0000-0000",
        "(+86) 138 0000 0000",
        "＋８６ １３８００００００００",
    ],
)
def test_phone_mobile_forms_normalise_to_11_digits(raw):
    result = validate_phone(raw)
    assert result.valid is True
    assert result.normalised == "13800000000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0871-65123456", "0871-65123456"),
        ("087165123456", "0871-65123456"),
        ("(0871) 6512 3456", "0871-65123456"),
        ("0871-6512345", "0871-6512345"),
        ("01062345678", "010-62345678"),
        ("010-62345678", "010-62345678"),
        ("02087654321", "020-87654321"),
        ("075588889999", "0755-88889999"),
        ("+86 871 6512 3456", "0871-65123456"),
        ("+86 10 6234 5678", "010-62345678"),
        ("0086 (0871) 65123456", "0871-65123456"),
    ],
)
def test_phone_landline_forms_split_area_code(raw, expected):
    result = validate_phone(raw)
    assert result.valid is True
    assert result.normalised == expected


def test_phone_beijing_local_starting_with_1_rejected():
    # 010 + 12345678: a local number never starts with 0 or 1.
    result = validate_phone("01012345678")
    assert result.valid is False
    assert codes(result.errors) == ["format"]


@pytest.mark.parametrize("raw", ["", "  ", "()", "-"])
def test_phone_empty_is_required_error(raw):
    assert codes(validate_phone(raw).errors) == ["required"]


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "12000000000",  # no 12x mobile prefix
        "1380000000",  # 10 digits
        "138000000000",  # 12 digits
        "0871-0512345",  # local starts with 0
        "0871-651234",  # local too short
        "0871-651234567",  # local too long
        "00871-65123456",
        "8687165123456",  # bare 86 is stripped only before a mobile
        "138abcd0000",
        "+1 415 555 0100",
    ],
)
def test_phone_bad_numbers_are_format_error(raw):
    result = validate_phone(raw)
    assert result.valid is False
    assert codes(result.errors) == ["format"]


# --- rule ID-3: masking -----------------------------------------------------------


def test_id3_mask_id_number_first6_last4():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_id3_mask_id_number_normalises_first():
    assert mask_id_number("110105 1949 1231 002x") == "110105********002X"


def test_id3_mask_fifteen_digit_id():
    assert mask_id_number("110105491231002") == "110105*****1002"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("1", "*"),
        ("1234567890", "**********"),
        ("12345678901", "123456*8901"),
    ],
)
def test_id3_mask_id_number_short_input(raw, expected):
    assert mask_id_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800000000", "138****0000"),
        ("+86 138 1234 5678", "138****5678"),
        ("0871-65123456", "0871-****3456"),
        ("087165123456", "0871-****3456"),
        ("010-62345678", "010-****5678"),
        ("", ""),
        ("123", "***"),
        ("1234567", "*******"),
        ("12345678901234", "**********1234"),
    ],
)
def test_id3_mask_phone(raw, expected):
    assert mask_phone(raw) == expected


def test_id3_mask_credit_code_legal_person_unchanged():
    assert mask_credit_code("914403001922038216") == "914403001922038216"
    assert mask_credit_code("") == ""


def test_id3_mask_credit_code_individual_business_92():
    assert mask_credit_code("92530102MA6K1234X5") == "925301********34X5"
    assert mask_credit_code("９２５３０１０２ma6k1234x5") == "925301********34X5"


@pytest.mark.parametrize(("raw", "expected"), [("92", "**"), ("9253010", "*******")])
def test_id3_mask_credit_code_short_92(raw, expected):
    assert mask_credit_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6222021234567890", "**** 7890"),
        ("6222 0212 3456 7890 123", "**** 0123"),
        ("", ""),
        ("1234", "****"),
        ("1234567", "*******"),
    ],
)
def test_id3_mask_bank_card(raw, expected):
    assert mask_bank_card(raw) == expected


# --- properties (QUALITY R11: >= 1,000 examples per validator) --------------------

regions = st.one_of(
    st.tuples(st.sampled_from(PROVINCES), st.from_regex(r"\A[0-9]{4}\Z")).map("".join),
    st.from_regex(r"\A9[0-9]{5}\Z"),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999).map("{:03d}".format)


@st.composite
def valid_ids(draw) -> str:
    first17 = draw(regions) + draw(births).strftime("%Y%m%d") + draw(sequences)
    return with_check(first17)


@settings(max_examples=1000, deadline=None)
@given(valid_ids())
def test_id1_property_check_char_round_trips(number):
    result = validate_id_number(number, today=TODAY)
    assert result.valid is True
    assert result.normalised == number
    assert result.sex == ("male" if int(number[16]) % 2 else "female")


@settings(max_examples=1000, deadline=None)
@given(
    valid_ids(),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_id1_property_single_digit_change_detected(number, position, shift):
    changed_digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    result = validate_id_number(changed, today=TODAY)
    assert result.valid is False
    # Weights are non-zero mod 11 (a prime), so any single-digit change breaks the sum.
    assert "checksum" in codes(result.errors)


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(PROVINCES),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequences,
)
def test_id1_property_15_to_18_conversion_valid(province, district, birth, sequence):
    id15 = province + district + birth.strftime("%y%m%d") + sequence
    result = validate_id_number(id15, today=TODAY)
    assert result.valid is True
    assert result.converted_from_15 is True
    assert result.birth_date == birth
    assert result.normalised == convert_15_to_18(id15)
    assert result.normalised[:6] + result.normalised[8:17] == id15


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17))
def test_id2_property_check_char_round_trips(first17):
    code = first17 + credit_check_char(first17)
    result = validate_credit_code(code)
    assert result.valid is True
    assert result.normalised == code


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17),
    st.integers(min_value=0, max_value=17),
    st.integers(min_value=1, max_value=30),
)
def test_id2_property_single_substitution_detected(first17, position, shift):
    code = first17 + credit_check_char(first17)
    replacement = CREDIT_CHARSET[(CREDIT_CHARSET.index(code[position]) + shift) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    result = validate_credit_code(changed)
    assert result.valid is False
    assert codes(result.errors) == ["checksum"]


@settings(max_examples=1000, deadline=None)
@given(
    st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17),
    st.integers(min_value=0, max_value=17),
    st.characters(),
)
def test_id2_property_any_foreign_character_substitution_rejected(first17, position, char):
    code = first17 + credit_check_char(first17)
    changed = code[:position] + char + code[position + 1 :]
    if normalise(changed) == code:
        return  # e.g. full-width or lowercase of the same character
    assert validate_credit_code(changed).valid is False


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_id1_property_normalise_is_idempotent(raw):
    once = normalise(raw)
    assert normalise(once) == once


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="0123456789XxABQTabqt +-()", max_size=24))
def test_id1_property_fullwidth_and_halfwidth_agree(raw):
    wide = to_fullwidth(raw)
    assert normalise(wide) == normalise(raw)
    assert validate_id_number(wide, today=TODAY) == validate_id_number(raw, today=TODAY)
    assert validate_credit_code(wide) == validate_credit_code(raw)
    assert validate_phone(wide) == validate_phone(raw)


@settings(max_examples=1000, deadline=None)
@given(valid_ids())
def test_id1_property_fullwidth_valid_id_agrees(number):
    assert validate_id_number(to_fullwidth(number.lower()), today=TODAY) == validate_id_number(
        number, today=TODAY
    )


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_id1_property_validators_never_raise(raw):
    for result in (
        validate_id_number(raw, today=TODAY),
        validate_credit_code(raw),
        validate_phone(raw),
    ):
        assert isinstance(result, IdCheck)
        assert result.valid is (not result.errors)


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_id3_property_maskers_never_raise(raw):
    for masked in (
        mask_id_number(raw),
        mask_phone(raw),
        mask_credit_code(raw),
        mask_bank_card(raw),
    ):
        assert isinstance(masked, str)


@settings(max_examples=1000, deadline=None)
@given(valid_ids())
def test_id3_property_masked_id_hides_birth_date(number):
    masked = mask_id_number(number)
    assert masked == number[:6] + "*" * 8 + number[-4:]
