"""Issuing documents (rule DOC-1): build the context once, render DOCX and PDF, number, store.

A first issue takes the next number of the organisation's pattern for the kind and year — gap
-free and unique under concurrency (``accounts.services.next_number`` in the same transaction, so
a failed issue gives its number back). A transfer letter and a suggestion carry their own
record's number. A re-issue keeps the number (a number once issued is never reused for another
document), needs a reason and replaces the current one, which stays stored.
"""

from __future__ import annotations

import hashlib
import logging

import jinja2
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Organisation, User
from zhichi.accounts.organisations import PATTERN_MESSAGES
from zhichi.accounts.services import next_number
from zhichi.audit.services import record
from zhichi.cases.models import Case
from zhichi.cases.rules import can_unmask
from zhichi.cases.services import add_event
from zhichi.common.downloads import private_file
from zhichi.common.errors import FieldError, InvalidInput, NotPermitted
from zhichi.common.inputs import parse
from zhichi.core import numbering
from zhichi.documents import context as ctx_mod
from zhichi.documents import render, rules, sandbox
from zhichi.documents.layouts import VERSION
from zhichi.documents.models import (
    DocumentKind,
    DocumentTemplate,
    IssuedDocument,
    NumberPattern,
)
from zhichi.documents.rules import can_manage_templates
from zhichi.documents.schemas import LeadIssueIn
from zhichi.evidence import sniff
from zhichi.intake.models import Lead
from zhichi.intake.rules import can_decide_lead

logger = logging.getLogger("zhichi.documents")

DEFAULT_PATTERNS = {
    "acceptance_notice": "{short}民支受〔{year}〕{seq}号",
    "not_acceptance_notice": "{short}民支不受〔{year}〕{seq}号",
    "support_opinion": "{short}民支诉〔{year}〕{seq}号",
    "not_support_decision": "{short}民支不〔{year}〕{seq}号",
    "assistance_decision": "{short}司救决〔{year}〕{seq}号",
    "visit_record": "{short}民支访〔{year}〕{seq}号",
    "mediation_agreement": "{short}民调〔{year}〕{seq}号",
}


def patterns_for(org: Organisation) -> dict[str, str]:
    """Every numbered kind's pattern for ``org`` (its own, else the default) in one query: the
    templates page shows them all, and a document's number is made from its kind's."""
    own = dict(NumberPattern.objects.filter(organisation=org).values_list("kind", "pattern"))
    return {kind: own.get(kind, default) for kind, default in DEFAULT_PATTERNS.items()}


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


def current_of_kind(*, case, kind: str, subject_id: int | None = None) -> IssuedDocument | None:
    """The current document of ``kind`` of ``case``: about record ``subject_id`` when given (a
    transfer, a visit …), else the newest one issued."""
    if subject_id is not None:
        if kind not in ctx_mod.SUBJECT_KINDS:
            return None
        return current(case=case, kind=kind, subject=f"{ctx_mod.SUBJECT_KINDS[kind]}:{subject_id}")
    return (
        IssuedDocument.objects.filter(case=case, kind=kind, replaced_by__isnull=True)
        .order_by("-issued_at", "-id")
        .first()
    )


def ensure_may_issue(*, case_id: int, actor: User) -> Case:
    """Refuse (and audit) anyone but the case officer or the department head; the API checks
    this before it reads the body (issue 12, item 10)."""
    case = Case.objects.select_related("organisation", "officer").get(pk=case_id)
    if not rules.can_issue(actor, case):
        record(action="document.issue", actor=actor, obj=case, outcome="denied")
        raise NotPermitted(_("Only the case officer or the department head may issue documents."))
    return case


def issue_document(
    *,
    case_id: int,
    kind: str,
    actor: User,
    subject_id: int | None = None,
    reason: str = "",
) -> IssuedDocument:
    """Issue (or re-issue, with a reason) one document of the case."""
    ensure_may_issue(case_id=case_id, actor=actor)
    if kind not in DocumentKind.values:
        raise InvalidInput([FieldError("kind", "choice", _("Not a document kind."))])
    reason = _check_reason(reason)
    try:
        return _issue_case_document(
            case_id=case_id, kind=kind, actor=actor, subject_id=subject_id, reason=reason
        )
    except TemplateInUseRefused as exc:
        raise _template_refused(exc, actor=actor, kind=kind) from None


