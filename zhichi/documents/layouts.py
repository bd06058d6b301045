"""The standard documents' layouts (rule DOC-1): one list of blocks per kind, the text in Jinja.

The same blocks make the built-in DOCX template (docxtpl) and the HTML that WeasyPrint turns into
the PDF, so both formats say the same thing. Block kinds:

- ``("title", text)``, ``("number", text)``: centred heading and document number;
- ``("to", text)``: the addressee line; ``("h", text)``: a section heading;
- ``("p", text)``: a paragraph (first line indented);
- ``("each", list_name, text)``: one paragraph per item of a list (``item`` in the text);
- ``("sign", text)``: right-aligned lines at the end (seal and date);
- ``("small", text)``: a note in small type (copies, attachments).

Context names are listed in ``context.py``; dates are already written 二〇二六年十一月二十八日
and money as both figures and capitals (rule DOC-2).
"""

from __future__ import annotations

Block = tuple

# shared closing: the procuratorate and the date of issue
SIGNED = ("sign", "{{ org_name }}\n{{ issued_on }}")

LAYOUTS: dict[str, list[Block]] = {
    "acceptance_notice": [
        ("title", "{{ org_name }}\n受理通知书"),
        ("number", "{{ number }}"),
        ("to", "{{ applicants_line }}："),
        (
            "p",
            "你（们）于{{ received_on }}向本院申请支持起诉，请求{{ respondents_line }}支付{{ matter }}。"
            "本院经审查，认为符合受理条件，决定于{{ opened_on }}受理，案号为{{ case_number }}。",
        ),
        ("h", "当事人的权利和义务"),
        ("each", "rights", "{{ item }}"),
        ("p", "本案承办检察官：{{ officer }}。如有疑问，请与本院联系。"),
        SIGNED,
    ],
    "not_acceptance_notice": [
        ("title", "{{ org_name }}\n不予受理通知书"),
        ("number", "{{ number }}"),
        ("to", "{{ applicants_line }}："),
        (
            "p",
            "你（们）于{{ received_on }}向本院申请支持起诉（登记号{{ receipt_code }}），请求"
            "{{ respondents_line }}支付{{ matter }}。本院经审查认为：{{ reason }}"
            "本院决定不予受理。",
        ),
        ("h", "其他救济途径"),
        ("p", "建议你（们）{{ redirect }}。"),
        ("each", "remedies", "{{ item }}"),
        ("p", "如有疑问，请与本院联系。"),
        SIGNED,
    ],
    "support_opinion": [
        ("title", "{{ org_name }}\n支持起诉意见书"),
        ("number", "{{ number }}"),
        ("to", "{{ court }}："),
        ("h", "当事人"),
        ("each", "claimant_lines", "支持起诉申请人：{{ item }}"),
        ("each", "respondent_lines", "被告：{{ item }}"),
        ("p", "案由：{{ matter }}。案件来源：{{ source }}。本院案号：{{ case_number }}。"),
        ("h", "经审查查明"),
        ("p", "{{ facts }}"),
        ("h", "支持起诉的理由和法律依据"),
        ("p", "{{ reasons }}"),
        (
            "p",
            "申请人请求被告支付劳动报酬{{ amount }}（{{ amount_capital }}）。依照《中华人民共和国民事诉讼法》"
            "第十五条的规定，本院支持{{ claimants_line }}向你院提起诉讼，请依法审理。",
        ),
        ("h", "证据目录"),
        ("each", "evidence", "{{ item }}"),
        SIGNED,
        ("small", "抄送：{{ claimants_line }}"),
    ],
    "not_support_decision": [
        ("title", "{{ org_name }}\n不支持起诉决定书"),
        ("number", "{{ number }}"),
        ("to", "{{ applicants_line }}："),
        (
            "p",
            "你（们）于{{ received_on }}申请本院支持起诉（{{ case_number }}）。本院经审查查明：{{ facts }}",
        ),
        ("p", "本院认为：{{ reasons }}本院决定不支持起诉。"),
        ("h", "其他救济途径"),
        ("each", "remedies", "{{ item }}"),
        SIGNED,
    ],
    "transfer_letter": [
        ("title", "{{ org_name }}\n线索移送函"),
        ("number", "{{ number }}"),
        ("to", "{{ receiver }}："),
        (
            "p",
            "本院在办理{{ case_number }}支持起诉案件中，发现下列线索，属于你单位职责范围，现移送你单位依法处理。",
        ),
        ("h", "线索情况"),
        ("p", "涉及单位：{{ respondents_line }}。事由：{{ reason }}"),
        ("each", "facts", "{{ item }}"),
        ("h", "随函移送材料"),
        ("each", "attachments", "{{ item }}"),
        ("p", "请于{{ feedback_due }}前将处理情况书面反馈本院。"),
        SIGNED,
    ],
    "suggestion": [
        ("title", "{{ org_name }}\n检察建议书"),
        ("number", "{{ number }}"),
        ("to", "{{ recipient }}："),
        ("p", "本院在办理{{ case_number }}支持起诉案件中发现，你单位存在以下问题："),
        ("h", "查明的事实"),
        ("p", "{{ issue }}"),
        ("h", "检察建议"),
        ("p", "{{ recommendations }}"),
        ("p", "法律依据：{{ legal_basis }}"),
        (
            "p",
            "请你单位在{{ reply_deadline }}将采纳检察建议的情况书面回复本院。"
            "对本检察建议书内容有异议的，可以在收到之日起五日内向本院书面提出。",
        ),
        SIGNED,
    ],
    "assistance_decision": [
        ("title", "{{ org_name }}\n国家司法救助决定书"),
        ("number", "{{ number }}"),
        ("p", "救助申请人：{{ applicant }}。"),
        ("p", "本院在办理{{ case_number }}案件中，申请人于{{ received_on }}提出国家司法救助申请。"),
        ("h", "损失和生活困难情况"),
        ("p", "{{ hardship }}"),
        ("h", "决定"),
        ("p", "{{ decision_text }}"),
        ("p", "法律依据：《人民检察院开展国家司法救助工作细则》第七条第（{{ article_item }}）项。"),
        ("p", "{{ payment_text }}"),
        SIGNED,
    ],
    "visit_record": [
        ("title", "{{ org_name }}\n回访记录"),
        ("number", "{{ number }}"),
        ("p", "案号：{{ case_number }}"),
        ("p", "回访时间：{{ done_on }}　回访方式：{{ method }}"),
        ("p", "回访对象：{{ target }}　回访人：{{ officer }}"),
        ("h", "履行情况"),
        (
            "p",
            "应付{{ owed_total }}，已付{{ paid_total }}，尚欠{{ outstanding }}（{{ outstanding_capital }}）"
            "{% if overpaid %}；多付{{ overpaid }}（{{ overpaid_capital }}）{% endif %}。",
        ),
        ("h", "当事人现状及意见"),
        ("p", "{{ findings }}"),
        ("h", "后续措施"),
        ("p", "{{ next_steps }}"),
        ("sign", "回访人（签名）：\n被回访人（签名）：\n{{ issued_on }}"),
    ],
    "mediation_agreement": [
        ("title", "调解协议书"),
        ("number", "{{ number }}"),
        ("each", "claimant_lines", "甲方（劳动者）：{{ item }}"),
        ("each", "respondent_lines", "乙方（用人单位）：{{ item }}"),
        ("p", "调解组织：{{ mediator }}。调解日期：{{ held_on }}。"),
        ("h", "争议事项"),
        ("p", "{{ dispute }}"),
        ("h", "协议内容"),
        ("p", "乙方同意支付甲方{{ amount }}（{{ amount_capital }}）。"),
        ("each", "instalments", "{{ item }}"),
        ("p", "乙方未按期足额支付的，甲方有权就未付部分申请人民法院强制执行或者另行提起诉讼。"),
        (
            "p",
            "双方可以自本协议生效之日起三十日内共同向人民法院申请司法确认（{{ confirmation_due }}前）。",
        ),
        ("sign", "甲方（签名）：\n乙方（盖章）：\n调解组织（盖章）：\n{{ issued_on }}"),
    ],
}

VERSION = "builtin-1"
