"""Spreadsheet cells: normalise the damaged cells of labour-bureau wage-arrears sheets.

Pure Python (stdlib only). A cell arrives as python-calamine gives it (str, int, float, bool,
date, datetime, time, timedelta; "" or None when empty) or as CSV text. Every reader returns a
``Cell``: the normalised value, or ``None`` with a stable error code. Readers never raise, and
they report what a spreadsheet destroyed instead of guessing it back.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from zhichi.core.identifiers import id_check_char

__all__ = [
    "Cell",
    "amount",
    "day",
    "id_number_cell",
    "months",
    "months_between",
    "name",
    "period",
    "phone_cell",
    "text",
]


@dataclass(frozen=True)
class Cell:
    """The outcome of reading one cell: a value, or None and a stable error code."""

    value: object
    code: str = ""  # "" = fine; else format, negative, too_large, fen, range, order, ...

    @property
    def ok(self) -> bool:
        return not self.code


_EMPTY = Cell(None)
_FEN = Decimal("0.01")
_AMOUNT_LIMIT = Decimal(10) ** 12  # max_digits=14 with 2 places; also rmb_capital's limit
_FLOAT_NOISE = Decimal("1e-6")
_NAME_LIMIT = 200


def _fail(code: str) -> Cell:
    return Cell(None, code)


# --- text ---------------------------------------------------------------------------------


def _stable(step, s: str) -> str:
    # Dropping or joining characters can leave text that NFKC changes again (a combining mark
    # meets a new base); repeat until stable so every reader is idempotent.
    for _ in range(8):
        again = step(s)
        if again == s:
            break
        s = again
    return s


def _clean_once(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)  # full-width ASCII, U+3000 and NBSP become half-width
    # Zero-width characters and other invisible format marks (category Cf) count as spaces.
    s = "".join(" " if unicodedata.category(ch) == "Cf" else ch for ch in s)
    return " ".join(s.split())


# the format characters (Unicode category Cf): zero-width spaces, direction marks, the BOM...
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def _clean(s: str) -> str:
    # Most cells are plain: ASCII, or CJK text already in NFKC with no format character. Their
    # cleaning is one split (the slow path below would answer the same, one character at a
    # time); a list of 100,000 rows reads a million cells.
    if s.isascii() or (unicodedata.is_normalized("NFKC", s) and not _FORMAT.search(s)):
        return " ".join(s.split())
    return _stable(_clean_once, s)


def _squeeze(s: str) -> str:
    """Cleaned text with no whitespace at all: numbers and dates are never split by spaces."""
    return "".join(_clean(s).split())


def _is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not _clean(raw))


def _refused(raw: object, kinds: tuple[type, ...] = (int, float, str)) -> Cell | None:
    """The outcome for an empty cell or one of a kind the reader cannot use; None to read on."""
    if _is_empty(raw):
        return _EMPTY
    if isinstance(raw, bool) or not isinstance(raw, kinds):  # a TRUE/FALSE cell is no figure
        return _fail("format")
    return None


def text(raw: object) -> Cell:
    """Stripped NFKC text, whitespace runs collapsed; numeric cells written as Excel shows them."""
    if raw is None:
        return _EMPTY
    if isinstance(raw, str):  # the common case: cleaned once
        return Cell(cleaned) if (cleaned := _clean(raw)) else _EMPTY
    if isinstance(raw, bool):
        return Cell("TRUE" if raw else "FALSE")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return _fail("format")
        return Cell(str(int(raw)) if raw.is_integer() else repr(raw))  # 3.0 → "3"
    if isinstance(raw, datetime):
        return Cell(raw.date().isoformat() if raw.time() == time() else raw.isoformat(" "))
    if isinstance(raw, date | time):
        return Cell(raw.isoformat())
    return Cell(_clean(str(raw)) or None)


# --- names ----------------------------------------------------------------------------------

_CJK = re.compile(
    r"[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)
_DOTS = re.compile(r"[•・‧∙⋅●]")  # middle dots typed for the · of minority names
_CJK_PERIOD = re.compile(rf"(?<={_CJK.pattern})\.(?={_CJK.pattern})")  # "．" after NFKC


def _name_once(s: str) -> str:
    s = _clean(s)
    if s.isascii():
        return s
    if _CJK.search(s):
        # Spaces inside a Chinese name are padding for alignment ("张  三"), never part of it.
        s = unicodedata.normalize("NFKC", "".join(s.split()))
        s = _CJK_PERIOD.sub("·", _DOTS.sub("·", s))
    return s


def name(raw: object) -> Cell:
    """A person's or organisation's name: text(), no spaces inside Chinese names, dots as ·."""
    cell = text(raw)
    if not cell.ok or cell.value is None:
        return cell
    s = _stable(_name_once, str(cell.value))
    if not any(ch.isalpha() for ch in s):  # "123", "-", "/": a number or a placeholder
        return _fail("format")
    if len(s) > _NAME_LIMIT:
        return _fail("too_long")
    return Cell(s)


# --- Chinese numerals -----------------------------------------------------------------------

_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")}
_CN_DIGITS |= {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_CN_DIGITS |= {"〇": 0, "两": 2, "貳": 2, "參": 3, "陸": 6}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}


def _chinese_int(s: str) -> int | None:
    """A whole number below 10^12 in Chinese numerals, or None when malformed or ambiguous.

    Units must descend (亿 > 万; 仟 > 佰 > 拾 inside a section); 零 is a place-holder anywhere;
    a leading 拾 is 10 (rule DOC-2). A digit with no unit after it is read only where its place
    is certain: alone, after 零, or after 拾. 三千五 (3005 or 3500?) and 一万五 are refused.
    """
    total, section, digit = 0, 0, None
    big_prev, small_prev, bare_ok = 10**12, 10**4, False
    for i, ch in enumerate(s):
        if ch in _CN_DIGITS and _CN_DIGITS[ch] == 0:
            if digit is not None:
                return None  # "五零": digits without units
        elif ch in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[ch]
            bare_ok = i == 0 or s[i - 1] in "零〇十拾"
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if digit is None and unit == 10 and i == 0:
                digit = 1  # 拾元, 十二
            if digit is None or unit >= small_prev:
                return None
            section, small_prev, digit = section + digit * unit, unit, None
        elif ch in _CN_BIG:
            if digit is not None and not bare_ok:
                return None
            section += digit or 0
            if section == 0 or _CN_BIG[ch] >= big_prev:
                return None
            total += section * _CN_BIG[ch]
            section, digit, big_prev, small_prev = 0, None, _CN_BIG[ch], 10**4
        else:
            return None
    if digit is not None and not bare_ok:
        return None
    return total + section + (digit or 0) if s else None


# --- amounts --------------------------------------------------------------------------------

_AMOUNT_PREFIX = re.compile(r"([-−]?)(?:人民币|RMB|CNY)?¥?([-−]?)", re.I)
_AMOUNT_SUFFIX = re.compile(r"(?:人民币|RMB|CNY)?[整正]?$", re.I)
_ARABIC = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([万萬亿億]?)[元圆圓块]?")
_MULTIPLIERS = {"": 1, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_YUAN_SIGN = re.compile(r"[元圆圓块]")
_D = "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖两貳參陸"
_JIAO_FEN = re.compile(rf"零?(?:([{_D}])角)?零?(?:([{_D}])分)?")


def _chinese_amount(s: str) -> Decimal | None:
    """人民币大写 (壹万贰仟叁佰肆拾伍元陆角柒分) or lower-case numerals (一千二百元), rule DOC-2."""
    yuan_text, sign, tail = _YUAN_SIGN.split(s, 1)[0], _YUAN_SIGN.search(s), ""
    if sign:
        tail = s[sign.end() :]
    elif "角" in s or "分" in s:
        yuan_text, tail = "", s  # 伍角叁分: no yuan at all
    fraction = _JIAO_FEN.fullmatch(tail)
    yuan = _chinese_int(yuan_text) if yuan_text else 0
    if fraction is None or yuan is None or not (yuan_text or fraction[1] or fraction[2]):
        return None
    jiao, fen = (_CN_DIGITS[g] if g else 0 for g in fraction.groups())
    return Decimal(yuan) + Decimal(jiao * 10 + fen) / 100


def _checked(value: Decimal, tolerance: Decimal = Decimal(0)) -> Cell:
    if value < 0:
        return _fail("negative")
    if value >= _AMOUNT_LIMIT:
        return _fail("too_large")
    fen = value.quantize(_FEN, rounding=ROUND_HALF_UP)
    if abs(value - fen) > tolerance:  # more than 2 places: the fen is not guessed
        return _fail("fen")
    return Cell(fen.copy_abs())  # copy_abs: -0.00 → 0.00


def amount(raw: object) -> Cell:
    """Money in yuan: Decimal with exactly 2 places. Codes: format, negative, too_large, fen."""
    if (refused := _refused(raw)) is not None:
        return refused
    if isinstance(raw, int):
        return _checked(Decimal(raw))
    if isinstance(raw, float):
        # Excel keeps binary doubles: 1200.1 may arrive as 1200.0999999…; the shortest repr
        # gives back the typed figure, within a millionth of a yuan.
        return _checked(Decimal(repr(raw)), _FLOAT_NOISE) if math.isfinite(raw) else _fail("format")
    s = _squeeze(raw).replace(",", "").replace("'", "")
    sign = _AMOUNT_PREFIX.match(s)
    s = _AMOUNT_SUFFIX.sub("", s[sign.end() :], count=1)
    if arabic := _ARABIC.fullmatch(s):
        value = Decimal(arabic[1]) * _MULTIPLIERS[arabic[2]]  # 1.2万 → 12000
    elif (chinese := _chinese_amount(s)) is not None:
        value = chinese
    else:
        return _fail("format")
    return _checked(-value if sign[1] or sign[2] else value)


# --- dates ----------------------------------------------------------------------------------

_EXCEL_1900 = date(1899, 12, 30)  # serial 61 = 1900-03-01: Lotus's fake 1900-02-29 is 60
_EXCEL_MAX = 2958465  # 9999-12-31
_YEAR = r"(?P<y>[0-9]{4}|[〇零○O一二三四五六七八九]{4})"
_MD = r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_M, _DD = _MD.replace("(", "(?P<m>", 1), _MD.replace("(", "(?P<d>", 1)
_DATE_FORMS = (
    re.compile(rf"{_YEAR}年{_M}月(?:{_DD}[日号]?)?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<s>[-/.])(?P<m>[0-9]{1,2})(?:(?P=s)(?P<d>[0-9]{1,2}))?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)
_MONTH_DAY = re.compile(rf"{_M}月(?:{_DD}[日号]?)?")  # the end of "2024年3月-8月"
_TIME_SUFFIX = re.compile(r"(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?$")
_SERIAL_TEXT = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
_YEAR_DIGITS = _CN_DIGITS | {"○": 0, "O": 0}  # 二〇二四, 二○二四, 二O二四


def _year(s: str) -> int:
    # 二〇二四年 is read digit by digit, not as a number with units.
    return int(s) if s.isascii() and s.isdigit() else int("".join(str(_YEAR_DIGITS[c]) for c in s))


def _number(s: str | None) -> int | None:
    if s is None:
        return None
    return int(s) if s.isascii() else _chinese_int(s)


def _make_date(year: int, month: int | None, dd: int | None, *, end: bool) -> date | None:
    if month is None or not 1900 <= year <= 2100 or not 1 <= month <= 12:
        return None
    if dd is None:  # a month alone: its first day, or its last when it ends a period
        after = date(year + month // 12, month % 12 + 1, 1)
        return after - timedelta(days=1) if end else date(year, month, 1)
    try:
        return date(year, month, dd)
    except ValueError:
        return None  # 2024-02-30


def _serial(n: float, date1904: bool) -> Cell:
    serial = math.floor(n) if math.isfinite(n) else -1  # the fraction is the time of day
    if date1904 and 0 <= serial <= _EXCEL_MAX - 1462:
        return Cell(date(1904, 1, 1) + timedelta(days=serial))
    if date1904 or not 1 <= serial <= _EXCEL_MAX or serial == 60:  # 60: 1900-02-29, never real
        return _fail("format")
    # Serials below 60 start one day later: they come before Lotus's phantom leap day.
    return Cell(_EXCEL_1900 + timedelta(days=serial + (serial < 60)))


def _date_text(s: str, *, end: bool = False) -> date | None:
    """A date typed as text; a month alone gives its first day, or its last when ``end``."""
    for form in _DATE_FORMS:
        if m := form.fullmatch(s):
            return _make_date(_year(m["y"]), _number(m["m"]), _number(m["d"]), end=end)
    return None


def day(raw: object, *, date1904: bool = False) -> Cell:
    """A date from a date cell, an Excel serial or text (2024-03-05, 2024年3月5日, 二〇二四年三月五日)."""
    if _is_empty(raw):
        return _EMPTY
    if isinstance(raw, datetime):
        return Cell(raw.date())
    if isinstance(raw, date):
        return Cell(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _serial(float(raw) if abs(raw) < 1e300 else -1.0, date1904)
    if not isinstance(raw, str):
        return _fail("format")
    s = _clean(raw)
    s = "".join(_TIME_SUFFIX.sub("", s).split())  # "2024/3/5 0:00" from a CSV export
    if _SERIAL_TEXT.fullmatch(s):
        return _serial(float(s), date1904)
    found = _date_text(s)
    return Cell(found) if found else _fail("format")


# --- months and periods ---------------------------------------------------------------------

_MONTHS_MAX = 600  # 50 years: beyond any working life, so a larger figure is a typo


def months(raw: object) -> Cell:
    """A whole number of months unpaid: 3, "3个月", "十二个月". Codes: format, range."""
    if (refused := _refused(raw)) is not None:
        return refused
    if isinstance(raw, str):
        s = _squeeze(raw).removesuffix("个月").removesuffix("個月")
        if re.fullmatch(r"[-+]?[0-9]+(?:\.[0-9]+)?", s):
            raw = Decimal(s)
        elif (chinese := _chinese_int(s)) is not None:
            raw = chinese
        else:
            return _fail("format")
    if isinstance(raw, float) and not math.isfinite(raw):
        return _fail("format")
    if raw != int(raw):
        return _fail("format")  # 2.5 months is not a count of months
    count = int(raw)
    return Cell(count) if 0 <= count <= _MONTHS_MAX else _fail("range")


_PERIOD_SEPARATORS = "-—–―~〜至到"


def _period_end(s: str, start: date) -> date | None:
    if m := _MONTH_DAY.fullmatch(s):  # "8月" inherits the start's year
        return _make_date(start.year, _number(m[1]), _number(m[2]), end=True)
    return _date_text(s, end=True)


def period(raw: object) -> Cell:
    """A span of months owed, (start, end): 2024年3月至2024年8月 → (2024-03-01, 2024-08-31)."""
    if (refused := _refused(raw, (str,))) is not None:
        return refused
    s = _squeeze(raw).removeprefix("自").removeprefix("从").removesuffix("止")
    reversed_ = False
    # "-" also separates the parts of a date (2024-03-2024-08): try every separator and keep
    # the first split whose both sides read as dates.
    for i, ch in enumerate(s):
        if ch not in _PERIOD_SEPARATORS or (start := _date_text(s[:i])) is None:
            continue
        if (end := _period_end(s[i + 1 :], start)) is None:
            continue
        if end >= start:
            return Cell((start, end))
        reversed_ = True
    first, last = _date_text(s), _date_text(s, end=True)
    if not reversed_ and first and last and first != last:  # a month alone: "2024年3月"
        return Cell((first, last))
    return _fail("order" if reversed_ else "format")


def months_between(start: date, end: date) -> int:
    """Calendar months touched by start..end, both ends included: March 1 – August 31 → 6."""
    if end < start:
        raise ValueError("end is before start")
    return (end.year - start.year) * 12 + end.month - start.month + 1


# --- identifiers ----------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]*)?E[-+]?[0-9]+", re.I)
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits; an 18-digit ID loses its tail


def _whole_number(raw: int | float) -> str | Cell:
    """The digits of a numeric cell, or the code for what the number column destroyed."""
    if (isinstance(raw, float) and not math.isfinite(raw)) or raw < 0:
        return _fail("format")
    if raw != int(raw) or raw >= 10**_EXCEL_DIGITS:
        return _fail("stored_as_number")
    return str(int(raw))


def id_number_cell(raw: object) -> Cell:
    """The ID number as text for identifiers.validate_id_number; refuses what Excel destroyed.

    Codes: scientific (shown as 4.40524E+17), stored_as_number (more than 15 digits kept as a
    number), lost_x (17 digits whose check character is X: the X was dropped), format.
    """
    if (refused := _refused(raw)) is not None:
        return refused
    if isinstance(raw, str):
        s = _squeeze(raw).lstrip("'")  # a leading ' is Excel's "keep as text" mark
        if _SCIENTIFIC.fullmatch(s):
            return _fail("scientific")
        if m := re.fullmatch(r"([0-9]{1,20})\.0*", s):  # "440524188001010000.0": was a float
            s = _whole_number(int(m[1]))
        else:
            s = s.replace("x", "X")
    else:
        s = _whole_number(raw)
    if isinstance(s, Cell):
        return s
    # rule ID-1: the 18th character may be X; a numeric column silently drops it. Report the
    # loss: appending the X would make a checksum pass on a number nobody typed.
    if re.fullmatch(r"[0-9]{17}", s) and id_check_char(s) == "X":
        return _fail("lost_x")
    return Cell(s or None)


def phone_cell(raw: object) -> Cell:
    """The phone as text for identifiers.validate_phone. Codes: format, scientific."""
    if (refused := _refused(raw)) is not None:
        return refused
    if isinstance(raw, str):
        s = _clean(raw).lstrip("'").strip()
        return _fail("scientific") if _SCIENTIFIC.fullmatch(s) else Cell(s or None)
    if isinstance(raw, float) and (not math.isfinite(raw) or not raw.is_integer()):
        return _fail("format")
    return Cell(str(int(raw))) if raw >= 0 else _fail("format")