def _issue_case_document(*, case_id, kind, actor, subject_id, reason) -> IssuedDocument:
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
            # a court document keeps its masked copy too (rule ID-3), from the same moment
            copy_built=ctx_mod.build(case, kind, subject_id=subject_id, copy=True)
            if kind in ctx_mod.TO_COURT
            else None,
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


def _number_render_store(
    *, owner, org, kind, built, previous, actor, reason, copy_built=None
) -> IssuedDocument:
    """Number (keep the number on a re-issue), render both formats (and the masked copy of a
    court document), store them sealed, audit."""
    if previous is not None:
        number = previous.number
    elif built.own_number:
        number = built.own_number
    else:
        year = timezone.localdate().year
        seq = next_number(organisation=org, kind=f"doc:{kind}", year=year)
        number = numbering.format_number(
            patterns_for(org)[kind], short=org.short_name or org.code, year=year, seq=seq
        )
    context = {**built.context, "number": number}
    template = DocumentTemplate.objects.filter(kind=kind, active=True).first()
    docx_template = bytes(template.file) if template else render.builtin_docx(kind)
    docx_bytes = _render_docx(docx_template, context, kind=kind, template=template, actor=actor)
    pdf_bytes = render.render_pdf(kind, context)
    copy = None
    if copy_built is not None:
        copy_context = {**copy_built.context, "number": number, "issued_on": context["issued_on"]}
        copy = (
            _render_docx(docx_template, copy_context, kind=kind, template=template, actor=actor),
            render.render_pdf(kind, copy_context),
        )
    doc = IssuedDocument(
        **owner,
        kind=kind,
        subject=built.subject,
        number=number,
        template_version=template.label if template else VERSION,
        template=template,
        issued_by=actor,
        replaces=previous,
        reason=reason if previous is not None else "",  # a first issue has nothing to explain
    )
    doc.seal(context=context, docx=docx_bytes, pdf=pdf_bytes, copy=copy)
    doc.save()
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


class TemplateInUseRefused(Exception):
    """The administrator's template in use for a kind is refused by the document sandbox."""

    def __init__(self, template: DocumentTemplate, refused: sandbox.TemplateRefused):
        self.template = template
        self.refused = refused
        super().__init__(str(refused))


def _render_docx(data: bytes, context: dict, *, kind: str, template, actor) -> bytes:
    """The DOCX in the document sandbox; a template in use that the sandbox refuses (one kept
    from before the checks) raises ``TemplateInUseRefused``."""
    try:
        return render.render_docx(data, context, kind=kind)
    except sandbox.TemplateRefused as exc:
        if template is None:
            raise  # a built-in layout is code: a refusal there is a bug, not a user's doing
        raise TemplateInUseRefused(template, exc) from None


def _template_refused(exc: TemplateInUseRefused, *, actor: User, kind: str) -> InvalidInput:
    """Audit (after the rolled-back issue) and explain a refused template in use."""
    record(
        action="document.template",
        actor=actor,
        obj=exc.template,
        outcome="denied",
        detail={
            "kind": kind,
            "version": exc.template.version,
            "refused": str(exc.refused)[:300],
            "when": "issue",
        },
    )
    message = _(
        "The template in use for this document (%(version)s) is not allowed. Ask the system "
        "administrator to replace it or to put the built-in template back."
    ) % {"version": exc.template.label}
    return InvalidInput([FieldError("kind", "template_refused", message)])


def ensure_may_issue_lead_notice(*, lead_id: int, actor: User) -> None:
    """Refuse (and audit) anyone but the staff who decide the lead."""
    lead = Lead.objects.select_related("organisation").get(pk=lead_id)
    if not can_decide_lead(actor, lead):
        record(action="document.issue", actor=actor, obj=lead, outcome="denied")
        raise NotPermitted(_("Only the staff who decide the lead may issue its notice."))


def issue_lead_document(*, lead_id: int, actor: User, reason: str = "") -> IssuedDocument:
    """The notice of non-acceptance of a declined lead (rule DOC-1); re-issue with a reason."""
    ensure_may_issue_lead_notice(lead_id=lead_id, actor=actor)
    reason = _check_reason(reason)
    kind = DocumentKind.NOT_ACCEPTANCE_NOTICE
    try:
        return _issue_lead_notice(lead_id=lead_id, kind=kind, actor=actor, reason=reason)
    except TemplateInUseRefused as exc:
        raise _template_refused(exc, actor=actor, kind=kind) from None


