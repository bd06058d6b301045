"""Webhook pages: the organisation's subscriptions, the secret shown once, a subscription with its
delivery log. Thin: authorise, bind the form, call one service, render or redirect.

Another organisation's subscription is 404; a role that may not manage webhooks gets 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.common.pagination import paginate
from zhichi.common.steps import run_step
from zhichi.webhooks import rules, services
from zhichi.webhooks.forms import SubscriptionForm
from zhichi.webhooks.models import WebhookSubscription

SUBSCRIPTIONS_PER_PAGE = 25
DELIVERIES_PER_PAGE = 25


def _ensure_manager(request, action: str, obj=None) -> None:
    rules.ensure_may_manage(request.user, action=action, obj=obj)  # NotPermitted: 403


def _list_page(request, form: SubscriptionForm, *, status: int = 200):
    qs = (
        WebhookSubscription.objects.visible_to(request.user)
        .select_related("created_by")
        .order_by("-id")
    )
    page = paginate(request, qs, SUBSCRIPTIONS_PER_PAGE)
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


@login_required
@require_POST
def subscription_create(request):
    _ensure_manager(request, "webhook.create")
    form = SubscriptionForm(request.POST, auto_id="id_new_%s")
    # Rendered, not redirected: the secret is shown once and kept nowhere (not in the session).
    return run_step(
        request,
        call=lambda: services.create_subscription(actor=request.user, data=form.payload()),
        back=reverse("webhooks:list"),
        form=form,
        failed=lambda _exc: _list_page(request, form, status=422),
        answer=lambda created: render(
            request,
            "webhooks/subscription_created.html",
            {"subscription": created.subscription, "secret": created.secret},
        ),
        moved_on_goes_back=False,
    )


@login_required
@require_GET
def subscription_detail(request, pk: int):
    subscription = rules.get_subscription_for(request.user, pk)
    _ensure_manager(request, "webhook.view", subscription)
    deliveries = subscription.deliveries.order_by("-id")
    page = paginate(request, deliveries, DELIVERIES_PER_PAGE)
    return render(
        request,
        "webhooks/subscription_detail.html",
        {"subscription": subscription, "page_obj": page},
    )


@login_required
@require_POST
def subscription_revoke(request, pk: int):
    subscription = rules.get_subscription_for(request.user, pk)
    return run_step(
        request,
        call=lambda: services.revoke_subscription(
            actor=request.user, subscription_id=subscription.pk
        ),
        back=subscription.get_absolute_url(),
        done=_("Subscription revoked: it receives no more events."),
    )


@login_required
@require_POST
def subscription_ping(request, pk: int):
    subscription = rules.get_subscription_for(request.user, pk)
    return run_step(
        request,
        call=lambda: services.send_ping(actor=request.user, subscription_id=subscription.pk),
        back=subscription.get_absolute_url(),
        done=_("Test ping queued. Its delivery appears in the log below."),
    )
