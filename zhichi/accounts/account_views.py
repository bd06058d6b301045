"""The user's own sign-in safety (rule R6): the second step of sign-in (a code), setting up the
authenticator app, recovery codes, and changing the password. Thin: bind a form, call one
service (``twofactor``, ``passwords``), render or redirect.

These pages are reachable before the second factor is given (``open_before_verified``), except
the password page, which needs it; the access gate sends a signed-in user here first.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhichi.accounts import passwords, twofactor
from zhichi.accounts.forms import CodeForm, PasswordChangeForm
from zhichi.accounts.middleware import open_before_password_change, open_before_verified
from zhichi.common.errors import InvalidInput


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workbench")


def _with_next(url: str, request) -> str:
    # the next page in the query string, encoded whole (its own query string included)
    return f"{url}?{urlencode({'next': _next(request)})}"


def _gated(request) -> None:
    # the page is shown without the navigation: nothing else is open yet
    request.zhichi_gated = True


@open_before_verified
@login_required
@require_http_methods(["GET", "POST"])
def login_verify(request):
    """The second step of sign-in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if twofactor.verified(request, user):
        return redirect(_next(request))
    if twofactor.confirmed_device(user) is None:
        return redirect(_with_next(reverse("accounts:two_factor"), request))
    _gated(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            method = twofactor.verify(request=request, user=user, code=request.POST.get("code"))
        except InvalidInput as exc:
            form.show_service_errors(exc)
            status = 422
        else:
            if method == "recovery":
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)d are left. Make new ones "
                        "from “Sign-in safety” if you are running out."
                    )
                    % {"left": left},
                )
            return redirect(_next(request))
    return render(
        request,
        "accounts/login_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@open_before_verified
@login_required
@require_GET
def two_factor(request):
    """Sign-in safety: set up the authenticator (QR code and confirm), or, once set up, the
    recovery codes left and a way to make new ones."""
    user = request.user
    device = twofactor.confirmed_device(user)
    if device is not None and not twofactor.verified(request, user):
        return redirect(_with_next(reverse("login_verify"), request))
    if device is None:
        _gated(request)
    pending = twofactor.pending_device(user) if device is None else None
    return render(
        request,
        "accounts/two_factor.html",
        {
            "device": device,
            "pending": pending,
            "qr": twofactor.qr_svg(pending) if pending else "",
            "secret": twofactor.secret_text(pending) if pending else "",
            "form": CodeForm(),
            "left": twofactor.recovery_codes_left(user) if device else 0,
            "next": _next(request),
            "exempt": passwords.demo_exempt(user),
        },
    )


@open_before_verified
@login_required
@require_POST
def two_factor_start(request):
    try:
        twofactor.start_enrolment(user=request.user)
    except InvalidInput as exc:
        messages.info(request, "；".join(str(e.message) for e in exc.errors))
    return redirect(_with_next(reverse("accounts:two_factor"), request))


@open_before_verified
@login_required
@require_POST
def two_factor_confirm(request):
    user = request.user
    form = CodeForm(request.POST)
    try:
        enrolled = twofactor.confirm_enrolment(
            request=request, user=user, code=request.POST.get("code")
        )
    except InvalidInput as exc:
        form.show_service_errors(exc)
        _gated(request)
        pending = twofactor.pending_device(user)
        return render(
            request,
            "accounts/two_factor.html",
            {
                "device": None,
                "pending": pending,
                "qr": twofactor.qr_svg(pending) if pending else "",
                "secret": twofactor.secret_text(pending) if pending else "",
                "form": form,
                "next": _next(request),
            },
            status=422,
        )
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": enrolled.recovery_codes, "next": _next(request), "first_time": True},
    )


@login_required
@require_POST
def recovery_codes_renew(request):
    try:
        codes = twofactor.renew_recovery_codes(user=request.user)
    except InvalidInput as exc:  # no authenticator set up: recovery codes would open nothing
        messages.error(request, "；".join(str(e.message) for e in exc.errors))
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:two_factor"), "first_time": False},
    )


@open_before_password_change
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """The user changes their password: when they want, when it expired, or after the security
    administrator reset it."""
    user = request.user
    due = passwords.password_expired(user) and not passwords.demo_exempt(user)
    if due:
        _gated(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST":
        try:
            passwords.change_own_password(
                user=user,
                old=request.POST.get("old_password", ""),
                new=request.POST.get("new_password1", ""),
                again=request.POST.get("new_password2", ""),
            )
        except InvalidInput as exc:
            form.show_service_errors(exc)
        else:
            update_session_auth_hash(request, user)  # this session stays; every other one ends
            messages.success(
                request,
                _("Your password is changed. You are signed out everywhere else."),
            )
            return redirect(_next(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "due": due,
            "reset": user.must_change_password,
            "policy": passwords.current_policy(),
            "next": _next(request),
        },
        status=422 if request.method == "POST" else 200,
    )
