from django.core.management.base import BaseCommand

from zhichi.imports.services import resume_stalled


class Command(BaseCommand):
    help = (
        "Queue again the imports whose worker stopped (killed, or the machine restarted): each "
        "resumes from its last committed batch, with nothing lost or doubled (rule R9). Run it "
        "every few minutes (cron or a systemd timer) and when the workers start."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stopped",
            action="store_true",
            help="no worker runs now (the workers are about to start): resume every unfinished "
            "import, however recent its last progress",
        )

    def handle(self, *args, stopped: bool, **options):
        found = resume_stalled(stale_seconds=0 if stopped else None)
        self.stdout.write(f"resumed {len(found)} import(s)" + (f": {found}" if found else ""))
