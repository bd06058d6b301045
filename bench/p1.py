"""P1 of QUALITY.md: the bulk import of a labour-bureau list against its floor and against
django-import-export, on one generated messy .xlsx, in one run.

    python -m bench.p1 [--p1-rows 100000] [--p1-rounds 1] [--seed N]
                       [--database-url postgres://…] [--keep]

(``make bench`` runs it once after P2-P4 through ``bench.run``; ``make bench-import`` runs only
this.) One file of ``--p1-rows`` worker rows is made by ``bench.wagelists``; a database is prepared
as ``bench.run`` prepares one (``migrate``, ``seed_demo --force --leads 0``) and each measurement
runs in its own process on its own fresh copy of it (SQLite: a copy of the data dir; PostgreSQL:
``zhichi_bench`` recreated from a template database):

* ``floor``: python-calamine parse + the import's own inserts (``common.bulk.insert`` through
  ``parties.services.create_people`` and ``record_first_contacts``; one transaction) of the rows
  taken as pre-validated (every row with a name; no normalisation, no checks, no lookups, no
  ledger, values str()'d as they come) into the tables the import fills: per row a person
  ``Party`` (the encryption and the blind indexes are part of storing a row) and its contacts
  (phone, address); per employer an organisation ``Party``, one ``Lead`` (source import, category
  wages) and the ``LeadParty`` rows (the workers as claimants, the employer as respondent);
* ``iex`` and ``iex_bulk``: django-import-export 4.4.3 (a bench-only dependency,
  bench/requirements.txt), a ``ModelResource`` for person ``Party`` rows reading the same file
  (tablib, the rows above the header skipped), the ID and the phone stored through
  ``set_id_number``/``set_phone`` in ``before_save_instance``; default configuration, and
  ``use_bulk=True, batch_size=1000``;
* ``zhichi``: ``zhichi.imports.services.upload_import`` + ``run_import`` end to end, as civil1;
  its counts are compared with the file's manifest.

With ``--p1-rounds N`` the four take turns N times and the median of each is reported. The last
line a measurement prints is ``BENCH_P1 {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_ROWS = 100_000
KINDS = ("floor", "iex", "iex_bulk", "zhichi")
LABELS = {
    "floor": "floor: calamine + the same inserts, rows taken as they come",
    "iex": "django-import-export 4.4.3, default",
    "iex_bulk": "django-import-export 4.4.3, use_bulk (batch 1000)",
    "zhichi": "Zhichi import end to end (upload_import + run_import)",
}
FLOOR_TARGET = 2.0  # Zhichi time ≤ 2× the floor's
IEX_TARGET = 7.0  # Zhichi rows/s ≥ 7× django-import-export's (default)
IEX_BULK_TARGET = 2.0  # and ≥ 2× its bulk mode's
TEMPLATE_DB = "zhichi_bench_p1_template"
BENCH_USER = "civil1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--p1-rows",
        type=int,
        default=DEFAULT_ROWS,
        help="worker rows of the P1 spreadsheet (0: skip P1)",
    )
    parser.add_argument(
        "--p1-rounds",
        type=int,
        default=1,
        help="P1: measure each this many times, taking turns; the median is reported",
    )


# --- the measurements, each in its own process inside the bench environment ----------------
def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichi.settings")
    import django

    django.setup()


def bench_user():
    from zhichi.accounts.models import User

    return User.objects.select_related("organisation", "department").get(username=BENCH_USER)


def table_counts() -> dict[str, int]:
    from zhichi.intake.models import Lead, LeadParty
    from zhichi.parties.models import Party, PartyContact

    return {
        "parties": Party.objects.count(),
        "contacts": PartyContact.objects.count(),
        "leads": Lead.objects.count(),
        "lead_parties": LeadParty.objects.count(),
    }


def run_floor(path: Path, manifest: dict) -> dict:
    """The cheapest way to store the list's rows as the import stores them: the same tables and
    columns, written with the same inserts (``common.bulk.insert``: the import's own writers),
    the rows taken as pre-validated (no normalisation, no checks, no lookups, no ledger)."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from zhichi.cases.models import Category, PartyRole, Source
    from zhichi.common import bulk
    from zhichi.intake.models import Lead, LeadParty, new_receipt_code
    from zhichi.parties import services as party_services
    from zhichi.parties.models import ContactSource, Party, PartyKind

    user = bench_user()
    started = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = rows[manifest["header_row"] - 1]
    col = {field: header.index(text) for text, field in manifest["columns"].items()}
    c_name, c_id, c_phone = col["name"], col["id_number"], col["phone"]
    c_emp, c_code, c_amount = col["employer"], col["credit_code"], col["amount"]
    c_address = col.get("address")

    def text(value) -> str:
        return "" if value is None else str(value)

    groups: dict[str, tuple[str, str, list]] = {}
    for row in rows[manifest["header_row"] :]:
        if text(row[c_name]) == "":
            continue
        name, code = text(row[c_emp]), text(row[c_code])[:18]
        groups.setdefault(code or name, (name, code, []))[2].append(row)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        employers = [
            {"kind": PartyKind.ORGANISATION, "name": name or code, "credit_code": code}
            for name, code, _rows in groups.values()
        ]
        employer_ids = bulk.insert(Party, employers, returning=True)
        leads = [
            {
                "organisation_id": user.organisation_id,
                "department_id": user.department_id,
                "source": Source.IMPORT,
                "received_on": today,
                "category": Category.WAGES,
                "summary": f"{name or code}：{len(members)}名劳动者被拖欠工资",
                "created_by_id": user.pk,
                "created_at": now,
                "receipt_code": new_receipt_code(),
            }
            for name, code, members in groups.values()
        ]
        lead_ids = bulk.insert(Lead, leads, returning=True)
        people, owners, amounts = [], [], []
        for lead, lead_id, (_name, _code, members) in zip(
            leads, lead_ids, groups.values(), strict=True
        ):
            for row in members:
                people.append(
                    party_services.NewPerson(
                        text(row[c_name]),
                        text(row[c_id]),
                        text(row[c_phone]),
                        text(row[c_address]) if c_address is not None else "",
                    )
                )
                owners.append((lead_id, lead["receipt_code"]))
                value = row[c_amount]
                amounts.append(
                    Decimal(str(value)) if isinstance(value, float) and value >= 0 else None
                )
        stored = party_services.create_people(people)
        party_services.record_first_contacts(
            [
                (
                    person,
                    party_services.Recording(
                        by=user, source=ContactSource.LEAD, source_id=lead_id, ref=ref
                    ),
                )
                for person, (lead_id, ref) in zip(stored, owners, strict=True)
            ]
        )
        links = []
        position: dict[int, int] = {}
        for person, (lead_id, _ref), amount in zip(stored, owners, amounts, strict=True):
            pos = position.get(lead_id, 0)
            position[lead_id] = pos + 1
            links.append(
                {
                    "lead_id": lead_id,
                    "party_id": person["id"],
                    "role": PartyRole.CLAIMANT,
                    "position": pos,
                    "amount_claimed": amount,
                }
            )
        for lead_id, employer_id in zip(lead_ids, employer_ids, strict=True):
            links.append(
                {"lead_id": lead_id, "party_id": employer_id, "role": PartyRole.RESPONDENT}
            )
        bulk.insert(LeadParty, links)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "detail": {"people": len(people), "employers": len(employers), "leads": len(leads)},
    }


