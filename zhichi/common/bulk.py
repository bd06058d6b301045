"""Inserting many rows at once, where the ORM's cost per object would be most of the work: the
workers of an imported list (100,000 rows in seconds, QUALITY.md P1). ``bulk_create`` builds a
model instance per row and prepares every value through the field's chain of methods; here a row
is a dict of column values and only the fields whose database form differs from the Python value
(dates, times, decimals, JSON) are converted, with the backend's own adapters. Everything else a
model does on save (signals, ``save()`` overrides, validation) is the caller's to have done:
use it only for models that have none of those, inside the caller's transaction. See
docs/decisions/0006-bulk-insert.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import NOT_PROVIDED

# field types whose Python value the database drivers take as it is
AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
MAX_PARAMS = 30_000  # per statement: below SQLite's 32,766 and PostgreSQL's 65,535


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if not f.primary_key]


def _default(field: models.Field) -> Callable[[], Any]:
    if field.default is NOT_PROVIDED:
        if field.null:
            return lambda: None
        return lambda: "" if field.empty_strings_allowed else None
    if callable(field.default):
        return field.default  # per row: a receipt code, a timestamp
    value = field.default
    return lambda: value


def _adapter(field: models.Field, connection) -> Callable[[Any], Any] | None:
    if field.get_internal_type() in AS_IS:
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert(
    model: type[models.Model], rows: list[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Insert ``rows`` (each a dict of attribute names, ``party_id`` for a foreign key, to
    values; a field left out takes its default) into ``model``'s table, a batch per statement.
    With ``returning``, answers the new primary keys in the rows' order."""
    if not rows:
        return []
    connection = connections[DEFAULT_DB_ALIAS]  # once: the proxy looks it up at every use
    fields = _columns(model)
    names = [f.attname for f in fields]
    defaults = {f.attname: _default(f) for f in fields}
    adapters = [
        (i, a) for i, a in enumerate(_adapter(f, connection) for f in fields) if a is not None
    ]
    values = []
    for row in rows:
        line = [row[n] if n in row else defaults[n]() for n in names]
        for index, adapt in adapters:
            line[index] = adapt(line[index])
        values.append(line)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _copy(connection, model, fields, values, returning=returning)
    column_list = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        if not returning:
            # the names are the model's own, quoted; every value is a parameter
            sql = f"INSERT INTO {table} ({column_list}) VALUES {one}"  # noqa: S608
            cursor.executemany(sql, values)
            return ids
        pk = quote(model._meta.pk.column)
        batch = max(1, MAX_PARAMS // len(fields))
        for start in range(0, len(values), batch):
            chunk = values[start : start + batch]
            sql = (
                f"INSERT INTO {table} ({column_list}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                f"RETURNING {pk}"
            )
            cursor.execute(sql, [v for line in chunk for v in line])
            # in the order of the VALUES, as Django's bulk_create relies on for SQLite
            ids += [r[0] for r in cursor.fetchall()]
    return ids


def _copy(connection, model, fields, values: list[list], *, returning: bool) -> list[int]:
    """PostgreSQL: ``COPY … FROM STDIN``, several times faster than INSERTs for many rows. The
    new rows' ids, when wanted, are taken from the table's sequence first (one query; a sequence
    never hands out a value twice, whoever else inserts meanwhile)."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    columns = [quote(f.column) for f in fields]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            pk = model._meta.pk.column
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, len(values)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            columns.insert(0, quote(pk))
            values = [[pk_value, *line] for pk_value, line in zip(ids, values, strict=True)]
        sql = f"COPY {quote(table)} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:  # the driver's own cursor (psycopg 3)
            for line in values:
                copy.write_row(line)
    return ids


# a long job's page cache on SQLite: 64 MiB (a request's connection has 16 MiB, settings.py)
LONG_JOB_CACHE_KIB = 65536


def long_job_page_cache(using: str = DEFAULT_DB_ALIAS) -> None:
    """On SQLite, let this connection cache up to ``LONG_JOB_CACHE_KIB`` of pages, so that a
    long job (an import's 100,000 lookups by blind index) stops re-reading the same index pages
    from the operating system. Only the job's own connection grows: the web workers' threads
    keep the smaller cache of settings.py (QUALITY.md P6). PostgreSQL has its shared buffers."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size=-{LONG_JOB_CACHE_KIB}")
