"""Messy wage-arrears lists (C14): each damage a hand-typed sheet carries is repaired where the
repair is certain and rejected with its reason where it is not, and every row is counted once
(``rows_total = rows_ok + rows_failed``). One test per damage, each with its exact outcome."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.conftest import make_credit_code
from zhichi.cases.models import PartyRole
from zhichi.imports.models import ImportStatus
from zhichi.intake.models import Lead, LeadParty
from zhichi.parties import services as party_services
from zhichi.parties.models import Party

from . import corpus
from .conftest import counts, failures

pytestmark = pytest.mark.integration

FIRST = corpus.FIRST_ROW  # the sheet row of the first worker under corpus.xlsx's header
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def claimant(id_number: str) -> tuple[str, Decimal, int | None]:
    """(name, amount, months unpaid) of the worker with this ID number on the imported leads."""
    party = party_services.find_person(id_number=id_number)
    assert party is not None, f"no person with ID {id_number}"
    role = LeadParty.objects.get(party=party, role=PartyRole.CLAIMANT)
    return party.name, role.amount_claimed, role.months_unpaid


def not_imported(id_number: str) -> bool:
    return party_services.find_person(id_number=id_number) is None


# --- identifiers Excel destroyed: reported, never guessed ---------------------------------------
def test_id_number_stored_as_a_number_is_rejected_as_stored_as_number(users, run):
    rows = [corpus.worker(1, id_number=float(corpus.worker_id(1))), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST, "id_number", "stored_as_number", None)]
    assert not_imported(corpus.worker_id(1))
    assert claimant(corpus.worker_id(2)) == ("工人2", Decimal("1002.00"), 6)


def test_id_number_in_scientific_notation_is_rejected_as_scientific(users, run):
    rows = [corpus.worker(1, id_number="5.30102E+17"), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST, "id_number", "scientific", None)]
    assert claimant(corpus.worker_id(2)) == ("工人2", Decimal("1002.00"), 6)


def test_seventeen_digits_whose_check_character_is_x_are_rejected_as_lost_x(users, run):
    lost = corpus.x_id(0)[:17]
    rows = [corpus.worker(1, id_number=lost), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST, "id_number", "lost_x", None)]
    assert not_imported(corpus.x_id(0))  # the X is not appended behind the worker's back


def test_wrong_check_character_is_rejected_as_checksum(users, run):
    good = corpus.worker_id(1)
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    rows = [corpus.worker(1, id_number=wrong), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST, "id_number", "checksum", None)]
    assert not_imported(good)


# --- repaired where the repair is certain -----------------------------------------------------
def test_full_width_digits_in_id_phone_and_amount_are_repaired(users, run):
    rows = [
        corpus.worker(
            1,
            id_number=corpus.worker_id(1).translate(FULL_WIDTH),
            phone="１３８００１３８０００",
            amount="１２００",
        )
    ]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (1, 1, 0)
    assert claimant(corpus.worker_id(1)) == ("工人1", Decimal("1200.00"), 6)
    assert party_services.find_person(id_number=corpus.worker_id(1)).phone == "13800138000"


def test_full_width_x_is_repaired(users, run):
    rows = [corpus.worker(1, id_number=corpus.x_id(0).translate(FULL_WIDTH))]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (1, 1, 0)
    assert claimant(corpus.x_id(0)) == ("工人1", Decimal("1001.00"), 6)


def test_lower_case_x_is_read_as_the_check_character_x(users, run):
    rows = [corpus.worker(1, id_number=corpus.x_id(1).lower())]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (1, 1, 0)
    assert corpus.x_id(1).endswith("X")
    assert claimant(corpus.x_id(1)) == ("工人1", Decimal("1001.00"), 6)


def test_stray_spaces_in_names_and_id_numbers_are_dropped(users, run):
    spaced = " 530102 19850312 " + corpus.worker_id(1)[14:] + " "
    rows = [
        corpus.worker(1, name="张 三", id_number=spaced),
        corpus.worker(2, name="\u3000李\u3000四 "),
    ]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 2, 0)
    assert claimant(corpus.worker_id(1)) == ("张三", Decimal("1001.00"), 6)
    assert claimant(corpus.worker_id(2)) == ("李四", Decimal("1002.00"), 6)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,200元", Decimal("1200.00")),
        ("1.2万", Decimal("12000.00")),
        ("壹仟贰佰元整", Decimal("1200.00")),
        ("￥1200.00", Decimal("1200.00")),
        ("¥ 1,200.5", Decimal("1200.50")),
        (1200.5, Decimal("1200.50")),
        (1200, Decimal("1200.00")),
    ],
    ids=["thousands-and-yuan", "wan", "capital-numerals", "full-width-yen", "yen", "float", "int"],
)
def test_amount_written_the_ways_bureaus_write_it_is_read_to_the_fen(users, run, cell, expected):
    job = run(users["civil1"], corpus.xlsx([corpus.worker(1, amount=cell)]))

    assert counts(job) == (1, 1, 0)
    assert claimant(corpus.worker_id(1)) == ("工人1", expected, 6)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (corpus.excel_serial(date(2026, 3, 1)), corpus.excel_serial(date(2026, 8, 31))),
        ("2026年3月1日", "2026年8月31日"),
        ("二〇二六年三月一日", "二〇二六年八月三十一日"),
        (date(2026, 3, 1), datetime(2026, 8, 31)),
        ("2026/3/1", "2026-08-31"),
    ],
    ids=["excel-serials", "chinese-dates", "chinese-numerals", "date-cells", "iso-and-slashes"],
)
def test_start_and_end_columns_give_the_months_unpaid(users, run, start, end):
    header = [*corpus.HEADER[:7], "欠薪开始时间", "欠薪截止时间"]
    rows = [[*corpus.worker(1)[:7], start, end]]

    job = run(users["civil1"], corpus.xlsx(rows, header=header))

    assert job.mapping["start"] == 7
    assert job.mapping["end"] == 8
    assert counts(job) == (1, 1, 0)
    assert claimant(corpus.worker_id(1)) == ("工人1", Decimal("1001.00"), 6)


@pytest.mark.parametrize(
    ("period", "months"),
    [
        ("2026年3月至2026年8月", 6),
        ("2026年3月-8月", 6),
        ("2025.11-2026.02", 4),
        ("2026年5月", 1),
    ],
)
def test_a_period_column_gives_the_months_unpaid(users, run, period, months):
    job = run(users["civil1"], corpus.xlsx([corpus.worker(1, period=period)]))

    assert counts(job) == (1, 1, 0)
    assert claimant(corpus.worker_id(1)) == ("工人1", Decimal("1001.00"), months)


def test_period_ending_before_it_starts_is_rejected(users, run):
    job = run(users["civil1"], corpus.xlsx([corpus.worker(1, period="2026年8月至2026年3月")]))

    assert counts(job) == (1, 0, 1)
    assert failures(job) == [(FIRST, "period", "order", None)]


# --- rows that are not workers, or not whole -----------------------------------------------------
def test_missing_name_is_rejected_as_required(users, run):
    rows = [corpus.worker(1, name=None), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST, "name", "required", None)]
    assert not_imported(corpus.worker_id(1))


def test_total_row_is_counted_and_rejected_as_total_row(users, run):
    rows = [corpus.worker(1), corpus.worker(2), [None, "合计", None, None, None, None, 2003, None]]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (3, 2, 1)
    assert failures(job) == [(FIRST + 2, "name", "total_row", None)]
    assert job.leads_created == 1


def test_note_row_is_counted_and_rejected_as_not_a_worker(users, run):
    note = [
        "备注：以上人员欠薪情况已由劳动保障监察大队核实",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    rows = [corpus.worker(1), note]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST + 1, "name", "not_a_worker", None)]


def test_blank_rows_are_not_counted_and_rows_keep_their_sheet_numbers(users, run):
    blank = [None] * 8
    spaces = ["", " ", "\u3000", None, None, None, None, None]
    rows = [corpus.worker(1), blank, spaces, corpus.worker(2, name=None), blank]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST + 3, "name", "required", None)]


def test_same_worker_twice_for_the_same_employer_is_a_duplicate_of_the_first_row(users, run):
    rows = [corpus.worker(1), corpus.worker(2), corpus.worker(1, seq=3)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (3, 2, 1)
    assert failures(job) == [(FIRST + 2, "id_number", "duplicate", FIRST)]
    assert LeadParty.objects.filter(role=PartyRole.CLAIMANT).count() == 2


def test_same_worker_for_two_employers_is_two_claims(users, run):
    other = make_credit_code("91530103MA6K2P3Q1")
    rows = [corpus.worker(1), corpus.worker(1, employer="昆明物业服务有限公司", credit_code=other)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 2, 0)
    assert job.leads_created == 2
    party = party_services.find_person(id_number=corpus.worker_id(1))
    assert LeadParty.objects.filter(party=party, role=PartyRole.CLAIMANT).count() == 2
    assert Party.objects.filter(id_number_index=party.id_number_index).count() == 1


def test_same_id_number_under_two_names_rejects_the_second_as_name_differs(users, run):
    rows = [corpus.worker(1), corpus.worker(2, id_number=corpus.worker_id(1), name="王五")]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST + 1, "name", "name_differs", FIRST)]
    assert claimant(corpus.worker_id(1)) == ("工人1", Decimal("1001.00"), 6)


def test_id_number_on_record_under_another_name_is_rejected_as_name_conflict(users, run):
    on_record = party_services.upsert_person(name="王五", id_number=corpus.worker_id(1))
    rows = [corpus.worker(1), corpus.worker(2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(FIRST, "name", "name_conflict", None)]
    on_record.refresh_from_db()
    assert on_record.name == "王五"  # never renamed silently
    assert LeadParty.objects.filter(party=on_record).count() == 0
    assert claimant(corpus.worker_id(2)) == ("工人2", Decimal("1002.00"), 6)


def test_rows_without_credit_code_join_the_employer_of_the_same_name(users, run):
    rows = [corpus.worker(1), corpus.worker(2, credit_code=None), corpus.worker(3, credit_code="")]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (3, 3, 0)
    assert job.leads_created == 1
    lead = Lead.objects.get()
    assert sorted(lp.party.name for lp in lead.claimants) == ["工人1", "工人2", "工人3"]
    assert [(lp.party.name, lp.party.credit_code) for lp in lead.respondents] == [
        (corpus.EMPLOYER, corpus.CODE_A)
    ]


def test_employers_of_the_same_name_without_codes_are_one_lead(users, run):
    rows = [corpus.worker(n, credit_code=None, employer="某装修队") for n in (1, 2)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (2, 2, 0)
    assert job.leads_created == 1
    assert [(lp.party.name, lp.party.credit_code) for lp in Lead.objects.get().respondents] == [
        ("某装修队", "")
    ]


# --- the layout of the sheet ----------------------------------------------------------------------
def test_two_row_header_reads_the_sub_headings_under_a_merged_heading(users, run):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号码", "用人单位", "欠薪情况", None])
    ws.append([None, None, None, None, "金额", "月份"])
    for column in "ABCD":
        ws.merge_cells(f"{column}1:{column}2")
    ws.merge_cells("E1:F1")
    ws.append([1, "工人1", corpus.worker_id(1), corpus.EMPLOYER, "1,500元", 6])
    ws.append([2, "工人2", corpus.worker_id(2), corpus.EMPLOYER, 2500, 4])
    data = _saved(wb)

    job = run(users["civil1"], data)

    assert (job.header_row, job.header_rows) == (0, 2)
    assert job.columns[:5] == ["序号", "姓名", "身份证号码", "用人单位", "金额"]
    assert {k: job.mapping[k] for k in ("name", "id_number", "employer", "amount")} == {
        "name": 1,
        "id_number": 2,
        "employer": 3,
        "amount": 4,
    }
    assert counts(job) == (2, 2, 0)
    assert claimant(corpus.worker_id(1))[:2] == ("工人1", Decimal("1500.00"))
    assert claimant(corpus.worker_id(2))[:2] == ("工人2", Decimal("2500.00"))


def test_header_on_row_four_below_a_title_is_found_and_rows_keep_their_numbers(users, run):
    rows = [corpus.worker(1), corpus.worker(2, name=None)]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert (job.header_row, job.header_rows) == (corpus.HEADER_ROW - 1, 1)  # 0-based
    assert job.columns[1] == "职工姓名"
    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(corpus.HEADER_ROW + 2, "name", "required", None)]


def test_title_row_right_above_the_header_is_not_read_as_part_of_it(users, run):
    """A title that names the list (欠薪人员名单) sits directly on the header: its words must not
    make column A (序号) the workers' names."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([corpus.TITLE])
    ws.append(corpus.HEADER)
    ws.append(corpus.worker(1))
    job = run(users["civil1"], _saved(wb))

    assert (job.header_row, job.header_rows) == (1, 1)
    assert job.mapping["name"] == corpus.COL["name"]
    assert counts(job) == (1, 1, 0)


