"""The sentences the system stored before it stored codes (issue 13 item 6), frozen for the data
migrations that turn them into codes with values and back (cases 0010, transfers 0003).

Not a migration (the loader skips modules whose name starts with "_"). Nothing here imports the
application: the templates are copies of what the code wrote then, in Chinese (the core's own
words) and, for texts written through gettext, in English as well, whichever language the writer
had. Each template names its values in braces; a value has a kind that says how it was written in
the sentence and how it is stored now. Forward, a sentence that matches no template is left as
it is (it is shown as written); backward, a stored code is written out in Chinese, the default
language, with the core's quotation marks (“数额较大”).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

# --- the values ----------------------------------------------------------------------------------
CATEGORIES = {
    "wages": "追索劳动报酬",
    "work_injury": "工伤赔偿",
    "support_payment": "追索赡养费、抚养费、扶养费",
    "domestic_violence": "家庭暴力",
    "personal_injury": "人身损害赔偿",
    "guardianship": "撤销或者变更监护",
    "other": "其他",
}
GROUPS = {
    "migrant_worker": "农民工",
    "woman": "妇女",
    "minor": "未成年人",
    "elderly": "老年人",
    "disabled": "残疾人",
    "low_income": "低收入人员",
    "veteran": "退役军人",
}
RISK_NAMES = {"none": "无风险", "low": "低风险", "high": "高风险"}
COURT_KINDS = {"judgment": ("Judgment", "判决"), "ruling": ("Ruling", "裁定")}
VISIT_TARGETS = {"claimant": ("Claimant", "申请人"), "employer": ("Employer", "用人单位")}

MONEY = {
    "amount",
    "threshold",
    "standard",
    "major",
    "total",
    "floor",
    "ceiling",
    "individual",
    "collective",
}
DATES = {
    "effective_from",
    "start",
    "end",
    "issued_on",
    "deadline",
    "basic_end",
    "serious_end",
}
INTS = {
    "claimants",
    "minimum",
    "months",
    "weight",
    "score",
    "alert_score",
    "workers",
    "basic",
    "serious",
}
CHOICES = {
    "category": CATEGORIES,
    "group": GROUPS,
    "risk_level": RISK_NAMES,
}


def _pattern(name: str) -> str:
    if name in MONEY:
        return r"[\d,]+\.\d{2}"
    if name in DATES:
        return r"\d{4}年\d{1,2}月\d{1,2}日"
    if name in INTS:
        return r"\d+"
    if name in CHOICES:
        return "|".join(re.escape(v) for v in sorted(CHOICES[name].values(), key=len, reverse=True))
    if name == "iso_day":
        return r"\d{4}-\d{2}-\d{2}"
    return r".+?"


def _read(name: str, text: str):
    if name in MONEY:
        return text.replace(",", "")
    if name in DATES:
        y, m, d = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text).groups()
        return date(int(y), int(m), int(d)).isoformat()
    if name in INTS:
        return int(text)
    if name in CHOICES:
        return next(code for code, words in CHOICES[name].items() if words == text)
    return text


def _write(name: str, value) -> str:
    if name in MONEY:
        try:
            return f"{Decimal(str(value)):,.2f}"
        except (InvalidOperation, ValueError):
            return str(value)
    if name in DATES:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day.year}年{day.month}月{day.day}日"
    if name in CHOICES:
        return CHOICES[name].get(value, str(value))
    return str(value)


QUOTES = "(?:'|“)"
UNQUOTES = "(?:'|”)"


class Template:
    """One sentence the old code wrote: ``code`` (a string, or a function of the values),
    ``text`` with {name} placeholders and '' for the old ASCII quotation marks, ``fixed``
    values the sentence implies."""

    def __init__(self, code, text: str, fixed: dict | None = None, rule: str = "") -> None:
        self.code = code
        self.text = text
        self.fixed = fixed or {}
        self.rule = rule
        self.names = re.findall(r"\{(\w+)\}", text)
        parts = re.split(r"(\{\w+\}|')", text)
        regex, opened = "", False
        for part in parts:
            if not part:
                continue
            if part == "'":
                regex += UNQUOTES if opened else QUOTES
                opened = not opened
            elif part.startswith("{"):
                name = part[1:-1]
                regex += f"(?P<{name}>{_pattern(name)})"
            else:
                regex += re.escape(part)
        self.regex = re.compile(regex)

    def read(self, sentence: str) -> dict | None:
        """The message of ``sentence`` if it is this template's, else None."""
        found = self.regex.fullmatch(sentence)
        if not found:
            return None
        params = dict(self.fixed)
        for name in self.names:
            params[name] = _read(name, found.group(name))
        code = self.code(params) if callable(self.code) else self.code
        if self.rule:
            return {"code": code, "rule": self.rule, "params": params}
        return {"code": code, "params": params}

    def fits(self, code: str, params: dict) -> bool:
        mine = self.code(params) if callable(self.code) else self.code
        return mine == code and all(params.get(k) == v for k, v in self.fixed.items())

    def write(self, params: dict) -> str:
        """The sentence in Chinese (“数额较大” with Chinese quotation marks)."""
        text = self.text
        opened = False
        while "'" in text:
            text = text.replace("'", "”" if opened else "“", 1)
            opened = not opened
        return re.sub(r"\{(\w+)\}", lambda m: _write(m.group(1), params.get(m.group(1), "")), text)


