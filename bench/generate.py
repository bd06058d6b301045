"""Fast bench data: N cases with their parties, leads and timelines, written straight to the tables.

    python -m bench.generate --cases 100000 [--database-url URL] [--seed 1] [--method auto]

Needs a migrated database with the demo organisations and users
(``manage.py seed_demo --force --leads 0``). Every case belongs to the civil department of WHPROC
(officers civil1 and civil2) and looks like what the services would have written:

* 1-30 claimants per wage case (one for the other categories) with valid resident ID numbers and
  phones, encrypted with ``zhichi.parties.crypto`` (one ``encrypt``/``blind_index`` per value);
* respondent companies with valid credit codes from a pool of about N/20 employers, skewed so a
  few employers have hundreds of cases (employer profiles);
* ``search_text`` exactly as ``zhichi.cases.services.refresh_search_text`` builds it;
* a case_opened event, the stage moves that led to the case's stage (and a note where that would
  leave a single event): 2-5 timeline events per case;
* an accepted lead per case (1:1) with the same parties;
* numbers from the ``NumberSequence`` table (``last`` is set at the end).

Rows go in with explicit primary keys, 5,000 cases per transaction: ``bulk_create`` (SQLite) or
COPY (PostgreSQL). Deterministic for a seed and a date, except for the ciphertexts (Fernet draws a
random IV). The last line of output is ``BENCH_GENERATE {json}`` for bench.run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from zhichi.core.searchtext import case_search_text
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
NOTES = [
    "已电话联系申请人，告知审查进度，要求补充提交证据材料。",
    "调阅劳动保障监察案卷，核实欠薪事实及金额。",
    "约谈被申请人负责人，了解履行能力及和解意愿。",
    "走访申请人所在社区，核实家庭经济状况。",
]


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
    """

    WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643
    CHECK = "10X98765432"

    def __init__(self, regions: list[str], years: tuple[int, int], sex: str, start: int, salt: int):
        self.regions = regions
        # the weighted digit sums of the region and the birth date, precomputed per value
        self.region_sums = [self._sum(r, 0) for r in regions]
        self.first = date(years[0], 1, 1)
        self.days = (date(years[1], 12, 31) - self.first).days + 1
        self.size = len(regions) * self.days * 500
        self.parity = 1 if sex == "m" else 0  # the 17th digit is odd for men
        self.next = start
        self.salt = salt % self.size

    @classmethod
    def _sum(cls, digits: str, offset: int) -> int:
        return sum(int(d) * w for d, w in zip(digits, cls.WEIGHTS[offset:], strict=False))

    def take(self) -> str:
        if self.next >= self.size:
            raise RuntimeError("ran out of resident ID numbers in a birth-year range")
        idx = (self.salt + self.next * MULTIPLIER) % self.size
        self.next += 1
        idx, region = divmod(idx, len(self.regions))
        seq, day = divmod(idx, self.days)
        born = f"{self.first + timedelta(days=day):%Y%m%d}"
        tail = f"{seq * 2 + self.parity:03d}"
        total = self.region_sums[region] + self._sum(born, 6) + self._sum(tail, 14)
        return f"{self.regions[region]}{born}{tail}{self.CHECK[total % 11]}"


