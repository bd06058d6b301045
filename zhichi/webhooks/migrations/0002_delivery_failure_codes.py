"""Delivery logs keep a failure code, no longer the network's technical reason (issue 12 item 4).

Older rows hold texts such as "ConnectionRefusedError: Connection refused" or "timeout", which
told a partner an open port from a closed one. They become the codes the log now shows as a
generic sentence; the codes are written out here, not imported, so that this migration keeps
meaning what it meant.
"""

from django.db import migrations

REVOKED = "revoked"
NOT_ALLOWED = "not_allowed"
NO_ANSWER = "no_answer"
HTTP_ERROR = "http_error"
REDIRECT = "redirect"
CODES = (REVOKED, NOT_ALLOWED, NO_ANSWER, HTTP_ERROR, REDIRECT)


def to_failure_codes(apps, schema_editor):
    delivery = apps.get_model("webhooks", "WebhookDelivery")
    rows = delivery.objects.exclude(last_error="").exclude(last_error__in=CODES)
    rows.filter(last_error="subscription revoked").update(last_error=REVOKED)
    rows.filter(last_error="target host not allowed").update(last_error=NOT_ALLOWED)
    http = rows.filter(last_error__startswith="HTTP ", last_status_code__isnull=False)
    http.filter(last_status_code__gte=300, last_status_code__lt=400).update(last_error=REDIRECT)
    http.update(last_error=HTTP_ERROR)
    rows.update(last_error=NO_ANSWER)  # whatever is left was a network error's text


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [migrations.RunPython(to_failure_codes, migrations.RunPython.noop)]
