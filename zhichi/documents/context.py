"""One context builder per document kind (rule DOC-1), from the case's recorded facts.

Every value is text ready for the page: dates written 二〇二六年十一月二十八日, money in figures
and in capitals (rule DOC-2), lists as lists of lines. A document addressed to a court carries the
parties' full identifiers; every other document, and every copy, carries them masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhichi.assistance.models import AssistanceApplication, AssistanceStatus
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CaseParty,
    CourtEvent,
    Evasion,
    Mediation,
    MediationOutcome,
    PartyRole,
    Visit,
)
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.core import calendar as cal_mod
from zhichi.core.money import chinese_date, format_yuan, rmb_capital
from zhichi.intake.models import LeadStatus
from zhichi.rulebook import loaders
from zhichi.supervision.models import Suggestion
from zhichi.transfers.models import Transfer

# documents addressed to a court: the original carries full identifiers
TO_COURT = frozenset({"support_opinion"})
# kinds about one record of the case (the subject): "kind:id"
SUBJECT_KINDS = {
    "transfer_letter": "transfer",
    "suggestion": "suggestion",
    "assistance_decision": "assistance",
    "visit_record": "visit",
    "mediation_agreement": "mediation",
}

RIGHTS = [
    "一、有权了解案件办理进展情况，有权委托代理人，有权申请回避；",
    "二、应当如实提供证据材料，对所提供材料的真实性负责；",
    "三、可以随时撤回申请；申请人撤回申请的，本院终结审查；",
    "四、本院支持起诉不代替你（们）行使诉讼权利，诉讼中的权利和义务由你（们）依法行使和承担。",
]
REMEDIES = [
    "一、向法律援助中心申请法律援助；",
    "二、向劳动人事争议仲裁委员会申请仲裁；",
    "三、向劳动保障监察机构投诉，请求责令支付；",
    "四、自行向人民法院提起诉讼。",
]
SITUATION_ITEMS = {
    "crime_injury": "一",
    "crime_treatment": "二",
    "crime_dependants": "三",
    "crime_property": "四",
    "retaliation": "五",
    "civil_tort": "六",
    "other": "七",
}


@dataclass(frozen=True)
class Built:
    context: dict
    subject: str  # "visit:12", or "" for the case itself
    own_number: str  # the subject's own number (a transfer's, a suggestion's), or ""


def _refuse(message: str) -> InvalidInput:
    return InvalidInput([FieldError("kind", "not_ready", message)], detail=message)


def _cn(day: date | None) -> str:
    return chinese_date(day) if day else "____年__月__日"


def _money(amount: Decimal | None) -> str:
    return format_yuan(amount or Decimal("0"))


def _party_line(cp: CaseParty, *, full: bool) -> str:
    party = cp.party
    if party.is_person:
        ident = party.id_number if full else party.id_number_masked
        return f"{party.name}，公民身份号码{ident}" if ident else party.name
    code = party.credit_code if full else party.credit_code_masked
    return f"{party.name}，统一社会信用代码{code}" if code else party.name


def _common(case: Case, *, full_ids: bool) -> dict:
    parties = list(case.parties.select_related("party").order_by("id"))
    claimants = [p for p in parties if p.role == PartyRole.CLAIMANT]
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
    org = case.organisation
    return {
        "org_name": org.name,
        "case_number": case.number,
        "issued_on": _cn(timezone.localdate()),
        "received_on": _cn(case.received_on),
        "opened_on": _cn(case.opened_on),
        "officer": case.officer.display_name if case.officer else "",
        "matter": case.get_category_display() if case.category != "wages" else "劳动报酬",
        "applicants_line": "、".join(p.party.name for p in claimants),
        "claimants_line": "、".join(p.party.name for p in claimants),
        "respondents_line": "、".join(p.party.name for p in respondents),
        "claimant_lines": [_party_line(p, full=full_ids) for p in claimants],
        "respondent_lines": [_party_line(p, full=full_ids) for p in respondents],
        "source": case.get_source_display(),
        "facts": case.summary or "",
    }


def _approved_decision(case: Case, decision: str) -> Approval | None:
    return (
        Approval.objects.filter(
            case=case,
            kind=ApprovalKind.SUPPORT_DECISION,
            status=ApprovalStatus.APPROVED,
            payload__decision=decision,
        )
        .order_by("-decided_at", "-id")
        .first()
    )


def _pick(queryset, subject_id: int | None, what: str):
    row = queryset.filter(pk=subject_id).first() if subject_id else queryset.first()
    if row is None:
        raise _refuse(what)
    return row


def build(case: Case, kind: str, *, subject_id: int | None = None, copy: bool = False) -> Built:
    """The context of ``kind`` for ``case``; 422 when the case has nothing to issue it from.

    Documents are in Chinese whatever the language of the person issuing them: labels of choices
    (the source, a visit's method …) are taken in zh-Hans."""
    with translation.override("zh-hans"):
        return _build(case, kind, subject_id=subject_id, copy=copy)


def _build(case: Case, kind: str, *, subject_id: int | None, copy: bool) -> Built:
    if kind not in BUILDERS:
        raise _refuse(_("This document is issued on a declined lead, not on a case."))
    full = kind in TO_COURT and not copy
    ctx = _common(case, full_ids=full)
    builder = BUILDERS[kind]
    subject, own_number = builder(case, ctx, subject_id)
    ctx["copy"] = copy
    return Built(context=ctx, subject=subject, own_number=own_number)


def _acceptance(case, ctx, _subject_id):
    ctx["rights"] = RIGHTS
    return "", ""


def _support(case, ctx, _subject_id):
    # the approved decision is the condition; its proposal text ("拟支持…") is the officer's
    # internal request and never goes into the court document
    if _approved_decision(case, "support") is None:
        raise _refuse(_("The support decision has not been approved yet."))
    claimants = list(case.parties.filter(role=PartyRole.CLAIMANT).order_by("id"))
    attachments = case.attachments.count()
    ctx["facts"] = _support_findings(case, ctx, claimants)
    ctx["reasons"] = _support_reasons(case, ctx, claimants, attachments)
    claimed = case.claimed_total
    ctx["amount"] = _money(claimed)
    ctx["amount_capital"] = rmb_capital(claimed)
    court = CourtEvent.objects.filter(case=case).exclude(court="").order_by("-on", "-id").first()
    ctx["court"] = (
        court.court if court else f"{case.organisation.name.replace('人民检察院', '')}人民法院"
    )
    ctx["evidence"] = [
        f"{i}. {a.description or a.original_name}"
        for i, a in enumerate(case.attachments.order_by("id"), start=1)
    ] or ["（无）"]
    return "", ""


# the procuratorate's own words for the recorded codes (documents are always in Chinese)
GROUP_WORDS = {
    "migrant_worker": "农民工",
    "woman": "妇女",
    "minor": "未成年人",
    "elderly": "老年人",
    "disabled": "残疾人",
    "low_income": "低收入家庭成员",
    "veteran": "退役军人",
}
BASIS_WORDS = {
    "economic_hardship": "经济困难，无力负担诉讼费用或者聘请律师",
    "no_legal_knowledge": "缺乏法律知识，不懂得如何通过诉讼维护权益",
    "evidence_difficulty": "收集、提交证据存在困难",
    "age_or_health": "因年龄或者身体状况难以独立参加诉讼",
}
EVASION_WORDS = {
    "transferred_assets": "转移、隐匿财产",
    "absconded": "逃匿",
    "destroyed_records": "隐匿、销毁工资支付记录",
    "refused_summons": "经劳动保障监察机构通知后拒不到场",
}


def _listed(words: list[str]) -> str:
    return "、".join(dict.fromkeys(w for w in words if w))


def _support_findings(case, ctx, claimants) -> str:
    """经审查查明: the recorded facts in the procuratorate's words (rule SP-5)."""
    claimed = case.claimed_total
    parts = [
        f"{ctx['claimants_line']}（共{len(claimants)}人）与{ctx['respondents_line'] or '被告'}"
        f"之间的{ctx['matter']}纠纷，申请人主张的金额共计{_money(claimed)}"
        f"（{rmb_capital(claimed)}）。"
    ]
    if case.summary:
        parts.append(case.summary.strip().rstrip("。") + "。")
    if case.has_iou:
        parts.append("被告向申请人出具了欠条。")
    if case.payment_order_issued_on:
        parts.append(
            f"{case.payment_order_authority or '劳动保障监察机构'}于{_cn(case.payment_order_issued_on)}"
            f"责令被告限期支付，期限至{_cn(case.payment_order_deadline)}。"
        )
    evasion = _listed([EVASION_WORDS.get(e, "") for e in case.evasion or []])
    if evasion:
        parts.append(f"被告存在{evasion}等情形。")
    return "".join(parts)


def _support_reasons(case, ctx, claimants, attachments: int) -> str:
    """本院认为: why the procuratorate supports the suit, from the recorded eligibility (SP-3,
    SP-5) — never the officer's internal proposal."""
    groups = _listed([GROUP_WORDS.get(g, "") for cp in claimants for g in cp.groups or []])
    bases = _listed(
        [BASIS_WORDS.get(b, "") for cp in claimants for b in cp.vulnerability_basis or []]
    )
    who = f"申请人系{groups}，" if groups else "申请人"
    hardship = f"{bases}，" if bases else ""
    evidence = f"有{attachments}份证据材料予以证实，" if attachments else ""
    voluntary = "申请人自愿申请本院支持起诉，" if case.voluntary else ""
    owed = (
        "被告拖欠申请人劳动报酬" if case.category == "wages" else f"申请人主张的{ctx['matter']}纠纷"
    )
    return (
        f"本院认为，{who}{hardship}依靠自身力量维护合法权益确有困难。"
        f"{owed}的事实清楚，{evidence}"
        f"{voluntary}符合支持起诉的条件。"
    )


def _not_support(case, ctx, _subject_id):
    approval = _approved_decision(case, "not_support")
    if approval is None:
        raise _refuse(_("A decision not to support has not been approved."))
    ctx["reasons"] = approval.payload.get("reasons", "")
    ctx["remedies"] = REMEDIES
    return "", ""


def _transfer(case, ctx, subject_id):
    t = _pick(
        Transfer.objects.filter(case=case)
        .select_related("to_org", "to_department")
        .order_by("-sent_at", "-id"),
        subject_id,
        _("The case has no transfer to write a letter for."),
    )
    receiver = t.to_org.name + (t.to_department.name if t.to_department else "")
    ctx["receiver"] = receiver
    ctx["reason"] = t.reason
    ctx["feedback_due"] = _cn(t.feedback_due)
    workers = case.parties.filter(role=PartyRole.CLAIMANT).count()
    claimed = case.claimed_total
    facts = [
        f"涉及劳动者{workers}人，主张拖欠劳动报酬{_money(claimed)}（{rmb_capital(claimed)}）。"
    ]
    if case.payment_order_issued_on:
        facts.append(
            f"{case.payment_order_authority or '劳动保障监察机构'}已于{_cn(case.payment_order_issued_on)}"
            f"责令限期支付，期限至{_cn(case.payment_order_deadline)}。"
        )
    if case.evasion:
        labels = [str(Evasion(e).label) if e in Evasion.values else e for e in case.evasion]
        facts.append("用人单位存在逃避支付行为：" + "、".join(labels) + "。")
    ctx["facts"] = facts
    ctx["attachments"] = [
        f"{i}. {a.description or a.original_name}"
        for i, a in enumerate(t.evidence.order_by("id"), start=1)
    ] or ["（无）"]
    return f"transfer:{t.pk}", t.number


def _suggestion(case, ctx, subject_id):
    s = _pick(
        Suggestion.objects.filter(case=case).exclude(number="").order_by("-id"),
        subject_id,
        _("The case has no approved procuratorial suggestion."),
    )
    ctx["recipient"] = s.to_org_name
    ctx["issue"] = s.issue
    ctx["recommendations"] = s.recommendations
    ctx["legal_basis"] = s.legal_basis or "《人民检察院检察建议工作规定》"
    if s.reply_due:
        ctx["reply_deadline"] = f"{_cn(s.reply_due)}前"
    else:
        ctx["reply_deadline"] = "收到本检察建议书之日起二个月内"
    return f"suggestion:{s.pk}", s.number


def _assistance(case, ctx, subject_id):
    a = _pick(
        AssistanceApplication.objects.filter(
            case=case,
            status__in=[AssistanceStatus.GRANTED, AssistanceStatus.PAID, AssistanceStatus.REFUSED],
        )
        .select_related("applicant__party")
        .order_by("-decided_on", "-id"),
        subject_id,
        _("The case has no decided judicial assistance application."),
    )
    ctx["applicant"] = _party_line(a.applicant, full=False)
    ctx["received_on"] = _cn(a.received_on)
    ctx["hardship"] = a.hardship
    ctx["article_item"] = SITUATION_ITEMS.get(a.situation, "七")
    if a.granted_amount:
        ctx["decision_text"] = (
            f"经审查，申请人符合国家司法救助条件，本院决定给予申请人国家司法救助金"
            f"{_money(a.granted_amount)}（{rmb_capital(a.granted_amount)}）。"
        )
        ctx["payment_text"] = "救助金由本院以银行转账方式一次性发放给申请人。"
    else:
        ctx["decision_text"] = f"经审查，本院决定不予救助。理由：{a.decision_reason}"
        ctx["payment_text"] = "申请人对本决定有异议的，可以向本院申请复查一次。"
    return f"assistance:{a.pk}", ""


def _visit(case, ctx, subject_id):
    v = _pick(
        Visit.objects.filter(case=case, done_on__isnull=False).order_by("-done_on", "-id"),
        subject_id,
        _("The case has no return visit recorded yet."),
    )
    ctx["done_on"] = _cn(v.done_on)
    ctx["method"] = v.get_method_display()
    ctx["target"] = v.get_target_display()
    # every figure from the ledger (C6): paid is net of reversals; money paid beyond what was
    # due is stated as overpaid, never folded into a zero outstanding
    totals = ledger_for(case).totals
    ctx["owed_total"] = _money(totals["due"])
    ctx["paid_total"] = _money(totals["recovered"])
    ctx["outstanding"] = _money(totals["outstanding"])
    ctx["outstanding_capital"] = rmb_capital(totals["outstanding"])
    overpaid = totals["overpaid"]
    ctx["overpaid"] = _money(overpaid) if overpaid > 0 else ""
    ctx["overpaid_capital"] = rmb_capital(overpaid) if overpaid > 0 else ""
    ctx["findings"] = v.findings
    ctx["next_steps"] = v.remaining_problems or (
        "已全部履行，结束回访。" if v.paid_in_full else "继续跟踪履行情况。"
    )
    return f"visit:{v.pk}", ""


def _mediation(case, ctx, subject_id):
    m = _pick(
        Mediation.objects.filter(case=case, outcome=MediationOutcome.AGREEMENT).order_by(
            "-held_on", "-id"
        ),
        subject_id,
        _("The case has no mediation agreement."),
    )
    ctx["mediator"] = m.mediator_org
    ctx["held_on"] = _cn(m.held_on)
    ctx["dispute"] = case.summary or "劳动报酬争议"
    ctx["amount"] = _money(m.agreed_amount)
    ctx["amount_capital"] = rmb_capital(m.agreed_amount or Decimal("0"))
    ctx["instalments"] = [
        f"第{i}期：{_cn(inst.due)}前支付{_money(inst.amount)}（{rmb_capital(inst.amount)}）；"
        for i, inst in enumerate(m.instalments.order_by("due", "id"), start=1)
    ] or ["于协议签订之日一次性支付。"]
    due = cal_mod.compute("judicial_confirmation", m.held_on, loaders.holiday_calendar()).due
    ctx["confirmation_due"] = _cn(due)
    return f"mediation:{m.pk}", ""


BUILDERS = {
    "acceptance_notice": _acceptance,
    "support_opinion": _support,
    "not_support_decision": _not_support,
    "transfer_letter": _transfer,
    "suggestion": _suggestion,
    "assistance_decision": _assistance,
    "visit_record": _visit,
    "mediation_agreement": _mediation,
}


# --- the lead's notice of non-acceptance -----------------------------------------------------------
REDIRECT_TEXT = {
    "legal_aid": "向法律援助中心申请法律援助",
    "arbitration": "向劳动人事争议仲裁委员会申请仲裁",
    "labour_inspection": "向劳动保障监察机构投诉，请求责令用人单位支付",
    "self_suit": "自行向人民法院提起诉讼",
    "other": "通过其他合法途径主张权利",
}


def build_lead(lead) -> Built:
    """The notice of non-acceptance of a declined lead (rule DOC-1); identifiers masked."""
    with translation.override("zh-hans"):
        return _build_lead(lead)


def _build_lead(lead) -> Built:
    if lead.status != LeadStatus.DECLINED:
        raise _refuse(_("Only a declined lead gets a notice of non-acceptance."))
    parties = list(lead.parties.select_related("party").order_by("role", "position", "id"))
    claimants = [p for p in parties if p.role == PartyRole.CLAIMANT]
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
    ctx = {
        "org_name": lead.organisation.name,
        "issued_on": _cn(timezone.localdate()),
        "received_on": _cn(lead.received_on),
        "receipt_code": lead.receipt_code,
        "matter": lead.get_category_display() if lead.category != "wages" else "劳动报酬",
        "applicants_line": "、".join(p.party.name for p in claimants),
        "respondents_line": "、".join(p.party.name for p in respondents),
        "reason": lead.decline_reason,
        "redirect": REDIRECT_TEXT.get(lead.decline_redirect, REDIRECT_TEXT["other"]),
        "remedies": REMEDIES,
        "copy": False,
    }
    return Built(context=ctx, subject="", own_number="")


# --- sample data: what a replacement template is rendered with before it is accepted -------------
_SAMPLE_COMMON = {
    "org_name": "昆明市五华区人民检察院",
    "number": "五华检民支受〔2026〕1号",
    "case_number": "五华检民支〔2026〕12号",
    "issued_on": "二〇二六年十一月二十八日",
    "received_on": "二〇二六年十一月二日",
    "opened_on": "二〇二六年十一月五日",
    "officer": "王明",
    "matter": "劳动报酬",
    "applicants_line": "张三、李四",
    "claimants_line": "张三、李四",
    "respondents_line": "某建筑劳务有限公司",
    "claimant_lines": [
        "张三，公民身份号码530102********0011",
        "李四，公民身份号码530102********0022",
    ],
    "respondent_lines": ["某建筑劳务有限公司，统一社会信用代码91530102********0X"],
    "source": "协作单位移送",
    "facts": "申请人在被申请人承建的工地务工，被拖欠工资四个月。",
    "copy": False,
}
_SAMPLE_KIND = {
    "acceptance_notice": {"rights": RIGHTS},
    "not_acceptance_notice": {
        "receipt_code": "WH7K2P9Q",
        "reason": "该纠纷已经人民法院立案受理。",
        "redirect": REDIRECT_TEXT["self_suit"],
        "remedies": REMEDIES,
    },
    "support_opinion": {
        "reasons": "事实清楚，申请人诉讼能力较弱。",
        "amount": "¥50,000.00",
        "amount_capital": "人民币伍万元整",
        "court": "昆明市五华区人民法院",
        "evidence": ["1. 劳动合同", "2. 工资欠条"],
    },
    "not_support_decision": {"reasons": "申请人已委托律师。", "remedies": REMEDIES},
    "transfer_letter": {
        "receiver": "本院刑事检察部",
        "reason": "涉嫌拒不支付劳动报酬罪。",
        "feedback_due": "二〇二六年十二月二十八日",
        "facts": ["涉及劳动者12人，主张拖欠劳动报酬¥360,000.00（人民币叁拾陆万元整）。"],
        "attachments": ["1. 劳动保障监察限期改正指令书"],
    },
    "suggestion": {
        "recipient": "五华区住房和城乡建设局",
        "issue": "未落实农民工工资保证金制度。",
        "recommendations": "督促落实工资保证金制度。",
        "legal_basis": "《保障农民工工资支付条例》第三十二条",
        "reply_deadline": "二〇二七年一月二十八日前",
    },
    "assistance_decision": {
        "applicant": "张三，公民身份号码530102********0011",
        "hardship": "妻子重病住院，无力支付医疗费。",
        "article_item": "七",
        "decision_text": "本院决定给予申请人国家司法救助金¥20,000.00（人民币贰万元整）。",
        "payment_text": "救助金由本院以银行转账方式一次性发放给申请人。",
    },
    "visit_record": {
        "done_on": "二〇二六年十一月二十日",
        "method": "电话",
        "target": "申请人",
        "owed_total": "¥18,000.00",
        "paid_total": "¥9,000.00",
        "outstanding": "¥9,000.00",
        "outstanding_capital": "人民币玖仟元整",
        "overpaid": "",
        "overpaid_capital": "",
        "findings": "已收到第一期款项。",
        "next_steps": "继续跟踪履行情况。",
    },
    "mediation_agreement": {
        "mediator": "五华区人民调解委员会",
        "held_on": "二〇二六年十一月十日",
        "dispute": "劳动报酬争议",
        "amount": "¥18,000.00",
        "amount_capital": "人民币壹万捌仟元整",
        "instalments": ["第1期：二〇二六年十二月十日前支付¥9,000.00（人民币玖仟元整）；"],
        "confirmation_due": "二〇二六年十二月十日",
    },
}


def sample_context(kind: str) -> dict:
    """Every name a template of ``kind`` may use, with made-up values (no real person)."""
    return {**_SAMPLE_COMMON, **_SAMPLE_KIND[kind]}
