"""Fast bench data (QUALITY.md P7): N cases with everything a province's wage claims leave in the
tables, written straight to them.

    python -m bench.generate --cases 1000000 [--database-url URL] [--seed 1] [--workers 2]

Needs a migrated database with the demo organisations and users
(``manage.py seed_demo --force --leads 0``). Every case belongs to the civil department of WHPROC
(officers civil1 and civil2) and its rows are those the services would have written:

* claimants with valid resident ID numbers and phones, encrypted with ``zhichi.parties.crypto``
  (one ``encrypt``/``blind_index`` per value; a worker who claims again is the same person, the
  same ciphertexts). Wage cases have 1 claimant (55 %), 2-4 (25 %), 5-10 (13 %), 11-20 (6 %) or
  21-40 (1 %): 2.6 claimants per case on average; the other categories have one;
* respondent companies with valid credit codes from a pool of N/20 employers, skewed so a few
  employers have hundreds of cases (employer profiles);
* ``search_text`` exactly as ``zhichi.cases.services.refresh_search_text`` builds it, and
  ``search_grams`` as ``zhichi.core.searchtext.search_grams``, and the ledger's totals as
  ``zhichi.cases.ledger.keep_totals`` keeps them (when the columns exist);
* an accepted lead per case (1:1) with the same parties;
* the timeline: case_opened, the stage moves that led to the case's stage, the issued documents,
  payments and transfer steps (the kinds the services write);
* issued documents' records without their files: the notice of acceptance of every case and the
  opinion supporting the suit when it went to court, numbered from the ``NumberSequence`` rows
  (``doc:<kind>``) with the organisation's patterns;
* payments (``record_payment``'s rows) to the claimants of cases in enforcement or closed: at most
  what each claimed, in one or two instalments;
* transfers of 3 % of the cases to the legal aid centre or the labour bureau, at the step their
  age allows, with their history, the share they grant (ended when rejected or closed) and
  their timeline events, numbered from the ``transfer`` sequence.

How: the numbering (case, document and transfer serials in the order the cases were opened) and
the stage paths are planned first, in one pass; the cases are then made in blocks of 5,000 by two
worker processes, each block from its own random stream and its own range of primary keys, so the
data is the same for a seed whatever the number of workers. On PostgreSQL each worker COPYs its
blocks (text format, one buffer per table) on its own connection with synchronous_commit off;
from 50,000 cases the tables' secondary indexes (those enforcing nothing, read from pg_indexes)
are dropped first and built again afterwards, two at a time, and the foreign keys are checked
once at the end with one anti-join each instead of row by row (session_replication_role =
replica, as pg_restore loads; only for a superuser and tables without triggers of their own).
On SQLite the workers hand their blocks to this process, which inserts them (executemany); the
FTS5 gram table follows through its triggers. ANALYZE (SQLite: ANALYZE and PRAGMA optimize) ends
the load; a sample of cases is then checked against the app's own code (``verify_sample``).

Speed, measured on this 2-core machine (the wall times depend on what else it runs; the CPU
seconds do not), seed 20261128, start to ANALYZE done:

* PostgreSQL 15, 1,000,000 cases (21,700,314 rows), the machine otherwise quiet: 301 s = 5.0 min,
  3,320 cases/s, of which 113 s building the dropped indexes again (make bench, P7 passes);
* the same while other work kept the load average at 4-8 (21,970,127 rows, 2,969,667 people):
  949 s = 15.8 min, of which 178 s building the 78 dropped indexes again (the GIN index over the
  grams is most of it), 20 s checking the foreign keys, 4 s ANALYZE; 440 CPU s in the generator
  and 279 in PostgreSQL;
* PostgreSQL, 100,000 cases (2,195,931 rows): 118 s, 844 cases/s (52 + 31 CPU s);
* SQLite, 200,000 cases (4,390,563 rows): 308 s, 649 cases/s (194 CPU s).

Deterministic for a seed and a date, except for the ciphertexts (Fernet draws a random IV). The
last line of output is ``BENCH_GENERATE {json}`` for bench.run: cases, rows, rows per table,
seconds (start to ANALYZE done), the index, foreign key and ANALYZE seconds, the CPU seconds of
the generator and of the database, and the load average.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import resource
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from pathlib import Path

from zhichi.core.searchtext import case_search_text, search_grams
from zhichi.demo.vocabulary import (
    CATEGORY_WEIGHTS,
    DISTRICT,
    EVASIONS,
    HOME_PLACES,
    HRSS_NAME,
    ORG_CODE_CHARS,
    SOURCES,
    SURNAMES,
)
from zhichi.demo.vocabulary import (
    names_phrase as _names,
)

SHANGHAI = dt_timezone(timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991
MULTIPLIER = 2654435761  # a prime: k -> (salt + k * MULTIPLIER) mod size permutes range(size)
DEFAULT_SEED = 20261128
DEFAULT_BATCH = 5000
BIRTH_YEARS = {"old": (1940, 1960), "mid": (1965, 2000), "young": (2010, 2018)}
EMPLOYER_SECTORS = [("construction", 45), ("restaurant", 15), ("factory", 30), ("property", 10)]
FIRM_PLACES = ["昆明", "云南", "五华", "盘龙", "官渡", "西山", "呈贡", "安宁", "曲靖", "玉溪"]


# --- vocabulary (from seed_demo's demo data, copied so the bench does not depend on it) -----
GIVEN = {
    ("old", "m"): ["建国", "德明", "国华", "永福", "志强", "春生", "树林", "家富", "有才", "正荣"],
    ("old", "f"): ["秀英", "桂英", "玉兰", "淑珍", "凤英", "秀兰", "桂芳", "翠花", "美华", "玉珍"],
    ("mid", "m"): [
        "伟",
        "强",
        "磊",
        "军",
        "勇",
        "杰",
        "涛",
        "斌",
        "超",
        "刚",
        "海涛",
        "文斌",
        "永刚",
        "建军",
        "志勇",
        "国庆",
        "红军",
        "小龙",
        "云飞",
        "发贵",
    ],
    ("mid", "f"): [
        "芳",
        "娜",
        "敏",
        "静",
        "丽",
        "艳",
        "娟",
        "霞",
        "春梅",
        "海燕",
        "雪梅",
        "丽华",
        "晓燕",
        "红梅",
        "美玲",
        "小英",
        "金花",
        "丽萍",
        "云仙",
        "桂香",
    ],
    ("young", "m"): [
        "子轩",
        "浩然",
        "宇航",
        "梓豪",
        "俊杰",
        "一鸣",
        "思远",
        "明轩",
        "博文",
        "天佑",
    ],
    ("young", "f"): [
        "欣怡",
        "梓涵",
        "雨桐",
        "诗琪",
        "可馨",
        "语嫣",
        "思琪",
        "紫萱",
        "佳怡",
        "若曦",
    ],
}
ID_REGIONS = list(HOME_PLACES)
STREETS = [
    "西昌路",
    "人民西路",
    "龙泉路",
    "学府路",
    "滇缅大道",
    "黑林铺",
    "普吉路",
    "沙朗大道",
    "红云路",
    "莲华街道",
    "丰宁街道",
    "护国路",
    "潘家湾",
    "小康大道",
    "昆瑞路",
]
VILLAGES = ["村委会", "社区", "村民小组"]
FIRM_WORDS = [
    "鑫达",
    "恒通",
    "宏远",
    "滇峰",
    "春城",
    "金马",
    "碧鸡",
    "翠湖",
    "盘龙",
    "华宇",
    "聚源",
    "兴隆",
    "荣昌",
    "世纪",
    "锦华",
    "祥瑞",
    "盛安",
    "永安",
    "佳和",
    "云岭",
    "腾冲",
    "昆钢",
    "七彩",
    "远洋",
    "鼎盛",
    "汇丰源",
    "金碧",
    "弘毅",
    "安宁",
    "顺泰",
]
SECTORS = {
    "construction": {
        "suffixes": [
            "建筑工程有限公司",
            "建设工程有限公司",
            "建筑劳务有限公司",
            "市政工程有限公司",
        ],
        "places": [
            "小区二期项目工地",
            "商业综合体项目工地",
            "安置房项目工地",
            "棚户区改造项目工地",
            "学校教学楼项目工地",
            "道路提升改造工程",
        ],
        "jobs": ["钢筋工", "木工", "泥瓦工", "架子工", "水电工", "小工"],
    },
    "restaurant": {
        "suffixes": ["餐饮管理有限公司", "餐饮服务有限公司", "酒店管理有限公司"],
        "places": ["西昌路店", "大观店", "篆新农贸市场店", "滇池路店", "翠湖店"],
        "jobs": ["厨师", "服务员", "洗碗工", "配菜员", "传菜员"],
    },
    "factory": {
        "suffixes": [
            "食品有限公司",
            "服装有限公司",
            "包装制品有限公司",
            "电子科技有限公司",
            "印刷有限公司",
        ],
        "places": ["普吉厂区", "海口工业园厂区", "沙朗厂区", "高新区车间"],
        "jobs": ["流水线工人", "包装工", "搬运工", "缝纫工", "质检员"],
    },
    "property": {
        "suffixes": ["物业服务有限公司", "物业管理有限公司", "房屋租赁有限公司"],
        "places": ["公租房小区", "安置房小区"],
        "jobs": ["保洁员", "保安"],
    },
}
# the share of cases (oldest first) that have reached each stage, and the paths there
STAGE_SHARES = [
    ("closed", 0.35),
    ("post_litigation", 0.15),
    ("litigation", 0.18),
    ("pre_litigation", 0.17),
    ("review", 0.15),
]
PATHS = {
    "review": [([], 1)],
    "pre_litigation": [(["pre_litigation"], 1)],
    "litigation": [(["pre_litigation", "litigation"], 3), (["litigation"], 1)],
    "post_litigation": [
        (["pre_litigation", "litigation", "post_litigation"], 3),
        (["pre_litigation", "post_litigation"], 2),
    ],
    "closed": [
        (["pre_litigation", "litigation", "post_litigation", "closed"], 10),
        (["pre_litigation", "post_litigation", "closed"], 5),
        (["pre_litigation", "closed"], 2),
        (["closed"], 2),
    ],
}
MOVE_REASONS = {
    ("review", "pre_litigation"): [
        "经审查，申请人系弱势群体，符合支持起诉条件，先行开展诉前调解。",
        "审查终结，决定受理，启动诉前化解程序。",
    ],
    ("review", "litigation"): [
        "经审查符合支持起诉条件，被申请人明确拒绝调解，制发支持起诉意见书。",
    ],
    ("review", "closed"): [
        "申请人撤回支持起诉申请，审查终结。",
        "经审查，申请人已自行委托律师起诉，不再支持起诉，结案。",
    ],
    ("pre_litigation", "litigation"): [
        "诉前调解未能达成协议，向五华区人民法院提交支持起诉意见书。",
        "被申请人拒不到场调解，转入支持起诉。",
    ],
    ("pre_litigation", "post_litigation"): [
        "诉前调解达成协议并经司法确认，转入履行跟踪。",
        "双方达成分期支付协议，跟踪履行情况。",
    ],
    ("pre_litigation", "closed"): ["被申请人已全额支付，申请人撤回申请，结案。"],
    ("litigation", "post_litigation"): [
        "法院已作出民事判决，支持申请人诉讼请求，跟踪执行情况。",
        "案件经法院主持调解结案，跟踪调解书履行。",
    ],
    ("litigation", "closed"): ["申请人与被申请人庭外和解，申请人撤诉，结案。"],
    ("post_litigation", "closed"): [
        "款项已执行到位，回访申请人满意，案件办结。",
        "判决已履行完毕，案件办结归档。",
    ],
}


def new_credit_code(rng, taken: set[str], district) -> str:
    """A valid unified social credit code (rule ID-2, its embedded organisation code valid too)
    not in ``taken`` (which it joins), registered in ``district()``."""
    from zhichi.core.identifiers import credit_check_char, org_check_char

    while True:
        body = "".join(rng.choice(ORG_CODE_CHARS) for _ in range(8))
        first17 = f"91{district()}{body}{org_check_char(body)}"
        code = first17 + credit_check_char(first17)
        if code not in taken:
            taken.add(code)
            return code


def new_firm_name(rng, info: dict, taken: set[str]) -> str:
    """A firm's name in the sector ``info`` (SECTORS), not in ``taken`` (which it joins)."""
    for attempt in range(10_000):
        name = (
            f"{rng.choice(FIRM_PLACES)}{rng.choice(FIRM_WORDS)}"
            f"{rng.choice(FIRM_WORDS) if attempt > 3 or rng.random() < 0.5 else ''}"
            f"{rng.choice(info['suffixes'])}"
        )
        if attempt > 50:
            name = name.replace("有限公司", f"第{attempt}分公司")
        if name not in taken:
            break
    taken.add(name)
    return name