def test_a_hidden_sheet_is_not_read(users, run):
    decoy = [corpus.HEADER, corpus.worker(9)]
    shown = [corpus.HEADER, corpus.worker(1)]

    job = run(users["civil1"], corpus.book([("旧表", decoy, "hidden"), ("名单", shown, "visible")]))

    assert job.sheet == "名单"
    assert counts(job) == (1, 1, 0)
    assert claimant(corpus.worker_id(1)) == ("工人1", Decimal("1001.00"), 6)
    assert not_imported(corpus.worker_id(9))


def test_the_list_on_a_second_sheet_after_a_notes_sheet_is_read(users, run):
    notes = [["填表说明"], ["1. 身份证号码请设置为文本格式"], ["2. 金额单位：元"]]
    shown = [corpus.HEADER, corpus.worker(1), corpus.worker(2)]

    job = run(
        users["civil1"], corpus.book([("说明", notes, "visible"), ("名单", shown, "visible")])
    )

    assert job.sheet == "名单"
    assert counts(job) == (2, 2, 0)


def test_a_second_sheet_after_the_list_is_ignored(users, run):
    job = run(users["civil1"], corpus.xlsx(corpus.clean_rows(2), extra_sheet=True))

    assert job.sheet == "名单"
    assert counts(job) == (2, 2, 0)


