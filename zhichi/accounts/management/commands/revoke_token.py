from django.core.management.base import BaseCommand, CommandError

from zhichi.accounts.models import ApiToken, User
from zhichi.accounts.services import TOKEN_PREFIX, revoke_token, revoke_tokens_of

PREFIX_LENGTH = 10  # what the token pages and the API show: the first 10 characters


class Command(BaseCommand):
    help = (
        "Revoke API tokens (they stop working at once), audited. TARGET beginning with zc_ is "
        "one token's prefix, its first 10 characters as the token pages show them (e.g. "
        "zc_AbC1234); any other TARGET is a user name, and every token of that user is revoked."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", metavar="PREFIX_OR_USERNAME")

    def handle(self, *args, target: str, **options):
        target = target.strip().rstrip("…").rstrip(".")
        if target.startswith(TOKEN_PREFIX):
            self._revoke_one(target)
            return
        user = User.objects.filter(username=target).first()
        if user is None:
            raise CommandError(f"no user named {target!r}")
        count = revoke_tokens_of(user=user, actor=None)
        self.stdout.write(f"{count} token(s) of {target} revoked")

    def _revoke_one(self, prefix: str) -> None:
        tokens = list(
            ApiToken.objects.select_related("user").filter(prefix=prefix[:PREFIX_LENGTH])[:2]
            if len(prefix) == PREFIX_LENGTH
            else ()
        )
        if not tokens:
            raise CommandError(
                f"no API token begins with {prefix!r}; nothing was revoked (give the first "
                f"{PREFIX_LENGTH} characters, as the token pages show them)"
            )
        if len(tokens) > 1:
            raise CommandError(
                f"more than one API token begins with {prefix!r}; nothing was revoked (revoke "
                "it from the security administrator's token page)"
            )
        token = tokens[0]
        if revoke_token(token=token, actor=None):
            self.stdout.write(f"token {token.prefix} of {token.user.username} revoked")
        else:
            self.stdout.write(f"token {token.prefix} of {token.user.username} was already revoked")
