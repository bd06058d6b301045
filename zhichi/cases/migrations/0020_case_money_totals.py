"""The ledger's totals kept on each case (issue 19: the employer profile from roll-ups).

On SQLite the columns are added with ``ALTER TABLE … ADD COLUMN``: Django would rebuild
cases_case to add a column with a default, and the rebuild drops the triggers that keep the
case search's FTS5 index (migration 0018)."""

from django.db import migrations, models

COLUMNS = ("claimed_total", "recovered_total", "owed_total")


def money_field(name):
    field = models.DecimalField(decimal_places=2, default=0, editable=False, max_digits=16)
    field.set_attributes_from_name(name)
    return field


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in COLUMNS:
            schema_editor.execute(
                f'ALTER TABLE "cases_case" ADD COLUMN "{name}" decimal NOT NULL DEFAULT 0'
            )
        return
    case = apps.get_model("cases", "Case")
    for name in COLUMNS:
        schema_editor.add_field(case, money_field(name))


def drop_columns(apps, schema_editor):
    for name in COLUMNS:
        schema_editor.execute(f'ALTER TABLE "cases_case" DROP COLUMN "{name}"')


def fill(apps, schema_editor):
    """The totals of the cases already on record, from their ledgers (C6). This runs the
    ledger's own code (``cases.ledger.recount_totals``) so that the figures are the ones every
    page shows; on a new database there is nothing to count."""
    from zhichi.cases.ledger import recount_totals
    from zhichi.cases.models import Case

    recount_totals(Case.objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_case_case_officer_open"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="case", name=name, field=money_field(name))
                for name in COLUMNS
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