def read(templates: list[Template], sentence: str) -> dict | None:
    for template in templates:
        message = template.read(sentence)
        if message is not None:
            return message
    return None


def write(templates: list[Template], message: dict) -> str | None:
    code, params = message.get("code"), message.get("params") or {}
    for template in templates:
        if all(params.get(n) not in (None, "") for n in template.names) and template.fits(
            code, params
        ):
            return template.write(params)
    return None


# --- grading and the risk score (zhichi/core/grading.py before codes were stored) ----------------
_NATIONAL = "本省10名以上劳动者'数额较大'标准尚未录入系统，按{source}{standard}元计"
_PROVINCE = "本省10名以上劳动者'数额较大'标准{standard}元（{source}，{effective_from}施行）"


def _standards(code: str, text: str) -> list[Template]:
    return [
        Template(code, text.replace("{STD}", _PROVINCE), {"basis": "province"}, "C3"),
        Template(code, text.replace("{STD}", _NATIONAL), {"basis": "national_floor"}, "C3"),
    ]


LEVEL = [
    *_standards(
        "routine",
        "未发现需要提级的情形：申请人{claimants}名（不足{minimum}名），请求金额合计{amount}元"
        "（低于标准金额；{STD}），无特定群体、案件类型、刑事线索或群体性欠薪风险方面的提级事由，"
        "按一级案件办理",
    ),
    Template(
        "claimants_major", "申请人{claimants}名，达到{minimum}名以上，按重大案件办理", rule="C3"
    ),
    Template("claimants_standard", "申请人{claimants}名，达到{minimum}名以上", rule="C3"),
    *_standards(
        "amount_major",
        "请求金额合计{amount}元，达到标准金额的{multiple}倍（{major}元；{STD}），按重大案件办理",
    ),
    *_standards("amount_standard", "请求金额合计{amount}元，达到标准金额（{STD}）"),
    Template(
        lambda p: f"vulnerable_{p['group']}",
        "申请人中有{group}，属于需要特别保护的特定群体",
        rule="SP-3",
    ),
    Template("category_standard", "案件类型为{category}，至少按二级案件办理", rule="C3"),
    Template(
        "minor_in_category",
        "{category}案件涉及未成年人（未成年人保护法第一百零六条），按重大案件办理",
        rule="C3",
    ),
    Template(
        "criminal_transfer",
        "刑事线索研判结论为移送（拒不支付劳动报酬罪各项条件均已具备）",
        {"verdict": "transfer"},
        "CR-1",
    ),
    Template(
        "criminal_order_first",
        "刑事线索研判结论为先移送人社部门责令支付（数额已达'数额较大'，尚待责令支付）",
        {"verdict": "order_first"},
        "CR-5",
    ),
    Template(
        "criminal_depends_on_province_config",
        "刑事线索研判结论取决于本省'数额较大'标准（尚未录入），在此之前不作最终认定",
        {"verdict": "depends_on_province_config"},
        "CR-4",
    ),
    Template(
        lambda p: f"risk_{p['risk_level']}",
        "群体性欠薪风险评分{score}分（{risk_level}），按重大案件办理",
        rule="EW-3",
    ),
    # the head's override, written through gettext in the writer's language
    Template("level_set_by_head", "部门负责人确定等级：{reason}"),
    Template("level_set_by_head", "Level set by the department head: {reason}"),
]


