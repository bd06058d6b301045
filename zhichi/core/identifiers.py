"""Chinese identifiers: resident ID, unified social credit code, phone; masking.

Pure Python (stdlib only). Validators never raise on text input; they return an
``IdCheck`` whose issues carry stable codes the Django layer translates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "IdCheck",
    "Issue",
    "convert_15_to_18",
    "credit_check_char",
    "id_check_char",
    "mask_bank_card",
    "mask_credit_code",
    "mask_id_number",
    "mask_phone",
    "normalise",
    "org_check_char",
    "validate_credit_code",
    "validate_id_number",
    "validate_phone",
]


@dataclass(frozen=True)
class Issue:
    """One problem found in an identifier: a stable code and an English message."""

    code: str
    message: str


@dataclass(frozen=True)
class IdCheck:
    """Outcome of validating an identifier."""

    valid: bool
    normalised: str
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...] = ()
    converted_from_15: bool = False
    birth_date: date | None = None
    sex: str | None = None


_MESSAGES = {
    "required": "This field is required.",
    "length": "The number must have {expected} characters; it has {actual}.",
    "format": "The number is not in a recognised format.",
    "region": "The first two digits are not a valid province code.",
    "birth_date": "The birth date in the number is not a valid date.",
    "future_birth": "The birth date in the number is in the future.",
    "checksum": "The check character does not match; the number has a typo.",
    "charset": "The code may only contain digits and the letters A-Y except I, O, S, V, Z.",
    "org_code_checksum": "The embedded organisation code fails its own check.",
}


def _issue(code: str, **kwargs: object) -> Issue:
    return Issue(code, _MESSAGES[code].format(**kwargs))


def _fail(normalised: str, code: str, **kwargs: object) -> IdCheck:
    return IdCheck(valid=False, normalised=normalised, errors=(_issue(code, **kwargs),))


# --- normalisation ------------------------------------------------------------


def _strip_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    kept = [
        ch
        for ch in text
        if not ch.isspace()
        and ch != "\u2212"  # minus sign, often typed as a hyphen
        and unicodedata.category(ch) not in ("Pd", "Cf")  # dashes; zero-width chars
    ]
    return "".join(kept).upper()


def normalise(raw: str) -> str:
    """NFKC (full-width to half-width), drop whitespace, hyphens and zero-width chars, upper-case."""
    text = raw if isinstance(raw, str) else ""
    if text.isascii() and text.isalnum():
        return text.upper()  # the common case (digits and letters as typed): nothing to strip
    # Upper-casing or dropping a character can leave text that NFKC changes again
    # (e.g. a combining mark meets a new base); repeat until stable so the function
    # is idempotent.
    for _ in range(8):
        again = _strip_once(text)
        if again == text:
            break
        text = again
    return text


# --- rule ID-1: resident identity card number (GB 11643-1999) ----------------

_ID_WEIGHTS = (
    7,
    9,
    10,
    5,
    8,
    4,
    2,
    1,
    6,
    3,
    7,
    9,
    10,
    5,
    8,
    4,
    2,
)  # rule ID-1: 2^(18-i) mod 11
_ID_CHECK = "10X98765432"
_ID18_RE = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS_RE = re.compile(r"[0-9]+")

# GB/T 2260 province-level codes of the mainland: the provinces whose figures the rules use.
MAINLAND_PROVINCES = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
)
# rule ID-1: the first two digits of an address code (Taiwan, Hong Kong and Macau included).
_PROVINCES = MAINLAND_PROVINCES | {"71", "81", "82"}

# GB 11643's own worked example (440524188001010014) is born in 1880, so the floor
# is set before it; anything earlier is a typo rather than a living person.
EARLIEST_BIRTH_DATE = date(1800, 1, 1)


def id_check_char(first17: str) -> str:
    """Check character for the first 17 digits of a resident ID (rule ID-1)."""
    if len(first17) != 17 or not _DIGITS_RE.fullmatch(first17):
        raise ValueError("id_check_char needs exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def convert_15_to_18(id15: str) -> str:
    """Convert an old 15-digit ID: insert "19" before the year, append the check char (rule ID-1)."""
    if len(id15) != 15 or not _DIGITS_RE.fullmatch(id15):
        raise ValueError("convert_15_to_18 needs exactly 15 ASCII digits")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + id_check_char(first17)


def _region_ok(number: str) -> bool:
    # rule ID-1: 2023-format foreign permanent-resident IDs start with 9 [M].
    return number[:2] in _PROVINCES or number[0] == "9"


def _parse_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def validate_id_number(raw: str, *, today: date) -> IdCheck:
    """Validate a resident ID number (15 or 18 characters) against rule ID-1."""
    number = normalise(raw)
    if not number:
        return _fail(number, "required")
    if len(number) not in (15, 18):
        return _fail(number, "length", expected="15 or 18", actual=len(number))
    if len(number) == 18 and not _ID18_RE.fullmatch(number):
        return _fail(number, "format")
    converted = len(number) == 15
    if converted:
        if not _DIGITS_RE.fullmatch(number):
            return _fail(number, "format")
        number = convert_15_to_18(number)

    errors: list[Issue] = []
    if not _region_ok(number):
        errors.append(_issue("region"))
    birth = _parse_date(number[6:14])
    if birth is None or birth < EARLIEST_BIRTH_DATE:
        errors.append(_issue("birth_date"))
    elif birth > today:
        errors.append(_issue("future_birth"))
    if number[17] != id_check_char(number[:17]):
        errors.append(_issue("checksum"))
    return IdCheck(
        valid=not errors,
        normalised=number,
        errors=tuple(errors),
        converted_from_15=converted,
        birth_date=birth,
        sex="male" if int(number[16]) % 2 else "female",  # rule ID-1: odd sequence = male
    )


# --- rule ID-2: unified social credit code (GB 32100-2015) -------------------

_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # rule ID-2: no I O S V Z
_CREDIT_VALUE = {ch: i for i, ch in enumerate(_CREDIT_CHARSET)}
_CREDIT_WEIGHTS = (
    1,
    3,
    9,
    27,
    19,
    26,
    16,
    17,
    20,
    29,
    25,
    13,
    8,
    24,
    10,
    30,
    28,
)  # 3^(i-1) mod 31
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # rule ID-2 / GB 11714


def credit_check_char(first17: str) -> str:
    """Check character for the first 17 characters of a credit code (rule ID-2)."""
    if len(first17) != 17 or any(ch not in _CREDIT_VALUE for ch in first17):
        raise ValueError("credit_check_char needs 17 characters from the credit-code charset")
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def org_check_char(org8: str) -> str:
    """Check character of an organisation code's first 8 characters (rule ID-2, GB 11714: a
    digit counts as itself and a letter by A=10 ... Z=35)."""
    total = sum(int(ch, 36) * w for ch, w in zip(org8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def _org_code_ok(org9: str) -> bool:
    return org9[8] == org_check_char(org9[:8])


def validate_credit_code(raw: str) -> IdCheck:
    """Validate a unified social credit code against rule ID-2."""
    code = normalise(raw)
    if not code:
        return _fail(code, "required")
    if len(code) != 18:
        return _fail(code, "length", expected=18, actual=len(code))
    if any(ch not in _CREDIT_VALUE for ch in code):
        return _fail(code, "charset")
    if code[17] != credit_check_char(code[:17]):
        return _fail(code, "checksum")
    warnings: tuple[Issue, ...] = ()
    if not _org_code_ok(code[8:17]):
        warnings = (_issue("org_code_checksum"),)
    return IdCheck(valid=True, normalised=code, errors=(), warnings=warnings)


# --- mainland phone numbers ----------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_LOCAL_RE = re.compile(r"[2-9][0-9]{6,7}")


def _clean_phone(raw: str) -> str:
    return normalise(raw).replace("(", "").replace(")", "")


def validate_phone(raw: str) -> IdCheck:
    """Validate a mainland mobile (11 digits) or landline (area code + 7-8 digit local number)."""
    text = _clean_phone(raw)
    if not text:
        return _fail(text, "required")
    number = text
    for prefix in ("+86", "0086", "86"):
        rest = text[len(prefix) :]
        if text.startswith(prefix) and len(rest) == 11 and rest[0] == "1" and rest.isdigit():
            number = rest
            break
    else:
        # An explicit country code ("+86", "0086") before a landline drops the trunk 0.
        for prefix in ("+86", "0086"):
            if text.startswith(prefix) and _DIGITS_RE.fullmatch(text[len(prefix) :]):
                rest = text[len(prefix) :]
                number = rest if rest.startswith("0") else "0" + rest
                break
    if _MOBILE_RE.fullmatch(number):
        return IdCheck(valid=True, normalised=number, errors=())
    if _DIGITS_RE.fullmatch(number) and number[0] == "0" and number[1:2] not in ("", "0"):
        # 010 and 020-029 are the only three-digit area codes; all others have four.
        split = 3 if number[1] in "12" else 4
        area, local = number[:split], number[split:]
        if _LOCAL_RE.fullmatch(local):
            return IdCheck(valid=True, normalised=f"{area}-{local}", errors=())
    return _fail(text, "format")


# --- rule ID-3: masking --------------------------------------------------------


def _mask_middle(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_id_number(n: str) -> str:
    """First 6 + stars + last 4, e.g. ``110105********002X`` (rule ID-3)."""
    return _mask_middle(normalise(n), 6, 4)


def mask_phone(p: str) -> str:
    """Mobile ``138****0000``; landline ``0871-****3456`` (rule ID-3)."""
    check = validate_phone(p)
    if check.valid:
        number = check.normalised
        if "-" in number:
            area = number.split("-", 1)[0]
            return f"{area}-****{number[-4:]}"
        return f"{number[:3]}****{number[-4:]}"
    # Unrecognised format: show no more than the last 4, and only if most stays hidden.
    text = _clean_phone(p)
    return _mask_middle(text, 0, 4) if len(text) >= 8 else "*" * len(text)


def mask_credit_code(code: str) -> str:
    """Unchanged unless a 92 (个体工商户) code, which identifies a person (rule ID-3)."""
    normalised = normalise(code)
    if normalised.startswith("92"):
        return _mask_middle(normalised, 6, 4)
    return code


def mask_bank_card(n: str) -> str:
    """``**** 1234``: last 4 only (rule ID-3)."""
    digits = normalise(n)
    if len(digits) < 8:
        return "*" * len(digits)
    return "**** " + digits[-4:]
