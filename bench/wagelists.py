"""Messy labour-bureau wage-arrears lists (欠薪人员名单) of any size, for the bulk import (P1).

    python -m bench.wagelists --rows 100000 --out /tmp/w.xlsx [--seed 1]
                              [--format xlsx|csv-utf8|csv-gb18030] [--clean]

Writes the list and ``<out>.manifest.json``: what an exact import must find in it (rows, the
header row, the columns, how many rows are ok or failed, how many employers the ok rows name and,
for files of up to 20,000 rows, every row's damage). ``write_wagelist`` does the same from Python
and returns the ``Manifest``.

The layout is the one real lists come in: a title row merged across all columns, a row naming who
filled it in and when, an empty row, the header row (its names drawn per file from the synonyms
bureaus use, in a slightly shuffled order, the wage period as one column or as a start and an end
column), the data rows and, in a messy file, a 合计 total row at the end.

The people and employers are made up from the bench vocabulary (``bench.generate``): valid
resident ID numbers (rule ID-1, unique in the file, born 1960-2005), mainland mobiles, employers
with skewed sizes (about rows/30 of them, a few with 500+ workers at 100,000 rows), 85 % of them
with a valid unified social credit code (rule ID-2), amounts of 800-60,000 yuan, periods in
2025-2026.

A messy file (the default) damages cells at small seeded rates, the way these lists arrive
(``DAMAGES``): the repairable kinds (full-width digits, spaces, lower-case x, amounts written as
1.2万 or 壹仟贰佰元整, phones and dates as numbers, ...) leave the row ok; the irreparable kinds
(a wrong check character, lost digits, a missing name or employer, a negative or unreadable amount,
a repeated row) make it fail. The total row counts as a failed row. The same seed gives the same
file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

from bench.generate import (
    EMPLOYER_SECTORS,
    FIRM_PLACES,
    GIVEN,
    ID_REGIONS,
    SECTORS,
    STREETS,
    VILLAGES,
    IdSpace,
    new_credit_code,
    new_firm_name,
)
from zhichi.core.identifiers import id_check_char
from zhichi.core.money import rmb_capital
from zhichi.demo.vocabulary import HOME_PLACES, SURNAMES

PLACES = list(HOME_PLACES)  # where employers are registered

FORMATS = ("xlsx", "csv-utf8", "csv-gb18030")
DETAIL_LIMIT = 20_000  # rows_detail is written for files of up to this many rows
BIRTH_YEARS = (1960, 2005)
CREDIT_SHARE = 0.85  # employers with a credit code; the rest are known by name only
ROWS_PER_EMPLOYER = 30
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap-year bug)

# where migrant workers in Kunming come from besides Yunnan (GB/T 2260 county codes)
EXTRA_REGIONS = ["510722", "510921", "522121", "522401", "431121", "411528", "362430", "450881"]
DISTRICTS = ["五华区", "盘龙区", "官渡区", "西山区", "呈贡区"]
CN_NUMBERS = "一二三四五六七八九十"

# field -> the header names bureaus use for it; one is drawn per file
HEADERS = {
    "seq": ["序号"],
    "name": ["姓名", "职工姓名", "劳动者姓名", "劳动者"],
    "id_number": ["身份证号", "身份证号码", "证件号码", "公民身份号码"],
    "phone": ["联系电话", "手机号", "电话"],
    "employer": ["用人单位", "欠薪单位", "单位名称", "用工单位"],
    "credit_code": ["统一社会信用代码", "信用代码", "社会信用代码"],
    "amount": ["欠薪金额", "拖欠工资（元）", "金额", "欠薪金额（元）"],
    "period": ["欠薪起止时间", "欠薪月份", "欠薪期间"],
    "period_start": ["欠薪开始时间"],
    "period_end": ["欠薪截止时间"],
    "project": ["项目名称"],
    "address": ["住址"],
    "remarks": ["备注"],
}
REMARKS = [
    "",
    "",
    "",
    "",
    "已立案调查",
    "已下达限期整改指令书",
    "包工头已失联",
    "工程款已拨付总包单位",
    "企业承诺分期支付",
    "已移送公安机关",
]

# Every kind of damage a messy file carries: (code, repairable, rate, what it is). Repairable
# damage leaves the row ok (an import normalises it away); irreparable damage fails the row. A row
# carries at most one irreparable damage (drawn first, with the rates below) and any number of
# repairable ones on the other fields (each drawn on its own).
DAMAGES = [
    # the ID number
    ("id_fullwidth", True, 0.015, "full-width digits: ４４０５２４…"),
    ("id_spaces", True, 0.015, "spaces inside and around: ' 440524 19800101 0014'"),
    ("id_lower_x", True, 0.010, "check character X written as lower-case x"),
    ("id_checksum", False, 0.0040, "a wrong check character (a typo)"),
    ("id_number", False, 0.0030, "stored as a number: Excel keeps 15 digits, the last 3 are 0"),
    ("id_scientific", False, 0.0020, "scientific-notation text: 4.40524E+17"),
    ("id_x_lost", False, 0.0020, "check character X lost: the first 17 digits, as text or number"),
    # the name
    ("name_spaces", True, 0.015, "spaces inside the name: 张 三"),
    ("name_missing", False, 0.0020, "no name"),
    # the phone
    ("phone_number", True, 0.050, "stored as a number"),
    ("phone_fullwidth", True, 0.010, "full-width digits"),
    # the employer
    ("employer_missing", False, 0.0020, "no employer name and no credit code"),
    # the amount (the clean form is a number cell)
    ("amount_text", True, 0.060, "plain text: 1200 or 1200.50"),
    ("amount_yuan", True, 0.030, "thousands separators and 元: 1,200元"),
    ("amount_wan", True, 0.030, "in 万: 1.2万 or 1.2万元"),
    ("amount_capital", True, 0.020, "capital numerals: 壹仟贰佰元整 (with or without 人民币)"),
    ("amount_currency", True, 0.030, "with the yuan sign: ￥1200.00"),
    ("amount_fullwidth", True, 0.010, "full-width digits: １２００"),
    ("amount_negative", False, 0.0015, "a negative amount"),
    ("amount_unreadable", False, 0.0015, "no amount but 待核实"),
    # the period, one column (the clean form is 2025年3月至2025年8月)
    ("period_dotted", True, 0.040, "2025.03-2025.08"),
    ("period_short", True, 0.030, "2025年3月-8月 (same year)"),
    # the period, start and end columns (the clean form is a date cell; text in CSV)
    ("period_serial", True, 0.040, "Excel serial numbers: 45717"),
    ("period_cn_date", True, 0.040, "Chinese dates: 2025年3月5日"),
    # the row
    ("duplicate", False, 0.0030, "the same ID under the same employer as an earlier ok row"),
    ("total_row", False, 0.0, "the 合计 row at the end"),
]
REPAIRABLE = {code: ok for code, ok, _rate, _what in DAMAGES}
RATES = {code: rate for code, _ok, rate, _what in DAMAGES}
FAILURES = [code for code, ok, rate, _what in DAMAGES if not ok and rate]
FAILURE_CUM = list(accumulate(RATES[c] for c in FAILURES))

FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@dataclass
class Manifest:
    """What an exact import must make of the file."""

    path: str
    format: str
    seed: int
    messy: bool
    rows: int  # data rows below the header, the total row included
    header_row: int  # 1-based sheet row of the header
    first_data_row: int
    total_row: int | None  # 1-based sheet row of the 合计 row (messy files)
    columns: dict[str, str]  # header text -> field
    expected_ok: int
    expected_failed: int  # the total row included
    employers_ok: int  # distinct employers of the ok rows: by credit code, else by exact name
    amount_ok: str  # the sum of the amounts of the ok rows (yuan, 2 places)
    damage_counts: dict[str, int]
    repairable: dict[str, bool]
    title: str
    seconds: float = 0.0
    rows_detail: list[dict] | None = field(default=None)  # files of ≤ 20,000 rows only

    def as_dict(self) -> dict:
        data = asdict(self)
        if data["rows_detail"] is None:
            del data["rows_detail"]
        return data

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(
            json.dumps(self.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        return path


# --- the made-up people and employers --------------------------------------------------------
class Maker:
    def __init__(self, rng: random.Random, seed: int):
        self.rng = rng
        regions = ID_REGIONS + EXTRA_REGIONS
        self.ids = {
            sex: IdSpace(regions, BIRTH_YEARS, sex, 0, seed * 7919 + ord(sex)) for sex in "mf"
        }
        self.firm_names: set[str] = set()
        self.credit_codes: set[str] = set()

    def id_number(self, sex: str, want=None) -> str:
        """A fresh valid ID; ``want(number)`` may ask for one of a particular shape."""
        while True:
            number = self.ids[sex].take()
            if want is None or want(number):
                return number

    def name(self, sex: str, born: int) -> str:
        rng = self.rng
        gen = "old" if born < 1966 else "mid"
        return rng.choice(SURNAMES) + rng.choice(GIVEN[(gen, sex)])

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999_999_999):09d}"

    def address(self, number: str) -> str:
        rng = self.rng
        place = HOME_PLACES.get(number[:6])
        if place is None:
            return f"{rng.choice(SURNAMES)}家{rng.choice(VILLAGES)}"
        if number[:6] in ("530102", "530103", "530111", "530112"):
            return f"{place}{rng.choice(STREETS)}{rng.randint(1, 399)}号"
        return f"{place}{rng.choice(SURNAMES)}家{rng.choice(VILLAGES)}"

    def credit_code(self) -> str:
        return new_credit_code(self.rng, self.credit_codes, lambda: self.rng.choice(PLACES))

    def employer(self) -> dict:
        rng = self.rng
        sector = rng.choices(
            [s for s, _ in EMPLOYER_SECTORS], weights=[w for _, w in EMPLOYER_SECTORS]
        )[0]
        info = SECTORS[sector]
        name = new_firm_name(rng, info, self.firm_names)
        place = rng.choice(info["places"])
        return {
            "name": name,
            "credit_code": self.credit_code() if rng.random() < CREDIT_SHARE else "",
            "project": f"{rng.choice(FIRM_PLACES)}{place}" if sector == "construction" else place,
        }


def employer_sizes(rng: random.Random, rows: int) -> list[int]:
    """Rows per employer: about rows/30 employers, skewed (Zipf-like with noise)."""
    count = max(1, round(rows / ROWS_PER_EMPLOYER))
    weights = [(i + 1) ** -0.7 * rng.uniform(0.2, 1.0) for i in range(count)]
    cum = list(accumulate(weights))
    total = cum[-1]
    sizes = [0] * count
    for _ in range(rows):
        sizes[bisect_right(cum, rng.random() * total)] += 1
    return [s for s in sizes if s]


def month_add(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + month - 1 + n
    return k // 12, k % 12 + 1


def month_end(year: int, month: int) -> date:
    y, m = month_add(year, month, 1)
    return date(y, m, 1) - timedelta(days=1)


# --- cell forms ------------------------------------------------------------------------------
def fullwidth(text: str) -> str:
    return text.translate(FULLWIDTH)


def with_spaces(rng: random.Random, text: str, groups: tuple[int, ...]) -> str:
    parts, at = [], 0
    for g in groups:
        parts.append(text[at : at + g])
        at += g
    if at < len(text):
        parts.append(text[at:])
    return rng.choice(["", " ", "  "]) + " ".join(parts) + rng.choice(["", " "])


def yuan_text(amount: Decimal) -> str:
    """1200 -> '1200', 1200.5 -> '1200.50'."""
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def wan_text(amount: Decimal) -> str:
    text = f"{(amount / 10000).normalize():f}"
    return text


def ends_with_x(number: str) -> bool:
    return number.endswith("X")


def loses_validity(number: str) -> bool:
    """Stored as a number, Excel keeps 15 digits (440524198001010000); a reader may also take the
    double's exact value (440524198001010048). Neither may be valid by chance, and an ID ending
    in X cannot be a number."""
    if number.endswith("X"):
        return False
    kept = number[:15] + "000"
    readings = {kept, f"{float(kept):.0f}"}
    return all(len(r) == 18 and id_check_char(r[:17]) != r[17] for r in readings)


def excel_serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


class Writer:
    """Cell values for one format: xlsx keeps types, CSV writes what Excel would export."""

    def __init__(self, fmt: str):
        self.xlsx = fmt == "xlsx"

    def number(self, value):
        if self.xlsx:
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) >= 1e15:
            # an ID kept as a number, shown with the format "0": 15 digits, then zeros
            return str(int(Decimal(f"{value:.15g}")))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def day(self, value: date):
        return value if self.xlsx else value.isoformat()


# --- the file --------------------------------------------------------------------------------
class Layout:
    """The title, the columns and their header names of one file (drawn from the seed)."""

    def __init__(self, rng: random.Random):
        district = rng.choice(DISTRICTS)
        filled = date(2026, rng.randint(9, 12), rng.randint(1, 28))
        self.title = (
            f"{district}人力资源和社会保障局 欠薪人员名单（{filled.year}年第"
            f"{CN_NUMBERS[rng.randint(0, 9)]}批）"
        )
        self.info = (
            f"填报单位：{district}劳动保障监察大队  填报日期：{filled.year}年{filled.month}月"
            f"{filled.day}日"
        )
        self.split_period = rng.random() < 0.4
        fields = ["seq", "name", "id_number", "phone", "employer", "credit_code", "amount"]
        fields += ["period_start", "period_end"] if self.split_period else ["period"]
        fields += [f for f in ("project", "address", "remarks") if rng.random() < 0.5]
        for _ in range(rng.randint(1, 3)):  # shuffled a little; 序号 stays first
            i = rng.randint(1, len(fields) - 2)
            fields[i], fields[i + 1] = fields[i + 1], fields[i]
        if self.split_period and fields.index("period_start") > fields.index("period_end"):
            a, b = fields.index("period_start"), fields.index("period_end")
            fields[a], fields[b] = fields[b], fields[a]
        self.fields = fields
        self.headers = [rng.choice(HEADERS[f]) for f in fields]
        self.col = {f: i for i, f in enumerate(fields)}
        self.width = len(fields)
        self.header_row = 4  # title, filled in by, an empty row, the header
        self.first_data_row = self.header_row + 1

    def head(self) -> list[list]:
        blank = [None] * (self.width - 1)
        return [[self.title, *blank], [self.info, *blank], [None] * self.width, self.headers]


class Rows:
    """The data rows, made employer by employer, each with the damage it carries."""

    def __init__(self, rng: random.Random, seed: int, fmt: str, messy: bool, layout: Layout):
        self.rng = rng
        self.maker = Maker(rng, seed)
        self.out = Writer(fmt)
        self.messy = messy
        self.layout = layout

    def draw(self, code: str) -> bool:
        return self.messy and self.rng.random() < RATES[code]

    def failure(self, earlier_ok: list[dict]) -> str:
        """The irreparable damage of the next row, or ""."""
        if not self.messy:
            return ""
        roll = self.rng.random()
        if roll >= FAILURE_CUM[-1]:
            return ""
        failure = FAILURES[bisect_right(FAILURE_CUM, roll)]
        if failure == "duplicate" and not earlier_ok:
            return ""  # nothing to repeat yet
        return failure

    def worker(self, failure: str, period: tuple[int, int, int]) -> dict:
        """A new worker of an employer whose wages stopped around ``period`` (year, month, span)."""
        rng, maker = self.rng, self.maker
        sex = "m" if rng.random() < 0.75 else "f"
        want, lower_x = None, False
        if failure == "id_x_lost":
            want = ends_with_x
        elif failure in ("id_number", "id_scientific"):
            want = loses_validity  # all digits: an ID ending in X stays text
        elif not failure.startswith("id_") and self.draw("id_lower_x"):
            want, lower_x = ends_with_x, True
        number = maker.id_number(sex, want)
        start_y, start_m, span = period
        s_y, s_m = max((2025, 1), month_add(start_y, start_m, rng.choice([0, 0, 0, -1, 1])))
        e_y, e_m = min(
            (2026, 12), month_add(s_y, s_m, max(0, span - 1 + rng.choice([0, 0, 0, -1, 1])))
        )
        first = date(s_y, s_m, rng.choice([1, 1, 1, rng.randint(2, 28)]))
        last = month_end(e_y, e_m)
        if rng.random() < 0.3:
            last = max(first, date(e_y, e_m, rng.randint(1, 28)))
        if rng.random() < 0.8:
            amount = Decimal(rng.randint(800, 60000))
        else:
            amount = Decimal(rng.randint(80000, 6000000)).scaleb(-2)
        worker = {
            "name": maker.name(sex, int(number[6:10])),
            "number": number,
            "phone": maker.phone(),
            "amount": amount,
            "start": first,
            "end": last,
            "remarks": rng.choice(REMARKS),
            "lower_x": lower_x,
        }
        worker["address"] = maker.address(number)
        return worker

    def row(self, firm: dict, seq: int, failure: str, worker: dict) -> tuple[list, list[str]]:
        """The cells of one row and the damage done to them (``worker["amount"]`` may be
        rounded to the hundred for an amount written in 万)."""
        rng, out, col = self.rng, self.out, self.layout.col
        damage: list[str] = [failure] if failure else []
        row: list = [None] * self.layout.width
        row[col["seq"]] = seq

        name = worker["name"]
        if failure == "name_missing":
            name = None
        elif self.draw("name_spaces"):
            damage.append("name_spaces")
            name = name[:1] + rng.choice([" ", " ", "\u3000"]) + name[1:]
        row[col["name"]] = name

        row[col["id_number"]] = self.id_cell(worker, failure, damage)

        phone = worker["phone"]
        if self.draw("phone_number"):
            damage.append("phone_number")
            row[col["phone"]] = out.number(int(phone))
        elif self.draw("phone_fullwidth"):
            damage.append("phone_fullwidth")
            row[col["phone"]] = fullwidth(phone)
        else:
            row[col["phone"]] = phone

        if failure != "employer_missing":
            row[col["employer"]] = firm["name"]
            row[col["credit_code"]] = firm["credit_code"] or None

        amount = worker["amount"]
        if failure == "amount_negative":
            row[col["amount"]] = (
                out.number(-float(amount)) if rng.random() < 0.5 else f"-{yuan_text(amount)}"
            )
        elif failure == "amount_unreadable":
            row[col["amount"]] = rng.choice(["待核实", "待定", "不详"])
        else:
            row[col["amount"]] = self.amount_cell(worker, damage)

        start, end = worker["start"], worker["end"]
        if self.layout.split_period:
            kind = ""
            if self.draw("period_serial"):
                kind = "period_serial"
            elif self.draw("period_cn_date"):
                kind = "period_cn_date"
            if kind:
                damage.append(kind)
            for f, day in (("period_start", start), ("period_end", end)):
                if kind == "period_serial":
                    row[col[f]] = out.number(excel_serial(day))
                elif kind == "period_cn_date":
                    row[col[f]] = f"{day.year}年{day.month}月{day.day}日"
                else:
                    row[col[f]] = out.day(day)
        else:
            row[col["period"]] = self.period_text(start, end, damage)

        if "project" in col:
            row[col["project"]] = firm["project"]
        if "address" in col:
            row[col["address"]] = worker["address"]
        if "remarks" in col:
            row[col["remarks"]] = worker["remarks"] or None
        return row, damage

    def id_cell(self, worker: dict, failure: str, damage: list[str]):
        rng, out = self.rng, self.out
        number = worker["number"]
        if failure == "id_checksum":
            right = number[17]
            return number[:17] + rng.choice([c for c in "0123456789X" if c != right])
        if failure == "id_number":
            return out.number(float(int(number[:15] + "000")))
        if failure == "id_scientific":
            return f"{float(number):.5E}"  # 4.40524E+17
        if failure == "id_x_lost":
            if rng.random() < 0.5:
                return number[:17]
            return out.number(float(int(number[:15] + "00")))
        text = number
        if worker.get("lower_x"):
            damage.append("id_lower_x")
            text = text[:17] + "x"
        if self.draw("id_fullwidth"):
            damage.append("id_fullwidth")
            text = fullwidth(text)
        if self.draw("id_spaces"):
            damage.append("id_spaces")
            text = with_spaces(rng, text, (6, 8, 4) if rng.random() < 0.5 else (4, 4))
        return text

    def amount_cell(self, worker: dict, damage: list[str]):
        rng, amount = self.rng, worker["amount"]
        for kind in (
            "amount_text",
            "amount_yuan",
            "amount_wan",
            "amount_capital",
            "amount_currency",
            "amount_fullwidth",
        ):
            if self.draw(kind):
                damage.append(kind)
                break
        else:
            kind = ""
        whole = amount == amount.to_integral_value()
        if kind == "amount_text":
            return yuan_text(amount) if rng.random() < 0.5 else f"{amount:.2f}"
        if kind == "amount_yuan":
            return f"{amount:,.0f}元" if whole else f"{amount:,.2f}元"
        if kind == "amount_wan":
            amount = max(Decimal(800), (amount / 100).to_integral_value() * 100)
            worker["amount"] = amount
            return wan_text(amount) + rng.choice(["万", "万元"])
        if kind == "amount_capital":
            text = rmb_capital(amount)
            return text if rng.random() < 0.3 else text.removeprefix("人民币")
        if kind == "amount_currency":
            return f"{rng.choice(['￥', '¥'])}{amount:.2f}"
        if kind == "amount_fullwidth":
            return fullwidth(yuan_text(amount))
        return self.out.number(int(amount) if whole else float(amount))

    def period_text(self, start: date, end: date, damage: list[str]) -> str:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year}年{start.month}月"
        if self.draw("period_dotted"):
            damage.append("period_dotted")
            return f"{start.year}.{start.month:02d}-{end.year}.{end.month:02d}"
        if start.year == end.year and self.draw("period_short"):
            damage.append("period_short")
            return f"{start.year}年{start.month}月-{end.month}月"
        return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


def write_wagelist(
    path: str | Path, *, rows: int, seed: int = 1, fmt: str = "xlsx", messy: bool = True
) -> Manifest:
    """Write a wage-arrears list of ``rows`` worker rows (plus a 合计 row when messy)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    if rows < 1:
        raise ValueError("rows must be at least 1")
    started = time.perf_counter()
    rng = random.Random(seed)
    layout = Layout(rng)
    made = Rows(rng, seed, fmt, messy, layout)
    sizes = employer_sizes(rng, rows)
    employers = [made.maker.employer() for _ in sizes]
    order = list(range(len(sizes)))
    rng.shuffle(order)

    counts = dict.fromkeys(REPAIRABLE, 0)
    detail: list[dict] = []
    keep_detail = rows <= DETAIL_LIMIT
    ok_rows = failed_rows = 0
    ok_employers: set[str] = set()
    amount_ok = amount_all = Decimal(0)
    data: list[list] = []
    for e in order:  # employer by employer, as the lists are kept
        firm = employers[e]
        start_y, start_m = month_add(2025, 1, rng.randint(0, 17))
        period = (start_y, start_m, rng.randint(1, 12))
        block_ok: list[dict] = []  # this employer's ok rows so far (a repeat copies one)
        for _ in range(sizes[e]):
            failure = made.failure(block_ok)
            if failure == "duplicate":
                worker = dict(rng.choice(block_ok))
            else:
                worker = made.worker(failure, period)
            row, damage = made.row(firm, len(data) + 1, failure, worker)
            ok = all(REPAIRABLE[d] for d in damage)
            for d in damage:
                counts[d] += 1
            if failure not in ("amount_negative", "amount_unreadable"):
                amount_all += worker["amount"]
            if ok:
                ok_rows += 1
                amount_ok += worker["amount"]
                ok_employers.add(firm["credit_code"] or firm["name"])
                block_ok.append(worker)
            else:
                failed_rows += 1
            if keep_detail:
                detail.append(
                    {"row": layout.first_data_row + len(data), "ok": ok, "damage": ",".join(damage)}
                )
            data.append(row)

    total_row = None
    if messy:  # the 合计 row: the sum of the amounts the bureau could read
        row = [None] * layout.width
        row[layout.col["seq"]] = "合计"
        row[layout.col["amount"]] = made.out.number(float(amount_all))
        total_row = layout.first_data_row + len(data)
        counts["total_row"] += 1
        failed_rows += 1
        if keep_detail:
            detail.append({"row": total_row, "ok": False, "damage": "total_row"})
        data.append(row)

    path = Path(path)
    if fmt == "xlsx":
        save_xlsx(path, layout.head(), data, layout.width)
    else:
        encoding = "utf-8-sig" if fmt == "csv-utf8" else "gb18030"
        with path.open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            for r in (*layout.head(), *data):
                writer.writerow(["" if v is None else v for v in r])

    return Manifest(
        path=str(path),
        format=fmt,
        seed=seed,
        messy=messy,
        rows=len(data),
        header_row=layout.header_row,
        first_data_row=layout.first_data_row,
        total_row=total_row,
        columns=dict(zip(layout.headers, layout.fields, strict=True)),
        expected_ok=ok_rows,
        expected_failed=failed_rows,
        employers_ok=len(ok_employers),
        amount_ok=f"{amount_ok:.2f}",
        damage_counts={k: v for k, v in counts.items() if v},
        repairable=REPAIRABLE,
        title=layout.title,
        seconds=round(time.perf_counter() - started, 2),
        rows_detail=detail if keep_detail else None,
    )


def save_xlsx(path: Path, head: list[list], data: list[list], width: int) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    # write-only sheets cannot merge through the API, but they write the merged ranges they
    # hold: the title is merged across all columns, as bureaus send it
    ws.merged_cells.add(f"A1:{get_column_letter(width)}1")
    for r in head:
        ws.append(r)
    for r in data:
        ws.append(r)
    wb.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.wagelists", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, required=True, help="worker rows (the 合计 row extra)")
    parser.add_argument("--out", required=True, help="the file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=FORMATS, default="xlsx")
    parser.add_argument("--clean", action="store_true", help="no damage and no total row")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    manifest = write_wagelist(
        args.out, rows=args.rows, seed=args.seed, fmt=args.format, messy=not args.clean
    )
    written = manifest.write(f"{args.out}.manifest.json")
    print(
        f"wrote {args.out}: {manifest.rows:,} rows ({manifest.expected_ok:,} ok, "
        f"{manifest.expected_failed:,} failed, {manifest.employers_ok:,} employers among the ok "
        f"rows), header on row {manifest.header_row}, in {manifest.seconds:.1f} s; {written}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
