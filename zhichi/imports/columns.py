"""The columns of a wage-arrears list: the fields Zhichi reads, the names a labour bureau gives
them, and where the header row is (a title, a date line and merged cells often come first)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichi.core import cells
from zhichi.parties import validation


@dataclass(frozen=True)
class Field:
    code: str
    label: object
    synonyms: tuple[str, ...]
    required: bool = False


# the synonyms are compared after ``header_key``: NFKC, no spaces, no unit in brackets, no *
FIELDS = (
    Field(
        "name",
        _("Worker's name"),
        (
            "姓名",
            "职工姓名",
            "劳动者",
            "劳动者姓名",
            "员工姓名",
            "工人姓名",
            "农民工姓名",
            "被拖欠人",
            "欠薪人员",
        ),
        True,
    ),
    Field(
        "id_number",
        _("ID number"),
        (
            "身份证号",
            "身份证号码",
            "证件号码",
            "公民身份号码",
            "身份证",
            "居民身份证号码",
            "证件号",
        ),
        True,
    ),
    Field("phone", _("Phone"), ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式")),
    Field(
        "employer",
        _("Employer"),
        (
            "用人单位",
            "欠薪单位",
            "单位名称",
            "用工单位",
            "用人单位名称",
            "欠薪企业",
            "企业名称",
            "欠薪主体",
        ),
        True,
    ),
    Field(
        "credit_code",
        _("Employer's credit code"),
        ("统一社会信用代码", "信用代码", "社会信用代码", "组织机构代码"),
    ),
    Field(
        "amount",
        pgettext_lazy("import column", "Amount owed"),
        ("欠薪金额", "拖欠工资", "金额", "拖欠金额", "欠薪数额", "拖欠工资金额", "应付工资"),
        True,
    ),
    Field(
        "period",
        _("Months owed (a span)"),
        ("欠薪起止时间", "欠薪月份", "欠薪期间", "拖欠期间", "欠薪时间段", "拖欠月份"),
    ),
    Field(
        "start",
        _("Owed since"),
        ("欠薪开始时间", "欠薪起始时间", "开始时间", "起始时间", "欠薪起始日期"),
    ),
    Field(
        "end",
        _("Owed until"),
        ("欠薪截止时间", "欠薪结束时间", "截止时间", "结束时间", "欠薪截止日期"),
    ),
    Field("months", _("Months unpaid"), ("欠薪月数", "拖欠月数", "欠薪时长")),
    Field("project", _("Project"), ("项目名称", "工程名称", "项目")),
    Field("address", _("Worker's address"), ("住址", "家庭住址", "现住址", "地址", "户籍地址")),
    Field(
        "employer_address",
        _("Employer's address"),
        ("单位地址", "用人单位地址", "企业地址", "经营地址"),
    ),
    Field("migrant", _("Migrant worker (yes/no)"), ("是否农民工", "农民工")),
)
FIELD_BY_CODE = {f.code: f for f in FIELDS}
REQUIRED = tuple(f.code for f in FIELDS if f.required)
HEADER_SCAN = 30  # header rows are looked for among the sheet's first rows
MAX_AROUND = 6  # characters a header may have around a name it contains


def header_key(text: object) -> str:
    value = unicodedata.normalize("NFKC", str(text or ""))
    for unit in ("(元)", "(人民币元)", "(月)", "(个月)", "*"):
        value = value.replace(unit, "")
    return "".join(value.split())


_EXACT = {header_key(s): f.code for f in FIELDS for s in f.synonyms}
_BY_LENGTH = sorted(_EXACT.items(), key=lambda item: -len(item[0]))


def field_of(header: object) -> str:
    """The field a column header names, or ""."""
    key = header_key(header)
    if not key:
        return ""
    if key in _EXACT:
        return _EXACT[key]
    for synonym, code in _BY_LENGTH:  # the longest synonym it contains: 用人单位地址 → address
        # a header is a few words around the name (劳动者身份证号码); a title that mentions
        # one (…欠薪人员名单（2026年第三批）) is no header
        if synonym in key and len(key) <= len(synonym) + MAX_AROUND:
            return code
    return ""


def suggest(headers: list[str]) -> dict[str, int]:
    """Field code → column index, each field once, the first column that names it."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        code = field_of(header)
        if code and code not in mapping:
            mapping[code] = index
    return mapping


