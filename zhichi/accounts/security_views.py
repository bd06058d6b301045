"""Pages for API tokens and sign-in safety (issue 12 items 7, 8, 12). Thin: authorise, bind a form,
call one service, render or redirect.

- "My API tokens": every user who may hold tokens (not the three administrators, who get 403)
  lists, creates and revokes their own; someone else's token is 404.
- The security administrator's pages: sign-in locks (with Unlock), everyone's tokens (with
  Revoke), and users (with Disable / Enable). Every other role gets 403, audited.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhichi.accounts import lockout, rules, services
from zhichi.accounts.forms import TokenFilterForm, TokenForm, UserFilterForm
from zhichi.accounts.models import ApiToken, User
from zhichi.common.steps import run_step

PER_PAGE = 25


def _allowed(check, user, **kwargs) -> None:
    check(user, **kwargs)  # NotPermitted is the 403 page, with its reason


# --- My API tokens -----------------------------------------------------------------------------
def _my_tokens_page(request, form: TokenForm, *, status: int = 200):
    qs = rules.own_tokens(request.user).order_by("-created_at", "-id")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/token_list.html",
        {"page_obj": page, "form": form, "token_days": settings.ZHICHI_TOKEN_DAYS},
        status=status,
    )


@login_required
@require_GET
def my_tokens(request):
    _allowed(rules.ensure_may_hold_tokens, request.user, action="token.list")
    return _my_tokens_page(request, TokenForm())


@never_cache  # the answer holds the token: no cache may keep it
@login_required
@require_POST
def token_create(request):
    _allowed(rules.ensure_may_hold_tokens, request.user, action="token.issue")
    form = TokenForm(request.POST)
    # Rendered, not redirected: the token is shown once and kept nowhere (not in the session).
    return run_step(
        request,
        call=lambda: services.issue_token(
            user=request.user, name=form.payload(), actor=request.user
        ),
        back=reverse("accounts:tokens"),
        form=form,
        failed=lambda _exc: _my_tokens_page(request, form, status=422),
        answer=lambda issued: render(
            request, "accounts/token_created.html", {"token": issued.token, "raw": issued.raw}
        ),
        moved_on_goes_back=False,
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = rules.get_own_token_for(request.user, pk)  # someone else's: 404
    _allowed(rules.ensure_may_hold_tokens, request.user, action="token.revoke")
    if services.revoke_token(token=token, actor=request.user):
        messages.success(
            request,
            _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name},
        )
    else:
        messages.info(request, _("This token was already revoked."))
    return redirect("accounts:tokens")


# --- the security administrator: sign-in locks ------------------------------------------------
class UnlockForm(forms.Form):
    username = forms.CharField(max_length=255)
    ip_address = forms.GenericIPAddressField(required=False)
    every_client = forms.BooleanField(required=False)


def _locks_page(request, *, status: int = 200):
    locks = Paginator(lockout.locks(), PER_PAGE).get_page(request.GET.get("page"))
    delays = Paginator(lockout.delays(), PER_PAGE).get_page(request.GET.get("delays_page"))
    return render(
        request,
        "accounts/security_locks.html",
        {
            "page_obj": locks,
            "locks": [lockout.lock_row(r) for r in locks],
            "delays_page": delays,
            "delays": [lockout.delay_row(r) for r in delays],
        },
        status=status,
    )


@login_required
@require_GET
def security_locks(request):
    _allowed(rules.ensure_security_admin, request.user, action="auth.locks.view")
    return _locks_page(request)


@login_required
@require_POST
def security_unlock(request):
    _allowed(rules.ensure_security_admin, request.user, action="auth.unlock")
    form = UnlockForm(request.POST)
    every = form.is_valid() and form.cleaned_data["every_client"]
    if not form.is_valid() or not (every or form.cleaned_data["ip_address"]):
        messages.error(request, _("Choose a lock from the list to lift; nothing was changed."))
        return _locks_page(request, status=422)
    username = form.cleaned_data["username"]
    services.unlock_login(
        username=username,
        ip_address=None if every else form.cleaned_data["ip_address"],
        actor=request.user,
    )
    if every:
        text = _("Every failed attempt for “%(username)s” is cleared: it signs in without waiting.")
    else:
        text = _("“%(username)s” can sign in again from %(ip)s.")
    messages.success(request, text % {"username": username, "ip": form.cleaned_data["ip_address"]})
    return redirect("security:locks")


# --- the security administrator: everyone's tokens --------------------------------------------
@login_required
@require_GET
def security_tokens(request):
    _allowed(rules.ensure_security_admin, request.user, action="token.list")
    filters = TokenFilterForm(request.GET or None)
    qs = ApiToken.objects.select_related("user", "user__organisation").order_by(
        "-created_at", "-id"
    )
    if filters.is_valid():
        if filters.cleaned_data["user"]:
            qs = qs.filter(user__username=filters.cleaned_data["user"].strip())
        if filters.cleaned_data["state"]:
            qs = qs.in_state(filters.cleaned_data["state"])
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/security_tokens.html", {"page_obj": page, "filters": filters})


@login_required
@require_POST
def security_token_revoke(request, pk: int):
    token = rules.get_any_token_for(request.user, pk)  # 403 for other roles, 404 if missing
    if services.revoke_token(token=token, actor=request.user):
        messages.success(
            request,
            _("Token %(prefix)s… of %(username)s revoked.")
            % {"prefix": token.prefix, "username": token.user.username},
        )
    else:
        messages.info(request, _("This token was already revoked."))
    return redirect("security:tokens")


# --- the security administrator: users ---------------------------------------------------------
@login_required
@require_GET
def security_users(request):
    _allowed(rules.ensure_security_admin, request.user, action="user.list")
    return _users_page(request)


def _users_page(request, *, status: int = 200):
    filters = UserFilterForm(request.GET or None)
    qs = User.objects.select_related("organisation", "department").order_by("username")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["organisation"]:
            qs = qs.filter(organisation=data["organisation"])
        if data["role"]:
            qs = qs.filter(role=data["role"])
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(
                Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
            )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security_users.html",
        {"page_obj": page, "filters": filters},
        status=status,
    )


@login_required
@require_POST
def security_user_active(request, pk: int):
    _allowed(rules.ensure_security_admin, request.user, action="user.set_active")
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, _("Choose Disable or Enable; nothing was changed."))
        return _users_page(request, status=422)
    active = wanted == "1"
    changed = services.set_user_active(user=user, active=active, actor=request.user)
    if not changed:
        messages.info(request, _("Nothing to do: the account was already in that state."))
    elif active:
        messages.success(
            request,
            _("%(username)s is enabled. Old sessions and API tokens stay ended.")
            % {"username": user.username},
        )
    else:
        messages.success(
            request,
            _("%(username)s is disabled: signed out everywhere, every API token revoked.")
            % {"username": user.username},
        )
    return redirect("security:users")