def _point(code: str, text: str, fixed: dict | None = None, rule: str = "EW-3") -> Template:
    return Template(code, text + "（+{weight}分）", fixed, rule)


RISK = [
    # "workers_mass" has the same words with the heavier weight; the reader tells them apart
    _point("workers_many", "涉及{claimants}人，达到{minimum}人以上"),
    _point(
        "collective_threshold_missing",
        "本省拒不支付劳动报酬罪10名以上劳动者'数额较大'标准尚未录入系统，'金额达到本省标准'"
        "一项未计分；请系统管理员录入后重新评分",
    ),
    _point(
        "amount_reaches_collective_threshold",
        "涉及金额{amount}元，达到本省10名以上劳动者'数额较大'标准{threshold}元（{source}，"
        "{effective_from}施行）",
    ),
    _point("months_long", "最长拖欠{months}个月，达到{minimum}个月以上"),
    _point("construction", "属于工程建设领域"),
    _point("contractor_crew", "由包工头招用或者存在违法分包、转包"),
    _point(
        "employer_evading",
        "用人单位或其负责人逃匿、转移财产",
        {"kinds": ["absconded", "transferred_assets"]},
    ),
    _point("employer_evading", "用人单位或其负责人逃匿", {"kinds": ["absconded"]}),
    _point("employer_evading", "用人单位或其负责人转移财产", {"kinds": ["transferred_assets"]}),
    _point("project_ending", "项目已完工或者企业停业、关闭"),
    _point(
        "campaign_window",
        "处于治理欠薪冬季专项行动期间（{start}至{end}），应提高处理优先级",
        rule="EW-2",
    ),
    _point("past_petitions", "曾发生集体上访、静坐或者堵路、堵工地"),
    _point("self_harm_threats", "有人以自伤、自残等极端方式相威胁"),
    _point(
        "alert",
        "风险评分{score}分，达到预警分值{alert_score}分：应向部门负责人预警，"
        "并建议联系人社部门或者根治拖欠农民工工资工作机构",
    ),
    _point("no_risk_factor", "按已录入的信息，未发现群体性欠薪风险因素"),
]
WORKERS_MASS = _point("workers_mass", "涉及{claimants}人，达到{minimum}人以上")


def read_level_reasons(reasons: list) -> list:
    return [read(LEVEL, r) or r if isinstance(r, str) else r for r in reasons]


def read_risk_reasons(reasons: list) -> list:
    out, seen_many = [], False
    for r in reasons:
        message = read(RISK, r) if isinstance(r, str) else None
        if message and message["code"] == "workers_many":
            # the old list gave "workers_many" first and "workers_mass" (30 or more) after it
            if seen_many:
                message["code"] = "workers_mass"
            seen_many = True
        out.append(message or r)
    return out


def write_level_reasons(reasons: list) -> list:
    return [write(LEVEL, r) or _kept(r) if isinstance(r, dict) else r for r in reasons]


def write_risk_reasons(reasons: list) -> list:
    return [
        write([*RISK, WORKERS_MASS], r) or _kept(r) if isinstance(r, dict) else r for r in reasons
    ]


def _kept(message: dict) -> str:
    return str(message.get("text") or message.get("code") or "")


