"""One row of a wage-arrears list, read and checked: the damage a hand-typed sheet carries is
repaired where the repair is certain (full-width digits, stray spaces, ``1.2万``, capital
numerals, Excel date serials, Chinese dates) and reported where it is not (an ID number that
Excel turned into a number, a lost final X): never guessed (``zhichi.core.cells``). The
identifiers are then checked with the law library (rules ID-1, ID-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from zhichi.core import cells, identifiers
from zhichi.intake.imported import ImportedClaimant

TOTAL_WORDS = ("合计", "总计", "小计", "共计", "合 计")
YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "农民工"}
TEXT_LIMITS = {"project": 200, "address": 300, "employer_address": 300}


@dataclass(slots=True, kw_only=True)
class ClaimRow(ImportedClaimant):
    """A worker's claim against an employer, as the list gives it, normalised and checked: the
    claimant intake files (``row`` is the sheet's 1-based row number), and what the import
    groups, summarises and keys it by."""

    employer: str
    credit_code: str = ""
    start: date | None = None
    end: date | None = None
    project: str = ""
    employer_address: str = ""


# An employer's name, its credit code and the period repeat on every row of its workers: each
# distinct text is read once (the readers are pure functions of the cell).
@lru_cache(maxsize=4096, typed=True)
def _name_text(value) -> cells.Cell:
    return cells.name(value)


@lru_cache(maxsize=4096, typed=True)
def _credit_code(value) -> identifiers.IdCheck:
    return identifiers.validate_credit_code(str(cells.text(value).value or ""))


@lru_cache(maxsize=4096, typed=True)
def _period_text(value) -> cells.Cell:
    return cells.period(value)


def _cell(values: list, mapping: dict[str, int], field: str):
    index = mapping.get(field)
    if index is None or index >= len(values):
        return None
    value = values[index]
    return None if value == "" else value


def blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_row(
    values: list, mapping: dict[str, int], *, row: int, today: date
) -> tuple[ClaimRow | None, list[tuple[str, str]]]:
    """The claim of a (non-blank) row, or None with its problems as (field, code) pairs."""
    raw = {field: _cell(values, mapping, field) for field in mapping}
    name = cells.name(raw.get("name"))
    if _total_row(name.value, values):
        return None, [("name", "total_row")]
    employer = _name_text(raw.get("employer"))
    if raw.get("name") is None and raw.get("id_number") is None and raw.get("amount") is None:
        return None, [("name", "not_a_worker")]

    errors: list[tuple[str, str]] = []

    def need(field: str, cell: cells.Cell):
        if cell.code:
            errors.append((field, cell.code))
        elif cell.value is None and field in ("name", "employer", "id_number", "amount"):
            errors.append((field, "required"))
        return cell.value

    person = need("name", name)
    company = need("employer", employer)
    id_number = _id_number(raw.get("id_number"), today, errors)
    amount = need("amount", cells.amount(raw.get("amount")))
    if amount is not None and amount <= 0:
        errors.append(("amount", "not_positive"))
    credit_code = ""
    if raw.get("credit_code") is not None:
        check = _credit_code(raw["credit_code"])
        if check.valid:
            credit_code = check.normalised
        else:
            errors.append(("credit_code", check.errors[0].code))
    phone = ""
    if raw.get("phone") is not None:
        cell = cells.phone_cell(raw["phone"])
        check = identifiers.validate_phone(cell.value or "") if cell.ok else None
        if check is not None and check.valid:
            phone = check.normalised
        else:
            errors.append(("phone", "format"))
    start, end = _period(raw, today, errors)
    months = None
    if raw.get("months") is not None:
        months = need("months", cells.months(raw["months"]))
    elif start and end:
        months = cells.months_between(start, end)
    texts = {}
    for field, limit in TEXT_LIMITS.items():
        if field not in raw:
            continue
        value = cells.text(raw[field]).value or ""
        if len(value) > limit:
            errors.append((field, "too_long"))
        texts[field] = value
    migrant = "migrant" in raw and (cells.text(raw["migrant"]).value or "").upper() in YES
    if errors:
        return None, errors
    return (
        ClaimRow(
            row=row,
            name=person,
            id_number=id_number,
            employer=company,
            amount=amount,
            credit_code=credit_code,
            phone=phone,
            start=start,
            end=end,
            months=months,
            migrant=migrant,
            **texts,
        ),
        [],
    )


def _total_row(name: str | None, values: list) -> bool:
    """A row of totals ("合计" in the name, or, with no name, in any cell such as 序号)."""
    if name:
        return name in TOTAL_WORDS or name.startswith(TOTAL_WORDS)
    return any(isinstance(v, str) and any(w in v for w in TOTAL_WORDS) for v in values)


def _id_number(value, today: date, errors: list) -> str:
    cell = cells.id_number_cell(value)
    if cell.code:
        errors.append(("id_number", cell.code))
        return ""
    if cell.value is None:
        errors.append(("id_number", "required"))
        return ""
    check = identifiers.validate_id_number(str(cell.value), today=today)  # rule ID-1
    if not check.valid:
        errors.append(("id_number", check.errors[0].code))
        return ""
    return check.normalised


def _period(raw: dict, today: date, errors: list) -> tuple[date | None, date | None]:
    start = end = None
    if raw.get("period") is not None:
        cell = _period_text(raw["period"])
        if cell.code:
            errors.append(("period", cell.code))
            return None, None
        start, end = cell.value
    else:
        for field in ("start", "end"):
            if raw.get(field) is None:
                continue
            cell = cells.day(raw[field])
            if cell.code:
                errors.append((field, cell.code))
            elif field == "start":
                start = cell.value
            else:
                end = cell.value
        if start and end and end < start:
            errors.append(("end", "order"))
            return None, None
    if start and start > today:
        errors.append(("period" if raw.get("period") is not None else "start", "future"))
        return None, None
    return start, end
