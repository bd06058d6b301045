from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhichi.accounts import lockout
from zhichi.accounts.forms import LoginForm
from zhichi.accounts.models import Notification
from zhichi.accounts.notify import mark_notifications_read
from zhichi.common import request_guard
from zhichi.common.pagination import paginate


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.remember_device(self.request, response, form.get_user())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            # too early after failed attempts for this username (issue 12 item 7)
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


def error_400(request, exception=None):
    return request_guard.error_answer(request, 400)


def error_403(request, exception=None):
    # a service's refusal says why in words for the user (NotPermitted → PermissionDenied)
    return request_guard.error_answer(request, 403, detail=str(exception or ""))


def csrf_failure(request, reason=""):
    """Our 403 page instead of Django's for a form without a valid CSRF token (usually one left
    open too long, or sent after signing in again elsewhere)."""
    return request_guard.error_answer(
        request,
        403,
        detail=_(
            "This form has expired or did not come from this site. Nothing was saved. "
            "Reload the page and send the form again."
        ),
    )


def error_404(request, exception=None):
    return request_guard.error_answer(request, 404)


def error_500(request):
    if request_guard.is_api(request):
        return request_guard.error_answer(request, 500)
    # Django renders this page with an empty context on purpose: nothing here may fail again
    return HttpResponseServerError(loader.get_template("500.html").render())


@login_required
def notifications(request):
    """The user's own notifications, newest first. Reading them changes nothing (a GET never
    does): each unread one has a "mark as read" button, and the page a "mark all read"."""
    qs = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = paginate(request, qs, 30)
    unread = {n.pk for n in page if n.read_at is None}
    return render(
        request,
        "accounts/notifications.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "unread": unread,
            "any_unread": qs.filter(read_at__isnull=True).exists(),
        },
    )


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (``id``) or all of the user's own notifications read."""
    raw = request.POST.get("id", "")
    notification_id = int(raw) if raw.isdigit() and len(raw) < 19 else None
    if raw and notification_id is None:
        return request_guard.error_answer(request, 400)
    mark_notifications_read(user=request.user, notification_id=notification_id)
    page = request.POST.get("page", "")
    target = reverse("notifications")
    return redirect(f"{target}?page={page}" if page.isdigit() and len(page) < 9 else target)