# --- the criminal-lead check (zhichi/core/criminal.py before codes were stored) ------------------
_HEAD_I = "被拖欠3个月以上工资的劳动者中，最高1名被拖欠{amount}元"
_HEAD_C = "{workers}名劳动者被拖欠工资累计{total}元"
_P = {"basis": "province"}
_N = {"basis": "national_range"}
EVASION = {
    "transferred_assets": (
        "隐匿财产、恶意清偿、虚构债务、虚假破产、虚假倒闭或者以其他方法转移、处分财产"
        "（法释〔2013〕3号第二条第（一）项）"
    ),
    "absconded": "逃跑、藏匿（法释〔2013〕3号第二条第（二）项）",
    "destroyed_records": (
        "隐匿、销毁或者篡改账目、职工名册、工资支付记录、考勤记录等与劳动报酬相关的材料"
        "（法释〔2013〕3号第二条第（三）项）"
    ),
    "refused_summons": (
        "经人社部门以书面、电话、短信等能够确认其收悉的方式通知，在指定时间、地点未到场"
        "或者明确表示拒不支付，视为以逃匿方法逃避支付（人社部发〔2014〕100号）"
    ),
}
_LIMITATION = "追诉时效：基本犯{basic}年，造成严重后果的{serious}年（刑法第八十七条）"
_ORDER_TAIL_RUNNING = (
    "责令支付，支付期限至{deadline}止，尚未届满；期限届满仍不支付的，方可作为刑事线索移送"
)
_ORDER_TAIL_PASSED = "责令支付，支付期限已于{deadline}届满，仍未支付"
_NO_ORDER_TAIL = "，不具备'经责令支付仍不支付'的条件，应先移送人社部门/劳动保障监察责令支付"


def _orders(code: str, tail: str) -> list[Template]:
    """The order's authority (or "政府有关部门" when none was given) and its date if given."""
    return [
        Template(code, "政府有关部门于{issued_on}" + tail, {"authority": ""}, "CR-5"),
        Template(code, "政府有关部门" + tail, {"authority": "", "issued_on": ""}, "CR-5"),
        Template(code, "{authority}于{issued_on}" + tail, rule="CR-5"),
        Template(code, "{authority}" + tail, {"issued_on": ""}, "CR-5"),
    ]


