"""Money: Decimal amounts, 人民币大写 (rule DOC-2), Chinese document dates, ¥ figures.

Pure Python (stdlib only). Amounts are ``Decimal`` in yuan; ``float`` is refused everywhere
because binary fractions cannot hold fen exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = [
    "CAPITAL_LIMIT",
    "FEN",
    "chinese_date",
    "format_yuan",
    "rmb_capital",
    "round_fen",
]

FEN = Decimal("0.01")
# 1 万亿: the largest group unit DOC-2 names is 亿, so 9999亿… is the last amount it can spell.
CAPITAL_LIMIT = Decimal(10) ** 12

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")  # position inside a group of four
_GROUPS = ("", "万", "亿")  # unit closing each group of four

_DATE_DIGITS = "〇一二三四五六七八九"
_SMALL = "零一二三四五六七八九"


def _to_decimal(amount: Decimal | int | str) -> Decimal:
    # bool is an int subclass; True is not an amount of money.
    if isinstance(amount, float | bool):
        raise TypeError(f"amount must be Decimal, int or str, not {type(amount).__name__}")
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, str):
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {amount!r}")
    else:
        raise TypeError(f"amount must be Decimal, int or str, not {type(amount).__name__}")
    if not value.is_finite():
        raise ValueError(f"amount must be finite, got {value}")
    return value


def round_fen(amount: Decimal | int | str) -> Decimal:
    """The amount as a Decimal rounded to the fen, ROUND_HALF_UP (rule DOC-2)."""
    value = _to_decimal(amount)
    with localcontext() as ctx:
        ctx.prec = 28  # 26 digits of yuan: far beyond any real amount
        try:
            return value.quantize(FEN, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValueError(f"amount too large: {value}")


def _integer_capital(yuan: int) -> str:
    """Capital numerals for a positive whole number of yuan below 1 万亿 (rule DOC-2)."""
    digits = [int(c) for c in str(yuan)]
    top = len(digits) - 1
    out: list[str] = []
    pending_zero = False  # a run of zeros has been passed since the last written digit
    group_has_digit = False
    for i, d in enumerate(digits):
        pos = top - i  # 0 = 元位, 4 = 万位, 8 = 亿位
        if d == 0:
            pending_zero = bool(out)
        else:
            if pending_zero:
                out.append("零")  # internal zeros, one or many, give one 零
                pending_zero = False
            # The leading 壹拾 is kept: 壹拾伍元, 壹拾万 (DOC-2).
            out.append(_DIGITS[d] + _UNITS[pos % 4])
            group_has_digit = True
        if pos % 4 == 0 and pos > 0:
            if group_has_digit:
                out.append(_GROUPS[pos // 4])
                # The standard lets a zero 万位 followed by a non-zero 仟位 go with or without
                # 零; the canonical choice is to omit it after 万 (壹拾万柒仟). 亿 is treated the
                # same way (壹拾亿壹仟万), as the group unit already fixes the position.
                if d == 0 and digits[i + 1] != 0:
                    pending_zero = False
            group_has_digit = False
    return "".join(out)


def rmb_capital(amount: Decimal | int | str) -> str:
    """The amount in 人民币大写, e.g. ``Decimal("1409.50")`` → 人民币壹仟肆佰零玖元伍角 (rule DOC-2).

    Rounds to the fen with ROUND_HALF_UP. Raises TypeError for float (or bool), ValueError for a
    negative, non-finite or unparsable amount, or one that rounds to 1 万亿 or more.
    """
    value = _to_decimal(amount)
    if value < 0:
        raise ValueError(f"amount must not be negative, got {value}")
    if value >= CAPITAL_LIMIT:
        raise ValueError("amount must be below 1,000,000,000,000 (1 万亿)")
    value = round_fen(value)
    if value >= CAPITAL_LIMIT:
        raise ValueError("amount must be below 1,000,000,000,000 (1 万亿)")

    fen_total = int(value * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)

    if fen_total == 0:
        return "人民币零元整"
    parts = ["人民币"]
    if yuan:
        parts.append(_integer_capital(yuan) + "元")
    if not jiao and not fen:
        parts.append("整")  # 整 after 元 only; never after 角 or 分
        return "".join(parts)
    # 零 after 元 is required when 角 is 0 and 分 is not; when 元位 is 0 and 角 is not the
    # standard makes it optional and the canonical choice is to write it (壹仟陆佰捌拾元零叁角).
    if yuan and (jiao == 0 or yuan % 10 == 0):
        parts.append("零")
    if jiao:
        parts.append(_DIGITS[jiao] + "角")
    if fen:
        parts.append(_DIGITS[fen] + "分")
    return "".join(parts)


def _small_number(n: int) -> str:
    """1–31 as written in a Chinese date: 一, 十, 十一, 二十, 二十八, 三十一."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _SMALL[units]
    head = "十" if tens == 1 else _SMALL[tens] + "十"
    return head + (_SMALL[units] if units else "")


def chinese_date(d: date) -> str:
    """A date as written on documents: 2026-11-28 → 二〇二六年十一月二十八日."""
    if not isinstance(d, date):
        raise TypeError(f"expected a date, not {type(d).__name__}")
    year = "".join(_DATE_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_small_number(d.month)}月{_small_number(d.day)}日"


def format_yuan(amount: Decimal | int | str) -> str:
    """An amount in figures with the yuan sign: 12000 → ¥12,000.00; -5 → -¥5.00."""
    value = round_fen(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