class Tables:
    """Column lists per table, the rows of the current batch, and the next primary keys."""

    def __init__(self):
        from zhichi.cases.models import Case, CaseParty, TimelineEvent
        from zhichi.intake.models import Lead, LeadParty
        from zhichi.parties.models import Party

        self.models = {
            "party": Party,
            "case": Case,
            "lead": Lead,
            "caseparty": CaseParty,
            "leadparty": LeadParty,
            "event": TimelineEvent,
        }
        self.columns = {
            "party": [
                "id",
                "kind",
                "name",
                "id_number_enc",
                "id_number_index",
                "id_number_masked",
                "phone_enc",
                "phone_index",
                "phone_masked",
                "credit_code",
                "address",
                "created_at",
            ],
            "case": [
                "id",
                "organisation_id",
                "department_id",
                "number",
                "year",
                "serial",
                "category",
                "summary",
                "source",
                "received_on",
                "opened_on",
                "closed_on",
                "stage",
                "status",
                "level",
                "level_reasons",
                "officer_id",
                "flags",
                "voluntary",
                "consent_to_share",
                "labour_relationship",
                "has_iou",
                "payment_order_authority",
                "payment_order_issued_on",
                "payment_order_deadline",
                "evasion",
                "referring_org_id",
                "search_text",
                "version",
                "created_at",
                "updated_at",
            ],
            "lead": [
                "id",
                "organisation_id",
                "department_id",
                "receipt_code",
                "source",
                "received_on",
                "category",
                "summary",
                "voluntary",
                "consent_to_share",
                "labour_relationship",
                "has_iou",
                "payment_order_authority",
                "payment_order_issued_on",
                "payment_order_deadline",
                "evasion",
                "flags",
                "referring_org_id",
                "status",
                "decline_reason",
                "decline_redirect",
                "decided_at",
                "decided_by_id",
                "case_id",
                "created_by_id",
                "created_at",
            ],
            "caseparty": [
                "id",
                "case_id",
                "party_id",
                "role",
                "position",
                "groups",
                "vulnerability_basis",
                "amount_claimed",
                "months_unpaid",
            ],
            "leadparty": [
                "id",
                "lead_id",
                "party_id",
                "role",
                "position",
                "groups",
                "vulnerability_basis",
                "amount_claimed",
                "months_unpaid",
            ],
            "event": ["id", "case_id", "at", "kind", "actor_id", "summary", "data"],
        }
        self.rows: dict[str, list[tuple]] = {k: [] for k in self.models}
        self.next_id = {}
        self.written = dict.fromkeys(self.models, 0)
        for key, model in self.models.items():
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id[key] = (last or 0) + 1
            names = {f.attname for f in model._meta.concrete_fields}
            unknown = set(self.columns[key]) - names
            if unknown:
                raise RuntimeError(f"{model.__name__} has no columns {sorted(unknown)}")

    def new_id(self, key: str) -> int:
        value = self.next_id[key]
        self.next_id[key] = value + 1
        return value

    def add(self, key: str, row: tuple) -> None:
        self.rows[key].append(row)

    def pending(self) -> int:
        return sum(len(r) for r in self.rows.values())


class OrmWriter:
    """``bulk_create`` with explicit primary keys (the Django way; any database)."""

    name = "bulk_create"

    def __init__(self, tables: Tables, batch: int):
        self.tables = tables
        self.batch = batch

    def write(self, key: str) -> None:
        model = self.tables.models[key]
        cols = self.tables.columns[key]
        objs = [model(**dict(zip(cols, row, strict=True))) for row in self.tables.rows[key]]
        model.objects.bulk_create(objs, batch_size=self.batch)

    def finish(self) -> None:
        reset_sequences(self.tables)


class CopyWriter:
    """PostgreSQL ``COPY ... FROM STDIN`` (psycopg 3); columns the generator does not fill get
    their model default."""

    name = "COPY"

    def __init__(self, tables: Tables):
        from django.db.models import JSONField

        self.tables = tables
        self.plan = {}
        for key, model in tables.models.items():
            cols = tables.columns[key]
            extra = [
                f
                for f in model._meta.concrete_fields
                if f.attname not in cols and f.column in table_columns(model)
            ]
            json_pos = [
                i for i, c in enumerate(cols) if isinstance(model._meta.get_field(c), JSONField)
            ]
            extra_vals = tuple(
                json.dumps(f.get_default()) if isinstance(f, JSONField) else f.get_default()
                for f in extra
            )
            names = ", ".join(f'"{c}"' for c in [*cols, *(f.attname for f in extra)])
            self.plan[key] = (model._meta.db_table, names, json_pos, extra_vals)

    def write(self, key: str) -> None:
        from django.db import connection

        table, names, json_pos, extra_vals = self.plan[key]
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in self.tables.rows[key]:
                    if json_pos:
                        row = list(row)
                        for i in json_pos:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row((*row, *extra_vals))

    def finish(self) -> None:
        reset_sequences(self.tables)


