"""Changes below the application, as someone with the database owner's rights could make them."""

from __future__ import annotations

from django.db import connection

from zhichi.audit.models import AuditChainHead


def raw(sql: str, params=()) -> None:
    """SQL below the application, as someone with the database's owner rights would run it (on
    PostgreSQL that includes switching the append-only trigger off first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only"
            )


def head_values() -> tuple:
    return AuditChainHead.objects.values_list("count", "last_id", "last_hash", "mac").get(pk=1)


def set_head(count: int, last_id: int, last_hash: str, mac: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditchainhead SET count = %s, last_id = %s, last_hash = %s, mac = %s "
            "WHERE id = 1",
            [count, last_id, last_hash, mac],
        )