def party_resource(columns: dict[str, str], *, bulk: bool):
    """A ModelResource for person Party rows of this file, as a user of django-import-export
    would write it: 姓名 → name, the ID and the phone through the model's setters, and nothing
    else changed from the defaults (restricting ``Meta.fields`` to id and name makes it about
    1.3× faster here: the per-row diff then covers two fields instead of all of them)."""
    from import_export import fields, resources

    from zhichi.parties.models import Party, PartyKind

    header = {field: text for text, field in columns.items()}
    name_col, id_col, phone_col = header["name"], header["id_number"], header["phone"]

    class PartyResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name=name_col)

        class Meta:  # the default configuration: every model field, diffs, one save a row
            model = Party
            use_bulk = bulk  # bulk mode: bulk_create in batches of 1000
            batch_size = 1000

        def skip_row(self, instance, original, row, import_validation_errors=None):
            # rows without a name (the 合计 row, the damaged ones) are left out, as the floor
            # leaves them out; saved, they would fail NOT NULL and roll the whole import back
            return row.get(name_col) in (None, "")

        def before_save_instance(self, instance, row, **kwargs):
            instance.kind = PartyKind.PERSON
            number, phone = row.get(id_col), row.get(phone_col)
            instance.set_id_number("" if number is None else str(number))
            instance.set_phone("" if phone is None else str(phone))

    return PartyResource()


