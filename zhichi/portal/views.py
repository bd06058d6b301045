"""The public portal's pages (C15, UI.md): no account, no JavaScript needed, one topic per screen.

Which draft a browser is writing, and which receipts and statuses it may show, are kept in its
session; a draft is picked up on another phone with its resume code, a status with the receipt
code and the phone's last 4 digits. Every POST is rate-limited per address (``throttle``).
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from zhichi.audit.services import record
from zhichi.common import qr
from zhichi.common.errors import InvalidInput
from zhichi.common.words import current_language
from zhichi.portal import forms, services, throttle
from zhichi.portal.models import Draft, FiledBy, Filing, grouped
from zhichi.portal.status import public_status

DRAFT_KEY = "portal_draft"
RECEIPTS_KEY = "portal_receipts"
STATUS_KEY = "portal_status"
REMEMBERED = 5  # receipts and statuses one browser session keeps

STEP_FORMS = {
    "what": forms.WhatForm,
    "who": forms.WhoForm,
    "money": forms.MoneyForm,
    "you": forms.YouForm,
}
STEP_TITLES = {
    "what": lambda: pgettext("portal", "What happened"),
    "who": lambda: pgettext("portal", "Who owes you or harmed you"),
    "money": lambda: pgettext("portal", "How much and since when"),
    "you": lambda: pgettext("portal", "About you"),
    "evidence": lambda: pgettext("portal", "Photos of your papers"),
    "consent": lambda: pgettext("portal", "Check and send"),
}


# --- session helpers -------------------------------------------------------------------------
def _draft(request) -> Draft | None:
    draft = services.find_draft(request.session.get(DRAFT_KEY, ""))
    if draft is None:
        request.session.pop(DRAFT_KEY, None)
    return draft


def _remember(request, key: str, code: str) -> None:
    codes = [c for c in request.session.get(key, []) if c != code]
    request.session[key] = [*codes, code][-REMEMBERED:]


def _closed(request):
    """The draft was sent or expired meanwhile (another tab, another phone): forget it here and
    start again from the home page."""
    request.session.pop(DRAFT_KEY, None)
    return redirect("portal:home")


def _honeypot(request, form) -> object | None:
    """A form with the hidden field filled was sent by a program: nothing is kept, the refusal is
    audited, and the answer is the plain 400 page."""
    if not form.honeypot_filled():
        return None
    record(
        action="portal.honeypot",
        actor=None,
        outcome="denied",
        detail={"path": request.path[:100]},
    )
    return render(
        request,
        "portal/refused.html",
        {"message": pgettext("portal", "Your form could not be sent. Please try again.")},
        status=400,
    )


def _step_context(step: str, draft: Draft | None, **extra) -> dict:
    number = services.step_number(step)
    return {
        "step": step,
        "step_number": number,
        "step_total": len(services.STEPS),
        "step_title": STEP_TITLES[step](),
        "draft": draft,
        "previous": services.STEPS[number - 2] if number > 1 else None,
        **extra,
    }


def _furthest(draft: Draft) -> str:
    return services.STEPS[draft.step - 1]


def _may_open(step: str, draft: Draft | None) -> bool:
    return draft is not None and services.step_number(step) <= draft.step


# --- pages ---------------------------------------------------------------------------------------
def home(request):
    return render(request, "portal/home.html", {"draft": _draft(request)})


def about(request):
    return render(request, "portal/about.html")


def privacy(request):
    return render(request, "portal/privacy.html", {"version": services.PRIVACY_NOTICE_VERSION})


def apply(request):
    """Start, or go on with the application this browser is writing."""
    draft = _draft(request)
    if draft is None:
        return redirect("portal:start")
    if draft.lead_id:
        return redirect("portal:receipt", code=draft.lead.receipt_code)
    return redirect("portal:step", step=_furthest(draft))


@require_http_methods(["GET", "POST"])
@throttle.rate_limited("step")
def start(request):
    """Before the first question: what we will ask, how it is kept, and the agreement without
    which nothing typed is kept (issue 18 item 2)."""
    if _draft(request) is not None:
        return redirect("portal:apply")
    form = forms.StartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        refused = _honeypot(request, form)
        if refused:
            return refused
        if form.is_valid():
            draft = services.start(language=current_language())
            request.session[DRAFT_KEY] = draft.code
            return redirect("portal:step", step=services.STEPS[0])
    return render(
        request,
        "portal/start.html",
        {
            "form": form,
            "version": services.PRIVACY_NOTICE_VERSION,
            "steps": [STEP_TITLES[s]() for s in services.STEPS],
        },
    )


@require_http_methods(["GET", "POST"])
@throttle.rate_limited("step")
def step(request, step: str):
    if step == "evidence":
        return evidence(request)
    if step == "consent":
        return consent(request)
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        return render(request, "portal/refused.html", status=404)
    draft = _draft(request)
    if draft is not None and draft.lead_id:
        return redirect("portal:receipt", code=draft.lead.receipt_code)
    if not _may_open(step, draft):
        return redirect("portal:apply")
    answers = draft.answers
    kwargs = {}
    if step == "money":
        kwargs["category"] = answers.get("what", {}).get("category", "")
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        refused = _honeypot(request, form)
        if refused:
            return refused
        if form.is_valid():
            try:
                draft = services.save_step(
                    draft=draft, step=step, answers=form.answers(), language=current_language()
                )
            except services.Closed:
                return _closed(request)
            request.session[DRAFT_KEY] = draft.code
            following = services.STEPS[services.step_number(step)]
            return redirect("portal:step", step=following)
    else:
        form = form_class(initial=answers.get(step), **kwargs)
    return render(request, "portal/step.html", _step_context(step, draft, form=form))


def _evidence_context(draft: Draft, form) -> dict:
    return _step_context(
        "evidence",
        draft,
        form=form,
        files=list(draft.files.all()),
        files_left=services.files_left(draft),
        max_files=settings.ZHICHI["PORTAL_MAX_FILES"],
        max_mb=settings.ZHICHI["PORTAL_MAX_FILE_BYTES"] // (1024 * 1024),
        kind_words=forms.PHOTO_WORDS,
    )


def evidence(request):
    """Optional photos: each is added (or removed) by its own POST, then the person goes on."""
    draft = _draft(request)
    if draft is None or draft.lead_id or not _may_open("evidence", draft):
        return redirect("portal:apply")
    form = forms.EvidenceForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        probe = forms.PortalForm(request.POST)
        refused = _honeypot(request, probe)
        if refused:
            return refused
        try:
            if action == "remove":
                try:
                    file_id = int(request.POST.get("file", ""))
                except ValueError:
                    file_id = 0
                services.remove_file(draft=draft, file_id=file_id)
                return redirect("portal:step", step="evidence")
            if action == "next":
                services.save_step(
                    draft=draft,
                    step="evidence",
                    answers={"files": draft.files.count()},
                    language=current_language(),
                )
                return redirect("portal:step", step="consent")
            form = forms.EvidenceForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    throttle.hit(scope="upload", key=throttle.client_address(request))
                    services.add_file(
                        draft=draft,
                        file=form.cleaned_data["file"],
                        kind=form.cleaned_data["kind"],
                    )
                except InvalidInput as exc:
                    for error in exc.errors:
                        form.add_error("file", error.message)
                else:
                    return redirect("portal:step", step="evidence")
        except services.Closed:
            return _closed(request)
    return render(request, "portal/evidence.html", _evidence_context(draft, form))


def _review(draft: Draft) -> list[dict]:
    """The answers so far, in the portal's words, for the person to check before sending."""
    answers = draft.answers
    what, who, money, you = (answers.get(s, {}) for s in services.STEPS[:4])
    office = {o.code: o.name for o in forms.offices()}.get(you.get("office", ""), "")

    def words(mapping, code):
        return mapping.get(code, "") if code else ""

    rows = [
        (
            "what",
            pgettext("portal", "What happened"),
            words(forms.CATEGORY_WORDS, what.get("category")),
        ),
        ("what", pgettext("portal", "In your words"), what.get("summary", "")),
        ("who", pgettext("portal", "Who"), who.get("name", "")),
        (
            "who",
            pgettext("portal", "Did you work for them?"),
            words(forms.RELATION_WORDS, who.get("labour_relationship")),
        ),
        (
            "money",
            pgettext("portal", "How much"),
            f"{money['amount']} 元" if money.get("amount") else "—",
        ),
        ("money", pgettext("portal", "Since"), money.get("since") or "—"),
        ("you", pgettext("portal", "Name"), you.get("name", "")),
        ("you", pgettext("portal", "Phone"), you.get("phone", "")),
        (
            "you",
            pgettext("portal", "Filled in by"),
            words(forms.FILED_BY_WORDS, you.get("filed_by")),
        ),
        ("you", pgettext("portal", "Sent to"), office),
        ("evidence", pgettext("portal", "Photos"), str(draft.files.count())),
    ]
    return [{"step": s, "label": label, "value": value} for s, label, value in rows]