class RawWriter:
    """``executemany`` of plain INSERTs through Django's connection (SQLite): the values are
    converted the way Django's SQLite backend converts them (JSON text, UTC datetimes as text),
    without building model instances. Columns the generator does not fill get their default."""

    name = "executemany"

    def __init__(self, tables: Tables):
        from django.db import models

        self.tables = tables
        self.plan = {}
        for key, model in tables.models.items():
            cols = tables.columns[key]
            fields = [model._meta.get_field(c) for c in cols]  # attnames resolve too
            converters = []
            for i, f in enumerate(fields):
                if isinstance(f, models.JSONField):
                    converters.append((i, _json_text))
                elif isinstance(f, models.DateTimeField):
                    converters.append((i, _utc_text))
                elif isinstance(f, models.DateField):
                    converters.append((i, _date_text))
            extra = [
                f
                for f in model._meta.concrete_fields
                if f.attname not in cols and f.column in table_columns(model)
            ]
            extra_vals = tuple(_default_text(f) for f in extra)
            names = ", ".join(f'"{c}"' for c in [*cols, *(f.attname for f in extra)])
            marks = ", ".join(["%s"] * (len(cols) + len(extra)))
            sql = f'INSERT INTO "{model._meta.db_table}" ({names}) VALUES ({marks})'
            self.plan[key] = (sql, converters, extra_vals)

    def write(self, key: str) -> None:
        from django.db import connection

        sql, converters, extra_vals = self.plan[key]
        batch = []
        for row in self.tables.rows[key]:
            row = list(row)
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            batch.append((*row, *extra_vals))
        with connection.cursor() as cursor:
            cursor.executemany(sql, batch)

    def finish(self) -> None:
        reset_sequences(self.tables)


def _json_text(value) -> str:
    return json.dumps(value)  # as JSONField.get_db_prep_value


def _utc_text(value: datetime) -> str:
    # as the SQLite backend's adapt_datetimefield_value: UTC, naive, str()
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _date_text(value: date) -> str:
    return value.isoformat()


def _default_text(field):
    from django.db import models

    value = field.get_default()
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(field, models.DateTimeField):
        return _utc_text(value)
    if isinstance(field, models.DateField):
        return _date_text(value)
    return value


def table_columns(model) -> set[str]:
    """The columns the table has now: a model field whose migration has not run yet is left out
    (the bench may run while the models change)."""
    from django.db import connection

    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, model._meta.db_table)
    return {c.name for c in described}


