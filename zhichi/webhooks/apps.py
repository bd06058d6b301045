from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "zhichi.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from zhichi.parties import rotation
        from zhichi.webhooks.models import WebhookSubscription

        def reseal_secrets() -> int:
            changed = 0
            for sub in WebhookSubscription.objects.exclude(secret_enc="").only("pk", "secret_enc"):
                resealed = rotation.reseal_field(sub.secret_enc)
                if resealed != sub.secret_enc:
                    WebhookSubscription.objects.filter(pk=sub.pk).update(secret_enc=resealed)
                    changed += 1
            return changed

        rotation.register("webhook secrets", reseal_secrets)
