"""Pages for API tokens (every user who may hold them) and sign-in safety (the security
administrator), mounted under /account/ and /security/ by zhichi/urls.py."""

from django.urls import path

from zhichi.accounts import account_views
from zhichi.accounts import security_views as views

account_patterns = (
    [
        path("tokens/", views.my_tokens, name="tokens"),
        path("tokens/new/", views.token_create, name="token_create"),
        path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
        path("two-factor/", account_views.two_factor, name="two_factor"),
        path("two-factor/start/", account_views.two_factor_start, name="two_factor_start"),
        path("two-factor/confirm/", account_views.two_factor_confirm, name="two_factor_confirm"),
        path(
            "two-factor/recovery-codes/",
            account_views.recovery_codes_renew,
            name="recovery_codes_renew",
        ),
        path("password/", account_views.password_change, name="password"),
    ],
    "accounts",
)

security_patterns = (
    [
        path("locks/", views.security_locks, name="locks"),
        path("locks/unlock/", views.security_unlock, name="unlock"),
        path("tokens/", views.security_tokens, name="tokens"),
        path("tokens/<int:pk>/revoke/", views.security_token_revoke, name="token_revoke"),
        path("users/", views.security_users, name="users"),
        path("users/<int:pk>/active/", views.security_user_active, name="user_active"),
        path("users/new/", views.security_user_new, name="user_new"),
        path("users/<int:pk>/", views.security_user, name="user"),
        path("users/<int:pk>/edit/", views.security_user_edit, name="user_edit"),
        path("users/<int:pk>/password/", views.security_user_password, name="user_password"),
        path(
            "users/<int:pk>/two-factor/reset/",
            views.security_user_two_factor_reset,
            name="user_two_factor_reset",
        ),
        path("sessions/", views.security_sessions, name="sessions"),
        path("sessions/<int:pk>/end/", views.security_session_end, name="session_end"),
        path("password-policy/", views.security_password_policy, name="password_policy"),
    ],
    "security",
)