def reset_sequences(tables: Tables) -> None:
    """Explicit keys do not advance PostgreSQL sequences; SQLite's AUTOINCREMENT follows itself."""
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), list(tables.models.values()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class BenchData:
    """Everything about the generated cases that is not a database write."""

    def __init__(self, count: int, seed: int, tables: Tables, span_days: int):
        from zhichi.accounts.models import Department, NumberSequence, Organisation, User
        from zhichi.intake.models import Lead
        from zhichi.parties.models import Party, PartyKind

        self.count = count
        self.rng = random.Random(seed)
        self.tables = tables
        self.now = datetime.now(SHANGHAI)
        self.today = self.now.date()
        self.span_days = span_days

        try:
            self.org = Organisation.objects.get(code="WHPROC")
            self.dept = Department.objects.get(organisation=self.org, code="civil")
            names = ["civil1", "civil2", "civilhead", "hrss1", "wf1"]
            self.users = {u.username: u.pk for u in User.objects.filter(username__in=names)}
            partner_orgs = ["WHHRSS", "WHWF"]
            self.orgs = {o.code: o.pk for o in Organisation.objects.filter(code__in=partner_orgs)}
        except (Organisation.DoesNotExist, Department.DoesNotExist):
            self.users = {}
        if len(self.users) != 5 or len(getattr(self, "orgs", {})) != 2:
            raise SystemExit(
                "The demo organisations and users are missing: run "
                "`manage.py seed_demo --force --leads 0` first."
            )
        self.sequences = {
            s.year: s.last
            for s in NumberSequence.objects.filter(organisation=self.org, kind="case")
        }
        self.serials: dict[int, int] = {}

        # ID numbers: continue after any people a previous run inserted, so numbers stay unique
        start = Party.objects.filter(kind=PartyKind.PERSON).count()
        self.ids = {
            (gen, sex): IdSpace(
                ID_REGIONS, years, sex, start, seed * 7919 + len(gen) * 31 + ord(sex)
            )
            for gen, years in BIRTH_YEARS.items()
            for sex in "mf"
        }
        # receipt codes are unique across the table: start from the ones already there
        self.receipts: set[str] = set(Lead.objects.values_list("receipt_code", flat=True))
        self.firm_names: set[str] = set()
        self.credit_codes: set[str] = set(
            Party.objects.filter(kind=PartyKind.ORGANISATION)
            .exclude(credit_code="")
            .values_list("credit_code", flat=True)
        )
        self.firm_names.update(
            Party.objects.filter(kind=PartyKind.ORGANISATION).values_list("name", flat=True)
        )
        pool = max(20, count // 20)
        self.pool: dict[str, list[dict]] = {s: [] for s, _ in EMPLOYER_SECTORS}
        for _ in range(pool):
            sector = self.pick(EMPLOYER_SECTORS)
            self.pool[sector].append(self.firm(sector))
        for sector, firms in self.pool.items():
            if not firms:
                firms.append(self.firm(sector))
        self.stage_bounds = []
        cumulative = 0.0
        for stage, share in STAGE_SHARES:
            cumulative += share
            self.stage_bounds.append((cumulative, str(stage)))
        self.categories = CATEGORY_WEIGHTS
        self.stats = defaultdict(int)

        from zhichi.cases.services import format_case_number
        from zhichi.core.routing import arbitration_first
        from zhichi.parties import crypto

        self.format_number = format_case_number
        self.arbitration_first = arbitration_first
        self.encrypt = crypto.encrypt
        self.blind_index = crypto.blind_index

    # --- small pieces ---------------------------------------------------------------------
    def pick(self, weighted):
        return self.rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]

    def money(self, low: int, high: int) -> Decimal:
        rng = self.rng
        if rng.random() < 0.7:
            return Decimal(rng.randint(low // 10, high // 10) * 10).quantize(Decimal("0.01"))
        return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)

    def credit_code(self) -> str:
        return new_credit_code(self.rng, self.credit_codes, lambda: DISTRICT)

    def firm(self, sector: str) -> dict:
        rng = self.rng
        info = SECTORS[sector]
        name = new_firm_name(rng, info, self.firm_names)
        street = rng.choice(STREETS)
        return {
            "name": name,
            "credit_code": self.credit_code(),
            "address": f"昆明市五华区{street}{rng.randint(1, 999)}号",
            "sector": sector,
            "party_id": None,
        }

    def employer(self, sector: str, created_at: datetime) -> dict:
        firms = self.pool[sector]
        firm = firms[int(len(firms) * self.rng.random() ** 2)]  # skewed: some have hundreds
        if firm["party_id"] is None:
            firm["party_id"] = self.tables.new_id("party")
            self.tables.add(
                "party",
                (
                    firm["party_id"],
                    "organisation",
                    firm["name"],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    firm["credit_code"],
                    firm["address"],
                    created_at,
                ),
            )
            self.stats["employers"] += 1
        return firm

    def person(
        self, gen: str, created_at: datetime, *, sex: str | None = None, phone: bool = True
    ) -> dict:
        rng = self.rng
        sex = sex or rng.choice("mf")
        number = self.ids[(gen, sex)].take()
        name = rng.choice(SURNAMES) + rng.choice(GIVEN[(gen, sex)])
        place = HOME_PLACES.get(number[:6], "昆明市五华区")
        if number[:6] in ("530102", "530103", "530111", "530112"):
            address = f"{place}{rng.choice(STREETS)}{rng.randint(1, 399)}号"
        else:
            address = f"{place}{rng.choice(SURNAMES)}家{rng.choice(VILLAGES)}"
        mobile = f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}" if phone else ""
        pid = self.tables.new_id("party")
        self.tables.add(
            "party",
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
            ),
        )
        self.stats["people"] += 1
        return {"party_id": pid, "name": name, "number": number}

    def worker(self, at: datetime) -> tuple[dict, list[str], list[str]]:
        rng = self.rng
        sex = "m" if rng.random() < 0.75 else "f"
        groups = ["migrant_worker"] + (["woman"] if sex == "f" and rng.random() < 0.5 else [])
        if rng.random() < 0.1:
            groups.append("low_income")
        basis = rng.sample(
            ["economic_hardship", "no_legal_knowledge", "evidence_difficulty"],
            rng.choice([1, 1, 2]),
        )
        return self.person("mid", at, sex=sex, phone=rng.random() < 0.85), groups, basis

    # --- one case ---------------------------------------------------------------------------
    def parties_for(self, category: str, received: date, at: datetime) -> dict:
        """Claimants [(person, groups, basis, amount, months)], respondents [party dict], facts."""
        rng = self.rng
        claimants: list[tuple] = []
        respondents: list[dict] = []
        facts = {"labour_relationship": "none", "has_iou": False}
        if category == "wages":
            sector = self.pick([("construction", 55), ("restaurant", 20), ("factory", 25)])
            firm = self.employer(sector, at)
            roll = rng.random()
            count = (
                rng.randint(1, 4)
                if roll < 0.6
                else rng.randint(5, 12)
                if roll < 0.85
                else rng.randint(13, 30)
            )
            months = rng.randint(1, 12)
            for _ in range(count):
                person, groups, basis = self.worker(at)
                claimants.append(
                    (
                        person,
                        groups,
                        basis,
                        self.money(3000, 60000),
                        max(1, min(12, months + rng.randint(-1, 1))),
                    )
                )
            respondents.append(firm)
            relationship = rng.choices(
                ["employee", "contractor_crew", "unknown", "none"], weights=[45, 35, 15, 5]
            )[0]
            if sector != "construction" and relationship == "contractor_crew":
                relationship = "employee"
            info = SECTORS[sector]
            total = sum(c[3] for c in claimants)
            start = received - timedelta(days=30 * months + rng.randint(0, 20))
            summary = (
                f"{_names([c[0] for c in claimants])}自{start.year}年{start.month}月起在"
                f"{firm['name']}{rng.choice(info['places'])}从事{rng.choice(info['jobs'])}工作，"
                f"被拖欠工资{months}个月，共计{total:,.2f}元，多次讨要未果。"
            )
            if relationship == "contractor_crew" or (
                sector == "construction" and rng.random() < 0.3
            ):
                boss = self.person("mid", at, sex="m", phone=False)
                respondents.append(boss)
                summary += f"工人由包工头{boss['name']}招用，工程款已结算，但其未向工人发放工资。"
            has_iou = rng.random() < 0.25
            if has_iou:
                summary += "申请人持有用工方出具的工资欠条。"
            facts.update(labour_relationship=relationship, has_iou=has_iou)
            if rng.random() < 0.3:
                issued = received - timedelta(days=rng.randint(20, 90))
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
                if rng.random() < 0.6:
                    facts["evasion"] = list(rng.choice(EVASIONS))
                    summary += "用人单位负责人存在逃匿、转移财产等逃避支付行为。"
            if count >= 10:
                summary += "涉及人数较多，工人情绪激动。"
        elif category == "work_injury":
            person, groups, basis = self.worker(at)
            if rng.random() < 0.5:
                groups.append("disabled")
                basis.append("age_or_health")
            firm = self.employer(rng.choice(["construction", "factory"]), at)
            claimants.append((person, groups, basis, self.money(30000, 180000), None))
            respondents.append(firm)
            facts["labour_relationship"] = "employee"
            summary = (
                f"{person['name']}在{firm['name']}务工期间因安全防护缺失受伤，经鉴定为"
                f"{rng.randint(7, 10)}级伤残，单位未缴纳工伤保险且拒绝支付工伤待遇。"
            )
        elif category == "support_payment":
            if rng.random() < 0.6:
                parent = self.person("old", at)
                basis = ["age_or_health"] + (["economic_hardship"] if rng.random() < 0.4 else [])
                claimants.append((parent, ["elderly"], basis, self.money(6000, 36000), None))
                children = [self.person("mid", at, phone=False) for _ in range(rng.randint(1, 3))]
                respondents.extend(children)
                age = received.year - int(parent["number"][6:10])
                summary = (
                    f"{parent['name']}现年{age}岁，年老多病，无固定收入，其子女{_names(children)}"
                    f"长期未尽赡养义务，拒绝支付赡养费，申请人无力自行起诉。"
                )
            else:
                child = self.person("young", at, phone=False)
                months = rng.randint(3, 24)
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
                mother = rng.choice(SURNAMES) + rng.choice(GIVEN[("mid", "f")])
                summary = (
                    f"未成年人{child['name']}随母亲{mother}生活，其父{father['name']}离婚后"
                    f"拒不支付抚养费已{months}个月，母亲收入微薄，生活困难。"
                )
        elif category == "domestic_violence":
            woman = self.person("mid", at, sex="f")
            basis = rng.sample(["evidence_difficulty", "economic_hardship"], rng.randint(1, 2))
            groups = ["woman"] + (["low_income"] if rng.random() < 0.3 else [])
            claimants.append((woman, groups, basis, None, None))
            husband = self.person("mid", at, sex="m", phone=False)
            respondents.append(husband)
            summary = (
                f"{woman['name']}婚后长期遭受丈夫{husband['name']}殴打、威胁，曾"
                f"{rng.randint(2, 6)}次报警，公安机关出具告诫书后仍未改正，"
                f"申请人身安全保护令并请求离婚损害赔偿，取证困难。"
            )
        elif category == "personal_injury":
            old = rng.random() < 0.5
            victim = self.person("old" if old else "mid", at)
            groups, basis = (
                (["elderly"], ["age_or_health"]) if old else (["low_income"], ["economic_hardship"])
            )
            claimants.append((victim, groups, basis, self.money(5000, 80000), None))
            other = self.person("mid", at, sex="m", phone=False)
            respondents.append(other)
            summary = (
                f"{victim['name']}在{rng.choice(STREETS)}路口被{other['name']}驾驶的"
                f"电动车撞伤，住院治疗{rng.randint(7, 45)}天，对方仅垫付部分医疗费后拒绝赔偿。"
            )
        elif category == "guardianship":
            if rng.random() < 0.5:
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
            groups = rng.choice([["disabled"], ["low_income"], ["veteran"]])
            claimants.append((person, groups, ["economic_hardship"], self.money(3000, 20000), None))
            firm = self.employer("property", at)
            respondents.append(firm)
            summary = (
                f"{person['name']}系困难群众，租住{firm['name']}管理的公租房，退租后对方无故扣留"
                f"押金及多收取的费用，经社区调解未果。"
            )
        facts["summary"] = summary
        return {"claimants": claimants, "respondents": respondents, "facts": facts}

    def stage_path(self, rank: float) -> list[str]:
        """The moves that led to this case's stage; older cases are further along."""
        noisy = min(max(rank + self.rng.gauss(0, 0.05), 0.0), 0.999)
        target = next((s for b, s in self.stage_bounds if noisy < b), "review")
        paths = PATHS[target]
        return list(self.rng.choices([p for p, _ in paths], weights=[w for _, w in paths])[0])

    def receipt_code(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        while True:
            code = "".join(self.rng.choices(alphabet, k=10))
            if code not in self.receipts:
                self.receipts.add(code)
                return code

    def case(self, i: int, opened: date) -> None:
        rng = self.rng
        t = self.tables
        category = self.pick(self.categories)
        received = opened - timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 7]))
        received_at = datetime(
            received.year,
            received.month,
            received.day,
            rng.randint(8, 17),
            rng.randint(0, 59),
            rng.randint(0, 59),
            tzinfo=SHANGHAI,
        )
        opened_at = max(
            received_at + timedelta(hours=rng.randint(1, 6)),
            datetime(opened.year, opened.month, opened.day, 9, tzinfo=SHANGHAI)
            + timedelta(minutes=rng.randint(0, 480)),
        )
        opened_at = min(opened_at, self.now - timedelta(minutes=5))
        drafted = self.parties_for(category, received, received_at)
        facts = drafted["facts"]

        source = self.pick(SOURCES[category])
        referring_org = None
        if source.startswith("agency:"):
            creator = source.split(":", 1)[1]
            source = "agency"
            referring_org = self.orgs["WHHRSS" if creator == "hrss1" else "WHWF"]
            consent = rng.random() < 0.85
        else:
            creator = rng.choice(["civil1", "civil2", "civil1", "civil2", "civilhead"])
            consent = rng.random() < 0.5
        summary = facts["summary"]
        if source == "internal":
            summary = (
                "刑事检察部在办理拒不支付劳动报酬案件中发现并移送："
                if category == "wages"
                else "本院刑事检察部在办案中发现并移送："
            ) + summary
        elif source == "ex_officio":
            summary = "依职权排查发现：" + summary
        voluntary = rng.random() < (0.6 if source == "ex_officio" else 0.93)
        flags = (
            ["arbitration_first"]
            if self.arbitration_first(
                labour_relationship=facts["labour_relationship"], has_iou=facts["has_iou"]
            )
            else []
        )
        decided_by = rng.choice(["civil1"] * 9 + ["civil2"] * 9 + ["civilhead"] * 2)
        officer = rng.choice(["civil1", "civil2"]) if decided_by == "civilhead" else decided_by

        year = opened.year
        serial = self.serials.get(year, self.sequences.get(year, 0)) + 1
        self.serials[year] = serial
        number = self.format_number(self.org, year, serial)

        # stage moves, spaced 7-60 days apart, squeezed to fit before now
        moves = self.stage_path(i / self.count)
        durations = [timedelta(days=rng.randint(7, 60), hours=rng.randint(0, 8)) for _ in moves]
        available = self.now - opened_at - timedelta(minutes=1)
        total = sum(durations, timedelta())
        if moves and total > available:
            scale = max(available, timedelta()) / total * 0.95
            durations = [d * scale for d in durations]
        case_id = t.new_id("case")
        lead_id = t.new_id("lead")
        events = [
            (
                opened_at,
                "case_opened",
                self.users[decided_by],
                "",
                {"number": number, "lead": lead_id, "receipt_code": None},
            )
        ]
        at, stage, closed_on = opened_at, "review", None
        for step, duration in zip(moves, durations, strict=True):
            at = min(at + duration, self.now)
            reasons = MOVE_REASONS[(stage, step)]
            events.append(
                (
                    at,
                    "stage_changed",
                    self.users[officer],
                    reasons[i % len(reasons)],
                    {"from": stage, "to": step},
                )
            )
            stage = step
            if step == "closed":
                closed_on = at.date()
        if len(events) < 2:
            note_at = min(opened_at + timedelta(days=rng.randint(1, 10)), self.now)
            events.append((note_at, "note", self.users[officer], rng.choice(NOTES), {}))

        receipt = self.receipt_code()
        events[0][4]["receipt_code"] = receipt
        names = []
        for c in drafted["claimants"]:
            names.append(c[0]["name"])
        for r in drafted["respondents"]:
            names += [r["name"], r.get("credit_code", "")]
        search_text = case_search_text([number, summary, *names])
        last_at = events[-1][0]
        dept = self.dept.pk
        org = self.org.pk
        t.add(
            "case",
            (
                case_id,
                org,
                dept,
                number,
                year,
                serial,
                category,
                summary,
                source,
                received,
                opened,
                closed_on,
                stage,
                "closed" if stage == "closed" else "open",
                None,
                [],
                self.users[officer],
                flags,
                voluntary,
                consent,
                facts["labour_relationship"],
                facts["has_iou"],
                facts.get("payment_order_authority", ""),
                facts.get("payment_order_issued_on"),
                facts.get("payment_order_deadline"),
                facts.get("evasion", []),
                referring_org,
                search_text,
                1 + len(moves),
                opened_at,
                last_at,
            ),
        )
        t.add(
            "lead",
            (
                lead_id,
                org,
                dept,
                receipt,
                source,
                received,
                category,
                summary,
                voluntary,
                consent,
                facts["labour_relationship"],
                facts["has_iou"],
                facts.get("payment_order_authority", ""),
                facts.get("payment_order_issued_on"),
                facts.get("payment_order_deadline"),
                facts.get("evasion", []),
                flags,
                referring_org,
                "accepted",
                "",
                "",
                opened_at,
                self.users[decided_by],
                case_id,
                self.users[creator],
                received_at,
            ),
        )
        for pos, (person, groups, basis, amount, months) in enumerate(drafted["claimants"]):
            for key, owner in (("caseparty", case_id), ("leadparty", lead_id)):
                t.add(
                    key,
                    (
                        t.new_id(key),
                        owner,
                        person["party_id"],
                        "claimant",
                        pos,
                        groups,
                        basis,
                        amount,
                        months,
                    ),
                )
        for pos, party in enumerate(drafted["respondents"]):
            for key, owner in (("caseparty", case_id), ("leadparty", lead_id)):
                t.add(
                    key,
                    (
                        t.new_id(key),
                        owner,
                        party["party_id"],
                        "respondent",
                        pos,
                        [],
                        [],
                        None,
                        None,
                    ),
                )
        for at, kind, actor, text, data in events:
            t.add("event", (t.new_id("event"), case_id, at, kind, actor, text, data))
        self.stats["claimants"] += len(drafted["claimants"])


