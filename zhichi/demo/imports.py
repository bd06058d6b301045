"""A demo import for seed_demo: the labour bureau's list of workers owed wages at three
employers, typed by hand as such lists are (a title, amounts in 万 and capital numerals, an ID
number Excel turned into a number, a total row), imported by the bureau's officer through the
real service: three collective leads, and two rejected rows in the error report (C14)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from zhichi.accounts.models import User
from zhichi.core.identifiers import credit_check_char, id_check_char, org_check_char
from zhichi.demo.vocabulary import DISTRICT, HRSS_NAME, SURNAMES
from zhichi.imports import services
from zhichi.imports.models import ImportJob

# (name, organisation code's first 8 characters, project): the credit code is made from them
EMPLOYERS = [
    ("昆明恒达建筑劳务有限公司", "MA6HD282", "五华区人民西路恒达·春城悦府项目"),
    ("云南鑫源装饰工程有限公司", "MA6XY731", "五华区龙翔街道商业综合体装修项目"),
    # the list gives its credit code on its first row only: the others join it by its exact name
    ("五华区顺达物流有限公司", "MA6TD904", ""),
]
GIVEN = "建国海军志强秀英桂兰红梅国华永辉玉兰明亮春燕德福"
AMOUNTS = ["8,500元", "1.2万", "壹万零伍佰元整", 9600, "￥7,800.00", "6300", "1.05万元"]
PERIODS = ["2026年6月至2026年9月", "2026.05-2026.08", "2026年7月-10月"]


def _id(n: int) -> str:
    first17 = f"5321281988{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n:03d}"
    return first17 + id_check_char(first17)


def _rows() -> list[list]:
    rows = []
    n = 0
    for e, (employer, body, project) in enumerate(EMPLOYERS):
        code = ""
        if body:
            first17 = f"91{DISTRICT}{body}{org_check_char(body)}"
            code = first17 + credit_check_char(first17)
        for k in range(6 - e):
            n += 1
            name = (
                SURNAMES[n % len(SURNAMES)] + GIVEN[(2 * n) % len(GIVEN) : (2 * n) % len(GIVEN) + 2]
            )
            rows.append(
                [
                    n,
                    name,
                    _id(n),
                    f"139{n:08d}",
                    employer,
                    code if e < 2 or k == 0 else "",
                    AMOUNTS[n % len(AMOUNTS)],
                    PERIODS[e],
                    project,
                ]
            )
    rows[3][2] = float(rows[3][2][:17] + "0")  # stored as a number: Excel kept 15 digits
    rows.append(["合计", "", "", "", "", "", "", "", ""])
    return rows


def _workbook() -> bytes:
    from openpyxl import Workbook  # heavy, and needed only here

    wb = Workbook()
    ws = wb.active
    ws.title = "欠薪名单"
    ws.append([f"{HRSS_NAME} 拖欠农民工工资人员名单（2026年第四批）"])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位：五华区劳动保障监察大队", "", "", "", "", "填报日期：2026年11月"])
    ws.append([])
    ws.append(
        [
            "序号",
            "劳动者姓名",
            "身份证号码",
            "联系电话",
            "欠薪单位",
            "统一社会信用代码",
            "拖欠工资（元）",
            "欠薪起止时间",
            "项目名称",
        ]
    )
    for row in _rows():
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def seed_import(users: dict[str, User], clock, now: datetime) -> ImportJob:
    """The labour bureau's officer imports the list two days ago."""
    clock.set(now - timedelta(days=2, hours=3))
    officer = users["hrss1"]
    upload = SimpleUploadedFile("五华区欠薪人员名单（第四批）.xlsx", _workbook())
    job = services.upload_import(actor=officer, upload=upload)
    services.start_import(actor=officer, job_id=job.pk)
    clock.set(now - timedelta(days=2, hours=2, minutes=58))
    return services.run_import(job_id=job.pk)
