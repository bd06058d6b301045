"""Backup and restore of an instance (rule R10, docs/backup.md).

A backup is a directory: the database as a logical dump, one compressed JSON-lines file per table
(each row a JSON array of its columns, in primary-key order), the private files as they lie in the
store (sealed), a copy of the audit checkpoints that cover the dumped trail, and ``manifest.json``,
which names everything with its row count, its checksum and its SHA-256. The dump does not depend
on the database: a backup of SQLite restores into PostgreSQL and the other way round. The keys are
never in it.

The checksum of a table is the SHA-256 of its rows written in one canonical form (the lines of its
file), so the same rows give the same checksum on either database; a restore loads the rows,
reads them back from the database and compares, and everything is undone unless every table and
every file matches.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import F, Model, TextField
from django.db.models.functions import Cast, Collate
from django.utils import timezone
from django.utils.duration import duration_microseconds

from zhichi.audit import anchor
from zhichi.audit.services import record as audit_record
from zhichi.audit.services import verify_chain
from zhichi.evidence.storage import evidence_storage
from zhichi.parties import crypto

FORMAT = "zhichi-backup"
VERSION = 1
MANIFEST = "manifest.json"
TABLES = "tables"
FILES = "files"
JOURNAL_COPY = "audit-checkpoints.log"
CHUNK_ROWS = 2000
COPY_BYTES = 1024 * 1024
ACTOR = "manage.py"

# What ``migrate`` writes into a new, empty instance by itself: the content types and permissions
# (its post_migrate signal) and the law library's seeded configuration (rulebook migrations 0002
# and 0003). Rows there do not make an instance "not empty"; a restore always replaces them with
# the backup's, so that their ids match the rows that point at them.
FILLED_BY_MIGRATE = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "rulebook.averagewage",
        "rulebook.calendarday",
        "rulebook.campaignwindow",
        "rulebook.criminalthreshold",
        "rulebook.holidayyear",
        "rulebook.rulesetting",
    }
)

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on. ``code`` is stable (it goes into the audit row);
    the message says what is wrong and what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _quiet(_line: str) -> None:
    return None


# --- the tables ---------------------------------------------------------------------------------
# Each column is written in one canonical JSON form, whatever the database returned it as:
# numbers as numbers, decimals as strings with their places, times in UTC ISO 8601, durations in
# microseconds, UUIDs as text, binary data in base64, and a JSON column as its own canonical text
# (so SQL NULL and JSON null stay apart, and keys are in one order).
_INTEGER = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}
_TEXT = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
    "FilePathField",
    "FileField",
    "ImageField",
    "GenericIPAddressField",
    "IPAddressField",
}


def _kind(model_field) -> str:
    internal = model_field.get_internal_type()
    if internal in ("ForeignKey", "OneToOneField"):
        return _kind(model_field.target_field)
    if internal in _INTEGER:
        return "int"
    if internal in _TEXT:
        return "text"
    kinds = {
        "BooleanField": "bool",
        "NullBooleanField": "bool",
        "DecimalField": "decimal",
        "FloatField": "float",
        "DateTimeField": "datetime",
        "DateField": "date",
        "TimeField": "time",
        "DurationField": "duration",
        "UUIDField": "uuid",
        "BinaryField": "binary",
        "JSONField": "json",
    }
    if internal not in kinds:
        raise BackupError(
            "field_type",
            f"{model_field.model._meta.label}.{model_field.name} is a {internal}, which the "
            "backup does not know how to write; add it to zhichi/ops/backup.py",
        )
    return kinds[internal]


_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


@functools.lru_cache(maxsize=8192)
def _canonical_json(text: str) -> str:
    """A JSON column's text in one form (keys sorted, no spaces); the same few values ("[]",
    a list of groups) come back again and again, hence the cache."""
    return _CANONICAL(json.loads(text))


def _encode_decimal(value: Decimal) -> str:
    return format(value, "f")


def _encode_datetime(value: datetime) -> str:
    return (value.astimezone(UTC) if timezone.is_aware(value) else value).isoformat()


_ENCODERS: dict[str, Callable | None] = {
    "int": None,
    "text": str,
    "bool": bool,
    "float": float,
    "decimal": _encode_decimal,
    "datetime": _encode_datetime,
    "date": date.isoformat,
    "time": clock_time.isoformat,
    "duration": duration_microseconds,
    "uuid": str,
    "binary": lambda value: base64.b64encode(bytes(value)).decode("ascii"),
    "json": _canonical_json,
}

# back from the canonical form (JSON numbers, strings and booleans need nothing)
_DECODERS: dict[str, Callable] = {
    "decimal": Decimal,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": clock_time.fromisoformat,
    "duration": lambda micros: timedelta(microseconds=micros),
    "uuid": uuid.UUID,
    "binary": base64.b64decode,
}


@dataclass(frozen=True)
class Table:
    """One database table of a model (an automatic many-to-many table included)."""

    model: type[Model]
    fields: tuple = field(repr=False)
    kinds: tuple[str, ...] = field(repr=False)

    @classmethod
    def of(cls, model: type[Model]) -> Table:
        fields = tuple(model._meta.local_concrete_fields)
        return cls(model, fields, tuple(_kind(f) for f in fields))

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]


def _dependency_order(models: list[type[Model]]) -> list[type[Model]]:
    """Referenced tables before the tables that point at them (alphabetical among equals). A cycle
    is broken at its first label: foreign keys are checked once everything is loaded."""
    by_label = {m._meta.label_lower: m for m in models}
    needs: dict[str, set[str]] = {}
    for label, model in by_label.items():
        targets = {
            f.related_model._meta.label_lower
            for f in model._meta.local_concrete_fields
            if f.is_relation and f.related_model is not None
        }
        needs[label] = (targets & by_label.keys()) - {label}
    ordered: list[type[Model]] = []
    while needs:
        ready = sorted(label for label, wanted in needs.items() if not wanted) or [min(needs)]
        for label in ready:
            ordered.append(by_label[label])
            del needs[label]
        for wanted in needs.values():
            wanted.difference_update(ready)
    return ordered


def instance_tables(connection=None) -> list[Table]:
    """Every table ``migrate`` makes for a model, in dependency order; ``django_migrations`` is
    not one (a restore needs the same migrations applied already)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    existing = set(connection.introspection.table_names())
    models, seen = [], set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        if not router.allow_migrate_model(connection.alias, model):
            continue
        if meta.db_table not in existing:
            raise BackupError(
                "schema",
                f"the table {meta.db_table} ({meta.label}) does not exist: run "
                "`python manage.py migrate` first",
            )
        seen.add(meta.db_table)
        models.append(model)
    return [Table.of(model) for model in _dependency_order(models)]