def generate(
    *,
    cases: int,
    seed: int = DEFAULT_SEED,
    batch: int = DEFAULT_BATCH,
    method: str = "auto",
    years: int = 3,
    verify: int = 20,
    out=print,
) -> dict:
    """Insert ``cases`` cases; returns the figures (rows, seconds, rows/s, ...)."""
    from django.db import connection, transaction

    from zhichi.accounts.models import NumberSequence

    started = time.perf_counter()
    tables = Tables()
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "raw"
    if method == "copy" and connection.vendor != "postgresql":
        raise SystemExit("--method copy needs PostgreSQL")
    if method == "raw" and connection.vendor != "sqlite":
        raise SystemExit("--method raw is for SQLite; use copy or orm on PostgreSQL")
    writers = {
        "copy": lambda: CopyWriter(tables),
        "raw": lambda: RawWriter(tables),
        "orm": lambda: OrmWriter(tables, batch),
    }
    writer = writers[method]()
    data = BenchData(cases, seed, tables, span_days=365 * years)
    rng = data.rng
    first_day = data.today - timedelta(days=data.span_days - 1)
    offsets = sorted(rng.randrange(data.span_days) for _ in range(cases))
    first_case_id = tables.next_id["case"]
    rows = 0
    order = ["party", "case", "lead", "caseparty", "leadparty", "event"]
    last_report = started

    def flush():
        nonlocal rows
        with transaction.atomic():
            for key in order:
                if tables.rows[key]:
                    writer.write(key)
                    rows += len(tables.rows[key])
                    tables.written[key] += len(tables.rows[key])
                    tables.rows[key].clear()

    for i, offset in enumerate(offsets):
        data.case(i, first_day + timedelta(days=offset))
        if (i + 1) % batch == 0:
            flush()
            now = time.perf_counter()
            if now - last_report > 10:
                out(
                    f"  {i + 1:,} cases, {rows:,} rows, {rows / (now - started):,.0f} rows/s",
                    flush=True,
                )
                last_report = now
    flush()
    with transaction.atomic():
        for year, last in data.serials.items():
            NumberSequence.objects.update_or_create(
                organisation=data.org, kind="case", year=year, defaults={"last": last}
            )
        writer.finish()
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would have them in steady state; without
        # them PostgreSQL plans for an empty table right after a bulk load. (SQLite is left
        # as Django leaves it in use: no ANALYZE, no sqlite_stat1.)
        with connection.cursor() as cursor:
            for model in tables.models.values():
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    elapsed = time.perf_counter() - started
    result = {
        "cases": cases,
        "rows": rows,
        "tables": tables.written,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed, 1) if elapsed else 0.0,
        "cases_per_s": round(cases / elapsed, 1) if elapsed else 0.0,
        "method": writer.name,
        "database": connection.vendor,
        "people": data.stats["people"],
        "employers": data.stats["employers"],
        "claimants": data.stats["claimants"],
        "first_case_id": first_case_id,
        "last_case_id": tables.next_id["case"] - 1,
        "seed": seed,
    }
    if verify and cases:
        result["verified"] = verify_sample(first_case_id, result["last_case_id"], verify, seed)
    return result


