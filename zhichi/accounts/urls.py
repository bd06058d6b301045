"""Pages for API tokens (every user who may hold them) and sign-in safety (the security
administrator), mounted under /account/ and /security/ by zhichi/urls.py."""

from django.urls import path

from zhichi.accounts import security_views as views

account_patterns = (
    [
        path("tokens/", views.my_tokens, name="tokens"),
        path("tokens/new/", views.token_create, name="token_create"),
        path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
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
    ],
    "security",
)