def run_iex(path: Path, manifest: dict, *, bulk: bool) -> dict:
    import tablib

    resource = party_resource(manifest["columns"], bulk=bulk)
    started = time.perf_counter()
    with path.open("rb") as fh:
        # the rows above the header are skipped, as the user would have to delete them by hand
        dataset = tablib.Dataset().load(fh, format="xlsx", skip_lines=manifest["header_row"] - 1)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False)
    seconds = time.perf_counter() - started
    samples = [
        f"row {number}: {error.error!r}"[:200]
        for number, errors in result.row_errors()[:3]
        for error in errors[:1]
    ]
    samples += [f"{error.error!r}"[:200] for error in result.base_errors[:3]]
    return {
        "seconds": seconds,
        "detail": {
            "error_samples": samples,
            "dataset_rows": len(dataset),
            "totals": dict(result.totals),
            "has_errors": result.has_errors(),
            "has_validation_errors": result.has_validation_errors(),
        },
    }


def run_zhichi(path: Path, manifest: dict) -> dict:
    try:
        from zhichi.imports import services
    except ImportError as exc:
        return {"not_built": True, "detail": {"why": str(exc)}}
    from django.core.files import File

    user = bench_user()
    started = time.perf_counter()
    with path.open("rb") as fh:
        job = services.upload_import(actor=user, upload=File(fh, name=path.name))
    confirmed = False
    if getattr(job, "status", "") == "mapping" and hasattr(services, "start_import"):
        # the upload waits for its columns to be confirmed (the page's step): confirm the ones
        # found, as the user would; the queued task is left unrun, run_import does the work here
        services.start_import(actor=user, job_id=job.pk)
        confirmed = True
    services.run_import(job_id=job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    found = {
        "rows_total": job.rows_total,
        "rows_ok": job.rows_ok,
        "rows_failed": job.rows_failed,
        "leads_created": job.leads_created,
    }
    expected = {
        "rows_total": manifest["rows"],
        "rows_ok": manifest["expected_ok"],
        "rows_failed": manifest["expected_failed"],
        "leads_created": manifest["employers_ok"],
    }
    differ = {k: [found[k], expected[k]] for k in found if found[k] != expected[k]}
    detail = {**found, "status": str(getattr(job, "status", "")), "columns_confirmed": confirmed}
    return {"seconds": seconds, "detail": detail, "differ": differ}


def child(kind: str, path: Path, manifest_path: Path) -> dict:
    """One measurement (run in the bench environment): its seconds and what it wrote."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    setup_django()
    before = table_counts()
    if kind == "floor":
        result = run_floor(path, manifest)
    elif kind in ("iex", "iex_bulk"):
        try:
            import import_export  # noqa: F401
        except ImportError:
            return {"kind": kind, "missing": "pip install -r bench/requirements.txt"}
        result = run_iex(path, manifest, bulk=kind == "iex_bulk")
    else:
        result = run_zhichi(path, manifest)
    after = table_counts()
    result["kind"] = kind
    result["rows"] = manifest["rows"]
    result["added"] = {k: after[k] - before[k] for k in after}
    if result.get("seconds"):
        result["rows_per_s"] = manifest["rows"] / result["seconds"]
    return result


# --- the driver ---------------------------------------------------------------------------
def measure(args, secrets_: dict, work_root: Path, log) -> dict:
    """Make the file, prepare the database once, run each measurement on a fresh copy of it."""
    from bench.run import bench_env, manage, pg_parts, psql
    from bench.wagelists import write_wagelist

    rows = args.p1_rows
    out: dict = {"rows_requested": rows, "results": {}}
    p1_dir = Path(tempfile.mkdtemp(prefix="p1-", dir=work_root))
    path = p1_dir / "wagelist.xlsx"
    manifest = write_wagelist(path, rows=rows, seed=args.seed, fmt="xlsx", messy=True)
    manifest_path = manifest.write(p1_dir / "wagelist.xlsx.manifest.json")
    out["manifest"] = {k: v for k, v in manifest.as_dict().items() if k != "rows_detail"}
    out["file_bytes"] = path.stat().st_size
    log(
        f"P1: wrote {manifest.rows:,} rows ({manifest.expected_ok:,} ok, "
        f"{manifest.expected_failed:,} failed, {manifest.employers_ok:,} employers) in "
        f"{manifest.seconds:.1f} s, {path.stat().st_size / 2**20:.1f} MiB"
    )
    pg = pg_parts(args.database_url) if args.database_url else None
    template = p1_dir / "template"
    template.mkdir()
    env = bench_env(template, args.database_url, secrets_)
    try:
        if pg:
            psql(pg, f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
            psql(pg, f"DROP DATABASE IF EXISTS {pg['name']} WITH (FORCE)")
            psql(pg, f"CREATE DATABASE {pg['name']}")
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo", "--force", "--leads", "0")
        if pg:
            psql(pg, f"ALTER DATABASE {pg['name']} RENAME TO {TEMPLATE_DB}")
        runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
        for n in range(args.p1_rounds):  # the measurements take turns, as in bench.run
            for kind in KINDS:
                if runs[kind] and not runs[kind][-1].get("seconds"):
                    continue  # not built, not installed or broken: once is enough
                result = measure_one(kind, n, args, secrets_, p1_dir, template, path, manifest_path)
                runs[kind].append(result)
                log(f"P1 round {n + 1}/{args.p1_rounds} {kind}: {describe(result)}")
        for kind, results in runs.items():
            timed = [r for r in results if r.get("seconds")]
            ranked = sorted(timed, key=lambda r: r["seconds"])
            best = ranked[(len(ranked) - 1) // 2] if ranked else results[-1]  # the median run
            best["rounds_seconds"] = [round(r["seconds"], 2) for r in timed]
            out["results"][kind] = best
    finally:
        if pg:
            for name in (pg["name"], TEMPLATE_DB):
                try:
                    psql(pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                except (subprocess.SubprocessError, OSError) as exc:
                    log(f"could not drop {name}: {exc}")
        if not args.keep:
            shutil.rmtree(p1_dir, ignore_errors=True)
        else:
            log(f"kept {p1_dir}")
    return out


def measure_one(kind, n, args, secrets_, p1_dir, template, path, manifest_path) -> dict:
    """One measurement in its own process, on a fresh copy of the prepared database."""
    from bench.run import bench_env, pg_parts, psql, run

    pg = pg_parts(args.database_url) if args.database_url else None
    data_dir = p1_dir / f"{kind}-{n}"
    if pg:
        psql(pg, f"DROP DATABASE IF EXISTS {pg['name']} WITH (FORCE)")
        psql(pg, f"CREATE DATABASE {pg['name']} TEMPLATE {TEMPLATE_DB}")
        data_dir.mkdir()
    else:
        shutil.copytree(template, data_dir)
    command = [sys.executable, "-m", "bench.p1", "--measure", kind]
    command += ["--file", str(path), "--manifest", str(manifest_path)]
    try:
        text = run(
            command,
            bench_env(data_dir, args.database_url, secrets_),
            timeout=600 + args.p1_rows * 0.03,
            what=f"P1 {kind}",
        )
        line = next(ln for ln in text.splitlines()[::-1] if ln.startswith("BENCH_P1 "))
        return json.loads(line.split(" ", 1)[1])
    except (RuntimeError, subprocess.SubprocessError, StopIteration) as exc:
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
        return {"kind": kind, "error": (lines[-1] if lines else repr(exc))[:300]}
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def describe(r: dict) -> str:
    if r.get("not_built"):
        return "not built yet"
    if r.get("missing"):
        return f"not installed ({r['missing']})"
    if r.get("error"):
        return f"error: {r['error']}"
    rounds = r.get("rounds_seconds") or []
    spread = f"; rounds {' / '.join(f'{x:.1f}' for x in rounds)} s" if len(rounds) > 1 else ""
    return f"{r['rows_per_s']:,.0f} rows/s ({r['rows']:,} rows in {r['seconds']:.1f} s{spread})"


def table_rows(p1: dict) -> list[list[str]]:
    """The P1 rows of bench.run's table (id, what, cases, figures, ratio, target, result)."""
    res = p1.get("results", {})
    size = f"{p1['manifest']['rows']:,} rows" if p1.get("manifest") else "-"
    rows: list[list[str]] = []

    def ok(kind: str) -> dict | None:
        r = res.get(kind) or {}
        return r if r.get("seconds") else None

    floor, iex, bulk, zhichi = (ok(k) for k in KINDS)
    for kind in KINDS:
        r = res.get(kind) or {"error": "not run"}
        figures = describe(r)
        if kind == "floor" and floor:
            figures += f"; {r['added']['parties']:,} parties, {r['added']['leads']:,} leads"
        if kind in ("iex", "iex_bulk") and ok(kind):
            totals = r["detail"]["totals"]
            figures += (
                f"; {totals.get('new', 0):,} new, {totals.get('skip', 0):,} skipped, "
                f"{r['added']['parties']:,} parties stored"
            )
            if r["detail"].get("has_errors"):
                figures += " (ERRORS: rolled back)"
        if kind == "zhichi" and zhichi:
            d = r["detail"]
            figures += (
                f"; {d['rows_ok']:,} ok, {d['rows_failed']:,} failed, "
                f"{d['leads_created']:,} leads; "
                + (
                    "DIFFER from the manifest: " + json.dumps(r["differ"])
                    if r.get("differ")
                    else "counts match the manifest"
                )
            )
        ratio, target, verdict = "-", "-", "-"
        if kind == "floor":
            ratio, target = ("1.00" if floor else "-"), "reference"
        elif kind in ("iex", "iex_bulk"):
            target = "(comparison)"
            if floor and ok(kind):
                ratio = f"{ok(kind)['seconds'] / floor['seconds']:.2f}× floor time"
        elif r.get("not_built"):
            verdict = "not built yet"
        rows.append(["P1", LABELS[kind], size, figures, ratio, target, verdict])

    def verdict(value: float, good: bool) -> str:
        if zhichi and zhichi.get("differ"):
            return "short (counts differ from the manifest)"
        return "pass" if good else "short"

    built = not (res.get("zhichi") or {}).get("not_built")
    checks = [
        ("Zhichi time ÷ floor time", floor, lambda: zhichi["seconds"] / floor["seconds"],
         f"≤ {FLOOR_TARGET:g}× floor", lambda v: v <= FLOOR_TARGET),
        ("Zhichi rows/s ÷ import-export default", iex, lambda: iex["seconds"] / zhichi["seconds"],
         f"≥ {IEX_TARGET:g}×", lambda v: v >= IEX_TARGET),
        ("Zhichi rows/s ÷ import-export bulk", bulk, lambda: bulk["seconds"] / zhichi["seconds"],
         f"≥ {IEX_BULK_TARGET:g}×", lambda v: v >= IEX_BULK_TARGET),
    ]  # fmt: skip
    for what, other, compute, target, passes in checks:
        if zhichi and other:
            value = compute()
            # per round, as bench.run shows P2: the same ratio within each round (min–max)
            mine, theirs = zhichi.get("rounds_seconds", []), other.get("rounds_seconds", [])
            if other is floor:
                pairs = [a / b for a, b in zip(mine, theirs, strict=False) if b]
            else:
                pairs = [b / a for a, b in zip(mine, theirs, strict=False) if a]
            spread = (
                f" ({min(pairs):.2f}–{max(pairs):.2f})"
                if len(pairs) > 1 and len(mine) == len(theirs)
                else ""
            )
            rows.append(
                [
                    "P1",
                    what,
                    size,
                    "-",
                    f"{value:.2f}×{spread}",
                    target,
                    verdict(value, passes(value)),
                ]
            )
        else:
            why = "not built yet" if not built else "not measured"
            rows.append(["P1", what, size, why, "-", target, why])
    return rows


def report_lines(p1: dict) -> list[str]:
    """The P1 details for a markdown report."""
    m = p1.get("manifest") or {}
    lines = [
        f"## P1 — bulk import of {m.get('rows', 0):,} rows",
        "",
        f"- file: `bench.wagelists` seed {m.get('seed')}, {p1.get('file_bytes', 0) / 2**20:.1f} MiB "
        f"xlsx, header on row {m.get('header_row')}, columns {json.dumps(m.get('columns', {}), ensure_ascii=False)}",
        f"- manifest: {m.get('expected_ok', 0):,} ok, {m.get('expected_failed', 0):,} failed "
        f"(the 合计 row included), {m.get('employers_ok', 0):,} employers among the ok rows; "
        f"damage {json.dumps(m.get('damage_counts', {}))}",
        "- each measurement in its own process on its own fresh copy of the seeded database; "
        "rows/s = the file's data rows ÷ the seconds from opening the file to the commit",
        "",
        "| measurement | rows/s | seconds | rows added per table | detail |",
        "|---|---|---|---|---|",
    ]
    for kind in KINDS:
        r = p1.get("results", {}).get(kind) or {}
        if r.get("seconds"):
            lines.append(
                f"| {LABELS[kind]} | {r['rows_per_s']:,.0f} | {r['seconds']:.2f} | "
                f"{json.dumps(r.get('added', {}))} | {json.dumps(r.get('detail', {}), ensure_ascii=False)} |"
            )
        else:
            lines.append(f"| {LABELS[kind]} | - | - | - | {describe(r)} |")
    lines.append("")
    return lines


def write_report(p1: dict, table: str, meta: dict) -> Path:
    """bench/results/import.md: the last P1 run's table and details."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Zhichi bench, P1 (bulk import) — {meta['date']}",
        "",
        f"- machine: {meta['machine']['nproc']} CPUs ({meta['machine']['cpu']}), "
        f"{meta['machine']['ram_gib']} GiB RAM, {meta['machine']['os']}, "
        f"Python {meta['machine']['python']}",
        f"- database: {meta['database']}",
        f"- command: `{meta['command']}`; total {meta['elapsed_min']:.1f} min",
        "",
        "```",
        table,
        "```",
        "",
        *report_lines(p1),
    ]
    path = RESULTS / "import.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.p1", description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--database-url", help="postgres://postgres@127.0.0.1/zhichi_bench")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    parser.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--manifest", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # inside the bench environment
        result = child(args.measure, Path(args.file), Path(args.manifest))
        print("BENCH_P1 " + json.dumps(result, ensure_ascii=False, default=str))
        return 0
    from bench import run

    return run.main(["--p1-only", *(argv if argv is not None else sys.argv[1:])])


def run_only(args, secrets_: dict, work_root: Path, log, started: float, command: str) -> int:
    """``bench.run --p1-only``: P1 alone; its table printed and written to import.md."""
    from bench.run import machine, render_table

    if args.p1_rows < 1:
        raise SystemExit("--p1-rows must be at least 1 with --p1-only")
    p1 = measure(args, secrets_, work_root, log)
    table = render_table(table_rows(p1))
    meta = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "command": command,
        "elapsed_min": (time.perf_counter() - started) / 60,
    }
    path = write_report(p1, table, meta)
    print()
    print(
        f"Zhichi bench P1 {meta['date']} · {meta['machine']['nproc']} CPUs · {meta['database']} "
        f"· {p1['manifest']['rows']:,} rows"
    )
    print(table)
    print(f"\n(written to {path.relative_to(ROOT)}; {meta['elapsed_min']:.1f} min)")
    failed = any(r.get("error") for r in p1["results"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
