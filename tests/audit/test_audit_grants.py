"""Rule R7 on PostgreSQL: the application's database role cannot change or delete audit rows
(``manage.py audit_grants``, docs/deployment.md "Database roles")."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zhichi.audit.models import AuditEntry
from zhichi.audit.services import record

pytestmark = [pytest.mark.integration]


def _connect_as(role: str, password: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        dbname=s["NAME"],
        user=role,
        password=password,
        autocommit=True,
    )


@pytest.fixture
def app_role(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's; SQLite relies on the hash chain")
    role = f"zhichi_app_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", [password])
    yield role, password
    with connection.cursor() as cursor:
        # what the command granted, taken back by the tables' owner (DROP OWNED BY would need
        # the role's own privileges, which a CREATEROLE owner lacks before PostgreSQL 16)
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
        cursor.execute(f"REVOKE ALL ON SCHEMA public FROM {role}")
        cursor.execute(f"DROP ROLE {role}")


def test_r7_the_app_role_cannot_update_delete_or_truncate_the_audit_trail(app_role, capsys):
    role, password = app_role
    record(action="test.before", username="t")
    call_command("audit_grants", role)
    assert "SELECT, INSERT only" in capsys.readouterr().out
    assert AuditEntry._meta.db_table == "audit_auditentry"
    with _connect_as(role, password) as conn:
        # the application's ordinary work still goes through
        assert conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM accounts_user").fetchone()[0] >= 0
        for statement in (
            "UPDATE audit_auditentry SET username = 'x'",
            "DELETE FROM audit_auditentry",
            "TRUNCATE audit_auditentry",
            "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert AuditEntry.objects.filter(action="audit.grants", detail__role=role).exists()
    call_command("audit_grants", role, "--check")  # the check alone passes


def test_r7_check_fails_while_the_role_can_change_the_trail(app_role):
    role, _password = app_role
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON {AuditEntry._meta.db_table} TO {role}")
    with pytest.raises(CommandError, match="can still UPDATE, DELETE, TRUNCATE"):
        call_command("audit_grants", role, "--check")


def test_r7_refuses_the_owner_role_and_odd_names(app_role):
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="owns the tables or is a superuser"):
        call_command("audit_grants", owner)
    with pytest.raises(CommandError, match="role name"):
        call_command("audit_grants", 'x"; DROP TABLE audit_auditentry; --')
    with pytest.raises(CommandError, match="no role named"):
        call_command("audit_grants", "no_such_role_here")


@pytest.mark.django_db
def test_r7_audit_grants_is_for_postgresql_only():
    if connection.vendor == "postgresql":
        pytest.skip("this is the SQLite answer")
    with pytest.raises(CommandError, match="for PostgreSQL"):
        call_command("audit_grants", "zhichi_app")
