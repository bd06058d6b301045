"""Issuing documents (rule DOC-1): build the context once, render DOCX and PDF, number, store.

A first issue takes the next number of the organisation's pattern for the kind and year — gap
-free and unique under concurrency (``accounts.services.next_number`` in the same transaction, so
a failed issue gives its number back). A transfer letter and a suggestion carry their own
record's number. A re-issue keeps the number (a number once issued is never reused for another
document), needs a reason and replaces the current one, which stays stored.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Organisation, User
from zhichi.accounts.services import next_number
from zhichi.audit.services import record
from zhichi.cases.models import Case
from zhichi.cases.services import add_event
from zhichi.documents import context as ctx_mod
from zhichi.documents import render, rules
from zhichi.documents.layouts import VERSION
from zhichi.documents.models import (
    DocumentKind,
    DocumentTemplate,
    IssuedDocument,
    NumberPattern,
)
from zhichi.errors import FieldError, InvalidInput, NotPermitted

DEFAULT_PATTERNS = {
    "acceptance_notice": "{short}民支受〔{year}〕{seq}号",
    "not_acceptance_notice": "{short}民支不受〔{year}〕{seq}号",
    "support_opinion": "{short}民支诉〔{year}〕{seq}号",
    "not_support_decision": "{short}民支不〔{year}〕{seq}号",
    "assistance_decision": "{short}司救决〔{year}〕{seq}号",
    "visit_record": "{short}民支访〔{year}〕{seq}号",
    "mediation_agreement": "{short}民调〔{year}〕{seq}号",
}


def pattern_for(org: Organisation, kind: str) -> str:
    row = NumberPattern.objects.filter(organisation=org, kind=kind).first()
    return row.pattern if row else DEFAULT_PATTERNS[kind]


def format_number(pattern: str, *, short: str, year: int, seq: int) -> str:
    return pattern.format(short=short, year=year, seq=seq)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current(*, kind: str, subject: str = "", case=None, lead=None) -> IssuedDocument | None:
    """The document of ``kind`` (about ``subject``) of a case or a lead not replaced yet."""
    owner = {"case": case} if case is not None else {"lead": lead}
    return (
        IssuedDocument.objects.filter(**owner, kind=kind, subject=subject, replaced_by__isnull=True)
        .order_by("-issued_at", "-id")
        .first()
    )


def issue_document(
    *,
    case_id: int,
    kind: str,
    actor: User,
    subject_id: int | None = None,
    reason: str = "",
) -> IssuedDocument:
    """Issue (or re-issue, with a reason) one document of the case."""
    case = Case.objects.select_related("organisation", "officer").get(pk=case_id)
    if not rules.can_issue(actor, case):
        record(action="document.issue", actor=actor, obj=case, outcome="denied")
        raise NotPermitted(_("Only the case officer or the department head may issue documents."))
    if kind not in DocumentKind.values:
        raise InvalidInput([FieldError("kind", "choice", _("Not a document kind."))])
    reason = _check_reason(reason)
    with transaction.atomic():
        case = (
            # lock the case row only: PostgreSQL refuses FOR UPDATE across the outer join to officer
            Case.objects.select_for_update(of=("self",))
            .select_related("organisation", "officer")
            .get(pk=case_id)
        )
        built = ctx_mod.build(case, kind, subject_id=subject_id)
        previous = current(case=case, kind=kind, subject=built.subject)
        _require_reason(previous, reason)
        doc = _number_render_store(
            owner={"case": case},
            org=case.organisation,
            kind=kind,
            built=built,
            previous=previous,
            actor=actor,
            reason=reason,
        )
        add_event(
            case,
            kind="document_issued",
            actor=actor,
            summary=reason,
            data={
                "document": doc.pk,
                "kind": kind,
                "number": doc.number,
                "reissue": bool(previous),
            },
        )
    return doc


def _number_render_store(*, owner, org, kind, built, previous, actor, reason) -> IssuedDocument:
    """Number (keep the number on a re-issue), render both formats, store, audit."""
    if previous is not None:
        number = previous.number
    elif built.own_number:
        number = built.own_number
    else:
        year = timezone.localdate().year
        seq = next_number(organisation=org, kind=f"doc:{kind}", year=year)
        number = format_number(
            pattern_for(org, kind), short=org.short_name or org.code, year=year, seq=seq
        )
    context = {**built.context, "number": number}
    template = DocumentTemplate.objects.filter(kind=kind, active=True).first()
    docx_bytes = render.render_docx(
        bytes(template.file) if template else render.builtin_docx(kind), context
    )
    pdf_bytes = render.render_pdf(kind, context)
    doc = IssuedDocument.objects.create(
        **owner,
        kind=kind,
        subject=built.subject,
        number=number,
        context=context,
        template_version=template.label if template else VERSION,
        template=template,
        docx=docx_bytes,
        docx_sha256=_sha(docx_bytes),
        pdf=pdf_bytes,
        pdf_sha256=_sha(pdf_bytes),
        issued_by=actor,
        replaces=previous,
        reason=reason if previous is not None else "",  # a first issue has nothing to explain
    )
    record(
        action="document.reissue" if previous else "document.issue",
        actor=actor,
        obj=doc,
        detail={
            **{f"{k}": v.pk for k, v in owner.items()},
            "kind": kind,
            "number": number,
            "subject": built.subject,
            "docx_sha256": doc.docx_sha256,
            "pdf_sha256": doc.pdf_sha256,
            "full_identifiers": kind in ctx_mod.TO_COURT,
        },
    )
    return doc


def issue_lead_document(*, lead_id: int, actor: User, reason: str = "") -> IssuedDocument:
    """The notice of non-acceptance of a declined lead (rule DOC-1); re-issue with a reason."""
    from zhichi.intake.models import Lead
    from zhichi.intake.rules import can_decide_lead

    lead = Lead.objects.select_related("organisation").get(pk=lead_id)
    if not can_decide_lead(actor, lead):
        record(action="document.issue", actor=actor, obj=lead, outcome="denied")
        raise NotPermitted(_("Only the staff who decide the lead may issue its notice."))
    reason = _check_reason(reason)
    kind = DocumentKind.NOT_ACCEPTANCE_NOTICE
    with transaction.atomic():
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=lead_id)
        )
        built = ctx_mod.build_lead(lead)
        previous = current(lead=lead, kind=kind)
        _require_reason(previous, reason)
        return _number_render_store(
            owner={"lead": lead},
            org=lead.organisation,
            kind=kind,
            built=built,
            previous=previous,
            actor=actor,
            reason=reason,
        )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise InvalidInput(
            [FieldError("reason", "max_length", _("Keep the reason under 2,000 characters."))]
        )
    return reason


def _require_reason(previous, reason: str) -> None:
    if previous is not None and not reason:
        raise InvalidInput(
            [
                FieldError(
                    "reason",
                    "required",
                    _("This document was issued as %(number)s: give the reason to re-issue it.")
                    % {"number": previous.number},
                )
            ]
        )


def copy_for_others(doc: IssuedDocument, fmt: str) -> bytes:
    """A copy of a court document for the applicant and others: identifiers masked (rendered
    from the case now, with the issued number; it is a copy, not a stored document)."""
    subject_id = int(doc.subject.split(":")[1]) if doc.subject else None
    built = ctx_mod.build(doc.case, doc.kind, subject_id=subject_id, copy=True)
    context = {**built.context, "number": doc.number, "issued_on": doc.context["issued_on"]}
    if fmt == "docx":
        template = bytes(doc.template.file) if doc.template_id else render.builtin_docx(doc.kind)
        return render.render_docx(template, context)
    return render.render_pdf(doc.kind, context)


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def document_response(
    *,
    doc: IssuedDocument,
    actor: User,
    fmt: str,
    copy: bool = False,
    inline: bool = False,
    via: str,
):
    """The stored document (or a masked copy of a court document) as a file, audited."""
    from django.http import HttpResponse

    if fmt not in CONTENT_TYPES:
        raise InvalidInput([FieldError("format", "choice", _("Choose docx or pdf."))])
    copy = copy and doc.kind in ctx_mod.TO_COURT
    data = copy_for_others(doc, fmt) if copy else bytes(doc.docx if fmt == "docx" else doc.pdf)
    record(
        action="document.download",
        actor=actor,
        obj=doc,
        detail={"format": fmt, "copy": copy, "via": via, "number": doc.number},
    )
    name = f"{doc.number}{'（副本）' if copy else ''}.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if inline and fmt == "pdf" else "attachment"
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(disposition == "attachment", name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- replaceable templates -------------------------------------------------------------------------
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024


def upload_template(
    *, actor: User, kind: str, data: bytes, name: str, note: str = ""
) -> DocumentTemplate:
    """Accept a DOCX template for ``kind`` once it renders with sample data; it becomes the one in
    use and the earlier versions are kept."""
    from zhichi.documents.rules import can_manage_templates
    from zhichi.evidence import sniff

    if not can_manage_templates(actor):
        record(action="document.template", actor=actor, outcome="denied", detail={"kind": kind})
        raise NotPermitted(_("Only the system administrator manages document templates."))
    errors = []
    if kind not in DocumentKind.values:
        errors.append(FieldError("kind", "choice", _("Not a document kind.")))
    if not data:
        errors.append(FieldError("file", "required", _("Choose a DOCX file.")))
    elif len(data) > MAX_TEMPLATE_BYTES:
        errors.append(FieldError("file", "too_large", _("A template may be at most 2 MB.")))
    else:
        try:
            found = sniff.sniff_bytes(data)
        except sniff.Refused:
            found = None
        if found is None or found.extension != "docx":
            errors.append(FieldError("file", "not_docx", _("This is not a DOCX file.")))
    if len(note) > 500:
        errors.append(FieldError("note", "max_length", _("Keep the note under 500 characters.")))
    if not errors:
        try:
            # rendered with every name the kind offers, and nothing else (StrictUndefined)
            render.render_docx(data, ctx_mod.sample_context(kind))
        except Exception as exc:
            errors.append(
                FieldError(
                    "file",
                    "does_not_render",
                    _("The template does not render with sample data: %(error)s")
                    % {"error": str(exc)[:300]},
                )
            )
    if errors:
        raise InvalidInput(errors, detail=_("The template was not accepted; nothing changed."))
    with transaction.atomic():
        last = (
            DocumentTemplate.objects.select_for_update()
            .filter(kind=kind)
            .order_by("-version")
            .first()
        )
        DocumentTemplate.objects.filter(kind=kind, active=True).update(active=False)
        template = DocumentTemplate.objects.create(
            kind=kind,
            version=(last.version + 1) if last else 1,
            file=data,
            sha256=_sha(data),
            original_name=name[:200],
            note=note,
            active=True,
            uploaded_by=actor,
        )
        record(
            action="document.template",
            actor=actor,
            obj=template,
            detail={"kind": kind, "version": template.version, "sha256": template.sha256},
        )
    return template


def use_template(*, actor: User, kind: str, version: int | None) -> DocumentTemplate | None:
    """Put an earlier version back in use, or the built-in template (``version`` None)."""
    from zhichi.documents.rules import can_manage_templates

    if not can_manage_templates(actor):
        record(action="document.template", actor=actor, outcome="denied", detail={"kind": kind})
        raise NotPermitted(_("Only the system administrator manages document templates."))
    if kind not in DocumentKind.values:
        raise InvalidInput([FieldError("kind", "choice", _("Not a document kind."))])
    with transaction.atomic():
        chosen = None
        if version is not None:
            chosen = (
                DocumentTemplate.objects.select_for_update()
                .filter(kind=kind, version=version)
                .first()
            )
            if chosen is None:
                raise InvalidInput([FieldError("version", "unknown", _("No such version."))])
        DocumentTemplate.objects.filter(kind=kind, active=True).update(active=False)
        if chosen is not None:
            chosen.active = True
            chosen.save(update_fields=["active"])
        record(
            action="document.template",
            actor=actor,
            object_type="documents.documenttemplate",
            object_id=chosen.pk if chosen else "",
            detail={"kind": kind, "version": version or VERSION},
        )
    return chosen


def set_number_pattern(*, actor: User, kind: str, pattern: str) -> NumberPattern | None:
    """The actor's organisation's numbering of a kind (rule DOC-1); empty: the default again.

    A pattern must contain {seq} and may use {short} and {year}; it is tried before it is kept.
    Numbers already issued keep their text; the counter (per organisation, kind and year) goes on.
    """
    from zhichi.documents.rules import can_manage_templates

    if not can_manage_templates(actor):
        record(action="document.numbering", actor=actor, outcome="denied", detail={"kind": kind})
        raise NotPermitted(_("Only the system administrator manages document templates."))
    errors = []
    if kind not in DEFAULT_PATTERNS:
        errors.append(FieldError("kind", "choice", _("This document takes its record's number.")))
    pattern = (pattern or "").strip()
    if pattern:
        if len(pattern) > 100:
            errors.append(FieldError("pattern", "max_length", _("Keep it under 100 characters.")))
        elif "{seq}" not in pattern and "{seq:" not in pattern:
            errors.append(FieldError("pattern", "no_seq", _("The pattern must contain {seq}.")))
        else:
            try:
                format_number(pattern, short="五华检", year=2026, seq=1)
            except (KeyError, IndexError, ValueError):
                errors.append(
                    FieldError(
                        "pattern",
                        "placeholder",
                        _("Use only the placeholders {short}, {year} and {seq}."),
                    )
                )
    if errors:
        raise InvalidInput(errors, detail=_("The setting has errors; nothing was saved."))
    org = actor.organisation
    with transaction.atomic():
        if not pattern:
            NumberPattern.objects.filter(organisation=org, kind=kind).delete()
            row = None
        else:
            row, _created = NumberPattern.objects.update_or_create(
                organisation=org, kind=kind, defaults={"pattern": pattern}
            )
        record(
            action="document.numbering",
            actor=actor,
            object_type="documents.numberpattern",
            object_id=row.pk if row else "",
            detail={"kind": kind, "pattern": pattern or DEFAULT_PATTERNS[kind]},
        )
    return row
