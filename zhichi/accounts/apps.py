from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhichi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # connects the audit of sign-in locks (rule R7) to django-axes' signal
        # connects the sessions' rows to the sign-in and sign-out signals (rule R6)
        from zhichi.accounts import (
            lockout,  # noqa: F401
            sessions,  # noqa: F401
        )

        # the deployment's own checks (the data directory)
        from zhichi.accounts.api_auth import purge_idempotency_records
        from zhichi.common import checks, purges  # noqa: F401

        purges.register("idempotency records", purge_idempotency_records)