def consent(request):
    draft = _draft(request)
    if draft is None or draft.lead_id or not _may_open("consent", draft):
        return redirect("portal:apply")
    helper = (draft.answers.get("you") or {}).get("filed_by") == FiledBy.HELPER
    if request.method == "POST":
        form = forms.ConsentForm(request.POST, helper=helper)
        refused = _honeypot(request, form)
        if refused:
            return refused
        if form.is_valid():
            try:
                throttle.hit(scope="submit", key=throttle.client_address(request))
                filing = services.submit(draft=draft, consent=form.answers())
            except services.NotReady as missing:
                return redirect("portal:step", step=missing.step)
            except services.Closed:
                return _closed(request)
            except InvalidInput as exc:
                return render(
                    request,
                    "portal/consent.html",
                    _step_context(
                        "consent",
                        draft,
                        form=form,
                        review=_review(draft),
                        helper=helper,
                        filing_errors=[
                            {"step": services.step_of(e.field), "message": e.message}
                            for e in exc.errors
                        ],
                    ),
                    status=422,
                )
            _remember(request, RECEIPTS_KEY, filing.lead.receipt_code)
            _remember(request, STATUS_KEY, filing.lead.receipt_code)
            # sent: the next "ask for help" on this phone starts a new application (a helper
            # filing for several people); the receipt stays reachable from the session
            request.session.pop(DRAFT_KEY, None)
            return redirect("portal:receipt", code=filing.lead.receipt_code)
    else:
        form = forms.ConsentForm(helper=helper)
    return render(
        request,
        "portal/consent.html",
        _step_context("consent", draft, form=form, review=_review(draft), helper=helper),
    )


