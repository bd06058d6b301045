"""The life of a twelve-worker wage case in a real browser (C3–C6): the officer takes it through
pre-litigation, mediation and a support proposal, the department head approves it in the approvals
inbox, and the officer records the judgment, two payments and a return visit, then closes it.

The case is set up through the services (filing is covered by test_intake_flow.py); everything
after that goes through the pages. Selectors are form actions, input names, ids and data-
attributes, never translated text: where a test must read words on the page, it takes them from
the same translation catalogue the page uses, or from what it typed itself.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, make_credit_code, make_id, reseed_law_library
from zhichi.cases import guards
from zhichi.cases.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseStatus,
    CourtEvent,
    Outcome,
    Stage,
    TimelineEvent,
    Visit,
)
from zhichi.core import calendar as cal_mod
from zhichi.core import stages
from zhichi.intake.services import accept_lead, create_lead
from zhichi.intake.validation import validate_lead
from zhichi.rulebook import loaders

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
PAGE_LANGUAGE = "zh-hans"

# what the officer and the head type: the timeline is checked against these
PRE_REASON = "先行诉前调解（E2E-诉前）"
MEDIATOR = "五华区人民调解委员会（E2E）"
MEDIATION_NOTE = "用工方拒绝支付，调解不成"
SUPPORT_REASONS = "十二名农民工追索劳动报酬，调解不成，符合支持起诉条件（E2E-支持）"
HEAD_COMMENT = "同意支持起诉（E2E-审批）"
LIT_REASON = "部门负责人已批准支持起诉（E2E-诉讼）"
COURT = "昆明市五华区人民法院（E2E）"
POST_REASON = "判决已送达，进入执行跟进（E2E-诉后）"
PAYER = "云南某建筑劳务有限公司"
FINDINGS = "两名工人已收到部分工资，其余仍在催讨（E2E-回访）"
PROBLEMS = "十名工人尚未受偿"
CLOSING_NOTE = "部分追回，余款由工人申请强制执行（E2E-结案）"


def zh(text) -> str:
    """A label or message as the page shows it (the UI's default language)."""
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def stage_label(stage: str) -> str:
    return zh(Stage(stage).label)


# --- set-up through the services ------------------------------------------------------------


@pytest.fixture
def law_library(e2e_users):
    """The seeded configuration (migration rulebook 0002), which grading and the deadline
    calendar read. A browser test runs in a flushed database once an earlier transactional test
    has run, so put the seed back when it is gone."""
    reseed_law_library()
    return e2e_users


def twelve_workers() -> list[dict]:
    return [
        {
            "name": f"工人{i + 1:02d}",
            "id_number": make_id(seq=f"{300 + i:03d}"),
            "groups": ["migrant_worker"],
            "amount_claimed": "10000.00",
            "months_unpaid": 4,
        }
        for i in range(12)
    ]


def open_twelve_worker_case(officer) -> Case:
    today = timezone.localdate()
    data = validate_lead(
        {
            "source": "walk_in",
            "received_on": (today - timedelta(days=40)).isoformat(),
            "category": "wages",
            "summary": "某建筑工地包工头拖欠十二名农民工工资四个月，工人多次讨要未果，请求支持起诉。",
            "claimants": twelve_workers(),
            "respondents": [
                {"kind": "organisation", "name": PAYER, "credit_code": make_credit_code()}
            ],
            "voluntary": True,
            "consent_to_share": True,
            # a crew hired by a contractor: labour arbitration does not come first (rule SP-6)
            "labour_relationship": "contractor_crew",
            "has_iou": False,
        }
    )
    lead = create_lead(actor=officer, data=data)
    return accept_lead(lead_id=lead.pk, actor=officer)


# --- browser helpers --------------------------------------------------------------------------


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def log_out(page: Page) -> None:
    page.locator("#user-menu-button").click()
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def event_form(page: Page, action_suffix: str) -> Locator:
    """One event form of the case page, opened if it sits in a closed <details> card."""
    form = page.locator(f"form[action$='{action_suffix}']")
    expect(form).to_have_count(1)
    card = page.locator("details", has=form)
    if card.count() and card.first.get_attribute("open") is None:
        card.first.locator("summary").first.click()
    expect(form).to_be_visible()
    return form


def submit(page: Page, form: Locator) -> None:
    """Submit and land on the page the server redirects to; a refused form (422) fails here."""
    with page.expect_navigation() as nav:
        form.locator("[type=submit]").first.click()
    response = nav.value
    assert response is not None and response.status == 200, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )
    expect(page.locator(".zc-messages .alert-success")).to_be_visible()


