from django.core.management.base import BaseCommand, CommandError

from zhichi.accounts.models import User
from zhichi.accounts.services import issue_token


class Command(BaseCommand):
    help = "Issue a new API token for USERNAME; the token is the last line of output."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is disabled")
        issued = issue_token(user=user, name=name or "issue_token")
        self.stderr.write(f"token for {username} (shown once; store it safely):")
        self.stdout.write(issued.raw)
