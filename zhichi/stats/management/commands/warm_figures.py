from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhichi.stats import figcache, warming


class Command(BaseCommand):
    help = (
        "Count the statistics dashboard's figures ahead for every audience with a reader signed "
        "in lately, so that no reader waits for them (issue 19). Run from a timer more often "
        "than ZHICHI_STATS_CACHE_SECONDS, with ZHICHI_CACHE_URL set: the figures must reach "
        "every app server (docs/deployment.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--active-days",
            type=int,
            default=7,
            help="count for the audiences with a reader signed in within this many days (7)",
        )

    def handle(self, *args, active_days: int, **options):
        if active_days < 1:
            raise CommandError("--active-days must be at least 1")
        if not settings.ZHICHI["STATS_CACHE_SECONDS"]:
            self.stdout.write(
                "ZHICHI_STATS_CACHE_SECONDS is 0: figures are not kept, nothing to do"
            )
            return
        if not figcache.shared():
            raise CommandError(
                "the cache is each process's own memory: figures counted here would reach no app "
                "server. Set ZHICHI_CACHE_URL to the Redis every app server uses."
            )
        since = timezone.now() - timedelta(days=active_days)
        warmed = warming.warm(timezone.localdate(), since)
        self.stdout.write(
            f"counted the figures of {warmed.audiences} audiences in {warmed.seconds:.1f} s"
        )
        if warmed.failed:
            raise CommandError(f"counting failed for {len(warmed.failed)} audiences (see the log)")
