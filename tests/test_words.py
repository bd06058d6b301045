"""Issue 13, item 6: words, not codes, in the viewer's language.

What the system writes (deadline labels and bases, level and risk reasons, the criminal-lead
check, the timeline's headlines) is stored as a code with values and put into words in the
language of whoever reads it, on the page and in the API alike; no page shows a raw code
(``transfer_send:``, ``working_days``, ``pre_litigation``, a ``{"code": …}`` dump); Chinese text
quotes with Chinese quotation marks (“数额较大”, never '数额较大'); and the rows written before
(sentences in the writer's language) are turned into codes by the data migrations and back.

1. the data migrations (cases 0010, transfers 0003) on the sentences the code before wrote;
2. one officer writes in Chinese (and in English), another reads in English (and in Chinese);
3. the calculators' working and the criminal-lead check's words, on the page and in the API;
4. every message the rules store, and every phrase, in both languages;
5. the seeded demo world: case pages and API of a sample of cases, then every page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import ApiClient, lead_payload
from tests.fuzzing import demo_world
from tests.migrating import migrate
from tests.transfers.conftest import send, wage_case
from zhichi.accounts.models import Organisation, User
from zhichi.cases.models import Case, CaseDeadline, CaseStatus, CourtEvent, Payment, TimelineEvent
from zhichi.cases.presenters import EVENT_LABELS
from zhichi.cases.words import (
    DEADLINE_BASES,
    DEADLINE_LABELS,
    LEVEL_REASONS,
    RISK_REASONS,
    level_reason_words,
    stored_reasons,
)
from zhichi.rulebook.words import CRIMINAL_REASONS, NEXT_STEPS

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

LANGUAGES = {"zh-hans": {"Accept-Language": "zh-hans"}, "en": {"Accept-Language": "en"}}
EN = LANGUAGES["en"]
ZH = LANGUAGES["zh-hans"]
CJK = re.compile(r"[\u3400-\u9fff]")

# --- what a raw code looks like in text --------------------------------------------------------
# a code word: lower case words joined by underscores (transfer_send, working_days, pre_litigation)
SNAKE = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
# a stored message printed as it is
DUMP = re.compile(r"""[{,]\s*['"](?:code|params|text)['"]\s*:""")
# Chinese words between ASCII quotation marks ('数额较大'), the core's old way of quoting
ASCII_QUOTED_CJK = re.compile(r"'[^'\n]{0,40}[\u3400-\u9fff][^'\n]{0,40}'")
# a period in English units or as a raw sum in a Chinese text (10 working_days, + 15 days)
RAW_PERIOD = re.compile(
    r"\d\s*(?:working[ _]days?|days?|months?|years?)\b|\d{4}-\d{2}-\d{2}\s*\+\s*\d", re.I
)


# three English words in a row: a sentence left untranslated
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'-]+[A-Za-z]{2,}){2,}")


def vocabulary_codes() -> frozenset[str]:
    """Every code a stored message or a timeline event may carry."""
    return (
        DEADLINE_LABELS.codes()
        | DEADLINE_BASES.codes()
        | LEVEL_REASONS.codes()
        | RISK_REASONS.codes()
        | CRIMINAL_REASONS.codes()
        | NEXT_STEPS.codes()
        | frozenset(EVENT_LABELS)
    )


def raw_codes(text: str, language: str, codes: frozenset[str]) -> list[str]:
    """What in ``text`` (one visible string) is a code rather than words."""
    found = SNAKE.findall(text) + DUMP.findall(text)
    stripped = text.strip().rstrip(":").strip()
    if stripped in codes:
        found.append(stripped)
    # a code as the head of a sentence ("review: …", the old timeline's "transfer_send: …")
    head = re.match(r"([a-z]+)\s*:", text.strip())
    if head and head.group(1) in codes:
        found.append(head.group(0))
    if language == "zh-hans":
        found += ASCII_QUOTED_CJK.findall(text) + RAW_PERIOD.findall(text)
    return found


# --- the visible text of a page ----------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
HIDDEN = {"script", "style", "template"}
# attributes a person reads (a tooltip, a screen reader, an empty field's hint); the others
# (data-testid, name, value, href, id, class …) are the page's machinery, not its text
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class Node:
    def __init__(self, tag: str, attrs: dict) -> None:
        self.tag, self.attrs, self.children = tag, attrs, []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str, **attrs) -> list[Node]:
        def fits(n: Node) -> bool:
            for name, value in attrs.items():
                have = n.attrs.get(name.rstrip("_").replace("_", "-")) or ""
                if value not in (have.split() if name == "class_" else [have]):
                    return False
            return True

        return [n for n in self.iter() if n.tag == tag and fits(n)]

    def find(self, tag: str, **attrs) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def texts(self) -> list[str]:
        """The visible strings under this node, one per text node or read attribute."""
        if self.tag in HIDDEN:
            return []
        out = [v for k, v in self.attrs.items() if k in READ_ATTRIBUTES and v and v.strip()]
        for child in self.children:
            if isinstance(child, Node):
                out += child.texts()
            elif child.strip():
                out.append(child.strip())
        return out

    def own_text(self) -> str:
        """The node's own text, without that of the elements inside it."""
        return " ".join(c.strip() for c in self.children if isinstance(c, str)).strip()

    def text(self) -> str:
        return " ".join(self.texts())


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(client: Client, path: str, language: str) -> Node:
    r = client.get(path, headers=LANGUAGES[language])
    assert r.status_code == 200, (path, language, r.status_code)
    assert r["Content-Language"] == language, (path, r["Content-Language"])
    return parse(r.content.decode())


def words(vocabulary, stored, language: str) -> str:
    with translation.override(language):
        return vocabulary.words(stored)


def without_values(text: str, values) -> str:
    """``text`` without the values a message names (a person's or a court's name is data)."""
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        text = text.replace(value, "")
    return text