CRIMINAL = [
    Template(
        "individual_months_short",
        "没有劳动者被拖欠满3个月的工资，不符合单个劳动者的'数额较大'情形（须拖欠3个月以上）",
        {"months": 3},
    ),
    Template(
        "collective_workers_short",
        "被拖欠工资的劳动者{workers}名，不足10名，不符合多名劳动者累计的'数额较大'情形",
        {"minimum": 10},
    ),
    Template(
        "individual_meets",
        "1名劳动者被拖欠3个月以上工资{amount}元（{months}个月），达到本省'数额较大'标准"
        "（{threshold}元）",
        {**_P, "workers": 1},
    ),
    Template(
        "individual_meets",
        "{workers}名劳动者各被拖欠3个月以上工资且金额达到本省'数额较大'标准（{threshold}元），"
        "其中最高1名被拖欠{months}个月工资{amount}元",
        _P,
    ),
    Template("individual_below", _HEAD_I + "，低于本省'数额较大'标准（{threshold}元）", _P),
    Template(
        "collective_meets",
        _HEAD_C + "，达到本省10名以上劳动者'数额较大'标准（{threshold}元）",
        _P,
    ),
    Template(
        "collective_below",
        _HEAD_C + "，低于本省10名以上劳动者'数额较大'标准（{threshold}元）",
        _P,
    ),
    Template(
        "province_figure_outside_national_range",
        "本省配置的单个劳动者标准{individual}元、10名以上劳动者标准{collective}元超出"
        "法释〔2013〕3号第三条规定的全国幅度，请核对配置",
    ),
    Template(
        "province_figure_outside_national_range",
        "本省配置的单个劳动者标准{individual}元超出法释〔2013〕3号第三条规定的全国幅度，请核对配置",
    ),
    Template(
        "province_figure_outside_national_range",
        "本省配置的10名以上劳动者标准{collective}元超出法释〔2013〕3号第三条规定的全国幅度，"
        "请核对配置",
    ),
    Template(
        "individual_meets",
        _HEAD_I + "，达到全国幅度的上限（{ceiling}元），无论本省标准如何均属'数额较大'",
        _N,
    ),
    Template(
        "individual_below",
        _HEAD_I + "，低于全国幅度的下限（{floor}元），无论本省标准如何均未达'数额较大'",
        _N,
    ),
    Template(
        "individual_between",
        _HEAD_I + "，在全国幅度（{floor}元至{ceiling}元）之内，是否'数额较大'取决于本省标准",
        _N,
    ),
    Template(
        "collective_meets",
        _HEAD_C + "，达到全国幅度的上限（{ceiling}元），无论本省标准如何均属'数额较大'",
        _N,
    ),
    Template(
        "collective_below",
        _HEAD_C + "，低于全国幅度的下限（{floor}元），无论本省标准如何均未达'数额较大'",
        _N,
    ),
    Template(
        "collective_between",
        _HEAD_C + "，在全国幅度（{floor}元至{ceiling}元）之内，是否'数额较大'取决于本省标准",
        _N,
    ),
    Template(
        "province_figure_missing",
        "本省（省份代码{province}）'数额较大'的具体标准尚未录入系统（单个劳动者标准、"
        "10名以上劳动者累计标准）。请系统管理员录入省高级人民法院确定的标准及其依据、施行日期后"
        "重新研判；在此之前不作最终认定",
    ),
    Template(
        "province_figure_missing",
        "本省'数额较大'的具体标准尚未录入系统（单个劳动者标准、10名以上劳动者累计标准）。"
        "请系统管理员录入省高级人民法院确定的标准及其依据、施行日期后重新研判；在此之前不作最终认定",
        {"province": ""},
    ),
    Template(
        "no_payment_order",
        "尚无政府有关部门的责令支付文书（限期整改指令书、行政处理决定书等）" + _NO_ORDER_TAIL,
        {"order": "none"},
    ),
    Template(
        "no_payment_order", "责令支付文书未载明支付期限" + _NO_ORDER_TAIL, {"order": "no_deadline"}
    ),
    Template(
        "order_by_posting",
        "用人单位或其负责人逃匿、无法送达的，将责令支付文书在其住所地、生产经营场所张贴并以"
        "拍照、录像等方式记录的，视为已责令支付",
    ),
    *_orders("order_deadline_running", _ORDER_TAIL_RUNNING),
    *_orders("order_deadline_passed", _ORDER_TAIL_PASSED),
    *[Template(f"evasion_{kind}", text) for kind, text in EVASION.items()],
    Template(
        "ability_to_pay_to_verify",
        "未记录转移财产、逃匿等逃避支付情形；移送时须核实用人单位'有能力支付而不支付'"
        "（刑法第二百七十六条之一）",
    ),
    Template(
        "limitation_period",
        _LIMITATION + "。如以责令支付期限届满为犯罪成立之时，自{start}起算，基本犯至{basic_end}、"
        "严重后果至{serious_end}届满；起算点以刑事检察部门认定为准，临近届满的线索应优先办理",
    ),
    Template(
        "limitation_period", _LIMITATION + "，自犯罪成立（责令支付期限届满仍不支付）之日起计算"
    ),
    Template(
        "nothing_owed",
        "未记录被拖欠劳动报酬的劳动者或拖欠金额，不构成拒不支付劳动报酬的刑事线索",
    ),
    Template(
        "paid_after_order",
        "经责令支付后已全额支付劳动报酬。在刑事立案前支付且未造成严重后果的，可以不认为是犯罪，"
        "可以不予立案追诉（法释〔2013〕3号第六条；立案追诉标准）",
    ),
    Template(
        "serious_consequences_check",
        "如拖欠已造成劳动者或其被赡养人、被扶养人基本生活受到严重影响、重大疾病无法及时医治、"
        "子女失学，或者对讨薪劳动者使用暴力、以暴力相威胁等严重后果的，请另行研判",
    ),
]