def migration_state(connection=None) -> dict[str, list[str]]:
    """The latest applied migration of each app (more than one only while a merge is pending)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied: dict[str, set[str]] = {}
    for app_label, name in loader.applied_migrations:
        applied.setdefault(app_label, set()).add(name)
    state = {}
    for app_label, names in sorted(applied.items()):
        parents = set()
        for name in names:
            node = loader.graph.node_map.get((app_label, name))
            if node is not None:
                parents |= {p.key[1] for p in node.parents if p.key[0] == app_label}
        state[app_label] = sorted(names - parents) or sorted(names)
    return state


def _lines(table: Table, connection) -> Iterator[bytes]:
    """The table's rows in canonical form, one line each (without its newline), in primary-key
    order; read in chunks, never the whole table at once."""
    names, annotations = [], {}
    for number, (model_field, kind) in enumerate(zip(table.fields, table.kinds, strict=True)):
        if kind == "json":
            alias = f"_backup_json_{number}"
            annotations[alias] = Cast(F(model_field.attname), output_field=TextField())
            names.append(alias)
        else:
            names.append(model_field.attname)
    pk = table.model._meta.pk
    order = F(pk.attname)
    if _kind(pk) == "text" and connection.vendor == "postgresql":
        # code-point order on both databases (SQLite compares text as bytes by default)
        order = Collate(order, "C")
    rows = (
        table.model._base_manager.using(connection.alias)
        .annotate(**annotations)
        .order_by(order)
        .values_list(*names)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    encoders = [_ENCODERS[kind] for kind in table.kinds]
    for row in rows:
        values = [
            value if value is None or encode is None else encode(value)
            for value, encode in zip(row, encoders, strict=True)
        ]
        yield _ROW(values).encode("utf-8")


def table_digest(table: Table, connection=None) -> tuple[int, str]:
    """(rows, checksum) of a table as it stands."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    digest, count = hashlib.sha256(), 0
    for line in _lines(table, connection):
        digest.update(line + b"\n")
        count += 1
    return count, digest.hexdigest()