def setup_django(database_url: str | None = None) -> None:
    if database_url:
        os.environ["ZHICHI_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichi.settings")
    import django

    django.setup()


class IdSpace:
    """Unique valid resident ID numbers for one sex born in [first, last], with no 'seen' set.

    The k-th number is a fixed permutation of k over (region, birth day, sequence), so numbers
    never repeat within a space; the spaces (three generations x two sexes) do not overlap.
    ``take`` hands them out in order from ``start``; ``at(k)`` gives the k-th directly.
    """

    WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643
    CHECK = "10X98765432"

    def __init__(self, regions: list[str], years: tuple[int, int], sex: str, start: int, salt: int):
        self.regions = regions
        # the weighted digit sums of the region, the birth date and the sequence, computed once
        # per value (a birth date is shared by thousands of numbers)
        self.region_sums = [self._sum(r, 0) for r in regions]
        self.first = date(years[0], 1, 1)
        self.days = (date(years[1], 12, 31) - self.first).days + 1
        self.size = len(regions) * self.days * 500
        self.parity = 1 if sex == "m" else 0  # the 17th digit is odd for men
        self.next = start
        self.salt = salt % self.size
        self.born: dict[int, tuple[str, int]] = {}
        self.tails = [
            (f"{s * 2 + self.parity:03d}", self._sum(f"{s * 2 + self.parity:03d}", 14))
            for s in range(500)
        ]

    @classmethod
    def _sum(cls, digits: str, offset: int) -> int:
        return sum(int(d) * w for d, w in zip(digits, cls.WEIGHTS[offset:], strict=False))

    def take(self) -> str:
        number = self.at(self.next)
        self.next += 1
        return number

    def at(self, k: int) -> str:
        if k >= self.size:
            raise RuntimeError("ran out of resident ID numbers in a birth-year range")
        idx = (self.salt + k * MULTIPLIER) % self.size
        idx, region = divmod(idx, len(self.regions))
        seq, day = divmod(idx, self.days)
        born = self.born.get(day)
        if born is None:
            text = f"{self.first + timedelta(days=day):%Y%m%d}"
            born = self.born[day] = (text, self._sum(text, 6))
        tail, tail_sum = self.tails[seq]
        total = self.region_sums[region] + born[1] + tail_sum
        return f"{self.regions[region]}{born[0]}{tail}{self.CHECK[total % 11]}"


# --- what is written ----------------------------------------------------------------------------
# the tables, their models and the columns the generator fills (any other column of the model
# gets its default); the ``CASE_KEPT`` columns join the case's when the table has them
CASE_KEPT = ("search_grams", "claimed_total", "recovered_total", "owed_total")
TABLES = {
    "party": (
        "parties.Party",
        "id kind name id_number_enc id_number_index id_number_masked phone_enc phone_index "
        "phone_masked credit_code address created_at",
    ),
    "case": (
        "cases.Case",
        "id organisation_id department_id number year serial category summary source "
        "received_on opened_on closed_on stage status level level_reasons officer_id flags "
        "voluntary consent_to_share labour_relationship has_iou payment_order_authority "
        "payment_order_issued_on payment_order_deadline evasion referring_org_id search_text "
        "version created_at updated_at",
    ),
    "lead": (
        "intake.Lead",
        "id organisation_id department_id receipt_code source received_on category summary "
        "voluntary consent_to_share labour_relationship has_iou payment_order_authority "
        "payment_order_issued_on payment_order_deadline evasion flags referring_org_id status "
        "decline_reason decline_redirect decided_at decided_by_id case_id created_by_id "
        "created_at",
    ),
    "caseparty": (
        "cases.CaseParty",
        "id case_id party_id role position groups vulnerability_basis amount_claimed months_unpaid",
    ),
    "leadparty": (
        "intake.LeadParty",
        "id lead_id party_id role position groups vulnerability_basis amount_claimed months_unpaid",
    ),
    "event": ("cases.TimelineEvent", "id case_id at kind actor_id summary data"),
    "payment": (
        "cases.Payment",
        "id case_id claimant_id paid_on amount payer method recorded_by_id recorded_at",
    ),
    "document": (
        "documents.IssuedDocument",
        "id case_id kind number template_version issued_by_id issued_at",
    ),
    "transfer": (
        "transfers.Transfer",
        "id number kind case_id from_org_id from_department_id to_org_id reason basis "
        "legal_basis status sent_by_id sent_at receipt_due feedback_due received_at "
        "received_by_id decided_at decided_by_id reject_reason answered_at answered_by_id "
        "feedback_text feedback_result closed_at closed_by_id close_note version",
    ),
    "transferevent": ("transfers.TransferEvent", "id transfer_id at action actor_id note"),
    "caseshare": (
        "cases.CaseShare",
        "id case_id organisation_id reason basis legal_basis source granted_by_id granted_at "
        "ended_at ended_by_id end_reason",
    ),
}
# the order the rows go in (foreign keys point backwards)
ORDER = list(TABLES)
# per case, the most rows one case can add to a table: a block of cases owns a range of BLOCK x
# CAP primary keys (unused keys are left as gaps), so blocks can be made in any order and in
# parallel and still get the same keys
CAPS = {
    "party": 48,
    "caseparty": 48,
    "leadparty": 48,
    "event": 100,
    "payment": 90,
    "document": 2,
    "transfer": 1,
    "transferevent": 5,
    "caseshare": 1,
}
SPACES = [(gen, sex) for gen in BIRTH_YEARS for sex in "mf"]

# claimants per wage case: most claims are one worker or a few workmates; a crew whose boss
# disappeared brings tens (the tail carries most of the people)
CLAIMANT_COUNTS = [((1, 1), 55), ((2, 4), 25), ((5, 10), 13), ((11, 20), 6), ((21, 40), 1)]
REPEAT_CLAIMANT = 0.06  # a worker owed by a second employer: the same person, a second case
TRANSFER_SHARE = 0.03  # cases sent to another agency
PAYERS_METHOD = ["银行转账", "银行转账", "微信转账", "现金", "法院执行款"]
TRANSFER_REASONS = {
    "legal_aid": "申请人经济困难，符合法律援助条件，移送法律援助中心指派律师代理诉讼。",
    "labour_inspection": "用人单位拖欠劳动报酬，移送人力资源和社会保障局依法责令限期支付。",
}
TRANSFER_ANSWERS = {
    "legal_aid": ("lawyer_assigned", "已受理法律援助申请，指派律师承办。"),
    "labour_inspection": ("order_issued", "已立案调查，向用人单位下达限期支付令。"),
}
LEGAL_BASIS = "《人民检察院民事诉讼监督规则》第二十九条"


