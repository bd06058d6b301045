"""Joint actions (联合执法, C8): several organisations, one employer, several cases, money paid on
the spot. The payments themselves are ordinary case payments (the ledger's only source of
"recovered", C6); a joint action keeps the link to each one it recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import ADMIN_ROLES, Department, Organisation
from zhichi.accounts.rules import is_member
from zhichi.cases import scope
from zhichi.cases.models import Case, Payment
from zhichi.parties.models import Party


def may_see_joint_actions(user) -> bool:
    """Every member of an organisation but the three administrators (rule R5)."""
    return is_member(user) and user.role not in ADMIN_ROLES


class JointActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A joint action is seen by the staff of each participating organisation (partners
        included), and by the organiser's staff who can see one of its cases, or who work where
        it was organised (the department that recorded it; the whole procuratorate for the chief
        and the registry)."""
        if not may_see_joint_actions(user):
            return self.none()
        q = Q(
            pk__in=JointActionOrganisation.objects.filter(
                organisation_id=user.organisation_id
            ).values("joint_action_id")
        )
        if scope.may_see_cases(user):
            seen = Q(
                pk__in=JointActionCase.objects.filter(
                    case__in=Case.objects.visible_to(user)
                ).values("joint_action_id")
            )
            own = Q(organisation_id=user.organisation_id)
            if user.role in scope.DEPARTMENT_ROLES:
                q |= own & (seen | Q(department_id=user.department_id))
            elif user.role in scope.ORGANISATION_ROLES:
                q |= own
            else:
                q |= own & seen
        return self.filter(q)

    def for_display(self):
        """What the list and the detail read, in a fixed number of queries."""
        return self.select_related("organisation", "department", "employer", "created_by")


class JointAction(models.Model):
    # the organiser: the procuratorate (and department) of the officer who recorded it
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on = models.DateField(_("date"))
    employer = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="joint_actions", verbose_name=_("employer")
    )
    result = models.TextField(_("result"))
    amount_paid_on_site = models.DecimalField(
        _("amount paid on site"), max_digits=14, decimal_places=2, default=0
    )
    # why the cases may be shared with the participants when a person has not consented (C8)
    legal_basis = models.TextField(_("legal basis for sharing"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    organisations = models.ManyToManyField(
        Organisation, through="JointActionOrganisation", related_name="joint_actions"
    )
    cases = models.ManyToManyField(Case, through="JointActionCase", related_name="joint_actions")

    objects = JointActionQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["organisation", "department", "-on", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paid_on_site__gte=0), name="joint_action_amount_nonnegative"
            )
        ]
        verbose_name = _("joint action")
        verbose_name_plural = _("joint actions")

    def __str__(self) -> str:
        return f"{self.on} {self.employer_id}"

    def get_absolute_url(self) -> str:
        return reverse("joint_actions:detail", args=[self.pk])

    @property
    def share_source(self) -> str:
        return f"joint_action:{self.pk}"


class JointActionOrganisation(models.Model):
    """An organisation that took part, besides the organiser."""

    joint_action = models.ForeignKey(
        JointAction, on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["joint_action", "organisation"], name="joint_action_org_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "joint_action"])]

    def __str__(self) -> str:
        return f"{self.joint_action_id} {self.organisation_id}"


class JointActionCase(models.Model):
    joint_action = models.ForeignKey(
        JointAction, on_delete=models.CASCADE, related_name="case_links"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["joint_action", "case"], name="joint_action_case_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.joint_action_id} {self.case_id}"


class JointActionPayment(models.Model):
    """A payment the joint action recorded on one of its cases (one per claimant paid)."""

    joint_action = models.ForeignKey(
        JointAction, on_delete=models.CASCADE, related_name="payment_links"
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="joint_action_link"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.joint_action_id} {self.payment_id}"