def _issue_lead_notice(*, lead_id, kind, actor, reason) -> IssuedDocument:
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


def _check_reason(reason: str | None) -> str:
    """The reason as the issue inputs declare it (``schemas.Reason``): a page's and the API's
    alike, or 422 at ``reason``."""
    return parse(LeadIssueIn, {"reason": reason}).reason


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


def _legacy_masked_copy(doc: IssuedDocument, fmt: str) -> bytes:
    """The masked copy of a court document issued before masked copies were kept with it:
    rendered from the case now, with the issued number and date."""
    subject_id = int(doc.subject.split(":")[1]) if doc.subject else None
    built = ctx_mod.build(doc.case, doc.kind, subject_id=subject_id, copy=True)
    context = {**built.context, "number": doc.number, "issued_on": doc.context["issued_on"]}
    if fmt == "docx":
        template = bytes(doc.template.file) if doc.template_id else render.builtin_docx(doc.kind)
        return render.render_docx(template, context, kind=doc.kind)
    return render.render_pdf(doc.kind, context)


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def may_have_full_copy(actor: User, doc: IssuedDocument) -> bool:
    """Whether ``actor`` gets the original of a court document, with full identifiers: only a
    role that may unmask the case's identifiers (rule ID-3); everyone else gets the masked copy."""
    return doc.case_id is not None and can_unmask(actor, doc.case)


def document_bytes(
    *,
    doc: IssuedDocument,
    actor: User,
    fmt: str,
    copy: bool = False,
    via: str,
    purpose: str = "",
    log_unmask: bool = True,
) -> tuple[bytes, bool]:
    """The bytes ``actor`` receives of ``doc`` as ``fmt``, and whether they are a masked copy.

    A court document's original carries full identifiers: it goes only to someone who may
    unmask, and only when they do not ask for the copy; handing it out is logged as an unmask
    (who, which document, why). Everyone else, and whoever asks for the copy, gets the masked
    copy (rule ID-3). Every other document carries masked identifiers already. ``log_unmask``
    False: the caller logs the unmask when the bytes reach a person (the case file's download)."""
    full = doc.kind in ctx_mod.TO_COURT and not copy and may_have_full_copy(actor, doc)
    masked = doc.kind in ctx_mod.TO_COURT and not full
    if full and log_unmask:
        record(
            action="case.unmask",
            actor=actor,
            obj=doc.case,
            detail={
                "via": via,
                "document": doc.pk,
                "kind": doc.kind,
                "number": doc.number,
                "format": fmt,
                "purpose": (purpose or "").strip()[:200]
                or "court document: original with full identifiers",
            },
        )
    if masked and not doc.has_masked_copy:
        return _legacy_masked_copy(doc, fmt), True
    return doc.file(fmt, masked=masked), masked


def document_response(
    *,
    doc: IssuedDocument,
    actor: User,
    fmt: str,
    copy: bool = False,
    inline: bool = False,
    via: str,
    purpose: str = "",
):
    """The stored document as a file for ``actor`` (see ``document_bytes``), audited."""
    if fmt not in CONTENT_TYPES:
        raise InvalidInput([FieldError("format", "choice", _("Choose docx or pdf."))])
    data, masked = document_bytes(
        doc=doc, actor=actor, fmt=fmt, copy=copy, via=via, purpose=purpose
    )
    record(
        action="document.download",
        actor=actor,
        obj=doc,
        detail={"format": fmt, "copy": masked, "via": via, "number": doc.number},
    )
    name = f"{doc.number}{'（副本）' if masked else ''}.{fmt}"
    return private_file(
        HttpResponse(data, content_type=CONTENT_TYPES[fmt]),
        name,
        attachment=not (inline and fmt == "pdf"),
    )


# --- replaceable templates -------------------------------------------------------------------------
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024


def upload_template(
    *, actor: User, kind: str, data: bytes, name: str, note: str = ""
) -> DocumentTemplate:
    """Accept a DOCX template for ``kind`` once it renders with sample data; it becomes the one in
    use and the earlier versions are kept."""
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
        errors += _try_template(kind, data)
    if errors:
        # every refused upload is in the audit trail: what was refused and why, never the file
        record(
            action="document.template",
            actor=actor,
            outcome="denied",
            detail={
                "kind": str(kind)[:40],
                "name": str(name)[:200],
                "size": len(data),
                "sha256": _sha(data),
                "refused": [f"{e.field}:{e.code}" for e in errors],
                "messages": [str(e.message)[:160] for e in errors[:5]],
            },
        )
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