def digests(connection=None) -> dict[str, dict]:
    """Every table's rows and checksum, as a manifest states them."""
    return {
        table.name: dict(zip(("rows", "checksum"), table_digest(table, connection), strict=True))
        for table in instance_tables(connection)
    }


# --- the private files --------------------------------------------------------------------------


def private_store() -> Storage:
    """The store of the private files as it lies: sealed bytes, copied without the keys."""
    store = evidence_storage()
    return getattr(store, "inner", store)


def _walk(store: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = store.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from _walk(store, prefix + sub)


def _safe_name(name: str) -> str:
    """A relative path of plain parts, or BackupError (a manifest is not trusted blindly)."""
    if not isinstance(name, str):
        raise BackupError("manifest", f"the backup names a file {name!r} that is not a path")
    parts = PurePosixPath(name).parts
    if (
        not parts
        or name.startswith("/")
        or "\\" in name
        or any(part in ("", ".", "..") or "\x00" in part for part in parts)
    ):
        raise BackupError("manifest", f"the backup names a file {name!r} outside its directory")
    return "/".join(parts)


def _sha256_of(handle) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while piece := handle.read(COPY_BYTES):
        digest.update(piece)
        size += len(piece)
    return size, digest.hexdigest()


class _HashingWriter:
    """A binary file that hashes what is written to it (the SHA-256 of a compressed file)."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _create(path: Path):
    """A new file only the owner can read (a backup holds personal data)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _sync(handle) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _sync_dirs(root: Path) -> None:
    """Every directory of the backup to disk, each readable by the owner only."""
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(0o700)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- backup -----------------------------------------------------------------------------------


class _Snapshot:
    """One read transaction for the whole dump, so that writers working meanwhile cannot tear it:
    REPEATABLE READ, READ ONLY on PostgreSQL; on SQLite a deferred transaction, which in WAL mode
    reads one snapshot and does not hold up writers (Zhichi's own transactions take the write
    lock at once, IMMEDIATE, which a backup must not)."""

    def __init__(self, connection):
        self.connection = connection
        self.atomic = None

    def __enter__(self):
        connection = self.connection
        if connection.in_atomic_block:
            raise BackupError("transaction", "a backup must start outside any transaction")
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("BEGIN DEFERRED")
            return self
        self.atomic = transaction.atomic(using=connection.alias)
        self.atomic.__enter__()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return self

    def __exit__(self, *exc):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc)
        with self.connection.cursor() as cursor:
            cursor.execute("ROLLBACK" if exc[0] else "COMMIT")
        return False


def _check_output(output: Path) -> None:
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(
            "output_not_empty",
            f"{output} exists and is not an empty directory: a backup goes into a new directory",
        )
    if not output.parent.is_dir():
        raise BackupError("output_parent", f"the directory {output.parent} does not exist")


def _dump_table(table: Table, connection, target: Path) -> dict:
    digest, rows = hashlib.sha256(), 0
    with _create(target) as raw:
        hashing = _HashingWriter(raw)
        with gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=3, mtime=0) as packed:
            block = []
            for line in _lines(table, connection):
                block.append(line)
                if len(block) == CHUNK_ROWS:
                    data = b"\n".join(block) + b"\n"
                    packed.write(data)
                    digest.update(data)
                    rows, block = rows + len(block), []
            if block:
                data = b"\n".join(block) + b"\n"
                packed.write(data)
                digest.update(data)
                rows += len(block)
        _sync(raw)
    return {
        "rows": rows,
        "checksum": digest.hexdigest(),
        "file_sha256": hashing.digest.hexdigest(),
        "bytes": hashing.size,
    }


