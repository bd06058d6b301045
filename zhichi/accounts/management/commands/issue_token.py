from django.core.management.base import BaseCommand, CommandError

from zhichi.accounts.models import User
from zhichi.accounts.services import issue_token
from zhichi.common.errors import InvalidInput, NotPermitted


class Command(BaseCommand):
    help = (
        "Issue a new API token for USERNAME, valid for ZHICHI_TOKEN_DAYS days; the token is the "
        "last line of output. Refused for the three administrator roles."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="", help="what the token is for (default: issue_token)"
        )

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        try:
            issued = issue_token(user=user, name=name or "issue_token")
        except NotPermitted as exc:
            raise CommandError(f"no token for {username!r}: {exc}") from exc
        except InvalidInput as exc:
            raise CommandError(str(exc.detail)) from exc
        expires = issued.token.expires_at.date().isoformat()
        self.stderr.write(
            f"token for {username}, valid until {expires} (shown once; store it safely):"
        )
        self.stdout.write(issued.raw)
