from django.core.management.base import BaseCommand
from django.db import transaction

from zhichi.audit.services import record
from zhichi.cases.ledger import recount_totals
from zhichi.cases.models import Case


class Command(BaseCommand):
    help = (
        "Count every case's money totals (claimed, recovered, owed) again from its ledger and "
        "store those that differ. The app keeps them with every change to a case; run this "
        "after rows were changed outside the app (a restore of part of a database, a hand "
        "correction). Audited as case.money_recounted."
    )

    def handle(self, *args, **options):
        total = Case.objects.count()
        changed = recount_totals(Case.objects.all())
        with transaction.atomic():
            record(
                action="case.money_recounted",
                username="manage.py",
                detail={"cases": total, "changed": changed},
            )
        self.stdout.write(f"{total} case(s) counted, {changed} changed")