def _copy_files(store: Storage, root: Path, progress: Progress) -> tuple[list[dict], int]:
    entries, vanished = [], 0
    for name in _walk(store):
        target = root / FILES / _safe_name(name)
        try:
            source = store.open(name, "rb")
        except FileNotFoundError:
            vanished += 1  # deleted since it was listed (an expired built file)
            continue
        digest, size = hashlib.sha256(), 0
        with source, _create(target) as copy:
            while piece := source.read(COPY_BYTES):
                digest.update(piece)
                copy.write(piece)
                size += len(piece)
            _sync(copy)
        entries.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    progress(f"private files: {len(entries)} copied, {sum(e['size'] for e in entries)} bytes")
    if vanished:
        progress(f"private files: {vanished} deleted while the backup ran, left out")
    return entries, vanished


def _copy_journal(root: Path, audit_rows: int) -> dict | None:
    """The checkpoints that cover the dumped trail (count ≤ its rows); later ones name entries the
    backup does not hold. Read line by line (the journal grows by a line per entry); the journal
    itself stays where it is."""
    try:
        journal = anchor.journal_path().open("rb")
    except FileNotFoundError:
        return None
    digest, kept = hashlib.sha256(), 0
    with journal, _create(root / JOURNAL_COPY) as copy:
        for line in journal:
            parts = line.rstrip(b"\n").split(b" ")
            complete = line.endswith(b"\n") and len(parts) == 6
            if not complete or parts[0] != anchor.JOURNAL_FORMAT.encode("ascii"):
                continue
            if parts[2].isdigit() and int(parts[2]) <= audit_rows:
                copy.write(line)
                digest.update(line)
                kept += 1
        _sync(copy)
    if not kept:
        (root / JOURNAL_COPY).unlink()
        return None
    return {"file": JOURNAL_COPY, "lines": kept, "sha256": digest.hexdigest()}