# --- file formats ---------------------------------------------------------------------------------
def _csv(rows: list[list], encoding: str, *, title: bool) -> bytes:
    data = corpus.csv_bytes(rows, encoding=encoding)
    if title:
        return data
    # without the title line: the header is the first line
    lines = data.decode(encoding).splitlines(keepends=True)
    return "".join(lines[1:]).encode(encoding)


@pytest.mark.parametrize(
    ("encoding", "stored"), [("utf-8-sig", "utf-8"), ("utf-8", "utf-8"), ("gb18030", "gb18030")]
)
def test_csv_in_utf8_with_bom_or_gb18030_is_read(users, run, encoding, stored):
    rows = [corpus.worker(1, name="张三丰"), corpus.worker(2, name="欧阳·娜娜", amount="1.2万")]

    job = run(users["civil1"], _csv(rows, encoding, title=False), name="名单.csv")

    assert (job.file_kind, job.encoding) == ("csv", stored)
    assert counts(job) == (2, 2, 0)
    assert claimant(corpus.worker_id(1)) == ("张三丰", Decimal("1001.00"), 6)
    assert claimant(corpus.worker_id(2)) == ("欧阳·娜娜", Decimal("12000.00"), 6)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_with_a_title_line_is_read_from_its_header(users, run, encoding):
    rows = [corpus.worker(1), corpus.worker(2, name=None)]

    job = run(users["civil1"], corpus.csv_bytes(rows, encoding=encoding), name="名单.csv")

    assert job.mapping["name"] == corpus.COL["name"]
    assert counts(job) == (2, 1, 1)
    assert failures(job) == [(corpus.CSV_FIRST_ROW + 1, "name", "required", None)]


