from django.core.management.base import BaseCommand, CommandError

from zhichi.accounts.models import Organisation
from zhichi.accounts.services import set_admin_role
from zhichi.common.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Make USERNAME the system administrator (sysadmin), the security administrator "
        "(secadmin) or the auditor (auditor): the three administrators' roles are given here, "
        "on the server, never from a page (rule R5). A missing account is created (give "
        "--organisation) and its temporary password is the last line of output."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=["sysadmin", "secadmin", "auditor"])
        parser.add_argument("--organisation", default="", help="organisation code (new account)")
        parser.add_argument("--name", default="", help="the person's name (new account)")

    def handle(self, *args, username, role, organisation, name, **options):
        org = None
        if organisation:
            org = Organisation.objects.filter(code=organisation).first()
            if org is None:
                raise CommandError(f"no organisation with code {organisation!r}")
        try:
            _user, raw = set_admin_role(username=username, role=role, organisation=org, name=name)
        except InvalidInput as exc:
            raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from exc
        if raw is None:
            self.stdout.write(f"{username} is now {role}; their sessions and API tokens ended")
            return
        self.stderr.write(
            f"{username} created as {role}; temporary password (shown once, changed at the "
            "first sign-in):"
        )
        self.stdout.write(raw)