def backup(output: Path | str, *, progress: Progress = _quiet) -> dict:
    """Write a backup of this instance into ``output`` (a new or empty directory) and return its
    manifest. Written into a temporary directory beside it and renamed when complete, so a backup
    that stops half-way leaves nothing that looks like a backup."""
    output = Path(output).absolute()
    _check_output(output)
    connection = connections[DEFAULT_DB_ALIAS]
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.partial-", dir=output.parent))
    try:
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "id": str(uuid.uuid4()),
            "created": timezone.now().astimezone(UTC).isoformat(),
            "database": connection.vendor,
            "django": django.get_version(),
            "tables": [],
        }
        with _Snapshot(connection):
            manifest["migrations"] = migration_state(connection)
            for number, table in enumerate(instance_tables(connection), start=1):
                began = time.monotonic()
                relative = f"{TABLES}/{number:03d}-{table.name}.jsonl.gz"
                facts = _dump_table(table, connection, work / relative)
                manifest["tables"].append(
                    {
                        "table": table.name,
                        "model": table.label,
                        "columns": table.columns,
                        "file": relative,
                        **facts,
                    }
                )
                progress(
                    f"{table.name}: {facts['rows']} rows, {facts['bytes']} bytes "
                    f"({time.monotonic() - began:.2f} s)"
                )
        audit_rows = next(t["rows"] for t in manifest["tables"] if t["model"] == "audit.auditentry")
        store = evidence_storage()
        files, vanished = _copy_files(private_store(), work, progress)
        manifest["files"] = {
            "store": type(getattr(store, "inner", store)).__name__,
            "count": len(files),
            "bytes": sum(f["size"] for f in files),
            "vanished": vanished,
            "entries": files,
        }
        manifest["journal"] = _copy_journal(work, audit_rows)
        with _create(work / MANIFEST) as handle:
            handle.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            _sync(handle)
        _sync_dirs(work)
        if output.exists():
            output.rmdir()  # empty (checked above); rename needs the name free on every system
        os.rename(work, output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    manifest["seconds"] = round(time.monotonic() - started, 2)
    manifest["size"] = _size(output)
    return manifest


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def summary(manifest: dict) -> dict:
    """The figures of a backup for its audit row and its last line of output."""
    return {
        "backup": manifest["id"],
        "tables": len(manifest["tables"]),
        "rows": sum(t["rows"] for t in manifest["tables"]),
        "files": manifest["files"]["count"],
        "file_bytes": manifest["files"]["bytes"],
    }


# --- restore ----------------------------------------------------------------------------------


def read_manifest(source: Path | str) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError("manifest", f"{path} does not exist: not a Zhichi backup") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError("manifest", f"{path} cannot be read ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest", f"{path} is not the manifest of a Zhichi backup")
    if manifest.get("version") != VERSION:
        raise BackupError(
            "version",
            f"the backup is format version {manifest.get('version')}; this Zhichi reads "
            f"version {VERSION}",
        )
    return manifest


def _check_migrations(manifest: dict, connection) -> None:
    theirs, ours = manifest.get("migrations") or {}, migration_state(connection)
    differ = [
        f"{app}: backup {', '.join(theirs.get(app) or ['none'])}, "
        f"this instance {', '.join(ours.get(app) or ['none'])}"
        for app in sorted(set(theirs) | set(ours))
        if theirs.get(app) != ours.get(app)
    ]
    if differ:
        raise BackupError(
            "migrations",
            "the backup was made at another migration state than this instance has:\n  "
            + "\n  ".join(differ)
            + "\nRestore into an instance of the same Zhichi version, migrated to the same "
            "state (`python manage.py migrate`), then migrate onwards after the restore.",
        )


def _check_schema(manifest: dict, tables: list[Table]) -> dict[str, dict]:
    entries = {entry["table"]: entry for entry in manifest["tables"]}
    problems = []
    for table in tables:
        entry = entries.get(table.name)
        if entry is None:
            problems.append(f"{table.name}: not in the backup")
        elif entry.get("columns") != table.columns:
            problems.append(f"{table.name}: its columns differ")
    problems += [
        f"{name}: not in this instance" for name in entries.keys() - {t.name for t in tables}
    ]
    if problems:
        raise BackupError(
            "schema",
            "the backup's tables do not match this instance's:\n  " + "\n  ".join(problems),
        )
    return entries


def _occupied(tables: list[Table], connection) -> list[tuple[str, int]]:
    return [
        (table.name, table.model._base_manager.using(connection.alias).count())
        for table in tables
        if table.label not in FILLED_BY_MIGRATE
        and table.model._base_manager.using(connection.alias).exists()
    ]


def instance_holds_data(connection=None) -> bool:
    """Whether anything beyond what ``migrate`` writes is in the database."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        return bool(_occupied(instance_tables(connection), connection))
    except BackupError:
        return False


def _check_empty(tables: list[Table], connection, store: Storage) -> list[str]:
    """What this instance holds beyond what ``migrate`` writes, for the refusal's message."""
    held = [f"{name} ({count} rows)" for name, count in _occupied(tables, connection)]
    files = sum(1 for _name in _walk(store))
    if files:
        held.append(f"the private file store ({files} files)")
    return held


def _check_integrity(source: Path, manifest: dict, progress: Progress) -> None:
    """Every file of the backup against its SHA-256, before anything is touched."""
    damaged = []
    for entry in manifest["tables"]:
        path = source / _safe_name(entry["file"])
        try:
            with path.open("rb") as handle:
                _size_read, sha = _sha256_of(handle)
        except FileNotFoundError:
            damaged.append(f"{entry['file']}: missing")
            continue
        if sha != entry["file_sha256"]:
            damaged.append(f"{entry['file']}: SHA-256 differs")
    for entry in manifest["files"]["entries"]:
        path = source / FILES / _safe_name(entry["name"])
        try:
            with path.open("rb") as handle:
                size, sha = _sha256_of(handle)
        except FileNotFoundError:
            damaged.append(f"{FILES}/{entry['name']}: missing")
            continue
        if (size, sha) != (entry["size"], entry["sha256"]):
            damaged.append(f"{FILES}/{entry['name']}: SHA-256 differs")
    journal = manifest.get("journal")
    if journal:
        path = source / _safe_name(journal["file"])
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != journal["sha256"]:
            damaged.append(f"{journal['file']}: missing or SHA-256 differs")
    if damaged:
        raise BackupError(
            "damaged",
            f"the backup is damaged or was altered ({len(damaged)} files); nothing was "
            "restored:\n  " + "\n  ".join(damaged[:20]),
        )
    progress(
        f"backup checked: {len(manifest['tables'])} table files and "
        f"{manifest['files']['count']} private files match their SHA-256"
    )


def _backup_rows(source: Path, entry: dict) -> Iterator[list]:
    with gzip.open(source / _safe_name(entry["file"]), "rb") as handle:
        for line in handle:
            yield json.loads(line)


def _first(source: Path, entry: dict | None, wanted: Callable[[dict], bool]) -> dict | None:
    if entry is None:
        return None
    for values in _backup_rows(source, entry):
        row = dict(zip(entry["columns"], values, strict=True))
        if wanted(row):
            return row
    return None


def _check_keys(source: Path, manifest: dict, entries: dict[str, dict], progress: Progress):
    """A restore needs the keys the instance had: one encrypted identifier, one sealed file and
    the audit trail's signed head are opened with the configured keys before anything is loaded."""
    by_model = {entry["model"]: entry for entry in entries.values()}
    person = _first(source, by_model.get("parties.party"), lambda row: bool(row["id_number_enc"]))
    if person is not None:
        try:
            number = crypto.decrypt(person["id_number_enc"])
        except ValueError:
            raise BackupError(
                "keys",
                "ZHICHI_ENCRYPTION_KEY cannot decrypt the backup's identifiers: a restore needs "
                "the encryption keys the instance had when the backup was made (docs/backup.md)",
            ) from None
        if crypto.blind_index("id", number) != person["id_number_index"]:
            progress(
                "warning: the first key of ZHICHI_ENCRYPTION_KEY is not the one the backup's "
                "look-up indexes were made with; run `python manage.py rotate_keys` after the "
                "restore, or ID numbers and phones will not be found"
            )
    for item in manifest["files"]["entries"][:50]:
        with (source / FILES / _safe_name(item["name"])).open("rb") as handle:
            if not crypto.is_sealed(handle.read(crypto.SEAL_HEADER)):
                continue
            handle.seek(0)
            try:
                next(crypto.unseal_chunks(handle))
            except crypto.SealError:
                raise BackupError(
                    "keys",
                    "ZHICHI_ENCRYPTION_KEY cannot open the backup's private files (sealed under "
                    "a key that is not configured): a restore needs the keys the instance had",
                ) from None
        break
    head = _first(source, by_model.get("audit.auditchainhead"), lambda row: row["id"] == 1)
    if (
        head is not None
        and head["count"]
        and not anchor.head_mac_valid(
            count=head["count"],
            last_id=head["last_id"],
            last_hash=head["last_hash"],
            mac=head["mac"],
        )
    ):
        raise BackupError(
            "keys",
            "ZHICHI_AUDIT_KEY does not verify the backup's audit trail (the chain head's MAC): a "
            "restore needs the audit keys the instance had. Were the keys right, the trail in "
            "the backup was altered; see docs/audit.md",
        )


# Kinds whose canonical value is already what the database driver takes.
_AS_IS = {"int", "text", "bool", "float"}


def _preparers(table: Table, connection) -> list[Callable | None]:
    """Per column: canonical value → the parameter an INSERT takes (None: as it is). Through the
    field's own ``get_db_prep_save``, so each database gets what Django would write."""

    def prepare(model_field, kind):
        if kind in _AS_IS:
            return None
        if kind == "json":
            return lambda text: (
                None
                if text is None
                else connection.ops.adapt_json_value(json.loads(text), model_field.encoder)
            )
        decode = _DECODERS[kind]
        return lambda value: (
            None if value is None else model_field.get_db_prep_save(decode(value), connection)
        )

    return [prepare(f, kind) for f, kind in zip(table.fields, table.kinds, strict=True)]


def _copy_preparers(table: Table) -> list[Callable | None]:
    """Per column, for PostgreSQL's COPY: the canonical text is what PostgreSQL reads (ISO times,
    decimal and UUID text, JSON text), except binary data and durations."""
    return [_DECODERS[kind] if kind in ("binary", "duration") else None for kind in table.kinds]


def _converted(rows: Iterator[list], preparers: list[Callable | None]) -> Iterator[list]:
    steps = [(n, step) for n, step in enumerate(preparers) if step is not None]
    for values in rows:
        for n, step in steps:
            if values[n] is not None:
                values[n] = step(values[n])
        yield values


def _load_table(table: Table, source: Path, entry: dict, connection) -> int:
    """Insert the backup's rows of one table, in chunks; the lines are held to the table's
    checksum as they are read. COPY on PostgreSQL (psycopg 3), batched INSERTs elsewhere."""
    digest, count = hashlib.sha256(), 0

    def rows(handle) -> Iterator[list]:
        nonlocal count
        for line in handle:
            digest.update(line)
            count += 1
            yield json.loads(line)

    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in table.columns)
    with (
        gzip.open(source / _safe_name(entry["file"]), "rb") as handle,
        connection.cursor() as cursor,
    ):
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
            with raw.copy(statement) as copy:
                for values in _converted(rows(handle), _copy_preparers(table)):
                    copy.write_row(values)
        else:
            sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
                quote(table.name), columns, ", ".join(["%s"] * len(table.columns))
            )
            batch = []
            for values in _converted(rows(handle), _preparers(table, connection)):
                batch.append(values)
                if len(batch) == CHUNK_ROWS:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    if (count, digest.hexdigest()) != (entry["rows"], entry["checksum"]):
        raise BackupError(
            "checksum",
            f"{entry['file']} holds {count} rows that do not match the manifest's checksum "
            f"({entry['rows']} rows): the backup was altered; nothing was restored",
        )
    return count