@dataclass(frozen=True)
class Header:
    row: int  # 0-based index of the header's first row
    rows: int  # 1, or 2 when a merged heading sits over sub-headings
    columns: list[str]
    mapping: dict[str, int]


def _texts(row: list) -> list[str]:
    return [(cells.text(v).value or "") for v in row]


def _score(mapping: dict[str, int]) -> tuple[int, int]:
    return (sum(1 for c in REQUIRED if c in mapping), len(mapping))


def find_header(rows: list[list]) -> Header | None:
    """The header among the first rows: the row (or a merged heading with the sub-headings
    below it) that names the most of the required fields, then the most fields."""
    best: Header | None = None
    scan = rows[:HEADER_SCAN]
    texts = [_texts(row) for row in scan]
    suggested = [suggest(row) for row in texts]
    for index, row in enumerate(texts):
        candidates = [(1, row)]
        if index + 1 < len(texts):
            below = texts[index + 1]
            width = max(len(row), len(below))
            top, under = row + [""] * (width - len(row)), below + [""] * (width - len(below))
            merged = [
                b if b and (not t or not field_of(t)) else t
                for t, b in zip(top, under, strict=True)
            ]
            # a merged heading over sub-headings only when together they name more than the
            # sub-headings alone: a title just above the header is not part of it
            if _score(suggest(merged)) > _score(suggested[index + 1]):
                candidates.append((2, merged))
        for height, columns in candidates:
            mapping = suggested[index] if height == 1 else suggest(columns)
            if _score(mapping)[0] < 2:
                continue
            if best is None or _score(mapping) > _score(best.mapping):
                best = Header(row=index, rows=height, columns=columns, mapping=mapping)
    return best


def header_named(mapping: dict, rows: list[list]) -> Header | None:
    """The header a caller's mapping names when no header was found by its names: the first of
    the first rows that holds every header text the mapping gives, or the first row when it
    gives column numbers only."""
    wanted = {header_key(v) for v in mapping.values() if isinstance(v, str) and not v.isdigit()}
    for index, row in enumerate(rows[:HEADER_SCAN]):
        texts = _texts(row)
        if wanted <= {header_key(t) for t in texts}:
            return Header(row=index, rows=1, columns=texts, mapping={})
    return None


def missing(mapping: dict[str, int]) -> list[str]:
    """The required fields the mapping lacks."""
    return [code for code in REQUIRED if code not in mapping]


# --- the words of a rejected row's problems (stored as codes, shown in the reader's language) --
MESSAGES = {
    "required": _("Empty: this column is required."),
    "format": _("Not readable as this column's value."),
    "not_a_worker": _("The row names no worker, ID number or amount: not a worker's row."),
    "total_row": _("A total row, not a worker: not imported."),
    "stored_as_number": _(
        "The ID number was stored as a number, so Excel dropped its last digits. Format the "
        "column as text and type the number again."
    ),
    "scientific": _(
        "The ID number is in scientific notation (E+17): its digits are lost. Format the column "
        "as text and type the number again."
    ),
    "lost_x": _(
        "The ID number has 17 digits: its final X was probably lost when the column was made "
        "numeric. Check it and type it with the X."
    ),
    "negative": _("The amount is below zero."),
    "not_positive": _("The amount owed must be more than zero."),
    "too_large": _("The amount is too large."),
    "fen": _("The amount has more than two decimal places (fen)."),
    "range": _("Enter a number of months from 0 to 600."),
    "order": _("The period ends before it starts."),
    "future": _("The period starts in the future."),
    "too_long": _("Too long."),
    "duplicate": _("The same worker for the same employer is already on row %(row)s."),
    "name_differs": _("The same ID number is on row %(row)s under another name."),
    "name_conflict": _(
        "This ID number is on record under another name. Check the name and the ID number with "
        "the worker, then import the row again (or file the lead by hand)."
    ),
}


def failure_message(field: str, code: str, other_row: int | None = None) -> str:
    """The words of a problem: an identifier's rule (ID-1, ID-2, the phone's format) in the
    words the forms use (``parties.validation``), the rest from ``MESSAGES``."""
    if code in validation.MESSAGES.get(field, {}):
        return validation.message_for(field, code)
    message = MESSAGES.get(code, MESSAGES["format"])
    return str(message) % {"row": other_row} if "%(row)s" in str(message) else str(message)


def field_label(code: str) -> str:
    field = FIELD_BY_CODE.get(code)
    return str(field.label) if field else ""
