"""A procuratorial suggestion's life in a real browser (C10, rule TL-9).

The civil officer (civil1) drafts a suggestion from the case page — an empty recommendation is
refused at the field first, with nothing typed lost; the chief procurator approves it in the
approvals inbox and it gets its number; civil1 records service and reads the reply date (two
months after receipt), records the reply and closes it; the register shows it closed.

Selectors are ids, names, form actions and href patterns, never translated text: where the test
reads words on the page it takes them from the translation catalogue the page uses (zh-hans).
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from tests.conftest import lead_payload, make_id
from tests.e2e.conftest import log_in
from zhichi.cases.services.approvals import decide_approval
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.supervision import services
from zhichi.supervision.models import Suggestion, SuggestionStatus

pytestmark = pytest.mark.e2e

SCREENSHOTS = os.environ.get("ZHICHI_SCREENSHOTS") == "1"
SCREENSHOT_PATH = "docs/img/suggestion-register.png"
PAGE_LANGUAGE = "zh-hans"

RECIPIENT = "五华区住房和城乡建设局"
ISSUE = "辖区在建工程项目未按规定存储工资保证金，行业主管部门监管不到位（E2E-问题）"
RECOMMENDATIONS = "一、开展专项排查；二、责令限期改正；三、建立欠薪预警机制（E2E-建议）"
REPLY = "已对全区在建项目开展专项排查，责令十二家单位限期改正（E2E-回复）"
CLOSE_NOTE = "建议已采纳并整改到位，归档（E2E-结案）"


def zh(text) -> str:
    with translation.override(PAGE_LANGUAGE):
        return str(text)


def status_label(status: str) -> str:
    return zh(SuggestionStatus(status).label)


def open_case(users, seq: str):
    lead = intake_services.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            lead_payload(claimants=[{"name": f"工人{seq}", "id_number": make_id(seq=seq)}])
        ),
    )
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def log_out(page: Page) -> None:
    page.locator("#user-menu-button").click()
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def submit(page: Page, form: Locator, *, expected_status: int = 200) -> None:
    with page.expect_navigation() as nav:
        form.locator("[type=submit]").first.click()
    response = nav.value
    assert response is not None and response.status == expected_status, (
        f"{response and response.status} at {page.url}: "
        + " | ".join(page.locator(".invalid-feedback, .alert-danger").all_inner_texts())
    )


def status_badge(page: Page) -> Locator:
    return page.locator("#suggestion-status")


def screenshot(page: Page, path: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def more_suggestions(users) -> None:
    """Two more suggestions for the register's picture: one overdue, one waiting for approval."""
    case = open_case(users, "402")
    data = {
        "to_org_name": "五华区人力资源和社会保障局",
        "issue": "限期改正指令书履行情况未跟踪",
        "recommendations": "建立跟踪台账",
    }
    late = services.draft_suggestion(case_id=case.pk, actor=users["civil1"], data=data)
    decide_approval(approval_id=late.approval_id, actor=users["chief"], approve=True)
    Suggestion.objects.filter(pk=late.pk).update(
        approved_at=timezone.make_aware(datetime(2026, 7, 1, 9))
    )
    services.serve_suggestion(
        suggestion_id=late.pk,
        actor=users["civil1"],
        data={"served_on": "2026-07-31", "method": "post"},
    )
    services.draft_suggestion(
        case_id=case.pk,
        actor=users["civil1"],
        data={**data, "to_org_name": "五华区财政局", "issue": "工程款拨付滞后"},
    )