def table_columns(model) -> set[str]:
    """The columns the table has now: a model field whose migration has not run yet is left out
    (the bench may run while the models change)."""
    from django.db import connection

    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {c.name for c in described}


def _json(value) -> str:
    # as JSONField stores it, without \u escapes: COPY's text format reads a backslash as an
    # escape, and both databases keep the same JSON either way
    return json.dumps(value, ensure_ascii=False)


def _utc_text(value: datetime) -> str:
    # as the SQLite backend's adapt_datetimefield_value: UTC, naive, str()
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _pg_time(value: datetime) -> str:
    return value.isoformat(" ")


def _default_value(field, vendor: str):
    """A column's model default as the row carries it (the text COPY reads on PostgreSQL)."""
    from django.db import models

    value = field.get_default()
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return _json(value)
    if isinstance(field, models.DateTimeField):
        return _pg_time(value) if vendor == "postgresql" else _utc_text(value)
    if isinstance(field, models.DateField):
        return value.isoformat()
    if isinstance(field, models.BinaryField):
        return "" if vendor == "postgresql" else b""
    return value


def table_plan(vendor: str) -> dict:
    """Per table: (db table, the columns filled, the SQL column list, the defaults of the rest)."""
    from django.apps import apps

    plan = {}
    for key, (label, columns) in TABLES.items():
        model = apps.get_model(label)
        cols = columns.split()
        present = table_columns(model)
        if key == "case":
            cols += [c for c in CASE_KEPT if c in present]
        names = {f.attname for f in model._meta.concrete_fields}
        unknown = set(cols) - names
        if unknown:
            raise RuntimeError(f"{model.__name__} has no columns {sorted(unknown)}")
        extra = [f for f in model._meta.concrete_fields if f.attname not in cols]
        extra = [f for f in extra if f.column in present]
        defaults = tuple(_default_value(f, vendor) for f in extra)
        sql_cols = ", ".join(f'"{c}"' for c in [*cols, *(f.column for f in extra)])
        plan[key] = (model._meta.db_table, cols, sql_cols, defaults)
    return plan


# --- writing ------------------------------------------------------------------------------------
def write_rows(rows: dict[str, list[tuple]], plan: dict, vendor: str) -> None:
    """One block's rows, in one transaction: COPY in text format on PostgreSQL (one buffer per
    table), executemany of INSERTs on SQLite."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for key in ORDER:
            batch = rows.get(key)
            if not batch:
                continue
            table, _cols, sql_cols, defaults = plan[key]
            if vendor == "postgresql":
                tail = "".join("\t\\N" if d is None else f"\t{d}" for d in defaults) + "\n"
                text = "".join(
                    [
                        "\t".join(["\\N" if v is None else str(v) for v in row]) + tail
                        for row in batch
                    ]
                )
                # the values are made here and hold no tab, newline or backslash; a stray one
                # would shift or change a column, so a batch that has one is refused
                if text.count("\\") != text.count("\\N") or text.count("\n") != len(batch):
                    raise RuntimeError(f"{table}: a value holds a tab, newline or backslash")
                with cursor.cursor.copy(f'COPY "{table}" ({sql_cols}) FROM STDIN') as copy:
                    copy.write(text.encode())
            else:
                marks = ", ".join(["%s"] * (len(batch[0]) + len(defaults)))
                sql = f'INSERT INTO "{table}" ({sql_cols}) VALUES ({marks})'
                cursor.executemany(sql, [(*row, *defaults) for row in batch] if defaults else batch)


def _loading_session(replica: bool = False) -> None:
    """A loading session does not wait for its commits to reach the disk: a crash loses at most
    the last blocks of a bench load, never the database's consistency. ``replica``: the foreign
    keys are not checked row by row (as pg_restore --disable-triggers loads): the generator
    checks them set-wise once the load is done (``check_foreign_keys``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
            if replica:
                cursor.execute("SET session_replication_role = replica")
        else:
            # SQLite's default page cache (2 MB) is far smaller than the indexes a load walks
            # at random: each insert would read their pages from the file again
            cursor.execute("PRAGMA cache_size = -524288")  # 512 MB


def may_defer_foreign_keys(tables: list[str]) -> bool:
    """Whether the load may skip the row-by-row foreign key checks (PostgreSQL): the role may set
    session_replication_role (a superuser) and the tables have no trigger of their own, which
    that setting would skip too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname = ANY(%s)",
            [tables],
        )
        return bool(superuser) and cursor.fetchone()[0] == 0


def foreign_key_checks(tables: list[str], bases: dict[str, int]) -> list[str]:
    """One query per foreign key of the tables: the new rows (keys from ``bases``) whose
    reference points nowhere. Hash anti-joins over the whole load are far cheaper than the
    per-row trigger checks they replace."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname, p.relname, pa.attname
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_class p ON p.oid = k.confrelid
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
            WHERE k.contype = 'f' AND c.relname = ANY(%s)
            ORDER BY c.relname, a.attname
            """,
            [tables],
        )
        keys = cursor.fetchall()
    return [
        f"SELECT '{table}.{column}', count(*) FROM \"{table}\" c WHERE c.id >= {bases[table]} "
        f'AND c."{column}" IS NOT NULL AND NOT EXISTS '
        f'(SELECT 1 FROM "{parent}" p WHERE p."{ref}" = c."{column}")'
        for table, column, parent, ref in keys
    ]


def secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the tables' indexes that enforce nothing (PostgreSQL): COPY into a
    table without them and building them afterwards is several times faster than keeping them
    up to date row by row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class c ON c.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
            ORDER BY i.indexname
            """,
            [tables],
        )
        return cursor.fetchall()


# CPU seconds PostgreSQL's backends spent on the load, for the figures: the wall time of a load
# depends on what else the machine runs, its CPU time does not
SERVER_CPU: list[float] = []


def backend_cpu() -> float:
    """The CPU seconds this session's PostgreSQL backend has used so far, when the server runs
    on this machine (0 otherwise, and on SQLite, whose work is this process's own)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _in_threads(statements: list[str], threads: int, setup: str = "") -> list:
    """Run independent statements on ``threads`` connections of their own (the work is the
    server's: PostgreSQL builds two indexes on two cores); the rows of those that return any."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    todo = list(statements)
    results: list = []

    def run(cursor):
        if setup:
            cursor.execute(setup)
        while todo:
            cursor.execute(todo.pop(0))
            if cursor.description:
                results.extend(cursor.fetchall())

    if threads <= 1:
        before = backend_cpu()
        with connection.cursor() as cursor:
            run(cursor)
        SERVER_CPU.append(backend_cpu() - before)
        return results

    def work():
        try:
            with connection.cursor() as cursor:
                run(cursor)
            SERVER_CPU.append(backend_cpu())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(work) for _ in range(threads)]:
            future.result()
    return results


