from django.urls import include, path
from django.views.i18n import set_language

from zhichi import workbench
from zhichi.accounts import account_views as own_account
from zhichi.accounts import urls as account_urls
from zhichi.accounts import views as account_views
from zhichi.accounts.middleware import open_before_verified
from zhichi.api import api
from zhichi.employers import urls as employer_urls

urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    # open before the second factor is given (rule R6): signing in, its second step, signing out,
    # the language
    path("login/", open_before_verified(account_views.LoginView.as_view()), name="login"),
    path("login/verify/", own_account.login_verify, name="login_verify"),
    path("logout/", open_before_verified(account_views.logout_view), name="logout"),
    path("notifications/", account_views.notifications, name="notifications"),
    path("notifications/read/", account_views.notifications_read, name="notifications_read"),
    path("account/", include(account_urls.account_patterns)),
    path("security/", include(account_urls.security_patterns)),
    path("system/", include("zhichi.consoles.urls_system")),
    path("audit/", include("zhichi.consoles.urls_audit")),
    path("i18n/setlang/", open_before_verified(set_language), name="set_language"),
    path("leads/", include("zhichi.intake.urls")),
    path("imports/", include("zhichi.imports.urls")),
    path("cases/", include("zhichi.cases.urls")),
    path("tools/", include("zhichi.rulebook.urls")),
    path("attachments/", include("zhichi.evidence.urls")),
    path("transfers/", include("zhichi.transfers.urls")),
    path("integrations/webhooks/", include("zhichi.webhooks.urls")),
    path("joint-actions/", include(employer_urls.joint_action_patterns)),
    path("employers/", include(employer_urls.employer_patterns)),
    path("assistance/", include("zhichi.assistance.urls")),
    path("supervision/", include("zhichi.supervision.urls")),
    path("documents/", include("zhichi.documents.urls")),
    path("stats/", include("zhichi.stats.urls")),
    path("exports/", include("zhichi.stats.urls_exports")),
    path("api/v1/", api.urls),
    # the public portal: no account (issue 18)
    path("portal/", include("zhichi.portal.urls")),
]

handler400 = "zhichi.accounts.views.error_400"
handler403 = "zhichi.accounts.views.error_403"
handler404 = "zhichi.accounts.views.error_404"
handler500 = "zhichi.accounts.views.error_500"
