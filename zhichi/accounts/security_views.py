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
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhichi.accounts import lockout, passwords, rules, services, sessions, twofactor
from zhichi.accounts.forms import (
    PasswordPolicyForm,
    SessionFilterForm,
    TokenFilterForm,
    TokenForm,
    UserFilterForm,
    UserForm,
)
from zhichi.accounts.models import ApiToken, Department, Organisation, User, UserSession
from zhichi.common.errors import InvalidInput
from zhichi.common.pagination import paginate
from zhichi.common.scoping import get_or_404
from zhichi.common.steps import run_step

PER_PAGE = 25


def _allowed(check, user, **kwargs) -> None:
    check(user, **kwargs)  # NotPermitted is the 403 page, with its reason


# --- My API tokens -----------------------------------------------------------------------------
def _my_tokens_page(request, form: TokenForm, *, status: int = 200):
    qs = rules.own_tokens(request.user).order_by("-created_at", "-id")
    page = paginate(request, qs, PER_PAGE)
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
    locks = paginate(request, lockout.locks(), PER_PAGE)
    delays = paginate(request, lockout.delays(), PER_PAGE, param="delays_page")
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
    page = paginate(request, qs, PER_PAGE)
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
    page = paginate(request, qs, PER_PAGE)
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


def _user_for(request, pk: int, *, action: str) -> User:
    _allowed(rules.ensure_security_admin, request.user, action=action)
    return get_or_404(User.objects.select_related("organisation", "department"), pk)


def _membership(form_data) -> services.Membership:
    def pick(model, raw):
        raw = str(raw or "")
        return (
            model.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
        )

    return services.Membership(
        role=str(form_data.get("role", "")),
        organisation=pick(Organisation, form_data.get("organisation")),
        department=pick(Department, form_data.get("department")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def security_user_new(request):
    """Open an account: one role in one organisation, and a temporary password shown once."""
    _allowed(rules.ensure_security_admin, request.user, action="user.create")
    form = UserForm(request.POST or None)
    if request.method == "GET":
        return render(request, "accounts/security_user_new.html", {"form": form})
    try:
        made = services.create_user(
            actor=request.user,
            username=request.POST.get("username", ""),
            membership=_membership(request.POST),
            first_name=request.POST.get("first_name", ""),
            phone=request.POST.get("phone", ""),
        )
    except InvalidInput as exc:
        form.show_service_errors(exc)
        return render(request, "accounts/security_user_new.html", {"form": form}, status=422)
    return _temporary_password_page(request, made, created=True)


def _temporary_password_page(request, made, *, created: bool):
    # rendered, not redirected: the password is shown once and kept nowhere
    return render(
        request,
        "accounts/security_temporary_password.html",
        {"target": made.user, "raw": made.raw, "created": created},
    )


def _user_page(request, target: User, form: UserForm | None = None, *, status: int = 200):
    editable = target.pk != request.user.pk and not target.is_admin_role
    if form is None:
        form = UserForm(
            initial={
                "first_name": target.first_name,
                "organisation": target.organisation_id,
                "department": target.department_id,
                "role": target.role,
                "phone": target.phone,
            },
            editing=True,
        )
    live = sessions.live().filter(user=target).order_by("-last_seen_at")
    return render(
        request,
        "accounts/security_user.html",
        {
            "target": target,
            "form": form,
            "editable": editable,
            "live_sessions": live,
            "has_authenticator": twofactor.confirmed_device(target) is not None,
            "recovery_left": twofactor.recovery_codes_left(target),
            "password_due": passwords.password_expired(target),
        },
        status=status,
    )


@login_required
@require_GET
def security_user(request, pk: int):
    target = _user_for(request, pk, action="user.view")
    return _user_page(request, target)


@login_required
@require_POST
def security_user_edit(request, pk: int):
    target = _user_for(request, pk, action="user.update")
    form = UserForm(request.POST, editing=True)
    try:
        changed = services.update_user(
            actor=request.user,
            user=target,
            membership=_membership(request.POST),
            first_name=request.POST.get("first_name", ""),
            last_name=target.last_name,
            phone=request.POST.get("phone", ""),
        )
    except InvalidInput as exc:
        form.show_service_errors(exc)
        return _user_page(request, target, form, status=422)
    if changed:
        messages.success(request, _("%(username)s is updated.") % {"username": target.username})
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect("security:user", pk=target.pk)


@login_required
@require_POST
def security_user_password(request, pk: int):
    target = _user_for(request, pk, action="user.password_reset")
    made = services.reset_password(actor=request.user, user=target)
    return _temporary_password_page(request, made, created=False)


@login_required
@require_POST
def security_user_two_factor_reset(request, pk: int):
    target = _user_for(request, pk, action="auth.otp_reset")
    twofactor.reset(actor=request.user, user=target)
    messages.success(
        request,
        _(
            "%(username)s's authenticator and recovery codes are removed and their sessions "
            "ended. They set up a new authenticator at their next sign-in."
        )
        % {"username": target.username},
    )
    return redirect("security:user", pk=target.pk)


# --- the security administrator: sessions ------------------------------------------------------
@login_required
@require_GET
def security_sessions(request):
    _allowed(rules.ensure_security_admin, request.user, action="auth.sessions.view")
    filters = SessionFilterForm(request.GET or None)
    qs = (
        sessions.live()
        .select_related("user", "user__organisation")
        .order_by("-last_seen_at", "-id")
    )
    if filters.is_valid() and filters.cleaned_data["user"]:
        qs = qs.filter(user__username=filters.cleaned_data["user"].strip())
    page = paginate(request, qs, PER_PAGE)
    return render(
        request, "accounts/security_sessions.html", {"page_obj": page, "filters": filters}
    )


@login_required
@require_POST
def security_session_end(request, pk: int):
    _allowed(rules.ensure_security_admin, request.user, action="auth.session_end")
    row = get_or_404(UserSession.objects.select_related("user"), pk)
    if sessions.end_session(actor=request.user, user_session=row):
        messages.success(
            request,
            _("The session of %(username)s is ended: its next request is signed out.")
            % {"username": row.user.username},
        )
    else:
        messages.info(request, _("This session had already ended."))
    back = request.POST.get("back", "")
    if back == "user":
        return redirect("security:user", pk=row.user_id)
    return redirect("security:sessions")


# --- the security administrator: the password policy -------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def security_password_policy(request):
    _allowed(rules.ensure_security_admin, request.user, action="auth.password_policy")
    policy = passwords.current_policy()
    form = PasswordPolicyForm(
        request.POST or None,
        initial={name: getattr(policy, name) for name in passwords.POLICY_FIELDS},
    )
    status = 200
    if request.method == "POST":
        try:
            passwords.save_policy(actor=request.user, values=request.POST)
        except InvalidInput as exc:
            form.show_service_errors(exc)
            status = 422
        else:
            messages.success(request, _("The password policy is saved."))
            return redirect("security:password_policy")
    return render(
        request,
        "accounts/security_password_policy.html",
        {"form": form, "floors": passwords.FLOORS, "policy": policy},
        status=status,
    )