def string_values(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in string_values(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in string_values(v)]
    return []


def deadline_cells(root: Node) -> list[tuple[str, str]]:
    """(label, basis) of each row of the case page's deadlines table."""
    section = root.find("section", id="deadlines")
    rows = []
    for tr in section.find("tbody").find_all("tr"):
        cell = tr.find("td")
        basis = [d for d in cell.find_all("div", class_="text-body-secondary")]
        rows.append((cell.own_text(), basis[0].text() if basis else ""))
    return rows


def reason_items(root: Node) -> list[list[str]]:
    """The level reasons and the risk reasons listed in the case page's header."""
    details = root.find("details", class_="zc-reasons")
    return [
        [li.text() for li in column.find_all("li")]
        for column in details.find_all("div", class_="col-md-6")
    ]


def timeline_events(reader: User, case: Case) -> list[TimelineEvent]:
    """The case's timeline as ``reader`` sees it, in the page's order."""
    from zhichi.cases.partner_view import visible_records

    return list(visible_records(reader, case).timeline())


def timeline_entries(root: Node) -> list[str]:
    timeline = root.find("ol", class_="timeline")
    return [li.find("div", class_="zc-prewrap").text() for li in timeline.find_all("li")]


# --- 1. the rows written before: cases 0010 and transfers 0003 ---------------------------------
BEFORE = [("cases", "0008_payment_reversal_overpayment"), ("transfers", "0002_sender_department")]


_ASSISTANCE = "《关于建立完善国家司法救助制度的意见（试行）》（2014）"
# (kind, label, basis) as the code before wrote them, in Chinese or, where it went through
# gettext, in the writer's English; then the message each becomes, and the Chinese it goes back to
OLD_DEADLINES = [
    (
        ("review", "审查决定（是否支持起诉）", "本地规定的审查期限"),
        ({"code": "review", "params": {}}, {"code": "review_time_limit", "params": {}}),
        None,
    ),
    (
        ("review", "Review decision (support or not)", "Local time limit for the review stage"),
        ({"code": "review", "params": {}}, {"code": "review_time_limit", "params": {}}),
        ("审查决定（是否支持起诉）", "本地规定的审查期限"),
    ),
    (
        (
            "judicial_confirmation",
            "申请司法确认（2026-03-01 调解协议）",
            "民事诉讼法第205条：调解协议生效之日起三十日内共同申请司法确认",
        ),
        (
            {"code": "judicial_confirmation", "params": {"day": "2026-03-01"}},
            {"code": "judicial_confirmation", "params": {}},
        ),
        None,
    ),
    (
        (
            "judicial_confirmation",
            "Apply for judicial confirmation of the agreement of 2026-03-01",
            "民事诉讼法第205条：调解协议生效之日起三十日内共同申请司法确认",
        ),
        (
            {"code": "judicial_confirmation", "params": {"day": "2026-03-01"}},
            {"code": "judicial_confirmation", "params": {}},
        ),
        ("申请司法确认（2026-03-01 调解协议）", None),
    ),
    (
        (
            "instalment",
            "分期付款 10,000.50 元到期",
            "如仍未支付：在协议生效后30日内申请司法确认，再申请强制执行；或支持起诉。",
        ),
        (
            {"code": "instalment", "params": {"amount": "10000.50"}},
            {"code": "instalment_if_unpaid", "params": {}},
        ),
        None,
    ),
    (
        (
            "instalment",
            "Instalment of 1,200,000.00 yuan due",
            "If unpaid: apply for judicial confirmation of the agreement (within 30 days of it) "
            "and then for enforcement, or support a suit.",
        ),
        (
            {"code": "instalment", "params": {"amount": "1200000.00"}},
            {"code": "instalment_if_unpaid", "params": {}},
        ),
        (
            "分期付款 1,200,000.00 元到期",
            "如仍未支付：在协议生效后30日内申请司法确认，再申请强制执行；或支持起诉。",
        ),
    ),
    (
        ("appeal", "王建国的上诉期", "民事诉讼法第171条：判决书送达之日起十五日内上诉"),
        (
            {"code": "appeal", "params": {"person": "王建国"}},
            {"code": "appeal_judgment", "params": {}},
        ),
        None,
    ),
    (
        ("appeal", "Appeal period for 李 秀英", "民事诉讼法第171条：裁定书送达之日起十日内上诉"),
        (
            {"code": "appeal", "params": {"person": "李 秀英"}},
            {"code": "appeal_ruling", "params": {}},
        ),
        ("李 秀英的上诉期", None),
    ),
    (
        (
            "enforcement_application",
            "申请执行 2026-02-10 判决",
            "民事诉讼法第250条：申请执行的期间为二年，自法律文书规定履行期间的最后一日起计算",
        ),
        (
            {
                "code": "enforcement_application",
                "params": {"court_kind": "judgment", "day": "2026-02-10"},
            },
            {"code": "enforcement_application", "params": {}},
        ),
        None,
    ),
    (
        (
            "enforcement_application",
            "Apply for enforcement of the Ruling of 2026-02-10",
            "民事诉讼法第250条：申请执行的期间为二年，自法律文书规定履行期间的最后一日起计算",
        ),
        (
            {
                "code": "enforcement_application",
                "params": {"court_kind": "ruling", "day": "2026-02-10"},
            },
            {"code": "enforcement_application", "params": {}},
        ),
        ("申请执行 2026-02-10 裁定", None),
    ),
    (("visit", "回访申请人", ""), ({"code": "visit", "params": {"target": "claimant"}}, {}), None),
    (
        ("visit", "Return visit to the Employer", ""),
        ({"code": "visit", "params": {"target": "employer"}}, {}),
        ("回访用人单位", None),
    ),
    (
        (
            "assistance_decision",
            "李斌的司法救助决定",
            f"{_ASSISTANCE}：十个工作日内提出救助审批意见",
        ),
        (
            {"code": "assistance_decision", "params": {"name": "李斌"}},
            {"code": "assistance_decision", "params": {}},
        ),
        None,
    ),
    (
        (
            "assistance_notification",
            "Tell 李斌 the aid has arrived",
            f"{_ASSISTANCE}：救助金到位后二个工作日内通知申请人",
        ),
        (
            {"code": "assistance_notification", "params": {"name": "李斌"}},
            {"code": "assistance_notification", "params": {}},
        ),
        ("告知李斌救助金已到位", None),
    ),
    (
        (
            "suggestion_reply",
            "检察建议 五华检民建〔2026〕1号 的回复（五华区人力资源和社会保障局）",
            "《人民检察院检察建议工作规定》：收到检察建议书之日起二个月内书面回复",
        ),
        (
            {
                "code": "suggestion_reply",
                "params": {"number": "五华检民建〔2026〕1号", "org": "五华区人力资源和社会保障局"},
            },
            {"code": "suggestion_reply", "params": {}},
        ),
        None,
    ),
    (
        (
            "suggestion_reply",
            "Reply to procuratorial suggestion 五华检民建〔2026〕2号 (五华区人力资源和社会保障局)",
            "A shorter reply period set for an urgent matter (rule TL-9).",
        ),
        (
            {
                "code": "suggestion_reply",
                "params": {"number": "五华检民建〔2026〕2号", "org": "五华区人力资源和社会保障局"},
            },
            {"code": "suggestion_urgent_reply", "params": {}},
        ),
        (
            "检察建议 五华检民建〔2026〕2号 的回复（五华区人力资源和社会保障局）",
            "因情况紧急设定的较短回复期限（规则 TL-9）。",
        ),
    ),
    # words no template knows (typed by hand, or cut at 200 characters): kept as written
    (
        ("visit", "回访申请人及其家属（电话）", "参照本院2025年工作规则"),
        ({"text": "回访申请人及其家属（电话）"}, {"text": "参照本院2025年工作规则"}),
        None,
    ),
    (
        ("court_hearing", "与法院沟通执行进度", ""),
        ({"text": "与法院沟通执行进度"}, {}),
        None,
    ),
]

# grading's and the risk score's reasons as zhichi/core/grading.py wrote them before (35 workers,
# 160,000.50 yuan against Yunnan's 50,000.00, an elderly claimant, a transfer verdict, a high
# risk), with a head's override written in Chinese and one written in English
OLD_LEVEL_REASONS = [
    "部门负责人确定等级：涉众风险高",
    "Level set by the department head: many workers, urgent",
    "申请人35名，达到30名以上，按重大案件办理",
    "请求金额合计160,000.50元，达到标准金额的3倍（150,000.00元；本省10名以上劳动者'数额较大'"
    "标准50,000.00元（云高法发〔2014〕1号，2014年3月1日施行）），按重大案件办理",
    "申请人中有老年人，属于需要特别保护的特定群体",
    "刑事线索研判结论为移送（拒不支付劳动报酬罪各项条件均已具备）",
    "群体性欠薪风险评分12分（高风险），按重大案件办理",
    "未发现需要提级的情形：申请人1名（不足10名），请求金额合计1,000.00元（低于标准金额；本省10名"
    "以上劳动者'数额较大'标准尚未录入系统，按法释〔2013〕3号第三条（全国幅度下限）30,000.00元计），"
    "无特定群体、案件类型、刑事线索或群体性欠薪风险方面的提级事由，按一级案件办理",
    "本案由院领导督办",  # no template: kept
]
LEVEL_MESSAGES = [
    {"code": "level_set_by_head", "params": {"reason": "涉众风险高"}},
    {"code": "level_set_by_head", "params": {"reason": "many workers, urgent"}},
    {"code": "claimants_major", "rule": "C3", "params": {"claimants": 35, "minimum": 30}},
    {
        "code": "amount_major",
        "rule": "C3",
        "params": {
            "amount": "160000.50",
            "multiple": "3",
            "major": "150000.00",
            "basis": "province",
            "standard": "50000.00",
            "source": "云高法发〔2014〕1号",
            "effective_from": "2014-03-01",
        },
    },
    {"code": "vulnerable_elderly", "rule": "SP-3", "params": {"group": "elderly"}},
    {"code": "criminal_transfer", "rule": "CR-1", "params": {"verdict": "transfer"}},
    {"code": "risk_high", "rule": "EW-3", "params": {"score": 12, "risk_level": "high"}},
    {
        "code": "routine",
        "rule": "C3",
        "params": {
            "claimants": 1,
            "minimum": 10,
            "amount": "1000.00",
            "basis": "national_floor",
            "standard": "30000.00",
            "source": "法释〔2013〕3号第三条（全国幅度下限）",
        },
    },
    "本案由院领导督办",
]
OLD_RISK_REASONS = [
    "涉及35人，达到10人以上（+1分）",
    "最长拖欠4个月，达到3个月以上（+1分）",
    "用人单位或其负责人逃匿、转移财产（+1分）",
    "处于治理欠薪冬季专项行动期间（2026年11月1日至2027年2月10日），应提高处理优先级（+1分）",
    "涉及35人，达到30人以上（+3分）",
    "本省拒不支付劳动报酬罪10名以上劳动者'数额较大'标准尚未录入系统，'金额达到本省标准'一项未计分；"
    "请系统管理员录入后重新评分（+0分）",
    "风险评分12分，达到预警分值3分：应向部门负责人预警，并建议联系人社部门或者根治拖欠农民工工资工作机构"
    "（+0分）",
    "曾多次到信访部门反映（+2分）",  # no template: kept
]
RISK_MESSAGES = [
    {
        "code": "workers_many",
        "rule": "EW-3",
        "params": {"claimants": 35, "minimum": 10, "weight": 1},
    },
    {"code": "months_long", "rule": "EW-3", "params": {"months": 4, "minimum": 3, "weight": 1}},
    {
        "code": "employer_evading",
        "rule": "EW-3",
        "params": {"kinds": ["absconded", "transferred_assets"], "weight": 1},
    },
    {
        "code": "campaign_window",
        "rule": "EW-2",
        "params": {"start": "2026-11-01", "end": "2027-02-10", "weight": 1},
    },
    {
        "code": "workers_mass",
        "rule": "EW-3",
        "params": {"claimants": 35, "minimum": 30, "weight": 3},
    },
    {"code": "collective_threshold_missing", "rule": "EW-3", "params": {"weight": 0}},
    {"code": "alert", "rule": "EW-3", "params": {"score": 12, "alert_score": 3, "weight": 0}},
    "曾多次到信访部门反映（+2分）",
]
# the criminal-lead check as zhichi/core/criminal.py gave it before (as_dict)
OLD_CHECK = {
    "verdict": "order_first",
    "reasons": [
        {
            "code": "individual_meets",
            "rule": "CR-4",
            "text": "1名劳动者被拖欠3个月以上工资12,000.00元（4个月），达到本省'数额较大'标准（10,000.00元）",
        },
        {
            "code": "no_payment_order",
            "rule": "CR-5",
            "text": "尚无政府有关部门的责令支付文书（限期整改指令书、行政处理决定书等），不具备'经责令支付仍不"
            "支付'的条件，应先移送人社部门/劳动保障监察责令支付",
        },
        {"code": "individual_meets", "rule": "CR-4", "text": "数额较大（人工复核）"},  # kept
    ],
    "threshold": {"basis": "province", "province": "52"},
    "next_step": "先移送人社部门/劳动保障监察责令支付，期限届满仍不支付的再研判移送刑事线索",
    "checked_on": "2026-11-20",
}
CHECK_MESSAGES = {
    "verdict": "order_first",
    "reasons": [
        {
            "code": "individual_meets",
            "rule": "CR-4",
            "params": {
                "basis": "province",
                "workers": 1,
                "amount": "12000.00",
                "months": 4,
                "threshold": "10000.00",
            },
        },
        {"code": "no_payment_order", "rule": "CR-5", "params": {"order": "none"}},
        {"code": "individual_meets", "rule": "CR-4", "text": "数额较大（人工复核）"},
    ],
    "threshold": {"basis": "province", "province": "52"},
    "next_step": {"code": "order_first", "params": {}},
    "checked_on": "2026-11-20",
}


def chinese_quotes(text: str) -> str:
    """The old ASCII quotation marks as going back writes them (“数额较大”)."""
    out, opened = "", False
    for char in text:
        if char == "'":
            char, opened = ("”" if opened else "“"), not opened
        out += char
    return out


@pytest.fixture
def people(request) -> dict[str, User]:
    """The usual users, or the demo world's of the same names when it is there: pytest-django
    runs a transactional test after the others, so in this module after the demo walk."""
    if Organisation.objects.filter(code="WHPROC").exists():
        return {u.username: u for u in User.objects.all()}
    return request.getfixturevalue("users")


@pytest.mark.django_db(transaction=True)
def test_issue13_item6_the_migrations_turn_old_sentences_into_codes_and_back(people):
    users = people
    case = wage_case(users, consent=True, seq="61")
    transfer = send(users, case, to_org="WHPROC", to_department="criminal", kind="criminal_lead")
    number, org = transfer.number, "五华区人民检察院"
    try:
        # going back writes the words again, in Chinese
        old = migrate(BEFORE)
        Deadline = old.get_model("cases", "CaseDeadline")
        OldCase = old.get_model("cases", "Case")
        Event = old.get_model("cases", "TimelineEvent")
        OldTransfer = old.get_model("transfers", "Transfer")
        review = Deadline.objects.get(case_id=case.pk, key="review")
        assert (review.label, review.basis) == ("审查决定（是否支持起诉）", "本地规定的审查期限")
        # (a transfer's step keeps its data: the code before made its headline from it)
        sent = Event.objects.get(case_id=case.pk, kind="transfer_send")
        assert (sent.summary, sent.data["org"], sent.data["transfer_kind"]) == (
            "",
            org,
            "criminal_lead",
        )
        assert all(isinstance(r, str) for r in OldCase.objects.get(pk=case.pk).level_reasons)

        # the rows as the code before wrote them
        due = timezone.localdate() + timedelta(days=30)
        rows = [
            Deadline.objects.create(
                case_id=case.pk,
                kind=kind,
                key=f"old:{i}",
                label=label,
                basis=basis,
                due=due,
                rule="TL-1",
            ).pk
            for i, ((kind, label, basis), _new, _back) in enumerate(OLD_DEADLINES)
        ]
        OldCase.objects.filter(pk=case.pk).update(
            level_reasons=OLD_LEVEL_REASONS, risk_reasons=OLD_RISK_REASONS, criminal_check=OLD_CHECK
        )
        OldTransfer.objects.filter(pk=transfer.pk).update(criminal_check=OLD_CHECK)
        old_data = {"transfer": transfer.pk, "number": number, "status": "sent"}
        # a step recorded before issue 13 item 5: the sentence in the summary, no org in the data
        Event.objects.filter(pk=sent.pk).update(
            summary=f"Transfer {number} sent to {org} (Criminal lead (refusal to pay wages))",
            data=old_data,
        )
        at = sent.at
        events = {
            "receive": Event.objects.create(
                case_id=case.pk,
                kind="transfer_receive",
                summary=f"移送 {number} 已由{org}签收",
                data=old_data,
                at=at,
            ),
            "answer": Event.objects.create(
                case_id=case.pk,
                kind="transfer_answer",
                summary=f"Transfer {number} answered by {org}",
                data=old_data,
                at=at,
            ),
            "close": Event.objects.create(
                case_id=case.pk,
                kind="transfer_close",
                summary="线索已移交公安机关",  # typed, not a sentence of the code: kept
                data=old_data,
                at=at,
            ),
            "facts_en": Event.objects.create(
                case_id=case.pk,
                kind="facts",
                summary="Facts updated: evasion, has_iou",
                data={"changed": ["evasion", "has_iou"], "shares_ended": []},
                at=at,
            ),
            "facts_zh": Event.objects.create(
                case_id=case.pk,
                kind="facts",
                summary="案件事实已更新：labour_relationship",
                data={"changed": ["labour_relationship"], "shares_ended": []},
                at=at,
            ),
            "share_zh": Event.objects.create(
                case_id=case.pk,
                kind="share_revoked",
                summary="已终止与五华区妇女联合会的共享：当事人撤回同意",
                data={},
                at=at,
            ),
            "share_en": Event.objects.create(
                case_id=case.pk,
                kind="share_revoked",
                summary="Sharing with 五华区法律援助中心 ended: consent withdrawn",
                data={},
                at=at,
            ),
        }
        events["send"] = sent

        # forward: codes with values, the unknown words kept as they were
        new = migrate()
        Deadline = new.get_model("cases", "CaseDeadline")
        for pk, (_old, (label, basis), _back) in zip(rows, OLD_DEADLINES, strict=True):
            d = Deadline.objects.get(pk=pk)
            assert (d.label_words, d.basis_words) == (label, basis), _old
        saved = new.get_model("cases", "Case").objects.get(pk=case.pk)
        assert saved.level_reasons == LEVEL_MESSAGES
        assert saved.risk_reasons == RISK_MESSAGES
        assert saved.criminal_check == CHECK_MESSAGES
        moved = new.get_model("transfers", "Transfer").objects.get(pk=transfer.pk)
        assert moved.criminal_check == CHECK_MESSAGES
        Event = new.get_model("cases", "TimelineEvent")
        after = {name: Event.objects.get(pk=e.pk) for name, e in events.items()}
        for name in ("send", "receive", "answer", "close"):
            assert after[name].data == {
                **old_data,
                "org": org,
                "transfer_kind": "criminal_lead",
            }, name
            assert after[name].summary == ("线索已移交公安机关" if name == "close" else ""), name
        assert (after["facts_en"].summary, after["facts_zh"].summary) == ("", "")
        assert (after["share_zh"].data, after["share_zh"].summary) == (
            {"org": "五华区妇女联合会"},
            "当事人撤回同意",
        )
        assert (after["share_en"].data, after["share_en"].summary) == (
            {"org": "五华区法律援助中心"},
            "consent withdrawn",
        )

        # shown in the reader's language; what was kept, as it was written
        client = Client()
        client.force_login(users["civil1"])
        codes = vocabulary_codes()
        shown = {}
        for language in LANGUAGES:
            root = page(client, f"/cases/{case.pk}/", language)
            for text in root.texts():
                assert not raw_codes(text, language, codes), (language, text)
            shown[language] = (
                dict(deadline_cells(root)),
                reason_items(root),
                timeline_entries(root),
            )
        cells, (level, risk), timeline = shown["en"]
        assert cells["回访申请人及其家属（电话）"] == "参照本院2025年工作规则"
        assert cells["与法院沟通执行进度"] == ""
        assert cells["Return visit to the Employer"] == ""
        assert cells["Instalment of 1,200,000.00 yuan due"].startswith("If unpaid:")
        assert cells[
            "Reply to procuratorial suggestion 五华检民建〔2026〕2号 (五华区人力资源和社会保障局)"
        ] == ("A shorter reply period set for an urgent matter (rule TL-9).")
        assert level[0] == "Level set by the department head: 涉众风险高"
        assert level[-1] == "本案由院领导督办" and risk[-1] == "曾多次到信访部门反映（+2分）"
        for text, stored in zip(
            level[2:-1] + risk[:-1], LEVEL_MESSAGES[2:-1] + RISK_MESSAGES[:-1], strict=True
        ):
            assert not CJK.search(without_values(text, string_values(stored))), text
        assert f"Transfer {number} sent to {org} (Criminal lead (refusal to pay wages))" in timeline
        assert f"Transfer {number} received by {org}" in timeline
        assert f"Transfer {number} closed: 线索已移交公安机关" in timeline
        assert "Facts updated: evasion, wage IOU" in timeline
        assert "Sharing with 五华区妇女联合会 ended: 当事人撤回同意" in timeline
        cells, (level, risk), timeline = shown["zh-hans"]
        assert cells["回访申请人及其家属（电话）"] == "参照本院2025年工作规则"
        assert cells["回访用人单位"] == ""
        assert level[0] == "部门负责人确定等级：涉众风险高"
        assert level[1] == "部门负责人确定等级：many workers, urgent"
        assert all("'" not in r for r in level + risk), (level, risk)
        assert f"移送 {number} 已由{org}签收" in timeline
        assert (
            "已终止与五华区妇女联合会的共享：当事人撤回同意" in timeline
        )  # now made from its data

        # back again: the sentences, in Chinese, with Chinese quotation marks
        old = migrate(BEFORE)
        Deadline = old.get_model("cases", "CaseDeadline")
        for pk, ((_kind, label, basis), _new, back) in zip(rows, OLD_DEADLINES, strict=True):
            d = Deadline.objects.get(pk=pk)
            label_back, basis_back = back or (None, None)
            assert (d.label, d.basis) == (label_back or label, basis_back or basis), label
        restored = old.get_model("cases", "Case").objects.get(pk=case.pk)
        assert restored.level_reasons == [
            "部门负责人确定等级：涉众风险高",
            "部门负责人确定等级：many workers, urgent",
            *(chinese_quotes(r) for r in OLD_LEVEL_REASONS[2:]),
        ]
        assert restored.risk_reasons == [chinese_quotes(r) for r in OLD_RISK_REASONS]
        assert restored.criminal_check == {
            **OLD_CHECK,
            "reasons": [{**r, "text": chinese_quotes(r["text"])} for r in OLD_CHECK["reasons"]],
        }
        Event = old.get_model("cases", "TimelineEvent")
        back = {name: Event.objects.get(pk=e.pk) for name, e in events.items()}
        # a transfer's steps stay as they are: the code before made their headline from the data
        for name in ("send", "receive", "answer", "close"):
            assert back[name].data == after[name].data, name
            assert back[name].summary == after[name].summary, name
        assert back["facts_en"].summary == "案件事实已更新：evasion, has_iou"
        assert back["share_en"].summary == "已终止与五华区法律援助中心的共享：consent withdrawn"
        assert back["share_en"].data == {}
    finally:
        migrate()
    assert CaseDeadline.objects.get(pk=rows[0]).label_words == {"code": "review", "params": {}}


# --- 2. written by one in Chinese, read by another in English ----------------------------------
TODAY = timezone.localdate()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def open_case(api) -> Case:
    client = api("civil1")
    r = client.post("/api/v1/leads", lead_payload(), headers=ZH)
    assert r.status_code == 201, r.content
    r = client.post(f"/api/v1/leads/{r.json()['id']}/accept", headers=ZH)
    assert r.status_code == 200, r.content
    return Case.objects.get(pk=r.json()["case_id"])


def test_issue13_item6_what_one_writes_in_chinese_another_reads_in_english(web, api):
    case = open_case(api)
    officer, head = web("civil1"), web("civilhead")
    claimants = list(
        case.parties.filter(role="claimant").order_by("position").values_list("party_id", flat=True)
    )

    def version() -> str:
        return str(Case.objects.get(pk=case.pk).version)

    # the officer, working in Chinese, records a judgment served on two people, plans a visit
    r = officer.post(
        f"/cases/{case.pk}/court-events/",
        {
            "kind": "judgment",
            "on": day(-6),
            "court": "五华区人民法院",
            "amount_awarded": "15000",
            **{f"share_{p}": a for p, a in zip(claimants, ("9000", "6000"), strict=True)},
            "served": f"王建国 {day(-4)}\n李秀英 {day(-3)}",
            "performance_due": day(30),
            "version": version(),
        },
        headers=ZH,
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = officer.post(
        f"/cases/{case.pk}/visits/",
        {"planned_on": day(20), "target": "employer", "method": "phone"},
        headers=ZH,
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    # and, switched to English, records an agreement paid in two instalments
    r = officer.post(
        f"/cases/{case.pk}/mediations/",
        {
            "held_on": day(-1),
            "mediator_org": "五华区人民调解委员会",
            "outcome": "agreement",
            "agreed_amount": "20000.50",
            **{f"share_{p}": a for p, a in zip(claimants, ("12000", "8000.50"), strict=True)},
            "instalments": f"{day(10)} 10000\n{day(40)} 10000.50",
            "version": version(),
        },
        headers=EN,
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    # the head, in Chinese, sets the level with a reason
    reason = "涉众风险高，需重点督办"
    r = head.post(
        f"/cases/{case.pk}/level/",
        {"level": "3", "reason": reason, "version": version()},
        headers=ZH,
    )
    assert r.status_code == 302, r.content.decode()[:2000]

    # stored: codes and values, no sentence in either language
    case = Case.objects.get(pk=case.pk)
    judgment = CourtEvent.objects.get(case=case, kind="judgment")
    rows = list(case.deadlines.all())
    by_kind: dict[str, list[dict]] = {}
    for d in rows:
        by_kind.setdefault(d.kind, []).append(d.label_words)
        assert set(d.label_words) == {"code", "params"} and d.label_words["code"] in DEADLINE_LABELS
        assert not d.basis_words or set(d.basis_words) == {"code", "params"}
        assert not d.basis_words or d.basis_words["code"] in DEADLINE_BASES
        for value in string_values([d.label_words, d.basis_words]):
            assert value in ("王建国", "李秀英") or not CJK.search(value), value
    assert sorted(by_kind["appeal"], key=str) == [
        {"code": "appeal", "params": {"person": "李秀英"}},
        {"code": "appeal", "params": {"person": "王建国"}},
    ]
    assert by_kind["enforcement_application"] == [
        {
            "code": "enforcement_application",
            "params": {"court_kind": "judgment", "day": judgment.on.isoformat()},
        }
    ]
    assert {"code": "visit", "params": {"target": "employer"}} in by_kind["visit"]
    assert by_kind["instalment"] == [
        {"code": "instalment", "params": {"amount": "10000.00"}},
        {"code": "instalment", "params": {"amount": "10000.50"}},
    ]
    assert by_kind["judicial_confirmation"] == [
        {"code": "judicial_confirmation", "params": {"day": day(-1)}}
    ]
    assert {d.basis_words["code"] for d in rows if d.kind == "appeal"} == {"appeal_judgment"}
    assert {d.basis_words["code"] for d in rows if d.kind == "instalment"} == {
        "instalment_if_unpaid"
    }
    assert case.level_reasons[0] == {"code": "level_set_by_head", "params": {"reason": reason}}
    for r in case.level_reasons + case.risk_reasons:
        assert set(r) <= {"code", "rule", "params"}, r
        assert r["code"] in LEVEL_REASONS or r["code"] in RISK_REASONS, r

    # another officer reads it in English: English labels, bases and reasons
    reader = web("civil2")
    root = page(reader, f"/cases/{case.pk}/", "en")
    cells = dict(deadline_cells(root))
    for person in ("王建国", "李秀英"):
        assert cells[f"Appeal period for {person}"] == (
            "Civil Procedure Law art. 171: appeal within fifteen days of the service of the judgment"
        )
    assert f"Apply for enforcement of the Judgment of {judgment.on.isoformat()}" in cells
    assert "Return visit to the Employer" in cells
    assert "Instalment of 10,000.50 yuan due" in cells
    assert f"Apply for judicial confirmation of the agreement of {day(-1)}" in cells
    assert cells["Review decision (support or not)"] == "Local time limit for the review stage"
    level_items, risk_items = reason_items(root)
    assert level_items[0] == f"Level set by the department head: {reason}"
    assert not any(CJK.search(text) for text in level_items[1:] + risk_items), level_items
    body = api("civil2").get(f"/api/v1/cases/{case.pk}", headers=EN).json()
    assert body["level_reasons"] == level_items
    assert sorted(d["label"] for d in body["deadlines"]) == sorted(cells)

    # and in Chinese, Chinese ones, whoever wrote them and in whichever language
    root = page(reader, f"/cases/{case.pk}/", "zh-hans")
    cells = dict(deadline_cells(root))
    for person in ("王建国", "李秀英"):
        assert f"{person}的上诉期" in cells
    assert f"申请执行 {judgment.on.isoformat()} 判决" in cells
    assert "回访用人单位" in cells
    assert "分期付款 10,000.50 元到期" in cells
    assert f"申请司法确认（{day(-1)} 调解协议）" in cells
    assert not any(re.search("[A-Za-z]{3}", label) for label in cells), cells
    level_items, _risk = reason_items(root)
    assert level_items[0] == f"部门负责人确定等级：{reason}"
    body = api("civil2").get(f"/api/v1/cases/{case.pk}", headers=ZH).json()
    with translation.override("zh-hans"):
        assert body["level_reasons"] == level_items == level_reason_words(case.level_reasons)


# --- 3. the calculators -------------------------------------------------------------------------
CALCULATORS = "/tools/calculators/"


def calculate(client: Client, language: str, name: str, **fields) -> Node:
    r = client.post(CALCULATORS, {"calc": name, **fields}, headers=LANGUAGES[language])
    assert r.status_code == 200, r.content.decode()[:2000]
    assert r["Content-Language"] == language
    return parse(r.content.decode()).find("div", data_testid=f"result-{name}")


PERIODS = [
    # (fields, what the working says in English, and in Chinese)
    (
        {"kind": "custom", "start": "2026-02-12", "unit": "working_days", "count": "10"},
        "10 working days",
        "10个工作日",
    ),
    ({"kind": "custom", "start": "2026-02-12", "unit": "years", "count": "5"}, "5 years", "5年"),
    ({"kind": "custom", "start": "2026-02-12", "unit": "months", "count": "1"}, "1 month", "1个月"),
    ({"kind": "custom", "start": "2026-12-05", "unit": "days", "count": "15"}, "15 days", "15日"),
    ({"kind": "appeal_judgment", "start": "2026-12-05"}, "15 days", "15日"),
    ({"kind": "assistance_decision", "start": "2026-12-05"}, "10 working days", "10个工作日"),
]


@pytest.mark.parametrize(("fields", "english", "chinese"), PERIODS)
def test_issue13_item6_the_deadline_calculator_shows_its_working_in_words(
    web, api, fields, english, chinese
):
    client = web("civil1")
    # the rules API gives the period in the same words
    body = {k: v for k, v in fields.items() if k in ("kind", "start")}
    if "unit" in fields:
        body[fields["unit"]] = int(fields["count"])
    for language, period in (("en", english), ("zh-hans", chinese)):
        r = api("civil1").post("/api/v1/rules/deadline", body, headers=LANGUAGES[language])
        assert r.status_code == 200, r.content
        assert r.json()["period"] == period
        assert not raw_codes(r.json()["basis"], language, vocabulary_codes())
    codes = vocabulary_codes()
    en = calculate(client, "en", "deadline", **fields)
    zh = calculate(client, "zh-hans", "deadline", **fields)
    en_counted = en.find("dd", data_testid="counted").text()
    zh_counted = zh.find("dd", data_testid="counted").text()
    start, due = fields["start"], en.find("strong", data_testid="due").text()
    assert due == zh.find("strong", data_testid="due").text()
    # English: the period in words, counted from the start day
    assert en_counted.startswith(f"{english} counted from {start}"), en_counted
    assert "working_days" not in en.text() and f"{start} +" not in en.text()
    assert not CJK.search(en.text().replace("（", "").replace("）", "")), en.text()
    # Chinese: the period in Chinese, and no English unit, code or raw sum anywhere
    assert chinese in zh_counted and start in zh_counted, zh_counted
    assert not re.search(r"[A-Za-z]", zh_counted), zh_counted
    for text in zh.texts():
        assert not raw_codes(text, "zh-hans", codes), text
        assert not re.search(r"\b(?:working|days?|months?|years?)\b", text), text
    for text in en.texts():
        assert not raw_codes(text, "en", codes), text
    if fields["kind"] != "custom":
        # the legal basis of a statutory period, in the reader's language
        rule = zh.find_all("dd")[0].text()
        assert CJK.search(rule) and not re.search(r"[a-z]{3}", rule), rule
        assert not CJK.search(en.find_all("dd")[0].text())


def test_issue13_item6_the_calculator_page_names_periods_in_the_readers_language(web):
    client = web("civil1")
    for language in LANGUAGES:
        root = page(client, CALCULATORS, language)
        select = root.find("select", name="kind")
        options = [o.text() for o in select.find_all("option")]
        assert len(options) > 10
        for text in options:
            assert not SNAKE.search(text), text
            if language == "zh-hans":
                assert not re.search(r"\b(?:working|days?|months?|years?)\b", text), text
            else:
                assert not CJK.search(text), text


CRIMINAL_CHECKS = [
    # a province with figures: the amount is a "relatively large amount"
    {
        "province": "52",
        "as_of": "2026-11-20",
        "workers": "12000 4\n3000 2",
        "order_issued_on": "2026-10-01",
        "order_deadline": "2026-10-31",
        "evasion": ["absconded"],
    },
    # Yunnan's figures are not entered: it depends on them
    {"province": "53", "as_of": "2026-11-20", "workers": "12000 4"},
    # below the figure, no order to pay
    {"province": "52", "as_of": "2026-11-20", "workers": "100 4\n50 1"},
    # ten or more workers together, the order's deadline still running
    {
        "province": "52",
        "as_of": "2026-11-20",
        "workers": "\n".join(["6000 2"] * 11),
        "order_issued_on": "2026-11-01",
        "order_deadline": "2026-12-31",
    },
]


@pytest.mark.parametrize("fields", CRIMINAL_CHECKS)
def test_issue13_item6_the_criminal_calculator_quotes_with_chinese_quotation_marks(
    web, api, fields
):
    client = web("criminal1")
    codes = vocabulary_codes()
    zh = calculate(client, "zh-hans", "criminal", **fields)
    en = calculate(client, "en", "criminal", **fields)
    zh_text, en_text = zh.text(), en.text()
    # the reasons and the next step name the “relatively large amount” (数额较大) in each
    assert "“数额较大”" in zh_text
    assert "'数额较大'" not in zh_text and "数额较大'" not in zh_text
    assert "“relatively large amount”" in en_text
    for text in zh.texts():
        assert not raw_codes(text, "zh-hans", codes), text
    for text in en.texts():
        assert not raw_codes(text, "en", codes), text
    # the reasons and the next step are English words (the figures' sources are data)
    reasons = [li.text() for li in en.find("ol").find_all("li")]
    assert reasons and not any(CJK.search(text) for text in reasons), reasons
    next_step = en.find_all("p")[1].text()
    assert not CJK.search(next_step), next_step
    zh_reasons = [li.text() for li in zh.find("ol").find_all("li")]
    assert len(zh_reasons) == len(reasons)
    assert all(CJK.search(text) for text in zh_reasons)
    # the rules API answers in the same words
    body = {
        "province": fields["province"],
        "as_of": fields["as_of"],
        "workers": [
            {"amount": amount, "months": int(months)}
            for amount, months in (line.split() for line in fields["workers"].splitlines())
        ],
        "evasion": fields.get("evasion", []),
    }
    if "order_deadline" in fields:
        body["payment_order"] = {
            "issued_on": fields["order_issued_on"],
            "deadline": fields["order_deadline"],
        }
    r = api("criminal1").post("/api/v1/rules/criminal-lead", body, headers=ZH)
    assert r.status_code == 200, r.content
    answer = r.json()
    texts = [answer["next_step"], *(reason["text"] for reason in answer["reasons"])]
    assert [reason["rule"] for reason in answer["reasons"]] == [
        li.find("span").text() for li in zh.find("ol").find_all("li")
    ]
    assert "“数额较大”" in " ".join(texts) and "'" not in " ".join(texts)


# --- 4. every phrase, with the values the rules give it -------------------------------------------
GLOSS = re.compile(r"\s*\([\u3400-\u9fff]+\)")  # a Chinese term glossed in English: (包工头)
MISSING = "—"  # what a phrase reads for a value its message does not carry


def core_messages() -> list[tuple[object, dict]]:
    """(vocabulary, stored message) of what grading, the risk score and the criminal-lead check
    give for a spread of facts: each branch of their words, with the values they store."""
    from itertools import product

    from zhichi.core import criminal, grading
    from zhichi.rulebook.words import stored_check

    def figure(value: str, source: str = "黔高法〔2013〕1号") -> criminal.Figure:
        return criminal.Figure(
            value=Decimal(value), source=source, effective_from=date(2013, 1, 23)
        )

    national = criminal.NationalRange(
        figure("5000", "法释〔2013〕3号第三条"),
        figure("20000", "法释〔2013〕3号第三条"),
        figure("30000", "法释〔2013〕3号第三条"),
        figure("100000", "法释〔2013〕3号第三条"),
    )
    provinces = [
        None,
        criminal.Thresholds("52", figure("10000"), figure("50000")),
        criminal.Thresholds("52", figure("1000"), figure("500000")),  # outside the range
    ]
    crews = [[], [("12000", 4)], [("25000", 5)], [("100", 4), ("50", 1)], [("6000", 2)] * 11]
    orders = [
        None,
        criminal.PaymentOrder(issued_on=date(2026, 10, 1), deadline=date(2026, 10, 31)),
        criminal.PaymentOrder(
            issued_on=None, deadline=date(2026, 12, 31), authority="五华区人社局"
        ),
        criminal.PaymentOrder(issued_on=date(2026, 10, 1), deadline=None),
    ]
    out: list[tuple[object, dict]] = []
    for workers, thresholds, order, paid, evasion in product(
        crews, provinces, orders, [False, True], [[], sorted(criminal.EVASION_KINDS)]
    ):
        check = stored_check(
            criminal.evaluate(
                workers=[criminal.Worker(Decimal(a), m) for a, m in workers],
                as_of=date(2026, 11, 20),
                thresholds=thresholds,
                national=national,
                payment_order=order,
                paid_after_order=paid,
                evasion=evasion,
                province="53" if thresholds is None else "52",
            )
        )
        out += [(CRIMINAL_REASONS, r) for r in check["reasons"]]
        out.append((NEXT_STEPS, check["next_step"]))
    for category, claimants, total, groups, verdict, province, more in product(
        ["wages", "domestic_violence"],
        [1, 12, 35],
        ["1000", "40000", "160000.50"],
        [frozenset(), frozenset({"minor", "elderly"})],
        [None, "transfer", "order_first", "depends_on_province_config"],
        [None, figure("50000")],
        [False, True],
    ):
        facts = grading.Facts(
            category=category,
            claimants=claimants,
            total_claimed=Decimal(total),
            max_months_unpaid=4 if more else 0,
            groups=groups,
            labour_relationship="contractor_crew" if more else "employee",
            evasion=frozenset({"absconded"}) if more else frozenset(),
            criminal_verdict=verdict,
            construction=more,
            project_finished_or_closing=more,
            past_petitions=more,
            self_harm_threats=more,
            as_of=date(2026, 12, 1) if more else date(2026, 6, 1),
        )
        rules = grading.RiskRules(collective_threshold=province, campaign_end=date(2027, 2, 10))
        risk = grading.risk(facts, rules)
        result = grading.grade(
            facts,
            grading.GradingRules(standard_amount=province) if province else grading.GradingRules(),
            risk,
        )
        out += [(LEVEL_REASONS, r) for r in stored_reasons(result.reasons)]
        out += [(RISK_REASONS, r) for r in stored_reasons(risk.reasons)]
    return out


def test_issue13_item6_every_message_the_rules_store_reads_in_both_languages():
    messages = core_messages()
    problems = []
    seen: set[str] = set()
    for vocabulary, message in messages:
        code = message["code"]
        assert code in vocabulary, f"{vocabulary.what} {code!r} has no words"
        seen.add(code)
        values = string_values(message["params"])
        zh = words(vocabulary, message, "zh-hans")
        en = words(vocabulary, message, "en")
        if MISSING in zh or MISSING in en:
            problems.append(f"{code}: a value the words name is not stored: {en!r}")
        if not CJK.search(zh) or ENGLISH_PHRASE.search(without_values(zh, values)):
            problems.append(f"{code}: not Chinese: {zh!r}")
        if ASCII_QUOTED_CJK.search(zh) or "'" in without_values(zh, values):
            problems.append(f"{code}: ASCII quotation marks in Chinese: {zh!r}")
        if CJK.search(GLOSS.sub("", without_values(en, values))):
            problems.append(f"{code}: not English: {en!r}")
        if en == zh:
            problems.append(f"{code}: the same in both languages: {en!r}")
    assert not problems, "\n".join(sorted(set(problems))[:40])
    # the spread reached the rules' reasons, not a few of them
    every = CRIMINAL_REASONS.codes() | NEXT_STEPS.codes() | RISK_REASONS.codes()
    assert every <= seen, sorted(every - seen)
    assert len(seen & LEVEL_REASONS.codes()) >= 13, sorted(seen & LEVEL_REASONS.codes())


def test_issue13_item6_every_phrase_has_its_words_in_both_languages():
    """Each code of each vocabulary, even one no rule gives today, reads as words in Chinese
    and in English (an old row without values reads with dashes, never as its code)."""
    from zhichi.rulebook.words import PERIOD_BASES, PERIOD_NAMES

    codes = vocabulary_codes()
    vocabularies = [
        DEADLINE_LABELS,
        DEADLINE_BASES,
        LEVEL_REASONS,
        RISK_REASONS,
        CRIMINAL_REASONS,
        NEXT_STEPS,
        PERIOD_NAMES,
        PERIOD_BASES,
    ]
    for vocabulary in vocabularies:
        for code in sorted(vocabulary.codes()):
            zh = words(vocabulary, {"code": code, "params": {}}, "zh-hans")
            en = words(vocabulary, {"code": code, "params": {}}, "en")
            assert CJK.search(zh) and not ENGLISH_PHRASE.search(zh), (code, zh)
            assert not CJK.search(GLOSS.sub("", en)) and en != zh, (code, en)
            assert not raw_codes(zh, "zh-hans", codes) and not raw_codes(en, "en", codes), code


# --- 5. the demo world's case pages and API, in both languages ---------------------------------
# Last in the module: the tests above make their own organisations and users, which the demo
# world (committed for the module once its first test asks for it) would already hold. The
# transactional test of section 1 runs after these anyway (pytest-django puts such tests last).
demo = demo_world()


def sample_cases() -> list[Case]:
    """Every fifth case, and a case with each thing worth reading: transfers, court events,
    payments, each kind of deadline, a closed one; at least ten."""
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    chosen = dict.fromkeys(ids[::5])
    wanted = {
        "transfers": TimelineEvent.objects.filter(kind__startswith="transfer_"),
        "court events": CourtEvent.objects.all(),
        "payments": Payment.objects.all(),
        "facts": TimelineEvent.objects.filter(kind="facts"),
        **{
            f"{kind} deadline": CaseDeadline.objects.filter(kind=kind)
            for kind in DEADLINE_LABELS.codes()
        },
    }
    for what, rows in wanted.items():
        first = rows.order_by("case_id").values_list("case_id", flat=True).first()
        assert first is not None, f"the demo world has no {what}: the walk would not read any"
        chosen.setdefault(first)
    closed = Case.objects.filter(status=CaseStatus.CLOSED).order_by("pk").first()
    assert closed is not None, "the demo world has no closed case"
    chosen.setdefault(closed.pk)
    for pk in ids:
        if len(chosen) >= 10:
            break
        chosen.setdefault(pk)
    assert len(chosen) >= min(10, len(ids))
    return list(Case.objects.filter(pk__in=chosen).select_related("officer").order_by("pk"))


def read_case(case: Case, language: str, codes: frozenset[str]) -> tuple[dict, list[str]]:
    """The case page and the API read by the case's officer in ``language``: what they show of
    the stored words, and every problem found."""
    reader = case.officer or User.objects.get(username="civil1")
    client = Client()
    client.force_login(reader)
    where = f"case {case.pk} ({language})"
    root = page(client, f"/cases/{case.pk}/", language)
    problems = [
        f"{where} page: {code!r} in {text[:120]!r}"
        for text in root.texts()
        for code in raw_codes(text, language, codes)
    ]
    shown = {
        "deadlines": deadline_cells(root),
        "level": reason_items(root)[0],
        "risk": reason_items(root)[1],
        "timeline": timeline_entries(root),
    }
    # the page says what the stored messages say in this language, and so does the API
    deadlines = list(CaseDeadline.objects.filter(case=case))
    expected = [
        (
            words(DEADLINE_LABELS, d.label_words, language),
            words(DEADLINE_BASES, d.basis_words, language),
        )
        for d in deadlines
    ]
    assert sorted(shown["deadlines"]) == sorted(expected), where
    assert shown["level"] == [words(LEVEL_REASONS, r, language) for r in case.level_reasons]
    assert shown["risk"] == [words(RISK_REASONS, r, language) for r in case.risk_reasons]
    events = timeline_events(reader, case)
    assert len(events) == len(shown["timeline"]), where
    with translation.override(language):
        fallback = translation.gettext("Recorded event")  # the words of a kind without words
    assert not any(text.startswith(fallback) for text in shown["timeline"]), where

    api = ApiClient(reader)
    body = api.get(f"/api/v1/cases/{case.pk}", headers=LANGUAGES[language])
    assert body.status_code == 200 and body["Content-Language"] == language, where
    body = body.json()
    timeline = api.get(f"/api/v1/cases/{case.pk}/timeline", headers=LANGUAGES[language])
    assert timeline.status_code == 200, where
    assert [e["summary"] for e in timeline.json()] == shown["timeline"], where
    assert body["level_reasons"] == shown["level"], where
    assert body["risk"]["reasons"] == shown["risk"], where
    assert sorted(d["label"] for d in body["deadlines"]) == sorted(e[0] for e in expected), where
    check, flag = body["criminal_check"], body["criminal_flag"]
    for text in [
        *(r["text"] for r in check.get("reasons", [])),
        check.get("next_step") or "",
        flag.get("label") or "",
        flag.get("detail") or "",
    ]:
        problems += [
            f"{where} API: {code!r} in {text!r}" for code in raw_codes(text, language, codes)
        ]

    # what the system wrote is in the reader's language once the values (names, sources, what
    # a person typed) are taken out: no Chinese for an English reader, no English phrase for a
    # Chinese one
    def foreign(text: str, values: list[str]) -> bool:
        rest = without_values(text, values)
        # an English sentence may gloss a Chinese legal term, as the catalogue does: (包工头)
        return bool(
            CJK.search(GLOSS.sub("", rest)) if language == "en" else ENGLISH_PHRASE.search(rest)
        )

    for d, (label, basis) in zip(deadlines, expected, strict=True):
        if foreign(label, string_values(d.label_words.get("params"))):
            problems.append(f"{where}: deadline label {label!r}")
        if d.basis_words.get("code") and foreign(basis, []):
            problems.append(f"{where}: deadline basis {basis!r}")
    for name in ("level", "risk"):
        stored = case.level_reasons if name == "level" else case.risk_reasons
        for r, text in zip(stored, shown[name], strict=True):
            if isinstance(r, dict) and foreign(text, string_values(r.get("params"))):
                problems.append(f"{where}: {name} reason {text!r}")
    people = [u.display_name for u in User.objects.all()]  # who acted, named in a headline
    for event, text in zip(events, shown["timeline"], strict=True):
        if foreign(text, [event.summary, *string_values(event.data), *people]):
            problems.append(f"{where}: timeline {text!r} ({event.kind})")
    return shown, problems


def test_issue13_item6_no_raw_code_on_the_case_pages_and_api_of_the_demo_world(demo):
    codes = vocabulary_codes()
    kinds = set(TimelineEvent.objects.values_list("kind", flat=True))
    assert not kinds - set(EVENT_LABELS), "timeline kinds without words"
    problems: list[str] = []
    differing = {"deadlines": 0, "level": 0}
    cases = sample_cases()
    for case in cases:
        shown = {}
        for language in LANGUAGES:
            shown[language], found = read_case(case, language, codes)
            problems += found
        for what in differing:
            en, zh = sorted(shown["en"][what]), sorted(shown["zh-hans"][what])
            differing[what] += sum(a != b for a, b in zip(en, zh, strict=True))
    assert not problems, "\n".join(problems[:40])
    # the two languages really differ: not one stored sentence shown to both
    assert min(differing.values()) >= len(cases), differing


PAGE_READERS = ["civil1", "civilhead", "hrss1", "sysadmin"]


def test_issue13_item6_no_raw_code_on_any_page_of_the_demo_world(demo):
    """Every page of the URLconf, its ids filled with rows of the demo world (as the GET walk
    fills them), read by an officer, a head, a partner agency and the system administrator in
    both languages."""
    from tests.test_get_side_effects import fill, routes

    codes = vocabulary_codes()
    problems: list[str] = []
    read = {language: 0 for language in LANGUAGES}
    for username in PAGE_READERS:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for route, _name in routes():
            if route.startswith("api/"):
                continue
            path = "/" + fill(route)
            for language, headers in LANGUAGES.items():
                r = client.get(path, headers=headers)
                if r.status_code != 200 or not r["Content-Type"].startswith("text/html"):
                    continue
                read[language] += 1
                for text in parse(r.content.decode()).texts():
                    problems += [
                        f"{username} {path} ({language}): {code!r} in {text[:150]!r}"
                        for code in raw_codes(text, language, codes)
                    ]
    assert not problems, "\n".join(sorted(set(problems))[:40])
    assert min(read.values()) >= 60, read  # the walk read real pages, not only refusals
