"""Give the application's PostgreSQL role what it needs, and no UPDATE, DELETE or TRUNCATE on the
audit trail (rule R7, docs/deployment.md "Database roles").

Run it as the role that owns the tables (the one ``migrate`` runs as), after every ``migrate``:

    ZHICHI_DATABASE_URL=postgres://zhichi_owner@db/zhichi python manage.py audit_grants zhichi_app

It grants the application role SELECT, INSERT, UPDATE and DELETE on every table and the use of
every sequence, then revokes UPDATE, DELETE and TRUNCATE on ``audit_auditentry``, and checks the
result with ``has_table_privilege``. ``--check`` only checks (exit 1 when the role could change
the trail). The trigger the audit migration installs refuses changes too; the grants also stop a
role that could drop the trigger, as the tables' owner can.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhichi.audit.models import AuditEntry
from zhichi.audit.services import record

FORBIDDEN = ("UPDATE", "DELETE", "TRUNCATE")
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def privileges(role: str, table: str) -> dict[str, bool]:
    with connection.cursor() as cursor:
        return {
            p: bool(
                cursor.execute(
                    "SELECT has_table_privilege(%s, %s, %s)", [role, table, p]
                ).fetchone()[0]
            )
            for p in ("SELECT", "INSERT", *FORBIDDEN)
        }


class Command(BaseCommand):
    help = (
        "PostgreSQL: grant the application role its privileges and revoke UPDATE, DELETE and "
        "TRUNCATE on the audit trail. Run as the tables' owner after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as")
        parser.add_argument(
            "--check", action="store_true", help="only check; exit 1 when the role can change it"
        )

    def handle(self, *args, role: str, check: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "audit_grants is for PostgreSQL. On SQLite the application is the database file's "
                "only user: the trail is protected by its hash chain and anchors (verify_audit)."
            )
        if not ROLE_NAME.match(role):
            raise CommandError("a role name is lower-case letters, digits and _ (e.g. zhichi_app)")
        table = AuditEntry._meta.db_table
        with connection.cursor() as cursor:
            exists = cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if not exists:
                raise CommandError(f"no role named {role!r}")
            owner = cursor.execute(
                "SELECT tableowner FROM pg_tables WHERE tablename = %s", [table]
            ).fetchone()[0]
            superuser = cursor.execute(
                "SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role]
            ).fetchone()[0]
        if role == owner or superuser:
            raise CommandError(
                f"{role!r} owns the tables or is a superuser: it can always change the audit "
                "trail. The application must connect as a role of its own (docs/deployment.md)."
            )
        if not check:
            quoted = connection.ops.quote_name(role)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
                cursor.execute(
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                    f"TO {quoted}"
                )
                cursor.execute(
                    f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}"
                )
                cursor.execute(
                    f"REVOKE UPDATE, DELETE, TRUNCATE ON {connection.ops.quote_name(table)} "
                    f"FROM {quoted}, PUBLIC"
                )
        held = privileges(role, table)
        can_change = [p for p in FORBIDDEN if held[p]]
        if can_change:
            raise CommandError(f"{role!r} can still {', '.join(can_change)} {table}")
        if not (held["SELECT"] and held["INSERT"]):
            raise CommandError(f"{role!r} cannot SELECT and INSERT {table}: the app cannot audit")
        if not check:
            record(action="audit.grants", username="manage.py", detail={"role": role})
        self.stdout.write(f"{role}: {table} SELECT, INSERT only (no UPDATE, DELETE, TRUNCATE)")
