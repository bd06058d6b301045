"""Organisations, departments, users with one role, API tokens, numbering sequences."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    PROCURATORATE = "procuratorate", _("Procuratorate")
    LABOUR_BUREAU = "labour_bureau", _("Human resources and social security bureau")
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
    TRADE_UNION = "trade_union", _("Trade union")
    LEGAL_AID = "legal_aid", _("Legal aid centre")
    MEDIATION = "mediation", _("People's mediation committee")
    COURT = "court", _("Court")
    POLICE = "police", _("Police")
    CONSTRUCTION = "construction", _("Housing and construction bureau")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"),
        max_length=20,
        blank=True,
        help_text=_("Used in case and document numbers, e.g. 五华检."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    province = models.CharField(_("province code"), max_length=2, default="53")
    district = models.CharField(_("district code"), max_length=6, blank=True)
    case_number_pattern = models.CharField(
        _("case number pattern"),
        max_length=100,
        blank=True,
        help_text=_("Placeholders: {short}, {year}, {seq}, {seq:04d}. Empty: the system default."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="department_code_unique")
        ]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.name}"


class Role(models.TextChoices):
    OFFICER = "officer", _("Case officer")
    HEAD = "head", _("Department head")
    CHIEF = "chief", _("Chief procurator")
    REGISTRAR = "registrar", _("Registrar")
    PARTNER = "partner", _("Partner agency staff")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")
    # the public portal's own account, which files the applications people send (issue 18): it
    # never signs in (inactive, no password) and no role set grants it anything
    PORTAL = "portal", _("Public portal (system account)")


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
SYSTEM_ROLES = frozenset({Role.PORTAL})
# the portal account of a procuratorate is "portal.<its code>"; no person's account is named so
PORTAL_USERNAME_PREFIX = "portal."
# the roles the security administrator gives; the three administrator roles are given on the
# server (manage.py set_admin_role), never from a page, and a system account's never
GIVEN_ROLES = tuple(r for r in Role if r not in ADMIN_ROLES | SYSTEM_ROLES)
CASEWORK_ROLES = frozenset({Role.OFFICER, Role.HEAD, Role.CHIEF})


class User(AbstractUser):
    """One person, one organisation, one role (rule R5: one admin role per account)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    # Part of the session hash: a new stamp ends every session of the user on its next request
    # (issue 12 item 12: a session must not outlive a disable, even once the user is re-enabled).
    security_stamp = models.CharField(max_length=32, blank=True, default="", editable=False)
    # rule R6: the password's age (expiry) and a password the security administrator set, which
    # the user must replace at the next sign-in
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # an account seed_demo made: with ZHICHI_DEMO=1 (loopback only) it keeps its documented
    # password and signs in without a second factor
    is_demo = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    def save(self, *args, **kwargs):
        if self.password_changed_at is None and self.password:
            # a password set without set_password (create_user, createsuperuser): its age counts
            # from its first save (rule R6: expiry)
            self.password_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        # the password's age counts from here, however it was set (rule R6: expiry)
        self.password_changed_at = timezone.now()

    def rotate_security_stamp(self) -> None:
        """Give the user a new stamp (saved by the caller): every session ends."""
        self.security_stamp = secrets.token_hex(16)

    def _get_session_auth_hash(self, secret=None):
        if not self.security_stamp:
            # never rotated: Django's own hash, so sessions made before the stamp existed live on
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "zhichi.accounts.User.get_session_auth_hash",
            f"{self.password}\x00{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


def department_heads(department_id: int) -> models.QuerySet[User]:
    """The active heads of a department: who is told of its escalations and alerts."""
    return User.objects.filter(department_id=department_id, role=Role.HEAD, is_active=True)


class TokenState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiTokenQuerySet(models.QuerySet):
    def in_state(self, state: str, now=None):
        now = now or timezone.now()
        if state == TokenState.REVOKED:
            return self.filter(revoked_at__isnull=False)
        live = self.filter(revoked_at__isnull=True)
        if state == TokenState.EXPIRED:
            return live.filter(expires_at__lte=now)
        if state == TokenState.ACTIVE:
            return live.filter(expires_at__gt=now)
        raise ValueError(f"unknown token state {state!r}")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user.username} {self.prefix}…"

    def state(self, now=None) -> TokenState:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= now:
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def is_usable(self, now=None) -> bool:
        return self.state(now) == TokenState.ACTIVE

    @property
    def state_label(self) -> str:
        return self.state().label


class NumberSequence(models.Model):
    """Gap-free serial numbers per organisation, kind (case, a document kind) and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    kind = models.CharField(max_length=40)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "year"], name="number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code}/{self.kind}/{self.year}: {self.last}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key, replayed for retries."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Notification(models.Model):
    """An in-app message to one user (reminders, escalations, approvals waiting)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True, default="")
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class PasswordHistory(models.Model):
    """A password the user had (its hash only): rule R6 forbids reusing the last few."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class PasswordPolicy(models.Model):
    """The instance's password policy, one row (pk 1), kept by the security administrator within
    the floors of rule R6 (``zhichi.accounts.passwords.FLOORS``)."""

    min_length = models.PositiveSmallIntegerField(_("minimum length"), default=12)
    classes = models.PositiveSmallIntegerField(_("kinds of character"), default=3)
    max_age_days = models.PositiveSmallIntegerField(_("expires after (days)"), default=90)
    history = models.PositiveSmallIntegerField(_("earlier passwords refused"), default=5)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("password policy")
        verbose_name_plural = _("password policies")

    def __str__(self) -> str:
        return f"{self.min_length}/{self.classes}/{self.max_age_days}/{self.history}"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app (rule R6). Only its SHA-256 is
    kept; the codes are shown once, when made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'used' if self.used_at else 'unused'}"


class UserSession(models.Model):
    """A signed-in session, so that the security administrator can list and end them (rule R6).
    The session itself lives in Django's session store; this row names whose it is."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True, default="")
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["ended_at", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.session_key[:6]}…"