def status_url(request, code: str) -> str:
    """The status page for ``code`` at the portal's public address (``ZHICHI_PORTAL_URL``), or
    at the address this request came to."""
    path = reverse("portal:status") + f"?code={code}"
    base = settings.ZHICHI["PORTAL_URL"]
    return base + path if base else request.build_absolute_uri(path)


def receipt(request, code: str):
    """The receipt of an application sent from this browser: the code, large, and a QR code of
    the status page's address. Another browser sees the lookup form instead."""
    if code not in request.session.get(RECEIPTS_KEY, []):
        return redirect(reverse("portal:status") + f"?code={code}")
    link = status_url(request, code)
    return render(
        request,
        "portal/receipt.html",
        {"code": code, "code_shown": grouped(code), "link": link, "qr": qr.svg(link)},
    )


@require_http_methods(["GET", "POST"])
@throttle.rate_limited("resume")
def resume(request):
    form = forms.ResumeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        refused = _honeypot(request, form)
        if refused:
            return refused
        if form.is_valid():
            draft = services.find_draft(form.cleaned_data["code"])
            if draft is not None:
                request.session[DRAFT_KEY] = draft.code
                record(action="portal.draft.resume", actor=None, obj=draft)
                return redirect("portal:apply")
            record(action="portal.draft.resume", actor=None, outcome="denied")
            form.add_error(
                "code",
                pgettext(
                    "portal",
                    "We found no unfinished application with this code. Check the code; an "
                    "application not finished within %(days)d days is deleted.",
                )
                % {"days": settings.ZHICHI["PORTAL_DRAFT_DAYS"]},
            )
    return render(request, "portal/resume.html", {"form": form})


@require_http_methods(["GET", "POST"])
@throttle.rate_limited("lookup")
def status(request):
    if request.method == "POST":
        form = forms.StatusForm(request.POST)
        refused = _honeypot(request, form)
        if refused:
            return refused
        if form.is_valid():
            code, last4 = form.cleaned_data["code"], form.cleaned_data["last4"]
            if throttle.peek(scope="lookup_code", key=code):
                form.add_error(
                    None,
                    pgettext(
                        "portal",
                        "There were too many wrong tries for this code. Wait up to an hour, or "
                        "call the hotline.",
                    ),
                )
            else:
                filing = services.lookup(code=code, last4=last4)
                if filing is not None:
                    _remember(request, STATUS_KEY, code)
                    return redirect("portal:status_detail", code=code)
                # past the limit, the next try with this code is refused (peek, above)
                with contextlib.suppress(throttle.RateLimited):
                    throttle.hit(scope="lookup_code", key=code)
                form.add_error(
                    None,
                    pgettext(
                        "portal",
                        "The code and the 4 digits do not match an application. Check both "
                        "and try again.",
                    ),
                )
    else:
        form = forms.StatusForm(initial={"code": forms.clean_code(request.GET.get("code", ""))})
    return render(request, "portal/status.html", {"form": form})


def status_detail(request, code: str):
    """The status of an application this browser looked up (or sent)."""
    if code not in request.session.get(STATUS_KEY, []):
        return redirect(reverse("portal:status") + f"?code={code}")
    filing = (
        Filing.objects.select_related("lead", "lead__organisation", "lead__case")
        .filter(lead__receipt_code=code)
        .first()
    )
    if filing is None:
        return redirect("portal:status")
    return render(
        request,
        "portal/status_detail.html",
        {"code": code, "code_shown": grouped(code), "status": public_status(filing)},
    )


@require_POST
def leave(request):
    """Forget on this phone what was written and looked up (a shared or borrowed phone). The
    draft itself stays resumable with its code until it expires."""
    for key in (DRAFT_KEY, RECEIPTS_KEY, STATUS_KEY):
        request.session.pop(key, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("portal:home")
    return HttpResponseRedirect(target)
