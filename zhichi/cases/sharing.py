"""Granting and ending shares of cases and leads with other agencies and departments (C8).

Called from the services that share (transfers, joint actions) inside their transaction; the
caller audits its own action, these functions record the share itself in the audit trail.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import Department, Organisation, User
from zhichi.audit.services import record
from zhichi.cases.models import ShareBasis
from zhichi.common.errors import FieldError, InvalidInput


def share_basis(
    *, subject, to_org: Organisation, legal_basis: str, field: str = "legal_basis"
) -> str:
    """The basis for sharing ``subject`` (a case or lead) with ``to_org``, or 422.

    Within the subject's own organisation no consent is needed (departments of one
    procuratorate). Another agency needs the person's consent (recorded at intake) or a
    recorded legal basis (C8).
    """
    if to_org.pk == subject.organisation_id:
        return ShareBasis.INTERNAL
    if subject.consent_to_share:
        return ShareBasis.CONSENT
    if legal_basis.strip():
        return ShareBasis.LEGAL_BASIS
    raise InvalidInput(
        [
            FieldError(
                field,
                "consent_required",
                _(
                    "The person has not consented to sharing with other agencies: record the "
                    "legal basis for sharing (the law and article), or ask for consent first."
                ),
            )
        ]
    )


def grant(
    model: type[models.Model],
    *,
    subject_field: str,
    subject,
    organisation: Organisation,
    department: Department | None,
    reason: str,
    basis: str,
    legal_basis: str,
    source: str,
    actor: User,
):
    """Open a share of ``subject`` (unless the same source already holds an active one)."""
    existing = model.objects.filter(
        **{subject_field: subject},
        organisation=organisation,
        department=department,
        source=source,
        ended_at__isnull=True,
    ).first()
    if existing:
        return existing
    share = model.objects.create(
        **{subject_field: subject},
        organisation=organisation,
        department=department,
        reason=reason,
        basis=basis,
        legal_basis=legal_basis.strip(),
        source=source,
        granted_by=actor,
    )
    record(
        action=f"{model._meta.model_name}.grant",
        actor=actor,
        obj=subject,
        detail={
            "to_org": organisation.code,
            "department": department.code if department else "",
            "basis": basis,
            "source": source,
        },
    )
    return share


def end(model: type[models.Model], *, source: str, actor: User, reason: str) -> int:
    """End every active share opened by ``source``; the former viewers lose access at once."""
    shares = list(model.objects.filter(source=source, ended_at__isnull=True))
    now = timezone.now()
    for share in shares:
        share.ended_at, share.ended_by, share.end_reason = now, actor, reason[:200]
        share.save(update_fields=["ended_at", "ended_by", "end_reason"])
        record(
            action=f"{model._meta.model_name}.end",
            actor=actor,
            obj=share,
            detail={"source": source, "reason": reason[:200]},
        )
    return len(shares)


def audience(case) -> list[int]:
    """The organisations told of a case's changes (webhooks): its own, the referring agency
    when the person consented, and every organisation it is shared with now."""
    orgs = {case.organisation_id}
    if case.referring_org_id and case.consent_to_share:
        orgs.add(case.referring_org_id)
    orgs |= set(case.shares.filter(ended_at__isnull=True).values_list("organisation_id", flat=True))
    return sorted(orgs)
