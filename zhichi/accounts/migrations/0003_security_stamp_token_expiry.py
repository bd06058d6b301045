# Issue 12 items 8 and 12: a per-user security stamp in the session hash; every API token has a
# name and an expiry (tokens stored without one get created_at + 90 days, the default lifetime).
# The columns become required in 0004: on PostgreSQL a table cannot be altered in the transaction
# that updated its rows (pending deferred foreign-key checks).

from datetime import timedelta

from django.db import migrations, models

LIFETIME = timedelta(days=90)


def give_every_token_a_name_and_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + LIFETIME)
    for token in ApiToken.objects.filter(name="").only("pk", "prefix"):
        ApiToken.objects.filter(pk=token.pk).update(name=f"token {token.prefix}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_notification'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='security_stamp',
            field=models.CharField(blank=True, default='', editable=False, max_length=32),
        ),
        migrations.RunPython(give_every_token_a_name_and_an_expiry, migrations.RunPython.noop),
    ]