def reset_sequences(labels: list[str]) -> None:
    """Explicit keys do not advance PostgreSQL sequences; SQLite's AUTOINCREMENT follows itself."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    models = [apps.get_model(label) for label in labels]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the plan: what is decided in order, before the blocks --------------------------------------
class Numbers:
    """A numbering pattern as a plain format per year (``numbering.format_number`` checks the
    pattern on every call); falls back to it when the pattern pads the sequence."""

    def __init__(self, pattern: str, short: str):
        from zhichi.core import numbering

        self.pattern, self.short, self.format = pattern, short, numbering.format_number
        self.years: dict[int, str | None] = {}

    def __call__(self, year: int, seq: int) -> str:
        template = self.years.get(year, "")
        if template == "":
            probe = self.format(self.pattern, short=self.short, year=year, seq=987654321)
            template = probe.replace("987654321", "{}") if probe.count("987654321") == 1 else None
            if template is not None and any(
                template.format(s) != self.format(self.pattern, short=self.short, year=year, seq=s)
                for s in (1, 42, 999)
            ):
                template = None
            self.years[year] = template
        if template is None:
            return self.format(self.pattern, short=self.short, year=year, seq=seq)
        return template.format(seq)


class Plan:
    """The parts of the cases that number things in order (case, document and transfer serials,
    per year, in the order the cases were opened) and the stages the cases reached; the rest of
    each case is drawn by its block."""

    def __init__(
        self, cases: int, seed: int, span_days: int, now: datetime, counters: dict, due_days
    ):
        self.rng = random.Random(seed)
        self.due_days = due_days  # a transfer's receipt and answer, in days (rule TL-1)
        self.cases = cases
        self.now = now
        today = now.date()
        self.first_day = today - timedelta(days=span_days - 1)
        self.offsets = sorted(self.rng.randrange(span_days) for _ in range(cases))
        self.counters = counters  # (kind, year) -> last serial, continued from the database
        self.stage_bounds = []
        cumulative = 0.0
        for stage, share in STAGE_SHARES:
            cumulative += share
            self.stage_bounds.append((cumulative, stage))

    def serial(self, kind: str, year: int) -> int:
        value = self.counters.get((kind, year), 0) + 1
        self.counters[(kind, year)] = value
        return value

    def stage_path(self, rank: float) -> list[str]:
        """The moves that led to this case's stage; older cases are further along."""
        noisy = min(max(rank + self.rng.gauss(0, 0.05), 0.0), 0.999)
        target = next((s for b, s in self.stage_bounds if noisy < b), "review")
        paths = PATHS[target]
        return list(self.rng.choices([p for p, _ in paths], weights=[w for _, w in paths])[0])

    def block(self, first: int, last: int) -> list[tuple]:
        rng, now = self.rng, self.now
        out = []
        for i in range(first, last):
            opened = self.first_day + timedelta(days=self.offsets[i])
            opened_at = datetime(
                opened.year, opened.month, opened.day, 9, tzinfo=SHANGHAI
            ) + timedelta(minutes=int(rng.random() * 480))
            opened_at = min(opened_at, now - timedelta(minutes=30))
            moves = self.stage_path(i / self.cases)
            # stage moves 7-60 days apart, squeezed to fit before now
            durations = [
                timedelta(days=7 + int(rng.random() * 54), hours=int(rng.random() * 9))
                for _ in moves
            ]
            available = now - opened_at - timedelta(minutes=1)
            total = sum(durations, timedelta())
            if moves and total > available:
                scale = max(available, timedelta()) / total * 0.95
                durations = [d * scale for d in durations]
            at, steps = opened_at, []
            for step, duration in zip(moves, durations, strict=True):
                at = min(at + duration, now)
                steps.append((step, at))
            year = opened_at.year
            serial = self.serial("case", year)
            acceptance = self.serial("doc:acceptance_notice", year)
            support = None
            for step, when in steps:
                if step == "litigation":
                    support = (when, self.serial("doc:support_opinion", when.year))
            transfer = None
            if rng.random() < TRANSFER_SHARE:
                sent = min(opened_at + timedelta(days=1 + int(rng.random() * 20)), now)
                sent -= timedelta(minutes=5)
                day = sent.date()
                transfer = (
                    sent,
                    self.serial("transfer", sent.year),
                    transfer_due(day, self.due_days[0]),
                    transfer_due(day, self.due_days[1]),
                )
            out.append((i, opened, opened_at, steps, year, serial, acceptance, support, transfer))
        return out


_DUE: dict[tuple[date, int], date] = {}


def transfer_due(start: date, days: int) -> date:
    """``transfers.services._due`` (rule TL-1 on the holiday calendar), once per day: the
    calendar is read from the database on every call."""
    due = _DUE.get((start, days))
    if due is None:
        from zhichi.transfers.services import _due

        due = _DUE[(start, days)] = _due(start, days)
    return due


