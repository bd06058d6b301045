"""Seed the law library's dated configuration from DOMAIN.md and the chinesecalendar package.

The package carries the State Council holiday notices up to 2026; later years are entered by an
administrator on the holiday calendar page (rule TL-1). Its days are frozen beside this migration
(``holidays_seed.json``, taken from chinesecalendar 1.11.0), so migrating gives the same calendar
whichever version of the package is installed.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

# rule CR-4: provincial 数额较大 figures from public reports (DOMAIN.md [S5]). The provinces' own notice
# dates are not verified; the figures are dated from the judicial interpretation they implement.
INTERPRETATION = (
    "法释〔2013〕3号（最高人民法院关于审理拒不支付劳动报酬刑事案件适用法律若干问题的解释）"
)
INTERPRETATION_DATE = date(2013, 1, 23)
PROVINCES = [
    (
        "52",
        "10000",
        "50000",
        "贵州省拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "",
    ),
    (
        "43",
        "6000",
        "40000",
        "湖南省拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "",
    ),
    (
        "41",
        "8000",
        "40000",
        "河南省拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "",
    ),
    (
        "21",
        "10000",
        "50000",
        "辽宁省拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "",
    ),
    (
        "32",
        "10000",
        "60000",
        "江苏省拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "",
    ),
    (
        "50",
        "10000",
        "60000",
        "重庆市拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "",
    ),
    (
        "42",
        "10000",
        "50000",
        "湖北省拒不支付劳动报酬罪“数额较大”标准（据公开资料整理，省级文件原文待核实）",
        "贫困县为5,000元/30,000元",
    ),
]
UNVERIFIED_DATE_NOTE = "省级文件施行日期未核实，按司法解释施行日期记"


def seed(apps, schema_editor):
    HolidayYear = apps.get_model("rulebook", "HolidayYear")
    CalendarDay = apps.get_model("rulebook", "CalendarDay")
    CriminalThreshold = apps.get_model("rulebook", "CriminalThreshold")
    AverageWage = apps.get_model("rulebook", "AverageWage")
    RuleSetting = apps.get_model("rulebook", "RuleSetting")

    seed_file = Path(__file__).with_name("holidays_seed.json")
    frozen = json.loads(seed_file.read_text(encoding="utf-8"))
    by_year: dict[int, list] = {}
    for iso, kind, name in frozen["days"]:
        day = date.fromisoformat(iso)
        by_year.setdefault(day.year, []).append((day, kind, name))
    for year in sorted(by_year):
        notice = HolidayYear.objects.create(
            year=year,
            notice_title=f"国务院办公厅关于{year}年部分节假日安排的通知",
            source=f"{frozen['source']}（据国务院办公厅通知整理）",
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(year=notice, date=day, kind=kind, name=HOLIDAY_NAMES.get(name, name))
            for day, kind, name in sorted(by_year[year], key=lambda t: t[0])
        )

    CriminalThreshold.objects.create(
        province="00",
        individual=Decimal("5000"),
        collective=Decimal("30000"),
        individual_ceiling=Decimal("20000"),
        collective_ceiling=Decimal("100000"),
        effective_from=INTERPRETATION_DATE,
        source=INTERPRETATION + "第三条",
        note="全国幅度：各省高级人民法院在此幅度内确定本地标准",
    )
    for province, individual, collective, source, note in PROVINCES:
        CriminalThreshold.objects.create(
            province=province,
            individual=Decimal(individual),
            collective=Decimal(collective),
            effective_from=INTERPRETATION_DATE,
            source=source,
            note="；".join(n for n in (note, UNVERIFIED_DATE_NOTE) if n),
        )

    # rule JA-5: Yunnan 2023 figures, published 2024-06-03 [S13]; both series stored
    for series, annual in (
        ("urban_non_private_on_post", "112908"),
        ("urban_non_private_employed", "106769"),
    ):
        AverageWage.objects.create(
            province="53",
            wage_year=2023,
            series=series,
            annual=Decimal(annual),
            published_on=date(2024, 6, 3),
            source="云南省统计局：2023年云南省城镇非私营单位就业人员年平均工资（云南发布，2024-06-03）",
        )
    RuleSetting.objects.create(
        key="assistance_wage_series",
        value="urban_non_private_on_post",
        source="默认采用在岗职工口径；“职工月平均工资”所指口径未核实（规则 JA-5）",
    )
    RuleSetting.objects.create(
        key="assistance_months",
        value="36",
        source="人民检察院开展国家司法救助工作细则（JA-4）：一般不超过36个月",
    )


def unseed(apps, schema_editor):
    """Remove what ``seed`` wrote, and only that: a holiday year, threshold or wage a system
    administrator entered later (``entered_by`` set) stays, and so does a setting changed since
    (``changed_by`` set); going back must not lose their work."""
    HolidayYear = apps.get_model("rulebook", "HolidayYear")
    CriminalThreshold = apps.get_model("rulebook", "CriminalThreshold")
    AverageWage = apps.get_model("rulebook", "AverageWage")
    RuleSetting = apps.get_model("rulebook", "RuleSetting")

    # the days go with their year (CASCADE)
    HolidayYear.objects.filter(
        entered_by__isnull=True, source__startswith="chinesecalendar "
    ).delete()
    seeded = [("00", INTERPRETATION + "第三条")] + [(p[0], p[3]) for p in PROVINCES]
    for province, source in seeded:
        CriminalThreshold.objects.filter(
            entered_by__isnull=True,
            province=province,
            effective_from=INTERPRETATION_DATE,
            source=source,
        ).delete()
    AverageWage.objects.filter(
        entered_by__isnull=True, province="53", wage_year=2023, published_on=date(2024, 6, 3)
    ).delete()
    RuleSetting.objects.filter(
        changed_by__isnull=True, key__in=["assistance_wage_series", "assistance_months"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rulebook", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
