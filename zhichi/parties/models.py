"""People and organisations that appear in leads and cases (C2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.core import identifiers
from zhichi.parties import crypto


def id_number_columns(normalised: str) -> dict[str, str]:
    """How a (normalised) resident ID number is stored (rule ID-3): encrypted, with its keyed
    blind index for exact lookup and a masked copy for screens."""
    return {
        "id_number_enc": crypto.encrypt(normalised),
        "id_number_index": crypto.blind_index("id", normalised),
        "id_number_masked": identifiers.mask_id_number(normalised),
    }


def phone_columns(normalised: str) -> dict[str, str]:
    """How a (normalised) phone number is stored, on a party or a contact (rule ID-3)."""
    return {
        "phone_enc": crypto.encrypt(normalised),
        "phone_index": crypto.blind_index("phone", normalised),
        "phone_masked": identifiers.mask_phone(normalised),
    }


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Group(models.TextChoices):
    MIGRANT_WORKER = "migrant_worker", _("Migrant worker")
    WOMAN = "woman", _("Woman")
    MINOR = "minor", _("Minor")
    ELDERLY = "elderly", _("Elderly person")
    DISABLED = "disabled", _("Disabled person")
    LOW_INCOME = "low_income", _("Low-income household")
    VETERAN = "veteran", _("Veteran")


class VulnerabilityBasis(models.TextChoices):
    # rule SP-3: eligibility is assessed case by case, never assumed from the group alone
    ECONOMIC_HARDSHIP = "economic_hardship", _("Economic hardship")
    NO_LEGAL_KNOWLEDGE = "no_legal_knowledge", _("Lacks legal knowledge")
    EVIDENCE_DIFFICULTY = "evidence_difficulty", _("Difficulty collecting evidence")
    AGE_OR_HEALTH = "age_or_health", _("Age or health")


class Party(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # rule ID-3: identifiers are stored encrypted, with a keyed blind index and a masked copy
    id_number_enc = models.TextField(blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    id_number_masked = models.CharField(max_length=32, blank=True, default="")
    phone_enc = models.TextField(blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(max_length=32, blank=True, default="")
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, default="", db_index=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    # --- identifiers -------------------------------------------------------------------------
    def set_id_number(self, normalised: str) -> None:
        for name, value in id_number_columns(normalised).items():
            setattr(self, name, value)

    def set_phone(self, normalised: str) -> None:
        for name, value in phone_columns(normalised).items():
            setattr(self, name, value)

    @property
    def id_number(self) -> str:
        """The clear identifier. Callers must check the unmask permission and log the access."""
        return crypto.decrypt(self.id_number_enc)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    @property
    def credit_code_masked(self) -> str:
        return identifiers.mask_credit_code(self.credit_code)

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    ADDRESS = "address", _("Address")


class ContactSource(models.TextChoices):
    LEAD = "lead", _("Lead")
    CASE = "case", _("Case")
    EARLIER = "earlier", _("Recorded before contacts were kept")


class PartyContact(models.Model):
    """A phone or an address a person gave: when, by whom and where it was recorded.

    No typed fact is dropped (issue 13 item 2): a new phone or address for a known person is added
    here. The newest of each kind is the current one, copied onto the Party (``Party.phone``,
    ``Party.address``); older ones stay listed. Phones are kept like ``Party.phone`` (rule ID-3):
    encrypted, with a blind index for exact lookup and a masked copy for screens.
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=8, choices=ContactKind.choices)
    phone_enc = models.TextField(blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(max_length=32, blank=True, default="")
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    source = models.CharField(_("recorded from"), max_length=8, choices=ContactSource.choices)
    # where it was recorded: the lead (its id and receipt code) or the case (its id and number)
    source_id = models.PositiveIntegerField(null=True, blank=True)
    source_ref = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["party", "kind", "-recorded_at", "-id"])]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.phone_masked if self.kind == ContactKind.PHONE else self.address

    def set_phone(self, normalised: str) -> None:
        for name, value in phone_columns(normalised).items():
            setattr(self, name, value)

    @property
    def phone(self) -> str:
        """The clear number. Callers must check the unmask permission and log the access."""
        return crypto.decrypt(self.phone_enc)
