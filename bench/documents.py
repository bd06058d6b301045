"""``make bench``, second part: P5 of QUALITY.md, the time to make documents.

    python -m bench.documents [--count 100] [--repeat 5] [--batch reissue|cases] [--keep]

In a temporary data dir (SQLite, ``ZHICHI_DEBUG=0``, bench-only keys, as ``bench.run`` does for
its sizes): ``migrate``, ``seed_demo --force --leads 0``; then, in a child process in that
environment, one wage case of civil1 (three claimants, one employer, four evidence files) with a
support decision the head approved, and:

- one support opinion: its context built once, then the DOCX (docxtpl, the built-in template)
  and the PDF (WeasyPrint) rendered separately, each once to warm up and then ``--repeat`` times;
  the median is the figure;
- one support opinion through ``services.issue_document`` (context, number, both renders and the
  masked copy's two, sealing, store, timeline, audit), the way the page and the API issue it;
- a batch of ``--count`` support opinions through ``services.issue_document``, one after another:
  re-issues of that opinion with a reason (``--batch reissue``, the default), or first issues for
  ``--count`` more cases made the same way (``--batch cases``); total and per-document time, and the
  median time of a document in the first and in the last tenth of the batch, so growth is visible.

Prints one table (id, what, documents, figures, ratio, target, result) and writes it, with the
details, to bench/results/documents.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.run import RESULTS, ROOT, bench_env, log, machine, manage, new_bench_secrets, run

DOCX_TARGET_S = 0.2
PDF_TARGET_S = 1.5
LINEAR_TARGET = 1.5  # median of the last tenth of the batch ≤ this × that of the first tenth
KIND = "support_opinion"
MARKER = "BENCH_DOCUMENTS "


# --- the measurement: runs inside the bench environment, prints JSON ------------------------
def _case(users: dict, n: int):
    """A wage case of civil1 from a lead hrss1 referred, with evidence and an approved support
    decision (through the services, as the pages do)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from zhichi.cases.services import disposal
    from zhichi.cases.services.approvals import decide_approval
    from zhichi.core.identifiers import credit_check_char, id_check_char
    from zhichi.evidence.services import upload_attachment
    from zhichi.intake import services as intake
    from zhichi.intake.validation import validate_lead

    today = timezone.localdate()

    def person_id(i: int) -> str:
        # unique per (case n, claimant i): the birth day carries i, the sequence n
        birth = f"{1960 + n % 40}{1 + (n // 40) % 12:02d}{10 + i:02d}"
        first17 = f"530102{birth}{n % 1000:03d}"
        return first17 + id_check_char(first17)

    body = "91530102MA6K2P3Q0"
    claimants = [
        {
            "name": name,
            "id_number": person_id(i),
            "phone": f"138{n:04d}{i:04d}",
            "groups": ["migrant_worker"],
            "amount_claimed": amount,
            "months_unpaid": months,
        }
        for i, (name, amount, months) in enumerate(
            [("王建国", "25000.00", 5), ("李秀英", "18600.50", 4), ("张小龙", "9800.00", 2)]
        )
    ]
    lead = intake.create_lead(
        actor=users["hrss1"],
        data=validate_lead(
            {
                "source": "walk_in",
                "received_on": today.isoformat(),
                "category": "wages",
                "summary": "申请人等三人在某建筑工地从事钢筋工作，用人单位拖欠劳动报酬共计人民币"
                "五万三千四百元五角，经多次催讨未果；劳动保障监察机构已责令限期支付，"
                "用人单位逾期仍未支付。",
                "claimants": claimants,
                "respondents": [
                    {
                        "kind": "organisation",
                        "name": "云南某建筑劳务有限公司",
                        "credit_code": body + credit_check_char(body),
                    }
                ],
                "voluntary": True,
                "consent_to_share": True,
                "labour_relationship": "employee",
                "has_iou": True,
            }
        ),
    )
    case = intake.accept_lead(lead_id=lead.pk, actor=users["civil1"])
    for name, kind, what in [
        ("劳动合同.txt", "contract", "劳动合同（复印件）"),
        ("考勤记录.txt", "wage_record", "考勤记录及工资表"),
        ("欠条.txt", "iou", "用人单位出具的欠条"),
        ("责令改正决定书.txt", "payment_order", "劳动保障监察责令改正决定书"),
    ]:
        upload_attachment(
            actor=users["civil1"],
            file=SimpleUploadedFile(
                name, f"{what}：基准测试用的证据材料。\n".encode(), content_type="text/plain"
            ),
            kind=kind,
            description=what,
            case_id=case.pk,
        )
    approval = disposal.propose_support_decision(
        case_id=case.pk,
        actor=users["civil1"],
        data={
            "decision": "support",
            "reasons": "用人单位拖欠劳动报酬事实清楚，证据充分；申请人系农民工，经济困难，"
            "诉讼能力较弱，符合支持起诉条件。",
        },
    )
    decide_approval(
        approval_id=approval.pk, actor=users["civilhead"], approve=True, reason="同意支持起诉"
    )
    return case


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def measure(count: int, repeat: int, batch: str) -> dict:
    """Everything P5 needs, in seconds (run in the bench environment)."""
    import io

    import django
    import pypdf

    django.setup()
    from django.db import connection

    from zhichi.accounts.models import User
    from zhichi.documents import context as ctx_mod
    from zhichi.documents import render, services
    from zhichi.documents.models import IssuedDocument

    users = {
        u.username: u for u in User.objects.filter(username__in=["civil1", "civilhead", "hrss1"])
    }
    case = _case(users, 0)
    officer = users["civil1"]

    # (a) one support opinion: the two renders of one context, separately
    context_s, built = _timed(lambda: ctx_mod.build(case, KIND))
    context = {**built.context, "number": "五华检民支诉〔2026〕999号"}
    template_s, template = _timed(lambda: render.builtin_docx(KIND))
    docx_first, docx_bytes = _timed(lambda: render.render_docx(template, context, kind=KIND))
    pdf_first, pdf_bytes = _timed(lambda: render.render_pdf(KIND, context))
    docx_runs = [
        _timed(lambda: render.render_docx(template, context, kind=KIND))[0] for _ in range(repeat)
    ]
    pdf_runs = [_timed(lambda: render.render_pdf(KIND, context))[0] for _ in range(repeat)]
    pdf_pages = len(pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages)

    # one support opinion through the service (the first issue takes the number)
    issue_s, first = _timed(
        lambda: services.issue_document(case_id=case.pk, kind=KIND, actor=officer)
    )

    # (b) the batch
    targets = [case.pk] * count
    if batch == "cases":
        targets = [_case(users, n).pk for n in range(1, count + 1)]
    per_doc: list[float] = []
    started = time.perf_counter()
    for i, case_id in enumerate(targets, start=1):
        reason = f"批量重新出具（基准测试第{i}份）" if batch == "reissue" else ""
        t0 = time.perf_counter()
        services.issue_document(case_id=case_id, kind=KIND, actor=officer, reason=reason)
        per_doc.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    tenth = max(1, count // 10)
    docs = IssuedDocument.objects.filter(kind=KIND)
    numbers = sorted(set(docs.values_list("number", flat=True)))
    return {
        "batch": batch,
        "count": count,
        "repeat": repeat,
        "context_s": context_s,
        "template_s": template_s,
        "docx_first_s": docx_first,
        "pdf_first_s": pdf_first,
        "docx_runs_s": docx_runs,
        "pdf_runs_s": pdf_runs,
        "docx_bytes": len(docx_bytes),
        "pdf_bytes": len(pdf_bytes),
        "pdf_pages": pdf_pages,
        "issue_s": issue_s,
        "first_number": first.number,
        "batch_total_s": total,
        "batch_per_doc_s": per_doc,
        "batch_first_tenth_s": statistics.median(per_doc[:tenth]),
        "batch_last_tenth_s": statistics.median(per_doc[-tenth:]),
        "issued": docs.count(),
        "numbers": len(numbers),
        "database": f"SQLite {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else connection.vendor,
        "versions": _versions(),
    }


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("docxtpl", "python-docx", "weasyprint", "pydyf"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    from weasyprint.text.ffi import pango

    n = pango.pango_version()  # e.g. 15010 for 1.50.10
    out["pango"] = f"{n // 10000}.{n // 100 % 100}.{n % 100}"
    return out


# --- the table ------------------------------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def spread(runs: list[float]) -> str:
    return f"{ms(min(runs))}–{ms(max(runs))}"


def build_rows(m: dict) -> list[list[str]]:
    docx_med = statistics.median(m["docx_runs_s"])
    pdf_med = statistics.median(m["pdf_runs_s"])
    one_each = docx_med + pdf_med
    per_doc = m["batch_total_s"] / m["count"]
    growth = m["batch_last_tenth_s"] / m["batch_first_tenth_s"] if m["batch_first_tenth_s"] else 0
    batch_what = (
        f"batch: {m['count']} re-issues of one opinion (issue_document)"
        if m["batch"] == "reissue"
        else f"batch: {m['count']} opinions for {m['count']} cases (issue_document)"
    )
    rows = [
        [
            "P5",
            "support opinion as DOCX (docxtpl render)",
            "1",
            f"median {ms(docx_med)} of {m['repeat']} ({spread(m['docx_runs_s'])}), "
            f"first call {ms(m['docx_first_s'])}",
            f"{docx_med / DOCX_TARGET_S:.2f}× target",
            f"≤ {DOCX_TARGET_S:g} s",
            "pass" if docx_med <= DOCX_TARGET_S else "short",
        ],
        [
            "P5",
            "support opinion as PDF (WeasyPrint render)",
            "1",
            f"median {ms(pdf_med)} of {m['repeat']} ({spread(m['pdf_runs_s'])}), "
            f"first call {ms(m['pdf_first_s'])}, {m['pdf_pages']} pages",
            f"{pdf_med / PDF_TARGET_S:.2f}× target",
            f"≤ {PDF_TARGET_S:g} s",
            "pass" if pdf_med <= PDF_TARGET_S else "short",
        ],
        [
            "P5",
            "one support opinion issued (issue_document)",
            "1",
            f"{ms(m['issue_s'])} (context, number, DOCX, PDF and their masked copy, sealed, store, audit)",
            f"{m['issue_s'] / one_each:.2f}× DOCX+PDF",
            "(reference)",
            "-",
        ],
        [
            "P5",
            batch_what,
            f"{m['count']}",
            f"{m['batch_total_s']:,.1f} s, {ms(per_doc)} per document (median of the first tenth "
            f"{ms(m['batch_first_tenth_s'])}, of the last {ms(m['batch_last_tenth_s'])})",
            f"{per_doc / one_each:.2f}× DOCX+PDF; last/first tenth {growth:.2f}×",
            f"linear: last tenth ≤ {LINEAR_TARGET:g}× first",
            "pass" if growth <= LINEAR_TARGET else "short",
        ],
    ]
    return rows


def render_table(rows: list[list[str]]) -> str:
    header = ["id", "what", "documents", "figures", "ratio", "target", "result"]
    table = [header, ["-" * len(h) for h in header], *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table
    )


def write_report(m: dict, table: str, meta: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    per = m["batch_per_doc_s"]
    q = statistics.quantiles(per, n=20) if len(per) >= 2 else per * 19
    tenth = max(1, m["count"] // 10)
    tenths = [
        f"{statistics.median(per[i : i + tenth]) * 1000:.0f}" for i in range(0, len(per), tenth)
    ]
    lines = [
        f"# Zhichi bench, documents (P5) — {meta['date']}",
        "",
        f"- machine: {meta['machine']['nproc']} CPUs ({meta['machine']['cpu']}), "
        f"{meta['machine']['ram_gib']} GiB RAM, {meta['machine']['os']}, "
        f"Python {meta['machine']['python']}",
        f"- database: {m['database']} in a temporary data dir (ZHICHI_DEBUG=0), "
        "`migrate`, `seed_demo --force --leads 0`",
        "- libraries: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        "- the case: a wage case of civil1 with three claimants, one employer, four evidence "
        "files and a support decision approved by the head (through the services)",
        f"- single renders: the context built once ({ms(m['context_s'])}), the built-in DOCX "
        f"template made once ({ms(m['template_s'])}); each renderer called once to warm up, then "
        f"{m['repeat']} times; the figure is the median. DOCX {m['docx_bytes']:,} bytes, PDF "
        f"{m['pdf_bytes']:,} bytes, {m['pdf_pages']} pages",
        f"- batch: {m['count']} × `services.issue_document` one after another, "
        + (
            "re-issues of the same opinion with a reason (each keeps the number and replaces "
            "the last)"
            if m["batch"] == "reissue"
            else "first issues for as many cases (each takes the next number)"
        )
        + f"; {m['issued']} support opinions stored under {m['numbers']} number(s)",
        f"- command: `{meta['command']}`; total {meta['elapsed_min']:.1f} min",
        "",
        "```",
        table,
        "```",
        "",
        "Single renders (s): DOCX "
        + ", ".join(f"{x:.3f}" for x in m["docx_runs_s"])
        + "; PDF "
        + ", ".join(f"{x:.3f}" for x in m["pdf_runs_s"]),
        "",
        f"Batch per document: mean {statistics.mean(per) * 1000:.0f} ms, median "
        f"{statistics.median(per) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms, max "
        f"{max(per) * 1000:.0f} ms; median of each tenth (ms): {' / '.join(tenths)}",
        "",
    ]
    path = RESULTS / "documents.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# --- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.documents", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--count", type=int, default=100, help="documents in the batch")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders after the warm-up")
    parser.add_argument(
        "--batch",
        choices=["reissue", "cases"],
        default="reissue",
        help="re-issue one opinion (default) or issue one for each of --count new cases",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 1000:
        parser.error("--count must be 1-1000")
    if not 1 <= args.repeat <= 50:
        parser.error("--repeat must be 1-50")

    if args.measure:  # inside the bench environment: print the figures, as JSON
        print(MARKER + json.dumps(measure(args.count, args.repeat, args.batch)))
        return 0

    bench_secrets = new_bench_secrets()
    started = time.perf_counter()
    data_dir = Path(tempfile.mkdtemp(prefix="zhichi-bench-documents-"))
    env = bench_env(data_dir, None, bench_secrets)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log("=== documents (P5) ===")
    try:
        manage(env, "migrate", "--no-input")
        manage(env, "seed_demo", "--force", "--leads", "0")
        cmd = [sys.executable, "-m", "bench.documents", "--measure"]
        cmd += ["--count", str(args.count), "--repeat", str(args.repeat), "--batch", args.batch]
        setup = 30 * args.count if args.batch == "cases" else 0
        out = run(cmd, env, timeout=600 + 30 * args.count + setup, what="documents measure")
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        log(f"documents FAILED: {exc}")
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
        print(
            render_table([["P5", "run failed", "-", (lines or ["?"])[-1][:300], "-", "-", "error"]])
        )
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            log(f"kept {data_dir}")
    m = json.loads(
        next(ln for ln in out.splitlines()[::-1] if ln.startswith(MARKER))[len(MARKER) :]
    )
    table = render_table(build_rows(m))
    meta = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": machine(),
        "command": " ".join(
            ["python -m bench.documents", *(argv if argv is not None else sys.argv[1:])]
        ),
        "elapsed_min": (time.perf_counter() - started) / 60,
    }
    path = write_report(m, table, meta)
    print()
    print(
        f"Zhichi bench, documents {meta['date']} · {meta['machine']['nproc']} CPUs, "
        f"{meta['machine']['ram_gib']} GiB RAM · {m['database']} · one support opinion, "
        f"median of {m['repeat']} after a warm-up; a batch of {m['count']}"
    )
    print(table)
    print(f"\n(written to {path.relative_to(ROOT)}; {meta['elapsed_min']:.1f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