def _try_template(kind: str, data: bytes) -> list[FieldError]:
    """Render ``data`` with the sample data of ``kind`` in the document sandbox; the problems as
    field errors. A template using anything outside the allow-list is refused before it runs, and
    no message repeats anything a render produced (only what the template's own text names)."""
    try:
        render.render_docx(data, ctx_mod.sample_context(kind), kind=kind)
    except sandbox.TemplateRefused as exc:
        return [FieldError("file", f"template_{p.code}", _refusal_text(p)) for p in exc.problems]
    except jinja2.TemplateSyntaxError as exc:
        return [
            FieldError(
                "file",
                "template_syntax",
                _("The template's {{ … }} or {%% … %%} tags are broken (line %(line)s).")
                % {"line": exc.lineno or "?"},
            )
        ]
    except Exception as exc:  # a broken DOCX, a missing name at render time …
        logger.info("template for %s refused: %s", kind, type(exc).__name__)
        return [
            FieldError(
                "file",
                "does_not_render",
                _(
                    "The template does not render with sample data. Start again from the current "
                    "template (download it below) and change only the text around the tags."
                ),
            )
        ]
    return []


def _refusal_text(problem: sandbox.Problem) -> str:
    what = problem.what[:60]
    texts = {
        "name": _("It uses “%(what)s”, which this kind of document does not offer."),
        "attribute": _("It reads an attribute (“.%(what)s”); templates may use only the names."),
        "call": _("It calls a function; templates may not call anything."),
        "filter": _("It uses the filter “%(what)s”, which is not allowed in templates."),
        "test": _("It uses the test “%(what)s”, which is not allowed in templates."),
        "index": _("It looks up an item by something other than a whole number."),
        "too_large": _("It is too large or contains a constant text that is too long."),
        "construct": _("It uses “%(what)s”, which is not allowed in templates."),
    }
    text = texts.get(problem.code, texts["construct"]) % {"what": what}
    if problem.line:
        text += " " + _("(line %(line)s of the template text)") % {"line": problem.line}
    return text


def use_template(*, actor: User, kind: str, version: int | None) -> DocumentTemplate | None:
    """Put an earlier version back in use, or the built-in template (``version`` None)."""
    if not can_manage_templates(actor):
        record(action="document.template", actor=actor, outcome="denied", detail={"kind": kind})
        raise NotPermitted(_("Only the system administrator manages document templates."))
    if kind not in DocumentKind.values:
        raise InvalidInput([FieldError("kind", "choice", _("Not a document kind."))])
    if version is not None:
        row = DocumentTemplate.objects.filter(kind=kind, version=version).first()
        # a version kept from before the sandbox's checks is tried again before it is used
        problems = _try_template(kind, bytes(row.file)) if row is not None else []
        if problems:
            record(
                action="document.template",
                actor=actor,
                obj=row,
                outcome="denied",
                detail={
                    "kind": kind,
                    "version": version,
                    "refused": [f"{e.field}:{e.code}" for e in problems],
                },
            )
            raise InvalidInput(
                [FieldError("version", e.code, e.message) for e in problems],
                detail=_("This version is not allowed any more; nothing changed."),
            )
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

    A pattern must contain {seq} and may use {short} and {year} (rule DOC-1; checked by
    ``core.numbering``, never given to ``str.format``).
    Numbers already issued keep their text; the counter (per organisation, kind and year) goes on.
    """
    if not can_manage_templates(actor):
        record(action="document.numbering", actor=actor, outcome="denied", detail={"kind": kind})
        raise NotPermitted(_("Only the system administrator manages document templates."))
    errors = []
    if kind not in DEFAULT_PATTERNS:
        errors.append(FieldError("kind", "choice", _("This document takes its record's number.")))
    pattern = (pattern or "").strip()
    if pattern:
        errors += [
            FieldError("pattern", problem.code, PATTERN_MESSAGES[problem.code]())
            for problem in numbering.check_pattern(pattern)[:1]
        ]
    if errors:
        record(
            action="document.numbering",
            actor=actor,
            outcome="denied",
            detail={
                "kind": str(kind)[:40],
                "pattern": pattern[:120],
                "refused": [f"{e.field}:{e.code}" for e in errors],
            },
        )
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
