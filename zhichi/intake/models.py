"""Leads (线索): what comes in before a case exists (C1)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Department, Organisation
from zhichi.cases import scope
from zhichi.cases.models import (
    Case,
    Facts,
    PartyRole,
    ShareBase,
)
from zhichi.parties.models import Party

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    TRANSFERRED = "transferred", _("Transferred")


class Redirect(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    ARBITRATION = "arbitration", _("Labour arbitration")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    SELF_SUIT = "self_suit", _("Sue on their own")
    OTHER = "other", _("Other")


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The leads ``user`` may read (cases.scope: own, referred with consent, shared)."""
        q = lead_scope(user)
        return self.none() if q is None else self.filter(q)

    def internal_to(self, user):
        """The leads whose internal papers (the acceptance or decline notice) ``user`` may read:
        the receiving procuratorate's staff only."""
        if not scope.may_see_internal(user):
            return self.none()
        return self.visible_to(user).filter(organisation_id=user.organisation_id)

    def list_filter(
        self,
        *,
        status: str = "",
        source: str = "",
        category: str = "",
        received_from=None,
        received_to=None,
    ):
        """The lead list's filters, shared by the page, the API and the Excel export."""
        qs = self
        if status:
            qs = qs.filter(status=status)
        if source:
            qs = qs.filter(source=source)
        if category:
            qs = qs.filter(category=category)
        if received_from:
            qs = qs.filter(received_on__gte=received_from)
        if received_to:
            qs = qs.filter(received_on__lte=received_to)
        return qs


def lead_scope(user) -> Q | None:
    """The filter for the leads ``user`` may see, or None for none at all."""
    if not scope.may_see_leads(user):
        return None
    if user.role in scope.DEPARTMENT_ROLES:
        # a lead someone filed stays visible to them, e.g. a criminal officer's referral of a
        # victim that lands in civil intake
        own = (
            Q(organisation_id=user.organisation_id)
            & (Q(department_id=user.department_id) | Q(department__isnull=True))
        ) | Q(created_by_id=user.pk)
        return scope.or_shared(own, user, LeadShare, "lead_id")
    if user.role in scope.ORGANISATION_ROLES:
        return scope.or_shared(Q(organisation_id=user.organisation_id), user, LeadShare, "lead_id")
    # a partner: the leads its own staff filed, those it referred with the person's consent, and
    # those transferred to it while the transfer lasts; staff naming it as the referrer shares
    # nothing by itself (issue 12 item 13)
    filed = Q(
        referring_org_id=user.organisation_id, created_by__organisation_id=user.organisation_id
    )
    return scope.or_shared(filed | scope.referred_with_consent(user), user, LeadShare, "lead_id")


class Lead(Facts):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="leads", verbose_name=_("received by")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="leads"
    )
    receipt_code = models.CharField(max_length=16, unique=True, default=new_receipt_code)
    referring_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads_referred",
        verbose_name=_("referred by"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=LeadStatus.choices,
        default=LeadStatus.NEW,
        db_index=True,
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True, default="")
    decline_redirect = models.CharField(
        _("redirected to"), max_length=20, choices=Redirect.choices, blank=True, default=""
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="lead"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leads_created"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "department", "-created_at", "-id"]),
            models.Index(fields=["referring_org", "-created_at", "-id"]),
            models.Index(fields=["received_on"]),
            # the new leads waiting for a decision, newest first (workbench, intake queue): few
            # among many decided ones (issue 19)
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_created"),
        ]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self) -> str:
        return f"{_('Lead')} {self.receipt_code}"

    def get_absolute_url(self) -> str:
        return reverse("intake:lead_detail", args=[self.pk])

    @property
    def claimants(self):
        return [lp for lp in self.parties.all() if lp.role == PartyRole.CLAIMANT]

    @property
    def respondents(self):
        return [lp for lp in self.parties.all() if lp.role == PartyRole.RESPONDENT]


class LeadParty(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="parties")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="lead_roles")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    groups = models.JSONField(default=list, blank=True)
    vulnerability_basis = models.JSONField(default=list, blank=True)
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    months_unpaid = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["role", "position", "id"]
        indexes = [models.Index(fields=["party", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_claimed__isnull=True) | Q(amount_claimed__gte=0),
                name="lead_party_amount_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party.name} ({self.role})"


def with_claimant_counts(leads) -> list[Lead]:
    """The leads of a page (a list, or a sliced queryset), each with ``claimant_count``: counted
    for these leads only, in one query. Annotated on the list's queryset, the count groups every
    lead the viewer sees before the page is cut from them (4.2 s for a page of the lead list at
    100,000 leads on SQLite; issue 19)."""
    leads = list(leads)
    counts = dict(
        LeadParty.objects.filter(lead__in=[lead.pk for lead in leads], role=PartyRole.CLAIMANT)
        .values_list("lead_id")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    for lead in leads:
        lead.claimant_count = counts.get(lead.pk, 0)
    return leads


class LeadShare(ShareBase):
    """A lead transferred to another agency or department is readable there while shared."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        ordering = ["granted_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "department", "ended_at"]),
            models.Index(fields=["source"]),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.organisation_id} ({self.source})"
