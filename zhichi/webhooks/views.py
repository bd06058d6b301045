"""Webhook pages: the organisation's subscriptions, the secret shown once, a subscription with its
delivery log. Thin: authorise, bind the form, call one service, render or redirect.

Another organisation's subscription is 404; a role that may not manage webhooks gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.webhooks import rules, services
from zhichi.webhooks.forms import SubscriptionForm

SUBSCRIPTIONS_PER_PAGE = 25
DELIVERIES_PER_PAGE = 25


def _ensure_manager(request, action: str, obj=None) -> None:
    try:
        rules.ensure_may_manage(request.user, action=action, obj=obj)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc


def _list_page(request, form: SubscriptionForm, *, status: int = 200):
    qs = rules.subscriptions_for(request.user).select_related("created_by").order_by("-id")
    page = Paginator(qs, SUBSCRIPTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/subscription_list.html",
        {"page_obj": page, "form": form},
        status=status,
    )


@login_required
@require_GET
def subscription_list(request):
    _ensure_manager(request, "webhook.list")
    return _list_page(request, SubscriptionForm(auto_id="id_new_%s"))


@never_cache  # the answer holds the secret: no cache may keep it
@login_required
@require_POST
def subscription_create(request):
    _ensure_manager(request, "webhook.create")
    form = SubscriptionForm(request.POST, auto_id="id_new_%s")
    try:
        created = services.create_subscription(actor=request.user, data=form.payload())
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except InvalidInput as exc:
        form.show_service_errors(exc)
        return _list_page(request, form, status=422)
    # Rendered, not redirected: the secret is shown once and kept nowhere (not in the session).
    return render(
        request,
        "webhooks/subscription_created.html",
        {"subscription": created.subscription, "secret": created.secret},
        status=200,
    )


@login_required
@require_GET
def subscription_detail(request, pk: int):
    subscription = rules.get_subscription_for(request.user, pk)
    _ensure_manager(request, "webhook.view", subscription)
    deliveries = subscription.deliveries.order_by("-id")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/subscription_detail.html",
        {"subscription": subscription, "page_obj": page},
    )


@login_required
@require_POST
def subscription_revoke(request, pk: int):
    subscription = rules.get_subscription_for(request.user, pk)
    try:
        services.revoke_subscription(actor=request.user, subscription_id=subscription.pk)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("Subscription revoked: it receives no more events."))
    return redirect("webhooks:detail", pk=subscription.pk)


@login_required
@require_POST
def subscription_ping(request, pk: int):
    subscription = rules.get_subscription_for(request.user, pk)
    try:
        services.send_ping(actor=request.user, subscription_id=subscription.pk)
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except InvalidInput as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Test ping queued. Its delivery appears in the log below."))
    return redirect("webhooks:detail", pk=subscription.pk)
