"""Issue 13 item 10: documents read as the procuratorate's own — the support opinion states its
findings and reasons (never the officer's internal proposal), and headings stay with their text
across pages."""

from __future__ import annotations

import io

import docx
import pypdf
import pytest

from tests.documents.conftest import build_full_case, docx_text, pdf_text
from zhichi.documents import context, render, services
from zhichi.documents.layouts import LAYOUTS

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PROPOSAL = "用人单位拖欠劳动报酬事实清楚，申请人系农民工，诉讼能力较弱。"  # build_full_case's


def test_item10_the_support_opinion_states_findings_and_reasons_not_the_proposal(users):
    case = build_full_case(users)
    doc = services.issue_document(case_id=case.pk, kind="support_opinion", actor=users["civil1"])
    for text in (pdf_text(doc.pdf).replace("\n", ""), docx_text(doc.docx)):
        assert PROPOSAL not in text and "拟支持" not in text
        assert "经审查查明" in text and "本院认为" in text
        assert "依靠自身力量维护合法权益确有困难" in text
        assert "符合支持起诉的条件" in text


def test_item10_the_reasons_follow_the_recorded_groups_and_hardship(users):
    case = build_full_case(users)
    claimant = case.parties.filter(role="claimant").first()
    claimant.groups = ["migrant_worker", "elderly"]
    claimant.vulnerability_basis = ["economic_hardship"]
    claimant.save()
    built = context.build(case, "support_opinion")
    reasons = built.context["reasons"]
    assert reasons.startswith("本院认为，申请人系农民工、老年人，经济困难")
    assert "【" not in reasons and "migrant_worker" not in reasons


def test_item10_headings_keep_with_the_next_paragraph_in_the_docx():
    d = docx.Document(io.BytesIO(render.builtin_docx("support_opinion")))
    headings = [p for p in d.paragraphs if p.text in ("当事人", "经审查查明", "证据目录")]
    assert len(headings) == 3
    assert all(p.paragraph_format.keep_with_next for p in headings)


@pytest.mark.parametrize("lines", range(8, 40, 2))
def test_item10_no_pdf_page_ends_with_a_heading(lines):
    """Whatever the length of the facts, a heading is never the last line of a page."""
    headings = [b[1] for b in LAYOUTS["support_opinion"] if b[0] == "h"]
    ctx = {
        **context.sample_context("support_opinion"),
        "facts": "。".join(["申请人在被申请人承建的工地务工，被拖欠工资四个月"] * lines),
    }
    reader = pypdf.PdfReader(io.BytesIO(render.render_pdf("support_opinion", ctx)))
    for page in reader.pages[:-1]:
        body = [ln for ln in page.extract_text().splitlines() if ln.strip() and "—" not in ln]
        assert body[-1].strip() not in headings, body[-3:]