def test_xls_workbook_is_read(users, run):
    rows = [corpus.worker(1), corpus.worker(2, amount="1.2万"), corpus.worker(3, name=None)]

    job = run(users["civil1"], corpus.xls(rows), name="名单.xls")

    assert job.status == ImportStatus.DONE
    assert job.file_kind == "xls"
    assert counts(job) == (3, 2, 1)
    assert failures(job) == [(FIRST + 2, "name", "required", None)]
    assert claimant(corpus.worker_id(2)) == ("工人2", Decimal("12000.00"), 6)


def test_a_file_of_every_damage_counts_each_row_once(users, run):
    """The damages together: the counts add up and each rejected row has its reason."""
    rows = [
        corpus.worker(1, id_number=float(corpus.worker_id(1))),
        corpus.worker(2, id_number="5.30102E+17"),
        corpus.worker(3, amount="壹仟贰佰元整", name="张 三"),
        [None] * 8,
        corpus.worker(4, name=None),
        corpus.worker(5),
        corpus.worker(5, seq=6),
        corpus.worker(7, id_number=corpus.worker_id(5), name="另一人"),
        corpus.worker(8, credit_code=None),
        [None, "合计", None, None, None, None, 9999, None],
    ]

    job = run(users["civil1"], corpus.xlsx(rows))

    assert counts(job) == (9, 3, 6)
    assert failures(job) == [
        (FIRST, "id_number", "stored_as_number", None),
        (FIRST + 1, "id_number", "scientific", None),
        (FIRST + 4, "name", "required", None),
        (FIRST + 6, "id_number", "duplicate", FIRST + 5),
        (FIRST + 7, "name", "name_differs", FIRST + 5),
        (FIRST + 9, "name", "total_row", None),
    ]
    assert job.leads_created == 1
    assert sorted(lp.party.name for lp in Lead.objects.get().claimants) == [
        "工人5",
        "工人8",
        "张三",
    ]


def _saved(wb) -> bytes:
    import io

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