@dataclass
class _Undo:
    """What a failed restore takes back outside the database: the files it put into the store,
    and the audit journal it installed or moved aside."""

    store: Storage
    created: list[str] = field(default_factory=list)
    journal_installed: Path | None = None
    journal_moved: tuple[Path, Path] | None = None

    def run(self) -> None:
        for name in self.created:
            self.store.delete(name)
        if self.journal_installed is not None:
            self.journal_installed.unlink(missing_ok=True)
        if self.journal_moved is not None:
            os.replace(self.journal_moved[1], self.journal_moved[0])


def _restore_files(source: Path, manifest: dict, store: Storage, undo: _Undo) -> int:
    """Each file into the store under its own name, then read back and held to its SHA-256."""
    for entry in manifest["files"]["entries"]:
        name = _safe_name(entry["name"])
        if store.exists(name):
            with store.open(name, "rb") as handle:
                if _sha256_of(handle) == (entry["size"], entry["sha256"]):
                    continue
            store.delete(name)  # a damaged copy of the same file (names are never reused)
        with (source / FILES / name).open("rb") as handle:
            saved = store.save(name, File(handle, name=name))
        undo.created.append(saved)
        if saved != name:
            raise BackupError("files", f"the store kept {name} as {saved}; nothing was restored")
        with store.open(name, "rb") as handle:
            if _sha256_of(handle) != (entry["size"], entry["sha256"]):
                raise BackupError(
                    "files",
                    f"{name} differs from the backup once stored (SHA-256); nothing was restored",
                )
    return len(manifest["files"]["entries"])


