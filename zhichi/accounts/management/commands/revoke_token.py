from django.core.management.base import BaseCommand, CommandError

from zhichi.accounts.models import User
from zhichi.accounts.services import revoke_tokens_of


class Command(BaseCommand):
    help = "Revoke every API token of USERNAME at once (they stop working); prints how many."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        count = revoke_tokens_of(user=user, actor=None)
        self.stdout.write(f"{count} token(s) of {username} revoked")