def verify_sample(first: int, last: int, count: int, seed: int) -> int:
    """Check a sample against the app's own code: search_text, encryption, masks, numbering."""
    from django.db import transaction

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
        if case.timeline.count() not in range(2, 6):
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
            if p.credit_code and not identifiers.validate_credit_code(p.credit_code).valid:
                raise SystemExit(f"party {p.pk}: invalid credit code")
        checked += 1
    return checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, required=True, help="how many cases to add")
    parser.add_argument("--database-url", help="ZHICHI_DATABASE_URL for this run")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="cases per transaction")
    parser.add_argument(
        "--method",
        choices=["auto", "orm", "raw", "copy"],
        default="auto",
        help=(
            "orm = bulk_create (any database); raw = executemany (SQLite); copy = COPY "
            "(PostgreSQL); auto = copy on PostgreSQL, raw on SQLite"
        ),
    )
    parser.add_argument("--years", type=int, default=3, help="spread the cases over N years")
    parser.add_argument("--verify", type=int, default=20, help="cases to check afterwards")
    args = parser.parse_args(argv)
    if args.cases < 0:
        parser.error("--cases must be zero or more")
    setup_django(args.database_url)
    result = generate(
        cases=args.cases,
        seed=args.seed,
        batch=max(1, args.batch),
        method=args.method,
        years=max(1, args.years),
        verify=args.verify,
    )
    print(
        f"generated {result['cases']:,} cases: {result['rows']:,} rows in "
        f"{result['seconds']:.1f} s = {result['rows_per_s']:,.0f} rows/s "
        f"({result['cases_per_s']:,.0f} cases/s; {result['method']} on {result['database']}); "
        f"{result['people']:,} people, {result['employers']:,} employers; "
        f"{result.get('verified', 0)} cases verified"
    )
    print("BENCH_GENERATE " + json.dumps(result, default=str))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