def stage_badge(page: Page) -> Locator:
    return page.locator(".zc-page-header h1 + .badge")


def money(page: Page, what: str) -> Locator:
    return page.locator(f'#money [data-testid="money-{what}"]')


def move_stage(page: Page, to: str, reason: str) -> None:
    form = page.locator("form[action$='/stage/']")
    expect(form.locator(f'select[name="to"] option[value="{to}"]')).to_have_count(1)
    form.locator('select[name="to"]').select_option(to)
    form.locator('[name="reason"]').fill(reason)
    submit(page, form)
    expect(stage_badge(page)).to_have_text(stage_label(to))


def screenshot(page: Page, path: str) -> None:
    """A full-page picture from the top (the sticky sidebar follows the scroll position)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


# --- the test -------------------------------------------------------------------------------


def test_c3_c6_life_of_a_twelve_worker_wage_case_in_the_pages(page: Page, law_library):
    users = law_library
    today = timezone.localdate()
    case = open_twelve_worker_case(users["civil1"])
    case_path = f"/cases/{case.pk}/"
    assert case.stage == stages.REVIEW
    assert "arbitration_first" not in case.flags
    assert case.level is not None and case.level >= 2, (case.level, case.level_reasons)

    # --- C3: the officer opens the case -------------------------------------------------------
    log_in(page, "civil1")
    page.goto(case_path)
    expect(page.locator("main h1")).to_have_text(case.number)
    expect(stage_badge(page)).to_have_text(stage_label(stages.REVIEW))
    with translation.override(PAGE_LANGUAGE):
        level_text = gettext("Level %(level)s") % {"level": case.level}
    expect(
        page.locator(".zc-page-header .badge").filter(
            has_text=re.compile(rf"^\s*{re.escape(level_text)}\s*$")
        )
    ).to_have_count(1)
    expect(page.locator("#money table.zc-ledger tbody tr")).to_have_count(12)
    expect(money(page, "claimed")).to_have_text("¥120,000.00")
    expect(money(page, "awarded")).to_have_text("—")
    expect(money(page, "recovered")).to_have_text("¥0.00")
    expect(money(page, "outstanding")).to_have_text("¥120,000.00")
    timeline = page.locator("#timeline ol.timeline > li")
    # the lead's received, duplicate check and acceptance, then "case opened" (issue 13, item 11)
    expect(timeline).to_have_count(4)

    # review → pre-litigation (the only move ready: litigation needs an approved support)
    stage_select = page.locator("form[action$='/stage/'] select[name='to'] option")
    assert stage_select.evaluate_all("os => os.map(o => o.value)") == [stages.PRE_LITIGATION]
    move_stage(page, stages.PRE_LITIGATION, PRE_REASON)
    expect(timeline).to_have_count(5)

    # --- C4: a mediation that failed ------------------------------------------------------------
    expect(page.locator("#mediation table tbody tr")).to_have_count(0)
    form = event_form(page, "/mediations/")
    held_on = today - timedelta(days=10)
    form.locator('[name="held_on"]').fill(held_on.isoformat())
    form.locator('[name="mediator_org"]').fill(MEDIATOR)
    form.locator('select[name="outcome"]').select_option("failed")
    form.locator('[name="note"]').fill(MEDIATION_NOTE)
    submit(page, form)
    mediations = page.locator("#mediation table tbody tr")
    expect(mediations).to_have_count(1)
    expect(mediations.first).to_contain_text(held_on.isoformat())
    expect(mediations.first).to_contain_text(MEDIATOR)
    expect(money(page, "agreed")).to_have_text("—")  # a failed mediation agrees nothing
    expect(timeline).to_have_count(6)

    # litigation is not offered: the guard says what is missing (rule SP-7, C5)
    case.refresh_from_db()
    with translation.override(PAGE_LANGUAGE):
        missing = guards.missing_for(case, stages.LITIGATION)
    assert len(missing) == 1, missing  # only the approval: no arbitration first for a crew
    expect(page.locator("form[action$='/stage/']")).to_have_count(0)
    litigation_step = page.locator("#h-next ~ .card-body .zc-steps > li").filter(
        has_text=stage_label(stages.LITIGATION)
    )
    expect(litigation_step).to_have_count(1)
    expect(litigation_step.locator(".zc-missing li")).to_have_count(1)
    expect(litigation_step.locator(".zc-missing li")).to_contain_text(missing[0])

    # --- C5: propose support ----------------------------------------------------------------------
    expect(page.locator("#litigation .zc-approval")).to_have_count(0)
    form = event_form(page, "/support-decision/")
    form.locator('select[name="decision"]').select_option("support")
    form.locator('[name="reasons"]').fill(SUPPORT_REASONS)
    submit(page, form)
    proposals = page.locator("#litigation .zc-approval")
    expect(proposals).to_have_count(1)
    expect(proposals.first).to_contain_text(SUPPORT_REASONS)
    expect(proposals.first.locator(".badge")).to_have_text(zh(ApprovalStatus.PENDING.label))
    # one proposal at a time: no second support form while this one waits
    expect(page.locator("form[action$='/support-decision/']")).to_have_count(0)
    expect(page.locator("form[action$='/stage/']")).to_have_count(0)
    expect(timeline).to_have_count(7)
    approval = Approval.objects.get(case=case)
    log_out(page)

    # --- the department head approves in the inbox ------------------------------------------------
    log_in(page, "civilhead")
    expect(page.locator('[data-testid="approvals-count"]')).to_have_text("1")
    page.locator("nav.zc-sidebar a[href='/cases/approvals/']").click()
    page.wait_for_url(re.compile(r"/cases/approvals/$"))
    item = page.locator(f"#approval-{approval.pk}")
    expect(item).to_be_visible()
    expect(item.locator(f"a[href='{case_path}']")).to_have_text(case.number)
    expect(item).to_contain_text(SUPPORT_REASONS)
    decide = item.locator(f"form[action$='/approvals/{approval.pk}/approve/']")
    decide.locator('[name="reason"]').fill(HEAD_COMMENT)
    submit(page, decide)
    assert re.search(r"/cases/approvals/$", page.url)
    expect(page.locator(".zc-messages .alert-success")).to_contain_text(case.number)
    expect(page.locator(f"#approval-{approval.pk}")).to_have_count(0)
    expect(page.locator("form[action*='/approvals/']")).to_have_count(0)
    page.goto("/")
    expect(page.locator('[data-testid="approvals-count"]')).to_have_text("0")
    log_out(page)

    # --- the officer takes the case to court ------------------------------------------------------
    log_in(page, "civil1")
    page.goto(case_path)
    expect(proposals.first.locator(".badge")).to_have_text(zh(ApprovalStatus.APPROVED.label))
    expect(proposals.first).to_contain_text(HEAD_COMMENT)
    expect(litigation_step.locator(".zc-missing li")).to_have_count(0)
    expect(timeline).to_have_count(8)
    move_stage(page, stages.LITIGATION, LIT_REASON)
    expect(timeline).to_have_count(9)

    # a judgment of 110,000.00, served on all parties two days later
    expect(page.locator("#litigation table tbody tr")).to_have_count(0)
    expect(page.locator("#visits table tbody tr")).to_have_count(0)
    judged_on, served_on = today - timedelta(days=5), today - timedelta(days=3)
    form = event_form(page, "/court-events/")
    form.locator('select[name="kind"]').select_option("judgment")
    form.locator('[name="on"]').fill(judged_on.isoformat())
    form.locator('[name="court"]').fill(COURT)
    form.locator('[name="served_on"]').fill(served_on.isoformat())
    form.locator('[name="amount_awarded"]').fill("110000.00")
    # twelve claimants: each one's amount, here the split in proportion to the claims that the
    # page fills in for the officer to check (issue 13, item 1), then recorded
    with page.expect_navigation():
        form.locator('button[name="split"]').click()
    shares = form.locator('.zc-claimant-amounts input[name^="share_"]')
    expect(shares).to_have_count(12)
    split = [Decimal(v) for v in shares.evaluate_all("fs => fs.map(f => f.value)")]
    assert sum(split) == Decimal("110000.00") and max(split) - min(split) <= Decimal("0.04")
    assert CourtEvent.objects.count() == 0
    submit(page, form)
    events = page.locator("#litigation table tbody tr")
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text(judged_on.isoformat())
    expect(events.first).to_contain_text("¥110,000.00")
    expect(money(page, "awarded")).to_have_text("¥110,000.00")
    expect(money(page, "outstanding")).to_have_text("¥110,000.00")
    expect(money(page, "recovered")).to_have_text("¥0.00")

    # the appeal period runs from service (rule TL-4): in the deadlines and in the sidebar
    appeal_due = cal_mod.compute("appeal_judgment", served_on, loaders.holiday_calendar()).due
    assert appeal_due >= today
    appeal_rows = page.locator("#deadlines table tbody tr").filter(
        has=page.locator("td", has_text=re.compile(r"^\s*TL-4\s*$"))
    )
    expect(appeal_rows).to_have_count(1)
    expect(appeal_rows.first).to_contain_text(appeal_due.isoformat())
    expect(page.locator("#h-next-deadlines ~ .list-group")).to_contain_text(appeal_due.isoformat())
    # and the first return visit is planned by itself
    visits = page.locator("#visits table tbody tr")
    expect(visits).to_have_count(1)
    first_visit = Visit.objects.get(case=case)
    expect(visits.first).to_contain_text(first_visit.planned_on.isoformat())

    move_stage(page, stages.POST_LITIGATION, POST_REASON)

    # --- C6: two payments to two claimants --------------------------------------------------------
    # the 12 shares of 110,000.00 are 9,166.67 (the rounding difference goes to the first one)
    for name, amount, total in (
        ("工人02", "9166.67", "¥9,166.67"),
        ("工人03", "5000.00", "¥14,166.67"),
    ):
        form = event_form(page, "/payments/")
        form.locator('select[name="claimant_party_id"]').select_option(label=name)
        form.locator('[name="paid_on"]').fill(today.isoformat())
        form.locator('[name="amount"]').fill(amount)
        form.locator('[name="payer"]').fill(PAYER)
        form.locator('[name="method"]').fill("银行转账")
        submit(page, form)
        expect(money(page, "recovered")).to_have_text(total)
    expect(money(page, "outstanding")).to_have_text("¥95,833.33")
    expect(money(page, "awarded")).to_have_text("¥110,000.00")
    paid_rows = page.locator("#money table.zc-ledger tbody tr")
    expect(paid_rows.filter(has_text="工人02")).to_contain_text("¥9,166.67")
    expect(paid_rows.filter(has_text="工人03")).to_contain_text("¥5,000.00")

    # --- the planned return visit: not paid in full, so the next one is planned ------------------
    form = event_form(page, f"/visits/{first_visit.pk}/record/")
    form.locator('[name="done_on"]').fill(today.isoformat())
    form.locator('[name="findings"]').fill(FINDINGS)
    form.locator('[name="remaining_problems"]').fill(PROBLEMS)
    expect(form.locator('[name="paid_in_full"]')).not_to_be_checked()
    submit(page, form)
    expect(visits).to_have_count(2)
    done = visits.filter(has_text=FINDINGS)
    expect(done).to_have_count(1)
    expect(done).to_contain_text(first_visit.planned_on.isoformat())
    next_visit = Visit.objects.get(case=case, done_on__isnull=True)
    assert next_visit.planned_on > today
    expect(visits.filter(has_text=next_visit.planned_on.isoformat())).to_have_count(1)
    expect(page.locator(f"form[action$='/visits/{next_visit.pk}/record/']")).to_have_count(1)

    # --- closing: partly recovered ------------------------------------------------------------
    form = event_form(page, "/close/")
    form.locator('select[name="outcome"]').select_option(Outcome.PARTLY_RECOVERED)
    form.locator('[name="note"]').fill(CLOSING_NOTE)
    # the outcome is shown with the ledger's figures and confirmed (issue 13, item 1)
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    step = page.locator("#close-confirm")
    expect(step).to_contain_text(CLOSING_NOTE)
    expect(step.locator('[data-testid="closing-recovered"]')).to_have_text("¥14,166.67")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    submit(page, step.locator("form"))
    assert re.search(re.escape(case_path) + r"(#.*)?$", page.url)

    case.refresh_from_db()
    assert (case.stage, case.status, case.outcome) == (
        stages.CLOSED,
        CaseStatus.CLOSED,
        Outcome.PARTLY_RECOVERED,
    )
    expect(stage_badge(page)).to_have_text(stage_label(stages.CLOSED))
    expect(
        page.locator(".zc-page-header .badge").filter(has_text=zh(Outcome.PARTLY_RECOVERED.label))
    ).to_have_count(1)
    expect(page.locator(".zc-page-header")).to_contain_text(today.strftime("%Y-%m-%d"))
    expect(money(page, "recovered")).to_have_text("¥14,166.67")
    expect(money(page, "outstanding")).to_have_text("¥95,833.33")
    expect(page.locator("#overview")).to_contain_text(CLOSING_NOTE)
    # nothing more can be recorded or moved on a closed case
    for action in (
        "/stage/",
        "/close/",
        "/payments/",
        "/mediations/",
        "/court-events/",
        "/record/",
    ):
        expect(page.locator(f"form[action$='{action}']")).to_have_count(0)

    # --- the timeline tells the whole story, in order --------------------------------------------
    kinds = list(
        TimelineEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True)
    )
    expect(timeline).to_have_count(len(kinds))
    texts = timeline.all_inner_texts()
    story = [
        ("lead_received", case.lead.receipt_code),
        ("case_opened", case.number),
        ("stage_changed", PRE_REASON),
        ("mediation", MEDIATOR),
        ("support_proposed", SUPPORT_REASONS),
        ("approval_decided", HEAD_COMMENT),
        ("stage_changed", LIT_REASON),
        ("court_event", COURT),
        ("stage_changed", POST_REASON),
        ("payment", "9,166.67"),  # timeline amounts read like the ledger
        ("payment", "5,000.00"),
        ("visit_done", FINDINGS),
        ("case_closed", CLOSING_NOTE),
    ]
    at = -1
    for kind, marker in story:
        found = next(
            (i for i in range(at + 1, len(texts)) if kinds[i] == kind and marker in texts[i]),
            None,
        )
        assert found is not None, f"{kind} ({marker}) not found after item {at}:\n" + "\n".join(
            texts
        )
        at = found
    assert "visit_planned" in kinds
    assert any(first_visit.planned_on.isoformat() in t for t in texts)
    with translation.override(PAGE_LANGUAGE):
        closed_headline = gettext("Case closed: %(outcome)s") % {
            "outcome": Outcome.PARTLY_RECOVERED.label
        }
    assert texts[-1].startswith(closed_headline), texts[-1]

    if SCREENSHOTS:
        screenshot(page, "/tmp/case_life.png")