NEXT_STEPS = [
    Template("add_workers", "无需移送刑事线索；如有欠薪事实，请补充劳动者及金额后重新研判"),
    Template("follow_up_payment", "不移送刑事线索；跟踪相关赔偿责任的履行情况"),
    Template(
        "civil_remedies",
        "未达'数额较大'标准，不作刑事线索移送；通过劳动保障监察、劳动仲裁或支持起诉追索欠薪",
    ),
    Template(
        "enter_province_figures",
        "录入本省'数额较大'标准后重新研判，在此之前不作最终认定；"
        "同时可先移送人社部门/劳动保障监察责令支付",
        {"order_first": True},
    ),
    Template(
        "enter_province_figures",
        "录入本省'数额较大'标准后重新研判，在此之前不作最终认定",
        {"order_first": False},
    ),
    Template(
        "order_first",
        "先移送人社部门/劳动保障监察责令支付，期限届满仍不支付的再研判移送刑事线索",
    ),
    Template(
        "await_order_deadline",
        "待责令支付期限（至{deadline}）届满后核实是否支付，仍不支付的移送刑事线索",
    ),
    Template("transfer", "制作线索移送函，移送本院刑事检察部门（可依法开展立案监督），并跟踪反馈"),
]


def read_check(check: dict) -> dict:
    """A stored check's reasons and next step as codes with values where their words are known."""
    if not check:
        return check
    out = dict(check)
    reasons = []
    for r in check.get("reasons") or []:
        if isinstance(r, dict) and "text" in r and "params" not in r:
            message = read([t for t in CRIMINAL if t.code == r.get("code")], r["text"])
            if message is not None:
                r = {"code": r.get("code"), "rule": r.get("rule", ""), "params": message["params"]}
        reasons.append(r)
    out["reasons"] = reasons
    step = check.get("next_step")
    if isinstance(step, str):
        out["next_step"] = read(NEXT_STEPS, step) or step
    return out


def write_check(check: dict) -> dict:
    """Back to sentences: each reason with its text in Chinese, the next step a sentence."""
    if not check:
        return check
    out = dict(check)
    reasons = []
    for r in check.get("reasons") or []:
        if isinstance(r, dict) and "params" in r:
            text = write(CRIMINAL, r) or ""
            r = {"code": r.get("code"), "rule": r.get("rule", ""), "text": text}
        reasons.append(r)
    out["reasons"] = reasons
    step = check.get("next_step")
    if isinstance(step, dict):
        out["next_step"] = write(NEXT_STEPS, step) or str(step.get("text") or "")
    return out


# --- deadlines (labels and bases as cases and the apps above it wrote them) ------------------------
def _label(code: str, en: str, zh: str, fixed: dict | None = None) -> list[Template]:
    return [Template(code, zh, fixed), Template(code, en, fixed)]


def _court(p: dict) -> None:
    """The court event's kind, written by its label in either language, as its code."""
    for code, names in COURT_KINDS.items():
        if p.get("court_kind") in names:
            p["court_kind"] = code


DEADLINE_LABELS = {
    "review": _label("review", "Review decision (support or not)", "审查决定（是否支持起诉）"),
    "judicial_confirmation": _label(
        "judicial_confirmation",
        "Apply for judicial confirmation of the agreement of {iso_day}",
        "申请司法确认（{iso_day} 调解协议）",
    ),
    "instalment": _label(
        "instalment", "Instalment of {amount} yuan due", "分期付款 {amount} 元到期"
    ),
    "appeal": _label("appeal", "Appeal period for {person}", "{person}的上诉期"),
    "enforcement_application": [
        Template(
            "enforcement_application",
            f"申请执行 {{iso_day}} {zh}",
            {"court_kind": code},
        )
        for code, (_en, zh) in COURT_KINDS.items()
    ]
    + [
        Template(
            "enforcement_application",
            f"Apply for enforcement of the {en} of {{iso_day}}",
            {"court_kind": code},
        )
        for code, (en, _zh) in COURT_KINDS.items()
    ],
    "visit": [
        Template("visit", f"回访{zh}", {"target": code})
        for code, (_en, zh) in VISIT_TARGETS.items()
    ]
    + [
        Template("visit", f"Return visit to the {en}", {"target": code})
        for code, (en, _zh) in VISIT_TARGETS.items()
    ],
    "assistance_decision": _label(
        "assistance_decision", "Assistance decision for {name}", "{name}的司法救助决定"
    ),
    "assistance_notification": _label(
        "assistance_notification", "Tell {name} the aid has arrived", "告知{name}救助金已到位"
    ),
    "suggestion_reply": _label(
        "suggestion_reply",
        "Reply to procuratorial suggestion {number} ({org})",
        "检察建议 {number} 的回复（{org}）",
    ),
}
# the label's values as they are stored now
_RENAMED = {"iso_day": "day"}