def _install_journal(source: Path, manifest: dict, replace: bool, undo: _Undo) -> str:
    """The backup's checkpoints become this instance's journal when it has none yet (a new
    instance), so ``verify_audit`` holds the restored trail against them. A journal already here
    is kept (the application only appends to it) unless ``replace``: it is then moved aside,
    never deleted."""
    path = anchor.journal_path()
    present = path.is_file() and path.stat().st_size > 0
    copy = manifest.get("journal")
    if present and not replace:
        return "kept"
    if present:
        aside = path.with_name(
            f"{path.name}.before-restore-{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}"
        )
        os.replace(path, aside)
        undo.journal_moved = (path, aside)
    if copy is None:
        return "moved aside" if present else "none"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.restoring")
    shutil.copyfile(source / _safe_name(copy["file"]), partial)
    os.chmod(partial, 0o640)
    os.replace(partial, path)
    undo.journal_installed = path
    return "replaced" if present else "installed"


def verify(source: Path | str, *, progress: Progress = _quiet) -> dict:
    """Check a backup against this instance (its format, migrations, tables, every SHA-256 and
    the keys) without changing anything."""
    source = Path(source).absolute()
    manifest = read_manifest(source)
    connection = connections[DEFAULT_DB_ALIAS]
    _check_migrations(manifest, connection)
    entries = _check_schema(manifest, instance_tables(connection))
    _check_integrity(source, manifest, progress)
    _check_keys(source, manifest, entries, progress)
    return manifest


