from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhichi.accounts import lockout
from zhichi.accounts.forms import LoginForm
from zhichi.accounts.models import Notification


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


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)


@login_required
def notifications(request):
    """The user's own notifications, newest first; opening the page marks them read."""
    qs = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    unread = [n.pk for n in page if n.read_at is None]
    response = render(
        request,
        "accounts/notifications.html",
        {"page_obj": page, "paginator": page.paginator, "unread": set(unread)},
    )
    if unread:
        Notification.objects.filter(pk__in=unread, user=request.user).update(read_at=timezone.now())
    return response