_ASSISTANCE = "《关于建立完善国家司法救助制度的意见（试行）》（2014）"
DEADLINE_BASES = [
    Template("review_time_limit", "本地规定的审查期限"),
    Template("review_time_limit", "Local time limit for the review stage"),
    Template(
        "instalment_if_unpaid",
        "如仍未支付：在协议生效后30日内申请司法确认，再申请强制执行；或支持起诉。",
    ),
    Template(
        "instalment_if_unpaid",
        "If unpaid: apply for judicial confirmation of the agreement (within 30 days of it) "
        "and then for enforcement, or support a suit.",
    ),
    Template("suggestion_urgent_reply", "因情况紧急设定的较短回复期限（规则 TL-9）。"),
    Template(
        "suggestion_urgent_reply", "A shorter reply period set for an urgent matter (rule TL-9)."
    ),
    Template("appeal_judgment", "民事诉讼法第171条：判决书送达之日起十五日内上诉"),
    Template("appeal_ruling", "民事诉讼法第171条：裁定书送达之日起十日内上诉"),
    Template(
        "enforcement_application",
        "民事诉讼法第250条：申请执行的期间为二年，自法律文书规定履行期间的最后一日起计算",
    ),
    Template(
        "judicial_confirmation",
        "民事诉讼法第205条：调解协议生效之日起三十日内共同申请司法确认",
    ),
    Template(
        "suggestion_reply",
        "《人民检察院检察建议工作规定》：收到检察建议书之日起二个月内书面回复",
    ),
    Template("assistance_decision", f"{_ASSISTANCE}：十个工作日内提出救助审批意见"),
    Template("assistance_notification", f"{_ASSISTANCE}：救助金到位后二个工作日内通知申请人"),
]


def _chinese(templates: list[Template]) -> list[Template]:
    """The Chinese ones of ``templates``: no English word outside the placeholders (whose names,
    such as {person} or {amount}, are English words themselves)."""
    return [t for t in templates if not re.search("[A-Za-z]{4}", re.sub(r"\{\w+\}", "", t.text))]


def read_deadline_label(kind: str, label: str) -> dict:
    message = read(DEADLINE_LABELS.get(kind, []), label)
    if message is None:
        return {"text": label}  # kept as it was written: no code is known for these words
    params = message["params"]
    _court(params)
    for old, new in _RENAMED.items():
        if old in params:
            params[new] = params.pop(old)
    return message


def write_deadline_label(kind: str, message: dict) -> str:
    if "code" not in message:
        return str(message.get("text", ""))
    params = dict(message.get("params") or {})
    for old, new in _RENAMED.items():
        if new in params:
            params[old] = params.pop(new)
    zh = _chinese(DEADLINE_LABELS.get(message["code"], []))
    return write(zh, {"code": message["code"], "params": params}) or message["code"]


def read_deadline_basis(basis: str) -> dict:
    if not basis:
        return {}
    message = read(DEADLINE_BASES, basis)
    return message if message is not None else {"text": basis}


def write_deadline_basis(message: dict) -> str:
    if not message:
        return ""
    if "code" not in message:
        return str(message.get("text", ""))
    zh = _chinese(DEADLINE_BASES)
    return write(zh, message) or ""