def restore(
    source: Path | str,
    *,
    force: bool = False,
    replace_journal: bool = False,
    progress: Progress = _quiet,
) -> dict:
    """Replace this instance's database and private files with the backup's, in one transaction.
    Refused when the instance holds data (unless ``force``), when its migrations differ, when the
    backup is damaged or the keys do not open it; undone entirely when any table or file does not
    match the manifest once loaded. Returns the figures (also in the ``ops.restore`` audit row)."""
    source = Path(source).absolute()
    started = time.monotonic()
    manifest = read_manifest(source)
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        raise BackupError("transaction", "a restore must start outside any transaction")
    _check_migrations(manifest, connection)
    tables = instance_tables(connection)
    entries = _check_schema(manifest, tables)
    store = private_store()
    occupied = _check_empty(tables, connection, store)
    if occupied and not force:
        shown = ", ".join(occupied[:8])
        more = f" and {len(occupied) - 8} more" if len(occupied) > 8 else ""
        raise BackupError(
            "not_empty",
            f"this instance is not empty: {shown}{more}. A restore replaces everything; run it "
            "again with --force to empty the instance first",
        )
    _check_integrity(source, manifest, progress)
    _check_keys(source, manifest, entries, progress)

    undo = _Undo(store)
    try:
        alias = connection.alias
        with transaction.atomic(using=alias):
            # Only the tables that hold rows: on PostgreSQL each table truncated (the audit
            # table refuses DELETE) gets new files, and an empty one needs nothing. There the
            # tables that refer to them go too (CASCADE: they are all reloaded below).
            filled = [t.name for t in tables if t.model._base_manager.using(alias).exists()]
            flush = connection.ops.sql_flush(
                no_style(),
                filled,
                reset_sequences=True,
                allow_cascade=connection.vendor == "postgresql",
            )
            with connection.cursor() as cursor:
                for sql in flush:
                    cursor.execute(sql)
            progress(f"emptied {len(filled)} tables")
            with connection.constraint_checks_disabled():
                for table in tables:
                    began = time.monotonic()
                    rows = _load_table(table, source, entries[table.name], connection)
                    progress(f"{table.name}: {rows} rows ({time.monotonic() - began:.2f} s)")
            connection.check_constraints(table_names=[t.name for t in tables])
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
                    cursor.execute(sql)
            mismatched = [
                table.name
                for table in tables
                if table_digest(table, connection)
                != (entries[table.name]["rows"], entries[table.name]["checksum"])
            ]
            if mismatched:
                raise BackupError(
                    "checksum",
                    "once loaded, these tables differ from the backup (rows or checksum): "
                    + ", ".join(mismatched)
                    + "; nothing was restored",
                )
            progress(f"database checked: {len(tables)} tables match their rows and checksums")
            files = _restore_files(source, manifest, store, undo)
            progress(f"private files: {files} restored and checked (SHA-256)")
            journal = _install_journal(source, manifest, replace_journal, undo)
            chain = verify_chain()
            figures = {
                **summary(manifest),
                "backup_created": manifest["created"],
                "audit_intact": chain.ok,
                "journal": journal,
            }
            audit_record(action="ops.restore", username=ACTOR, detail=figures)
    except BaseException:
        undo.run()
        raise
    finally:
        ContentType.objects.clear_cache()
    extra = sum(1 for _name in _walk(store)) - files
    figures["seconds"] = round(time.monotonic() - started, 2)
    figures["audit_problems"] = [p.message for p in chain.problems]
    figures["extra_files"] = extra
    return figures