# --- one block of cases -------------------------------------------------------------------------
class Block:
    """The rows of one block of cases, drawn from the block's own random stream."""

    def __init__(self, ctx: dict, number: int):
        from zhichi.parties import crypto

        self.ctx = ctx
        self.number = number
        self.rng = random.Random(ctx["seed"] * 1_000_003 + number)
        self.r = self.rng.random
        self.now = ctx["now"]
        self.pg = ctx["vendor"] == "postgresql"
        self.ts = _pg_time if self.pg else _utc_text
        self.rows: dict[str, list[tuple]] = {k: [] for k in ORDER}
        self.next_id = {key: ctx["bases"][key] + number * ctx["block"] * CAPS[key] for key in CAPS}
        self.limit = {key: self.next_id[key] + ctx["block"] * CAPS[key] for key in CAPS}
        self.person_k = dict.fromkeys(SPACES, 0)
        self.encrypt = crypto.encrypt
        self.blind_index = crypto.blind_index
        self.recent: list[dict] = []  # workers of this block who may claim again
        self.js_cache: dict = {}
        self.stats: dict[str, int] = defaultdict(int)
        self.case_kept = ctx["case_kept"]

    # --- small pieces ---------------------------------------------------------------------------
    def new_id(self, key: str) -> int:
        value = self.next_id[key]
        if value >= self.limit[key]:
            raise RuntimeError(f"block {self.number}: more {key} rows than CAPS allows")
        self.next_id[key] = value + 1
        return value

    def js(self, value) -> str:
        """JSON text of a small list, cached (the same few group lists recur)."""
        key = tuple(value)
        text = self.js_cache.get(key)
        if text is None:
            text = self.js_cache[key] = _json(list(value))
        return text

    def choice(self, seq):
        return seq[int(self.r() * len(seq))]

    def pick(self, weighted):
        return self.rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]

    def money(self, low: int, high: int) -> Decimal:
        if self.r() < 0.7:
            return Decimal((low // 10 + int(self.r() * (high // 10 - low // 10 + 1))) * 10)
        return Decimal(low * 100 + int(self.r() * (high - low) * 100)).scaleb(-2)

    def event(self, case_id: int, at: datetime, kind: str, actor, summary: str, data) -> None:
        self.rows["event"].append(
            (self.new_id("event"), case_id, self.ts(at), kind, actor, summary, _json(data))
        )

    # --- people ---------------------------------------------------------------------------------
    def employer(self, sector: str) -> dict:
        firms = self.ctx["pool"][sector]
        return firms[int(len(firms) * self.r() ** 2)]  # skewed: some have hundreds of cases

    def person(self, gen: str, created_at: str, *, sex: str | None = None, phone=True) -> dict:
        r = self.r
        sex = sex or ("m" if r() < 0.5 else "f")
        # the block's k-th person of a space is the space's (start + block + k * blocks)-th
        k = self.person_k[(gen, sex)]
        self.person_k[(gen, sex)] = k + 1
        number = self.ctx["ids"][(gen, sex)].at(
            self.ctx["person_start"] + self.number + k * self.ctx["blocks"]
        )
        name = self.choice(SURNAMES) + self.choice(GIVEN[(gen, sex)])
        place = HOME_PLACES.get(number[:6], "昆明市五华区")
        if number[:6] in ("530102", "530103", "530111", "530112"):
            address = f"{place}{self.choice(STREETS)}{1 + int(r() * 399)}号"
        else:
            address = f"{place}{self.choice(SURNAMES)}家{self.choice(VILLAGES)}"
        mobile = f"1{3 + int(r() * 7)}{int(r() * 1_000_000_000):09d}" if phone else ""
        pid = self.new_id("party")
        self.rows["party"].append(
            (
                pid,
                "person",
                name,
                self.encrypt(number),
                self.blind_index("id", number),
                f"{number[:6]}{'*' * 8}{number[-4:]}",  # == identifiers.mask_id_number
                self.encrypt(mobile) if mobile else "",
                self.blind_index("phone", mobile) if mobile else "",
                f"{mobile[:3]}****{mobile[-4:]}" if mobile else "",  # == mask_phone
                "",
                address,
                created_at,
            )
        )
        self.stats["people"] += 1
        return {"party_id": pid, "name": name, "number": number}

    def worker(self, created_at: str, taken: set[int]) -> tuple[dict, list[str], list[str]]:
        r = self.r
        person = None
        if self.recent and r() < REPEAT_CLAIMANT:
            again = self.choice(self.recent)
            if again["party_id"] not in taken:
                person = again
        sex = "m" if r() < 0.75 else "f"
        if person is None:
            person = self.person("mid", created_at, sex=sex, phone=r() < 0.85)
            if len(self.recent) < 2000:
                self.recent.append(person)
            else:
                self.recent[int(r() * 2000)] = person
        taken.add(person["party_id"])
        groups = ["migrant_worker"] + (["woman"] if sex == "f" and r() < 0.5 else [])
        if r() < 0.1:
            groups.append("low_income")
        basis = self.rng.sample(
            ["economic_hardship", "no_legal_knowledge", "evidence_difficulty"],
            1 if r() < 0.67 else 2,
        )
        return person, groups, basis

    # --- one case -------------------------------------------------------------------------------
    def parties_for(self, category: str, received: date, at: str) -> dict:
        """Claimants [(person, groups, basis, amount, months)], respondents [party dict], facts."""
        r, choice = self.r, self.choice
        claimants: list[tuple] = []
        respondents: list[dict] = []
        facts = {"labour_relationship": "none", "has_iou": False}
        taken: set[int] = set()
        if category == "wages":
            sector = self.pick([("construction", 55), ("restaurant", 20), ("factory", 25)])
            firm = self.employer(sector)
            low, high = self.pick(CLAIMANT_COUNTS)
            count = low + int(r() * (high - low + 1))
            months = 1 + int(r() * 12)
            for _ in range(count):
                person, groups, basis = self.worker(at, taken)
                spread = max(1, min(12, months + int(r() * 3) - 1))
                claimants.append((person, groups, basis, self.money(3000, 60000), spread))
            respondents.append(firm)
            relationship = self.rng.choices(
                ["employee", "contractor_crew", "unknown", "none"], weights=[45, 35, 15, 5]
            )[0]
            if sector != "construction" and relationship == "contractor_crew":
                relationship = "employee"
            info = SECTORS[sector]
            total = sum(c[3] for c in claimants)
            start = received - timedelta(days=30 * months + int(r() * 21))
            summary = (
                f"{_names([c[0] for c in claimants])}自{start.year}年{start.month}月起在"
                f"{firm['name']}{choice(info['places'])}从事{choice(info['jobs'])}工作，"
                f"被拖欠工资{months}个月，共计{total:,.2f}元，多次讨要未果。"
            )
            if relationship == "contractor_crew" or (sector == "construction" and r() < 0.3):
                boss = self.person("mid", at, sex="m", phone=False)
                respondents.append(boss)
                summary += f"工人由包工头{boss['name']}招用，工程款已结算，但其未向工人发放工资。"
            has_iou = r() < 0.25
            if has_iou:
                summary += "申请人持有用工方出具的工资欠条。"
            facts.update(labour_relationship=relationship, has_iou=has_iou)
            if r() < 0.3:
                issued = received - timedelta(days=20 + int(r() * 71))
                deadline = issued + timedelta(days=15)
                facts.update(
                    payment_order_authority=HRSS_NAME,
                    payment_order_issued_on=issued,
                    payment_order_deadline=deadline,
                )
                summary += (
                    f"{HRSS_NAME}已于{issued.month}月{issued.day}日责令限期支付，"
                    f"至{deadline.month}月{deadline.day}日期限届满仍未支付。"
                )
                if r() < 0.6:
                    facts["evasion"] = list(choice(EVASIONS))
                    summary += "用人单位负责人存在逃匿、转移财产等逃避支付行为。"
            if count >= 10:
                summary += "涉及人数较多，工人情绪激动。"
        elif category == "work_injury":
            person, groups, basis = self.worker(at, taken)
            if r() < 0.5:
                groups.append("disabled")
                basis.append("age_or_health")
            firm = self.employer(choice(["construction", "factory"]))
            claimants.append((person, groups, basis, self.money(30000, 180000), None))
            respondents.append(firm)
            facts["labour_relationship"] = "employee"
            summary = (
                f"{person['name']}在{firm['name']}务工期间因安全防护缺失受伤，经鉴定为"
                f"{7 + int(r() * 4)}级伤残，单位未缴纳工伤保险且拒绝支付工伤待遇。"
            )
        elif category == "support_payment":
            if r() < 0.6:
                parent = self.person("old", at)
                basis = ["age_or_health"] + (["economic_hardship"] if r() < 0.4 else [])
                claimants.append((parent, ["elderly"], basis, self.money(6000, 36000), None))
                children = [self.person("mid", at, phone=False) for _ in range(1 + int(r() * 3))]
                respondents.extend(children)
                age = received.year - int(parent["number"][6:10])
                summary = (
                    f"{parent['name']}现年{age}岁，年老多病，无固定收入，其子女{_names(children)}"
                    f"长期未尽赡养义务，拒绝支付赡养费，申请人无力自行起诉。"
                )
            else:
                child = self.person("young", at, phone=False)
                months = 3 + int(r() * 22)
                claimants.append(
                    (
                        child,
                        ["minor"],
                        ["age_or_health", "economic_hardship"],
                        self.money(6000, 36000),
                        months,
                    )
                )
                father = self.person("mid", at, sex="m", phone=False)
                respondents.append(father)
                mother = choice(SURNAMES) + choice(GIVEN[("mid", "f")])
                summary = (
                    f"未成年人{child['name']}随母亲{mother}生活，其父{father['name']}离婚后"
                    f"拒不支付抚养费已{months}个月，母亲收入微薄，生活困难。"
                )
        elif category == "domestic_violence":
            woman = self.person("mid", at, sex="f")
            basis = self.rng.sample(["evidence_difficulty", "economic_hardship"], 1 + int(r() * 2))
            groups = ["woman"] + (["low_income"] if r() < 0.3 else [])
            claimants.append((woman, groups, basis, None, None))
            husband = self.person("mid", at, sex="m", phone=False)
            respondents.append(husband)
            summary = (
                f"{woman['name']}婚后长期遭受丈夫{husband['name']}殴打、威胁，曾"
                f"{2 + int(r() * 5)}次报警，公安机关出具告诫书后仍未改正，"
                f"申请人身安全保护令并请求离婚损害赔偿，取证困难。"
            )
        elif category == "personal_injury":
            old = r() < 0.5
            victim = self.person("old" if old else "mid", at)
            groups, basis = (
                (["elderly"], ["age_or_health"]) if old else (["low_income"], ["economic_hardship"])
            )
            claimants.append((victim, groups, basis, self.money(5000, 80000), None))
            other = self.person("mid", at, sex="m", phone=False)
            respondents.append(other)
            summary = (
                f"{victim['name']}在{choice(STREETS)}路口被{other['name']}驾驶的"
                f"电动车撞伤，住院治疗{7 + int(r() * 39)}天，对方仅垫付部分医疗费后拒绝赔偿。"
            )
        elif category == "guardianship":
            if r() < 0.5:
                child = self.person("young", at, phone=False)
                claimants.append((child, ["minor"], ["age_or_health"], None, None))
                parent = self.person("mid", at, phone=False)
                respondents.append(parent)
                summary = (
                    f"未成年人{child['name']}父母长期外出务工、下落不明，现由年迈祖母照看，"
                    f"其父（母）{parent['name']}怠于履行监护职责，申请撤销监护人资格并另行指定监护人。"
                )
            else:
                elder = self.person("old", at, phone=False)
                claimants.append((elder, ["elderly", "disabled"], ["age_or_health"], None, None))
                summary = (
                    f"{elder['name']}患阿尔茨海默病，无配偶子女，长期独居，"
                    f"社区申请认定其为无民事行为能力人并指定监护人。"
                )
        else:
            person = self.person("mid", at)
            groups = choice([["disabled"], ["low_income"], ["veteran"]])
            claimants.append((person, groups, ["economic_hardship"], self.money(3000, 20000), None))
            firm = self.employer("property")
            respondents.append(firm)
            summary = (
                f"{person['name']}系困难群众，租住{firm['name']}管理的公租房，退租后对方无故扣留"
                f"押金及多收取的费用，经社区调解未果。"
            )
        facts["summary"] = summary
        return {"claimants": claimants, "respondents": respondents, "facts": facts}

    def receipt_code(self, lead_id: int) -> str:
        """A lead's receipt code: a fixed permutation of its key over 32^10 codes, so codes never
        repeat and need no 'seen' set."""
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        value = (self.ctx["receipt_salt"] + lead_id * MULTIPLIER) % 32**10
        chars = []
        for _ in range(10):
            value, digit = divmod(value, 32)
            chars.append(alphabet[digit])
        return "".join(chars)

    def case(self, planned: tuple) -> None:
        i, opened, opened_at, steps, year, serial, acceptance, support, transfer = planned
        r, ctx, ts, rows = self.r, self.ctx, self.ts, self.rows
        users = ctx["users"]
        category = self.pick(CATEGORY_WEIGHTS)
        received = opened - timedelta(days=self.choice([0, 0, 0, 1, 1, 2, 3, 5, 7]))
        received_at = datetime(
            received.year,
            received.month,
            received.day,
            8 + int(r() * 10),
            int(r() * 60),
            int(r() * 60),
            tzinfo=SHANGHAI,
        )
        received_at = min(received_at, opened_at - timedelta(minutes=30 + int(r() * 150)))
        created = ts(received_at)
        drafted = self.parties_for(category, received, created)
        facts = drafted["facts"]

        source = self.pick(SOURCES[category])
        referring_org = None
        if source.startswith("agency:"):
            creator = source.split(":", 1)[1]
            source = "agency"
            referring_org = ctx["orgs"]["WHHRSS" if creator == "hrss1" else "WHWF"]
            consent = r() < 0.85
        else:
            creator = self.choice(["civil1", "civil2", "civil1", "civil2", "civilhead"])
            consent = r() < 0.5
        summary = facts["summary"]
        if source == "internal":
            summary = (
                "刑事检察部在办理拒不支付劳动报酬案件中发现并移送："
                if category == "wages"
                else "本院刑事检察部在办案中发现并移送："
            ) + summary
        elif source == "ex_officio":
            summary = "依职权排查发现：" + summary
        voluntary = r() < (0.6 if source == "ex_officio" else 0.93)
        flags = (
            ["arbitration_first"]
            if ctx["arbitration_first"](
                labour_relationship=facts["labour_relationship"], has_iou=facts["has_iou"]
            )
            else []
        )
        decided_by = "civilhead" if r() < 0.1 else self.choice(["civil1", "civil2"])
        officer_name = (
            self.choice(["civil1", "civil2"]) if decided_by == "civilhead" else decided_by
        )
        officer = users[officer_name]
        number = ctx["case_number"](year, serial)
        case_id = ctx["bases"]["case"] + i
        lead_id = ctx["bases"]["lead"] + i
        receipt = self.receipt_code(lead_id)

        claimant_rows = []  # (caseparty id, person, amount)
        for pos, (person, groups, basis, amount, months) in enumerate(drafted["claimants"]):
            g, b, a = self.js(groups), self.js(basis), None if amount is None else str(amount)
            cp_id = self.new_id("caseparty")
            rows["caseparty"].append(
                (cp_id, case_id, person["party_id"], "claimant", pos, g, b, a, months)
            )
            rows["leadparty"].append(
                (
                    self.new_id("leadparty"),
                    lead_id,
                    person["party_id"],
                    "claimant",
                    pos,
                    g,
                    b,
                    a,
                    months,
                )
            )
            claimant_rows.append((cp_id, person, amount))
        for pos, party in enumerate(drafted["respondents"]):
            for key, owner in (("caseparty", case_id), ("leadparty", lead_id)):
                rows[key].append(
                    (
                        self.new_id(key),
                        owner,
                        party["party_id"],
                        "respondent",
                        pos,
                        "[]",
                        "[]",
                        None,
                        None,
                    )
                )

        # the timeline: opened, the acceptance notice, the stage moves (with the opinion that
        # supports the suit when it goes to court), payments, a transfer
        civil = users[decided_by]
        self.event(
            case_id,
            opened_at,
            "case_opened",
            civil,
            "",
            {"number": number, "lead": lead_id, "receipt_code": receipt},
        )
        self.document(
            case_id,
            "acceptance_notice",
            year,
            acceptance,
            opened_at + timedelta(minutes=10 + int(r() * 120)),
            officer,
        )
        stage, closed_on, last_at = "review", None, opened_at
        for step, at in steps:
            reasons = MOVE_REASONS[(stage, step)]
            self.event(
                case_id,
                at,
                "stage_changed",
                officer,
                reasons[i % len(reasons)],
                {"from": stage, "to": step},
            )
            if step == "litigation" and support is not None:
                self.document(
                    case_id,
                    "support_opinion",
                    support[0].year,
                    support[1],
                    at + timedelta(minutes=5),
                    officer,
                )
            stage, last_at = step, at
            if step == "closed":
                closed_on = at.astimezone(SHANGHAI).date()
        payments, recovered = self.payments(
            case_id, stage, steps, claimant_rows, drafted["respondents"], officer
        )
        claimed = sum((a for _cp, _p, a in claimant_rows if a is not None), Decimal("0.00"))
        if transfer is not None:
            last_at = max(last_at, self.transfer(case_id, category, consent, transfer, officer))

        names = []
        for c in drafted["claimants"]:
            names.append(c[0]["name"])
        for p in drafted["respondents"]:
            names += [p["name"], p.get("credit_code", "")]
        search_text = case_search_text([number, summary, *names])
        dept, org = ctx["dept"], ctx["org"]
        evasion = self.js(facts.get("evasion", []))
        order_on = facts.get("payment_order_issued_on")
        order_due = facts.get("payment_order_deadline")
        order_on = order_on.isoformat() if order_on else None
        order_due = order_due.isoformat() if order_due else None
        flags_js = self.js(flags)
        authority = facts.get("payment_order_authority", "")
        received_on, opened_on = received.isoformat(), opened.isoformat()
        case_row = (
            case_id, org, dept, number, year, serial, category, summary, source, received_on,
            opened_on, closed_on.isoformat() if closed_on else None, stage,
            "closed" if stage == "closed" else "open", None, "[]", officer, flags_js, voluntary,
            consent, facts["labour_relationship"], facts["has_iou"], authority, order_on,
            order_due, evasion, referring_org, search_text, 1 + len(steps) + payments,
            ts(opened_at), ts(max(last_at, opened_at)),
        )  # fmt: skip
        kept = {
            "search_grams": search_grams,
            "claimed_total": lambda _t: str(claimed),
            "recovered_total": lambda _t: str(recovered),
            # what was paid is never more than the claim, and the claim is what is due
            "owed_total": lambda _t: str(claimed - recovered),
        }
        case_row += tuple(kept[c](search_text) for c in self.case_kept)
        rows["case"].append(case_row)
        rows["lead"].append(
            (
                lead_id, org, dept, receipt, source, received_on, category, summary, voluntary,
                consent, facts["labour_relationship"], facts["has_iou"], authority, order_on,
                order_due, evasion, flags_js, referring_org, "accepted", "", "", ts(opened_at),
                civil, case_id, users[creator], created,
            )
        )  # fmt: skip
        self.stats["claimants"] += len(drafted["claimants"])

    def document(self, case_id, kind: str, year: int, seq: int, at: datetime, actor) -> None:
        """An issued document's record as ``issue_document`` keeps it, without its files."""
        doc_id = self.new_id("document")
        number = self.ctx["doc_number"][kind](year, seq)
        self.rows["document"].append(
            (doc_id, case_id, kind, number, self.ctx["template_version"], actor, self.ts(at))
        )
        self.event(case_id, at, "document_issued", actor, "",
                   {"document": doc_id, "kind": kind, "number": number, "reissue": False})  # fmt: skip

    def payments(
        self, case_id, stage, steps, claimants, respondents, officer
    ) -> tuple[int, Decimal]:
        """What the respondents paid, once the case is being enforced or closed: each claimant
        at most what they claimed, in one or two instalments (``record_payment``'s rows and
        timeline events). Returns how many, and how much in all."""
        if stage not in ("post_litigation", "closed") or not steps:
            return 0, Decimal("0.00")
        r = self.r
        # from the move into enforcement (or the close) until now or the close
        start = next((at for s, at in steps if s in ("post_litigation", "closed")), steps[-1][1])
        end = steps[-1][1] if stage == "closed" else self.now
        window = max((end - start).total_seconds(), 3600.0)
        payer = respondents[0]["name"] if respondents else ""
        share = 0.9 if stage == "closed" else 0.55  # cases paid (in full or in part)
        count, paid = 0, Decimal("0.00")
        for cp_id, person, claimed in claimants:
            if claimed is None or r() >= share:
                continue
            full = stage == "closed" and r() < 0.8
            total = (
                claimed
                if full
                else (claimed * Decimal(30 + int(r() * 60)) / 100).quantize(Decimal("0.01"))
            )
            paid += total
            parts = [total]
            if total >= 2000 and r() < 0.4:
                first = (total * Decimal(40 + int(r() * 30)) / 100).quantize(Decimal("0.01"))
                parts = [first, total - first]
            method = self.choice(PAYERS_METHOD)
            for n, amount in enumerate(parts):
                at = min(start + timedelta(seconds=window * (n + r()) / len(parts)), self.now)
                paid_on = at.astimezone(SHANGHAI).date().isoformat()
                pay_id = self.new_id("payment")
                self.rows["payment"].append(
                    (
                        pay_id,
                        case_id,
                        cp_id,
                        paid_on,
                        str(amount),
                        payer,
                        method,
                        officer,
                        self.ts(at),
                    )
                )
                self.event(case_id, at, "payment", officer, "", {
                    "payment": pay_id, "paid_on": paid_on, "amount": f"{amount:.2f}",
                    "claimant": person["party_id"], "payer": payer, "name": person["name"],
                    "overpaid": None,
                })  # fmt: skip
                count += 1
        self.stats["payments"] += count
        return count, paid

    def transfer(self, case_id, category, consent, planned, officer) -> datetime:
        """A transfer to the legal aid centre or the labour bureau as ``send_transfer`` and the
        receiver's steps write it: the transfer, its history, the share it grants (ended when it
        is rejected or closed) and the case's timeline events. Returns its last moment."""
        sent_at, serial, receipt_due, feedback_due = planned
        r, ctx, ts = self.r, self.ctx, self.ts
        kind = "labour_inspection" if category == "wages" and r() < 0.35 else "legal_aid"
        to_code, partner = ("WHHRSS", "hrss1") if kind == "labour_inspection" else ("WHLAC", "lac1")
        to_org, receiver = ctx["orgs"][to_code], ctx["users"][partner]
        transfer_id = self.new_id("transfer")
        number = ctx["transfer_number"](sent_at.year, serial)
        reason = TRANSFER_REASONS[kind]
        basis, legal = ("consent", "") if consent else ("legal_basis", LEGAL_BASIS)
        age = (self.now - sent_at).days
        # what the receiver has done by now: older transfers are further along
        if age > 60:
            path = self.pick(
                [
                    (("receive", "accept", "answer", "close"), 60),
                    (("receive", "accept", "answer"), 25),
                    (("receive", "reject", "close"), 10),
                    (("receive", "accept"), 5),
                ]
            )
        elif age > 7:
            path = self.pick(
                [
                    (("receive", "accept"), 50),
                    (("receive",), 30),
                    (("receive", "accept", "answer"), 20),
                ]
            )
        else:
            path = self.pick([((), 60), (("receive",), 40)])  # fmt: skip
        status = {"send": "sent", "receive": "received", "accept": "accepted", "reject": "rejected",
                  "answer": "answered", "close": "closed"}  # fmt: skip
        at = sent_at
        done = {"send": (sent_at, officer)}
        history = [("send", sent_at, officer, reason)]
        for step in path:
            at = min(at + timedelta(days=1 + int(r() * min(10, max(1, age // 4)))), self.now)
            actor = officer if step == "close" else receiver
            note = {
                "reject": "经审查，申请人不符合法律援助经济困难标准。",
                "answer": TRANSFER_ANSWERS[kind][1],
                "close": "已收到反馈，移送办结。",
            }.get(step, "")
            done[step] = (at, actor)
            history.append((step, at, actor, note))
        received = done.get("receive", (None, None))
        decided = done.get("accept") or done.get("reject") or (None, None)
        answered = done.get("answer", (None, None))
        closed = done.get("close", (None, None))
        final = status[path[-1]] if path else "sent"
        answer_result, answer_text = TRANSFER_ANSWERS[kind] if answered[0] else ("", "")
        opt = lambda moment: ts(moment) if moment else None  # noqa: E731
        self.rows["transfer"].append(
            (
                transfer_id, number, kind, case_id, ctx["org"], ctx["dept"], to_org, reason, basis,
                legal, final, officer, ts(sent_at), receipt_due.isoformat(),
                feedback_due.isoformat(), opt(received[0]), received[1], opt(decided[0]),
                decided[1], history[path.index("reject") + 1][3] if "reject" in path else "",
                opt(answered[0]), answered[1], answer_text, answer_result, opt(closed[0]),
                closed[1], history[-1][3] if closed[0] else "", 1 + len(path),
            )
        )  # fmt: skip
        ended = next((done[s] for s in ("reject", "close") if s in done), (None, None))
        end_reason = "transfer rejected" if "reject" in done else "transfer closed"
        self.rows["caseshare"].append(
            (
                self.new_id("caseshare"), case_id, to_org, "transfer", basis, legal,
                f"transfer:{transfer_id}", officer, ts(sent_at), opt(ended[0]), ended[1],
                end_reason if ended[0] else "",
            )
        )  # fmt: skip
        to_name = ctx["org_names"][to_code]
        for step, moment, actor, note in history:
            self.rows["transferevent"].append(
                (self.new_id("transferevent"), transfer_id, ts(moment), step, actor, note)
            )
            self.event(case_id, moment, f"transfer_{step}", actor, "", {
                "transfer": transfer_id, "number": number, "status": status[step],
                "transfer_kind": kind, "org": to_name,
            })  # fmt: skip
        self.stats["transfers"] += 1
        return history[-1][1]


# --- the processes ------------------------------------------------------------------------------
_CTX: dict = {}


def _init_worker(ctx: dict) -> None:
    """A worker process (forked with Django set up): its own connection, made on first use."""
    _CTX.clear()
    _CTX.update(ctx)
    _CTX.update(_callables())
    if ctx["write_in_worker"]:
        _loading_session(ctx["replica"])


def _callables() -> dict:
    """The app's own functions the blocks call (not sent between processes)."""
    from zhichi.core.routing import arbitration_first

    return {"arbitration_first": arbitration_first}


def _run_block(job: tuple[int, list[tuple]]):
    number, planned = job
    block = Block(_CTX, number)
    for case in planned:
        block.case(case)
    counts = {k: len(v) for k, v in block.rows.items()}
    if _CTX["write_in_worker"]:
        write_rows(block.rows, _CTX["plan"], _CTX["vendor"])
        return number, counts, dict(block.stats), None, backend_cpu()
    return number, counts, dict(block.stats), block.rows, None


def _context(cases: int, seed: int, block: int, now: datetime) -> tuple[dict, dict]:
    """What every block needs (picklable), and the numbering counters from the database."""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from zhichi.accounts.models import Department, NumberSequence, Organisation, User
    from zhichi.documents.layouts import VERSION
    from zhichi.documents.services import patterns_for
    from zhichi.parties.models import Party, PartyKind

    try:
        org = Organisation.objects.get(code="WHPROC")
        dept = Department.objects.get(organisation=org, code="civil")
    except (Organisation.DoesNotExist, Department.DoesNotExist):
        org = dept = None
    names = ["civil1", "civil2", "civilhead", "hrss1", "wf1", "lac1"]
    users = {u.username: u.pk for u in User.objects.filter(username__in=names)}
    partners = Organisation.objects.filter(code__in=["WHHRSS", "WHWF", "WHLAC"])
    orgs = {o.code: o.pk for o in partners}
    if org is None or len(users) != len(names) or len(orgs) != 3:
        raise SystemExit(
            "The demo organisations and users are missing: run "
            "`manage.py seed_demo --force --leads 0` first."
        )
    bases = {}
    for key, (label, _cols) in TABLES.items():
        last = apps.get_model(label).objects.aggregate(m=Max("pk"))["m"]
        bases[key] = (last or 0) + 1
    counters = {
        (s.kind, s.year): s.last
        for s in NumberSequence.objects.filter(organisation=org).filter(
            kind__in=["case", "transfer", "doc:acceptance_notice", "doc:support_opinion"]
        )
    }
    people = Party.objects.filter(kind=PartyKind.PERSON).count()
    blocks = max(1, -(-cases // block))
    short = org.short_name or org.code
    case_pattern = org.case_number_pattern or settings.ZHICHI["CASE_NUMBER_PATTERN"]
    ctx = {
        "seed": seed,
        "now": now,
        "vendor": connection.vendor,
        "block": block,
        "blocks": blocks,
        "bases": bases,
        "org": org.pk,
        "dept": dept.pk,
        "users": users,
        "orgs": orgs,
        "org_names": {o.code: o.name for o in partners},
        # ID numbers continue after the people already there: the k-th of a run is the
        # (people + k)-th of the space, in a permutation salted by the seed
        "person_start": people,
        "ids": {
            (gen, sex): IdSpace(ID_REGIONS, years, sex, 0, seed * 7919 + len(gen) * 31 + ord(sex))
            for gen, years in BIRTH_YEARS.items()
            for sex in "mf"
        },
        "receipt_salt": seed * 104_729,
        "case_number": Numbers(case_pattern, short),
        "doc_number": {
            kind: Numbers(patterns_for(org)[kind], short)
            for kind in ("acceptance_notice", "support_opinion")
        },
        "transfer_number": Numbers("{short}移〔{year}〕{seq}号", short),
        "template_version": VERSION,
        "receipt_days": settings.ZHICHI["TRANSFER_RECEIPT_DAYS"],
        "answer_days": settings.ZHICHI["TRANSFER_ANSWER_DAYS"],
        "case_kept": [c for c in CASE_KEPT if c in table_columns(apps.get_model("cases.Case"))],
        "plan": table_plan(connection.vendor),
    }
    return ctx, counters


def _employers(ctx: dict, count: int, seed: int, created_at: datetime) -> None:
    """The pool of respondent companies (about one per 20 cases), written before the cases."""
    from django.db.models import Q

    from zhichi.parties.models import Party, PartyKind

    rng = random.Random(seed)
    firms = Party.objects.filter(kind=PartyKind.ORGANISATION)
    names = set(firms.values_list("name", flat=True))
    codes = set(firms.filter(~Q(credit_code="")).values_list("credit_code", flat=True))
    pool: dict[str, list[dict]] = {s: [] for s, _ in EMPLOYER_SECTORS}
    sectors = [s for s, _ in EMPLOYER_SECTORS]
    weights = [w for _, w in EMPLOYER_SECTORS]
    for n in range(max(len(sectors), count)):
        sector = sectors[n] if n < len(sectors) else rng.choices(sectors, weights)[0]
        info = SECTORS[sector]
        pool[sector].append(
            {
                "name": new_firm_name(rng, info, names),
                "credit_code": new_credit_code(rng, codes, lambda: DISTRICT),
                "address": f"昆明市五华区{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            }
        )
    first = ctx["bases"]["party"]
    rows, at = [], _pg_time(created_at) if ctx["vendor"] == "postgresql" else _utc_text(created_at)
    for firm in (f for s in sectors for f in pool[s]):
        firm["party_id"] = first + len(rows)
        rows.append(
            (
                firm["party_id"], "organisation", firm["name"], "", "", "", "", "", "",
                firm["credit_code"], firm["address"], at,
            )
        )  # fmt: skip
    write_rows({"party": rows}, ctx["plan"], ctx["vendor"])
    ctx["bases"]["party"] = first + len(rows)
    ctx["pool"] = pool


def generate(
    *,
    cases: int,
    seed: int = DEFAULT_SEED,
    batch: int = DEFAULT_BATCH,
    workers: int | None = None,
    years: int = 3,
    verify: int = 20,
    drop_indexes: bool | None = None,
    out=print,
) -> dict:
    """Insert ``cases`` cases; returns the figures (rows, seconds, rows/s, ...).

    ``workers``: processes making blocks (default: one per core, none for a small load; 0 makes
    every block in this process, on its connection, as the tests do). ``drop_indexes``: build
    PostgreSQL's secondary indexes after the load instead of during it (default: from 50,000
    cases)."""
    import multiprocessing

    from django.db import connection, connections, transaction

    from zhichi.accounts.models import NumberSequence

    started = time.perf_counter()
    SERVER_CPU.clear()
    server_before = backend_cpu()
    python_before = sum(
        u.ru_utime + u.ru_stime
        for u in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    vendor = connection.vendor
    if workers is None:
        workers = 0 if cases < 20_000 else min(2, os.cpu_count() or 1)
    if drop_indexes is None:
        drop_indexes = vendor == "postgresql" and cases >= 50_000
    now = datetime.now(SHANGHAI)
    _loading_session()
    ctx, counters = _context(cases, seed, batch, now)
    ctx["write_in_worker"] = vendor == "postgresql" and workers > 0
    tables = [ctx["plan"][k][0] for k in ORDER]
    ctx["replica"] = ctx["write_in_worker"] and may_defer_foreign_keys(tables)
    bases = {ctx["plan"][k][0]: ctx["bases"][k] for k in ORDER}
    due_days = (ctx["receipt_days"], ctx["answer_days"])
    plan = Plan(cases, seed, 365 * years, now, counters, due_days)
    _employers(ctx, max(20, cases // 20), seed + 17, datetime.combine(
        plan.first_day, datetime.min.time(), SHANGHAI))  # fmt: skip
    written = dict.fromkeys(ORDER, 0)
    written["party"] = sum(len(firms) for firms in ctx["pool"].values())
    stats: dict[str, int] = defaultdict(int)
    stats["employers"] = written["party"]
    dropped = secondary_indexes(tables) if drop_indexes else []
    index_seconds = 0.0
    try:
        if dropped:
            with connection.cursor() as cursor:
                for name, _definition in dropped:
                    cursor.execute(f'DROP INDEX "{name}"')
        jobs = (
            (b, plan.block(b * batch, min(cases, (b + 1) * batch))) for b in range(ctx["blocks"])
        )
        last_report = started
        done_cases = 0

        worker_cpu: list[float] = []

        def collect(result):
            nonlocal done_cases, last_report
            _number, counts, block_stats, rows, server = result
            if server is not None:
                worker_cpu.append(server)
            if rows is not None:
                write_rows(rows, ctx["plan"], vendor)
            for key, n in counts.items():
                written[key] += n
            for key, n in block_stats.items():
                stats[key] += n
            done_cases += counts["case"]
            moment = time.perf_counter()
            if moment - last_report > 10:
                total = sum(written.values())
                out(
                    f"  {done_cases:,} cases, {total:,} rows, "
                    f"{total / (moment - started):,.0f} rows/s",
                    flush=True,
                )
                last_report = moment

        if workers and cases:
            if ctx["write_in_worker"]:
                SERVER_CPU.append(backend_cpu() - server_before)
                server_before = 0.0  # the next connection's backend starts from nothing
                connections.close_all()  # the workers make their own connections
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, _init_worker, (ctx,)) as pool:
                for result in pool.imap_unordered(_run_block, jobs):
                    collect(result)
                # each worker's backend: the largest of its cumulative figures
                SERVER_CPU.extend(heapq.nlargest(workers, worker_cpu))
        else:
            _init_worker({**ctx, "write_in_worker": False})
            for job in jobs:
                collect(_run_block(job))
    finally:
        if dropped:
            index_started = time.perf_counter()
            # the longest first (GIN over the grams, then the largest tables), so the two
            # connections finish together
            size = {ctx["plan"][k][0]: n for k, n in written.items()}
            ordered = sorted(
                (d for _name, d in dropped),
                key=lambda d: (
                    " USING gin " not in d,
                    -size.get(d.split(" ON ")[1].split()[0].split(".")[-1], 0),
                ),
            )
            _in_threads(
                ordered,
                max(1, min(2, workers or 1)),
                "SET maintenance_work_mem = '512MB'",
            )
            index_seconds = time.perf_counter() - index_started
    fk_seconds = 0.0
    if ctx["replica"]:
        fk_started = time.perf_counter()
        broken = [
            (key, n)
            for key, n in _in_threads(foreign_key_checks(tables, bases), min(2, workers))
            if n
        ]
        fk_seconds = time.perf_counter() - fk_started
        if broken:
            raise SystemExit(f"rows whose foreign key points nowhere: {broken}")
    with transaction.atomic():
        for (kind, year), last in plan.counters.items():
            NumberSequence.objects.update_or_create(
                organisation_id=ctx["org"], kind=kind, year=year, defaults={"last": last}
            )
    reset_sequences([label for label, _cols in TABLES.values()])
    load_seconds = time.perf_counter() - started
    analyze_started = time.perf_counter()
    analyze(tables, threads=max(1, min(2, workers or 1)))
    analyze_seconds = time.perf_counter() - analyze_started
    elapsed = time.perf_counter() - started
    rows = sum(written.values())
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    python_cpu = sum(u.ru_utime + u.ru_stime for u in usage) - python_before
    server_cpu = sum(SERVER_CPU) + backend_cpu() - server_before
    first_case_id = ctx["bases"]["case"]
    result = {
        "cases": cases,
        "rows": rows,
        "tables": written,
        "seconds": round(elapsed, 2),
        "load_seconds": round(load_seconds, 2),
        "index_seconds": round(index_seconds, 2),
        "foreign_key_check_seconds": round(fk_seconds, 2),
        "foreign_keys": "checked after the load" if ctx["replica"] else "checked per row",
        "analyze_seconds": round(analyze_seconds, 2),
        # what the load cost, whatever else ran: this process and its workers, and the
        # database's backends (PostgreSQL on this machine)
        "cpu_seconds": {"generator": round(python_cpu, 1), "database": round(server_cpu, 1)},
        "rows_per_s": round(rows / elapsed, 1) if elapsed else 0.0,
        "cases_per_s": round(cases / elapsed, 1) if elapsed else 0.0,
        "method": "COPY" if vendor == "postgresql" else "executemany",
        "workers": workers,
        "indexes_rebuilt": len(dropped),
        "database": vendor,
        "people": stats["people"],
        "employers": stats["employers"],
        "claimants": stats["claimants"],
        "payments": stats["payments"],
        "transfers": stats["transfers"],
        "first_case_id": first_case_id,
        "last_case_id": first_case_id + cases - 1,
        "seed": seed,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    if verify and cases:
        result["verified"] = verify_sample(first_case_id, result["last_case_id"], verify, seed)
    return result


def analyze(tables: list[str], threads: int = 1) -> None:
    """Fresh planner statistics after a bulk load, on both databases: without them PostgreSQL
    plans for the empty tables it saw before, and SQLite has no sqlite_stat1 at all."""
    from django.db import connection

    if connection.vendor == "postgresql":
        _in_threads([f'ANALYZE "{t}"' for t in tables], threads)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")


def verify_sample(first: int, last: int, count: int, seed: int) -> int:
    """Check a sample against the app's own code: search_text and its grams, encryption, masks,
    numbering, payments within the claims, transfers and their shares."""
    from django.db import transaction

    from zhichi.cases.ledger import Ledger, kept_totals, ledgers_for
    from zhichi.cases.models import Case
    from zhichi.cases.services import refresh_search_text
    from zhichi.core import identifiers
    from zhichi.parties import crypto

    rng = random.Random(seed + 1)
    checked = 0
    for pk in sorted({rng.randint(first, last) for _ in range(count)}):
        case = Case.objects.get(pk=pk)
        stored = case.search_text
        with transaction.atomic():
            refresh_search_text(case)  # rebuilds it from the rows, as the app would
            transaction.set_rollback(True)
        if case.search_text != stored:
            raise SystemExit(f"case {pk}: search_text differs from refresh_search_text")
        grams = getattr(case, "search_grams", None)
        if grams is not None and grams != search_grams(stored):
            raise SystemExit(f"case {pk}: search_grams differs from search_grams(search_text)")
        for column, value in kept_totals(ledgers_for([pk]).get(pk, Ledger(rows=[]))).items():
            if getattr(case, column, value) != value:
                raise SystemExit(f"case {pk}: {column} differs from the case's ledger")
        if case.timeline.count() < 2:
            raise SystemExit(f"case {pk}: {case.timeline.count()} timeline events")
        for cp in case.parties.select_related("party"):
            p = cp.party
            if p.id_number_enc:
                number = p.id_number
                check = identifiers.validate_id_number(number, today=date.today())
                if not check.valid:
                    raise SystemExit(f"party {p.pk}: invalid ID number")
                if p.id_number_index != crypto.blind_index("id", number):
                    raise SystemExit(f"party {p.pk}: blind index differs")
                if p.id_number_masked != identifiers.mask_id_number(number):
                    raise SystemExit(f"party {p.pk}: ID mask differs")
            if p.phone_enc:
                phone = p.phone
                if not identifiers.validate_phone(phone).valid:
                    raise SystemExit(f"party {p.pk}: invalid phone")
                if p.phone_masked != identifiers.mask_phone(phone):
                    raise SystemExit(f"party {p.pk}: phone mask differs")
                if p.phone_index != crypto.blind_index("phone", phone):
                    raise SystemExit(f"party {p.pk}: phone blind index differs")
            if p.credit_code and not identifiers.validate_credit_code(p.credit_code).valid:
                raise SystemExit(f"party {p.pk}: invalid credit code")
            paid = sum(pay.amount for pay in cp.payments.all())
            if paid and (cp.amount_claimed is None or paid > cp.amount_claimed):
                raise SystemExit(f"case {pk}: claimant {cp.pk} paid more than the claim")
        for transfer in case.transfers.all():
            if not case.shares.filter(source=transfer.share_source).exists():
                raise SystemExit(f"transfer {transfer.pk}: no share")
        checked += 1
    return checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, required=True, help="how many cases to add")
    parser.add_argument("--database-url", help="ZHICHI_DATABASE_URL for this run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="cases per block")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes making blocks (default: one per core, up to 2; 0: this process only)",
    )
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="PostgreSQL: keep the secondary indexes during the load (default: rebuilt after)",
    )
    parser.add_argument(
        "--method",
        choices=["auto", "copy", "raw"],
        default="auto",
        help="copy = COPY (PostgreSQL), raw = executemany (SQLite); auto = the database's own",
    )
    parser.add_argument("--years", type=int, default=3, help="spread the cases over N years")
    parser.add_argument("--verify", type=int, default=20, help="cases to check afterwards")
    args = parser.parse_args(argv)
    if args.cases < 0:
        parser.error("--cases must be zero or more")
    setup_django(args.database_url)
    from django.db import connection

    own = "copy" if connection.vendor == "postgresql" else "raw"
    if args.method not in ("auto", own):
        parser.error(f"--method {args.method} does not load {connection.vendor}; use {own}")
    result = generate(
        cases=args.cases,
        seed=args.seed,
        batch=max(1, args.batch),
        workers=args.workers,
        years=max(1, args.years),
        verify=args.verify,
        drop_indexes=False if args.keep_indexes else None,
    )
    print(
        f"generated {result['cases']:,} cases: {result['rows']:,} rows in "
        f"{result['seconds']:.1f} s = {result['rows_per_s']:,.0f} rows/s "
        f"({result['cases_per_s']:,.0f} cases/s; {result['method']} on {result['database']}, "
        f"{result['workers']} workers; indexes {result['index_seconds']:.0f} s, ANALYZE "
        f"{result['analyze_seconds']:.0f} s); {result['people']:,} people, "
        f"{result['employers']:,} employers; {result.get('verified', 0)} cases verified"
    )
    print("BENCH_GENERATE " + json.dumps(result, default=str))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