def test_c10_suggestion_drafted_approved_served_answered_and_closed(
    page: Page, law_library, browser_errors
):
    # the refused draft answers HTTP 422 by design; Chromium logs it as a failed load
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 422")
    users = law_library
    case = open_case(users, "401")
    today = timezone.localdate()

    # --- civil1 drafts it from the case page; an empty recommendation is refused at the field ----
    log_in(page, "civil1")
    page.goto(f"/cases/{case.pk}/")
    page.locator("#suggestions a#draft-suggestion").click()
    page.wait_for_url(re.compile(rf"/supervision/cases/{case.pk}/new/$"))
    form = page.locator("form#suggestion-form")
    form.locator("#id_to_org_name").fill(RECIPIENT)
    form.locator("#id_issue").fill(ISSUE)
    form.locator("#id_recommendations").fill("   ")
    submit(page, form, expected_status=422)
    expect(page.locator("#id_recommendations_error")).to_be_visible()
    expect(page.locator("#id_recommendations")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_issue")).to_have_value(ISSUE)  # nothing typed is lost
    expect(page.locator("#id_to_org_name")).to_have_value(RECIPIENT)
    assert Suggestion.objects.count() == 0

    page.locator("#id_recommendations").fill(RECOMMENDATIONS)
    submit(page, page.locator("form#suggestion-form"))
    page.wait_for_url(re.compile(r"/supervision/suggestions/\d+/$"))
    s = Suggestion.objects.get()
    expect(status_badge(page)).to_have_text(status_label(SuggestionStatus.PENDING))
    expect(page.locator("#no-action")).to_be_visible()
    log_out(page)

    # --- the chief procurator approves it in the approvals inbox ------------------------------------
    log_in(page, "chief")
    page.goto("/cases/approvals/")
    item = page.locator(f"#approval-{s.approval_id}")
    expect(item).to_contain_text(RECOMMENDATIONS)
    expect(item.locator(f"a[href='/supervision/suggestions/{s.pk}/']")).to_have_count(1)
    submit(page, item.locator(f"form[action$='/approvals/{s.approval_id}/approve/']"))
    expect(page.locator(f"#approval-{s.approval_id}")).to_have_count(0)
    s.refresh_from_db()
    assert s.number == f"五华检民建〔{today.year}〕1号"
    log_out(page)

    # --- civil1 records service and reads the reply date ---------------------------------------------
    log_in(page, "civil1")
    page.goto(f"/supervision/suggestions/{s.pk}/")
    expect(status_badge(page)).to_have_text(status_label(SuggestionStatus.APPROVED))
    expect(page.locator("main h1")).to_contain_text(s.number)
    serve = page.locator("form#act-serve")
    expect(serve.locator("#id_serve-served_on")).to_have_value(today.isoformat())
    serve.locator("#id_serve-method").select_option("direct")
    submit(page, serve)
    due = services.statutory_reply_due(today).due
    expect(status_badge(page)).to_have_text(status_label(SuggestionStatus.SERVED))
    expect(page.locator("#reply-due .date").first).to_have_text(due.isoformat())
    assert due > today and due.month != today.month

    # --- the reply, then closing ---------------------------------------------------------------------
    reply = page.locator("form#act-reply")
    reply.locator("#id_reply-adoption").select_option("adopted")
    reply.locator("#id_reply-text").fill(REPLY)
    submit(page, reply)
    expect(status_badge(page)).to_have_text(status_label(SuggestionStatus.REPLIED))
    expect(page.locator("#reply")).to_contain_text(REPLY)
    close = page.locator("form#act-close")
    close.locator("#id_close-note").fill(CLOSE_NOTE)
    submit(page, close)
    expect(status_badge(page)).to_have_text(status_label(SuggestionStatus.CLOSED))
    s.refresh_from_db()
    assert (s.status, s.replied_on, s.adoption, s.close_note) == (
        "closed",
        today,
        "adopted",
        CLOSE_NOTE,
    )
    timeline = list(case.timeline.filter(data__suggestion=s.pk).values_list("kind", flat=True))
    assert timeline == [
        "suggestion_drafted",
        "suggestion_approved",
        "suggestion_served",
        "suggestion_replied",
        "suggestion_closed",
    ]

    # --- the register shows it closed ------------------------------------------------------------------
    if SCREENSHOTS:
        more_suggestions(users)
    page.goto("/supervision/suggestions/")
    row = page.locator(f'#suggestion-register tr[data-suggestion="{s.pk}"]')
    expect(row.locator("a").first).to_have_text(s.number)
    expect(row.locator(".badge")).to_have_text(status_label(SuggestionStatus.CLOSED))
    expect(row).to_contain_text(case.number)
    if SCREENSHOTS:
        late = Suggestion.objects.get(served_on=date(2026, 7, 31))
        expect(page.locator(f'tr[data-suggestion="{late.pk}"]')).to_have_class("zc-row-overdue")
        screenshot(page, SCREENSHOT_PATH)
