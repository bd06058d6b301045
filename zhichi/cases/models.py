"""Cases, their parties and their timeline (C3)."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import NotSupportedError, connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichi.accounts.models import Department, Organisation, Role
from zhichi.cases import scope
from zhichi.cases.choices import (  # noqa: F401 (also known here)
    AppointmentStatus,
    ApprovalKind,
    ApprovalStatus,
    CaseStatus,
    Category,
    CourtEventKind,
    DeadlineStatus,
    Evasion,
    Flag,
    LabourRelationship,
    LedgerEntryKind,
    MediationOutcome,
    Outcome,
    PartyRole,
    RiskSignal,
    SessionKind,
    ShareBasis,
    ShareReason,
    Source,
    Stage,
    VisitMethod,
    VisitTarget,
)
from zhichi.cases.words import DEADLINE_BASES, DEADLINE_LABELS
from zhichi.common.lookups import Among
from zhichi.core import criminal, searchtext
from zhichi.parties.models import Party


class HasElement(models.Lookup):
    """``flags__has_element="x"``: the JSON list holds the string ``x``.

    Django's ``contains`` on a JSONField is not supported on SQLite (issue 13, item 3: the case
    list's flag filter answered 500 there). This lookup is the one way the code asks the
    question; each database answers it in its own JSON SQL: PostgreSQL with ``@>``, which the
    GIN index on ``cases_case.flags`` serves (migration 0012), SQLite with ``json_each``.
    """

    lookup_name = "has_element"
    prepare_rhs = False

    def _lhs(self, compiler, connection):
        if not isinstance(self.rhs, str):
            raise TypeError("has_element takes a string")
        return self.process_lhs(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = self._lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*params, json.dumps([self.rhs]))

    def as_sqlite(self, compiler, connection):
        lhs, params = self._lhs(compiler, connection)
        # lhs is the column Django compiled; the value goes as a parameter
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) AS zc_element WHERE zc_element.value = %s)"  # noqa: S608
        return sql, (*params, self.rhs)

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"has_element is not written for {connection.vendor}")


class HoldsGrams(models.Lookup):
    """``search_grams__holds_grams=[…]``: the case's grams include every one of these, asked of
    the GIN index over ``string_to_array(search_grams, ' ')`` (PostgreSQL, migration 0018) on
    the case's own row: as ``id IN (SELECT id FROM cases_case WHERE …)`` each match was read
    twice, from the index's bitmap and again by its primary key (issue 19: 80 → 52 ms for a
    name 5,190 of 1,000,000 cases hold)."""

    lookup_name = "holds_grams"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        # the index's own expression, so that the planner matches it
        return f"string_to_array({lhs}, ' ') @> %s::text[]", (*params, list(self.rhs))

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"holds_grams is not written for {connection.vendor}")


# The gram index (migration 0018): FTS5 on SQLite, asked by a subquery on its own table; on
# PostgreSQL, GIN over the grams as an array (``HoldsGrams``).
_SQLITE_GRAM_CANDIDATES = "SELECT rowid FROM cases_case_grams WHERE cases_case_grams MATCH %s"
# SQLite: the grams of a query that the index is asked for, rarest first (the substring test
# checks the rest), and how many cases may hold the rarest before the index no longer helps: a
# gram most cases hold ("有限" of 有限公司) is answered faster by reading the cases in the list's
# order until the page is full. PostgreSQL's planner weighs this itself, from its statistics.
SQLITE_GRAMS_ASKED = 2
SQLITE_DENSE_GRAM = 3000


def _sqlite_gram_counts(grams: list[str]) -> dict[str, int]:
    """How many cases hold each of ``grams`` (FTS5's vocabulary; 0 for a gram none holds)."""
    marks = ", ".join(["%s"] * len(grams))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, doc FROM cases_case_grams_vocab WHERE term IN ({marks})",  # noqa: S608
            grams,
        )
        found = dict(cursor.fetchall())
    return {gram: found.get(gram, 0) for gram in grams}


def search_match(q: str) -> Q:
    """The condition under which a case's search text holds ``q`` (in search form): the cases
    the gram index names as holding the query's grams, tested for the substring itself
    (decision 0002). A query without a letter or digit, or on SQLite one whose every gram most
    cases hold, is only the substring test; an empty one matches everything."""
    q = searchtext.search_form((q or "").strip())
    if not q:
        return Q()
    match = Q(search_text__contains=q)
    grams = searchtext.query_grams(q)
    if not grams:
        return match
    if connection.vendor == "postgresql":
        return match & Q(search_grams__holds_grams=grams)
    if connection.vendor != "sqlite":
        return match
    counts = _sqlite_gram_counts(grams)
    grams = sorted(grams, key=counts.__getitem__)[:SQLITE_GRAMS_ASKED]
    if counts[grams[0]] > SQLITE_DENSE_GRAM:
        return match
    # every gram is letters and digits only: quoted, each is one token of the ascii tokenizer,
    # and the terms are ANDed; the SQL is a constant of this module, the grams a parameter
    param = " ".join(f'"{g}"' for g in grams)
    return match & Q(pk__in=RawSQL(_SQLITE_GRAM_CANDIDATES, [param]))  # noqa: S611


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The cases ``user`` may read: their own and those shared with them (cases.scope)."""
        q = scope.case_scope(user, CaseShare)
        return self.none() if q is None else self.filter(q)

    def internal_to(self, user):
        """The cases whose internal work (documents, assistance, suggestions) ``user`` may read:
        of those visible, the ones of the user's own organisation, for its staff only."""
        if not scope.may_see_internal(user):
            return self.none()
        return self.visible_to(user).filter(organisation_id=user.organisation_id)

    def open(self):
        return self.filter(status=CaseStatus.OPEN)

    def for_display(self):
        """What the case page and the API's case body read, in a fixed number of queries."""
        return self.select_related(
            "organisation", "department", "officer", "referring_org"
        ).prefetch_related("parties__party")

    def listed(self):
        """For a list of cases: without the search columns, which no list shows and which are
        the longest of a case's row."""
        return self.defer("search_text", "search_grams")

    def search(self, q: str):
        """Number, party names, credit codes and summary; any Chinese substring, 1 character
        upwards; a case number in any bracket or width (core.searchtext, decision 0002)."""
        return self.filter(search_match(q))


class Facts(models.Model):
    """The facts of a matter as the person told them, declared once (issue 14 item 1): a lead
    holds them as it comes in, and the case it becomes carries them on (``facts_of``). Who
    referred it stays on each model, since each names the link its own way."""

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    received_on = models.DateField(_("received on"))
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    summary = models.TextField(_("summary"), blank=True)
    voluntary = models.BooleanField(_("applied voluntarily"), default=False)
    consent_to_share = models.BooleanField(_("consents to sharing"), default=False)
    labour_relationship = models.CharField(
        _("labour relationship"),
        max_length=16,
        choices=LabourRelationship.choices,
        default=LabourRelationship.UNKNOWN,
    )
    has_iou = models.BooleanField(_("holds a wage IOU"), default=False)
    payment_order_authority = models.CharField(
        _("order to pay: issued by"),
        max_length=criminal.AUTHORITY_MAX_LENGTH,
        blank=True,
        default="",
    )
    payment_order_issued_on = models.DateField(_("order to pay: issued on"), null=True, blank=True)
    payment_order_deadline = models.DateField(_("order to pay: deadline"), null=True, blank=True)
    evasion = models.JSONField(_("evasion"), default=list, blank=True)
    # RiskSignal codes (rules EW-1 (ii), EW-3)
    signals = models.JSONField(_("risk signals"), default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    def facts_of(self) -> dict:
        """The facts as field values, to carry onto another record (a lead's onto its case)."""
        values = {name: getattr(self, name) for name in FACT_FIELDS}
        # lists are copied, so the two records never share one list in memory
        return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


FACT_FIELDS = tuple(f.name for f in Facts._meta.fields)


class Case(Facts):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    number = models.CharField(_("case number"), max_length=64)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REVIEW, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    level_reasons = models.JSONField(default=list, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_handled",
        null=True,
        blank=True,
        verbose_name=_("officer"),
    )
    risk_score = models.PositiveSmallIntegerField(default=0)
    risk_reasons = models.JSONField(default=list, blank=True)
    level_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level_override_reason = models.TextField(blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=20, blank=True, default="")
    closing_note = models.TextField(_("closing note"), blank=True, default="")
    referring_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # the criminal-lead evaluator's last answer on the facts (C7): verdict, reasons, threshold
    criminal_check = models.JSONField(default=dict, blank=True)
    search_text = models.TextField(blank=True, default="", editable=False)
    # the grams of search_text (core.searchtext.search_grams), which the gram index holds:
    # FTS5 on SQLite, GIN on PostgreSQL (migration 0018, decision 0002)
    search_grams = models.TextField(blank=True, default="", editable=False)
    # the ledger's totals (C6), kept by cases.ledger.keep_totals whenever a change to the case is
    # saved, so that many cases' money is one aggregate (the employer profile, C2)
    claimed_total = models.DecimalField(max_digits=16, decimal_places=2, default=0, editable=False)
    recovered_total = models.DecimalField(
        max_digits=16, decimal_places=2, default=0, editable=False
    )
    owed_total = models.DecimalField(max_digits=16, decimal_places=2, default=0, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="case_number_unique"),
            models.UniqueConstraint(
                fields=["organisation", "year", "serial"], name="case_serial_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "department", "-opened_on", "-id"]),
            models.Index(fields=["officer", "-opened_on"]),
            # an officer's open cases, newest first (workbench, "mine" on the list; issue 19)
            models.Index(
                fields=["officer", "status", "-opened_on", "-id"], name="case_officer_open"
            ),
            # the period's figures of a whole procuratorate (stats; QUALITY.md P4)
            models.Index(fields=["organisation", "opened_on"], name="case_org_opened"),
            models.Index(fields=["organisation", "closed_on"], name="case_org_closed"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])

    def has_flag(self, flag: str) -> bool:
        return flag in (self.flags or [])


# ``…__among=[ids]`` on every field and foreign key (common.lookups)
models.Field.register_lookup(Among)
models.ForeignObject.register_lookup(Among)
Case._meta.get_field("flags").register_lookup(HasElement)
Case._meta.get_field("search_grams").register_lookup(HoldsGrams)


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="case_roles")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    groups = models.JSONField(default=list, blank=True)
    vulnerability_basis = models.JSONField(default=list, blank=True)
    amount_claimed = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    months_unpaid = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["role", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "role"], name="case_party_unique"),
            models.CheckConstraint(
                condition=Q(amount_claimed__isnull=True) | Q(amount_claimed__gte=0),
                name="case_party_amount_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number}: {self.party.name} ({self.role})"


CaseParty._meta.get_field("groups").register_lookup(HasElement)


class TimelineEvent(models.Model):
    """One line in the case's history: every service call that touched the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


# --- hierarchical disposal (C3 … C6) ----------------------------------------------------------


class Mediation(models.Model):
    """A pre-litigation mediation or reconciliation session (C4)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediations")
    kind = models.CharField(
        _("kind"), max_length=16, choices=SessionKind.choices, default=SessionKind.MEDIATION
    )
    held_on = models.DateField(_("held on"))
    mediator_org = models.CharField(_("mediator"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=MediationOutcome.choices)
    agreed_amount = models.DecimalField(
        _("agreed amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]
        indexes = [models.Index(fields=["held_on"], name="mediation_held_on")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.held_on} {self.outcome}"


class MediationAppointment(models.Model):
    """A mediation or reconciliation session planned for a date (C4), so the person who applied
    can be told when and where to come (issue 18 item 6). It stays ``scheduled`` until a mediation
    is recorded on or after its date (``held``) or it is called off with a reason
    (``cancelled``); the session itself is a ``Mediation``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_appointments")
    kind = models.CharField(
        _("kind"), max_length=16, choices=SessionKind.choices, default=SessionKind.MEDIATION
    )
    on = models.DateField(_("date"))
    at_time = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    mediator_org = models.CharField(_("mediator"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.SCHEDULED,
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # a session without a time comes first on its day, on every database alike
        ordering = ["on", models.F("at_time").asc(nulls_first=True), "id"]
        indexes = [models.Index(fields=["case", "on"], name="mediation_appt_case_on")]
        verbose_name = _("mediation appointment")
        verbose_name_plural = _("mediation appointments")

    def __str__(self) -> str:
        return f"{self.case_id} {self.on} {self.status}"


class Instalment(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="instalments")
    due = models.DateField(_("due"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.due} {self.amount}"


class Approval(models.Model):
    """A decision waiting for the role the rules reserve it to (e.g. a head approves support)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(max_length=30, choices=ApprovalKind.choices)
    payload = models.JSONField(default=dict)
    required_role = models.CharField(max_length=16)
    # four eyes: the role the step would have gone to when its proposer is the only one holding
    # it, so the approval went a level up (required_role); empty when it was not moved
    escalated_from = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING, db_index=True
    )
    # who proposed it (gave the opinion): never the one who decides it
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "status", "decided_at"], name="approval_kind_decided")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.kind} {self.status}"

    @property
    def escalation_note(self) -> str:
        """Why the approval went a level up (four eyes), for the inbox and the record; or ""."""
        return str(ESCALATION_NOTES.get(self.escalated_from, ""))


# four eyes: the one level-up that exists (cases.services.approvals.NEXT_LEVEL), said plainly
ESCALATION_NOTES = {
    Role.HEAD: _(
        "Sent to the chief procurator because the department head proposed it: "
        "nobody decides their own proposal."
    ),
}


class CourtEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="court_events")
    kind = models.CharField(_("kind"), max_length=20, choices=CourtEventKind.choices)
    on = models.DateField(_("date"))
    court = models.CharField(_("court or commission"), max_length=200, blank=True, default="")
    served_on = models.DateField(_("served on"), null=True, blank=True)
    amount_awarded = models.DecimalField(
        _("amount awarded"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    performance_due = models.DateField(_("performance due"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["kind", "on"], name="courtevent_kind_on")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.kind} {self.on}"


class Service(models.Model):
    """Who was served a judgment or ruling and when: appeal periods run per person (rule TL-4)."""

    event = models.ForeignKey(CourtEvent, on_delete=models.CASCADE, related_name="services")
    person = models.CharField(_("person served"), max_length=200)
    served_on = models.DateField(_("served on"))

    class Meta:
        ordering = ["served_on", "id"]

    def __str__(self) -> str:
        return f"{self.person} {self.served_on}"


class LedgerEntry(models.Model):
    """One claimant's share of an agreement or an award (the ledger's agreed and awarded)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ledger")
    claimant = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="ledger")
    kind = models.CharField(max_length=8, choices=LedgerEntryKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, null=True, blank=True)
    court_event = models.ForeignKey(CourtEvent, on_delete=models.CASCADE, null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="ledger_amount_nonnegative")
        ]

    def __str__(self) -> str:
        return f"{self.claimant_id} {self.kind} {self.amount}"


class PaymentQuerySet(models.QuerySet):
    def standing(self):
        """The payments no reversal took back: what "recovered" counts (C6)."""
        return self.filter(reversal__isnull=True)


class Payment(models.Model):
    """Money actually paid to a claimant: the only source of "recovered" (C6). Never edited or
    deleted: a wrong entry is taken back by a ``PaymentReversal`` and stays visible."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="payments")
    claimant = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    payer = models.CharField(_("payer"), max_length=200)
    method = models.CharField(_("method"), max_length=60, blank=True, default="")
    # why more was paid than the claimant was still owed, as the officer typed it; empty for an
    # ordinary payment (an overpayment is refused without one)
    overpayment_reason = models.TextField(_("reason for the overpayment"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["paid_on"], name="payment_paid_on")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.amount}"


class PaymentReversal(models.Model):
    """The entry that takes a wrongly recorded payment back out of every total (C6): the ledger
    is append-only, so the payment stays, marked reversed, with who reversed it, when and why.
    One per payment: a payment cannot be reversed twice."""

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="reversal")
    reason = models.TextField(_("reason"))
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reversed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reversed_at", "id"]

    def __str__(self) -> str:
        return f"reversal of payment {self.payment_id}"


class Visit(models.Model):
    """A return visit (回访) to a claimant or to the employer in arrears (C6)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    planned_on = models.DateField(_("planned on"))
    target = models.CharField(_("visit to"), max_length=10, choices=VisitTarget.choices)
    method = models.CharField(_("method"), max_length=8, choices=VisitMethod.choices)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True, default="")
    remaining_problems = models.TextField(_("remaining problems"), blank=True, default="")
    paid_in_full = models.BooleanField(_("paid in full"), null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["done_on"], name="visit_done_on")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.target} {self.planned_on}"


class CaseDeadline(models.Model):
    """A deadline derived from the case's recorded events (recomputed whenever they change)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=80)  # what it derives from, e.g. "service:12"
    # what it is and why, as stored messages ({"code", "params"}, cases.words), put into words
    # in the reader's language by ``label`` and ``basis``; a text written before codes were
    # stored and not mappable to one is kept as {"text": ...} (migration 0010)
    label_words = models.JSONField(default=dict)
    due = models.DateField(db_index=True)
    rule = models.CharField(max_length=12)
    basis_words = models.JSONField(default=dict, blank=True)
    calendar_complete = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.PENDING
    )
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="case_deadline_key_unique")
        ]
        indexes = [models.Index(fields=["status", "due"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due}"

    @property
    def label(self) -> str:
        """What the deadline is, in the active language."""
        return DEADLINE_LABELS.words(self.label_words)

    @label.setter
    def label(self, value: dict | str) -> None:
        """A stored message, or a text given as it is (kept as written)."""
        self.label_words = value if isinstance(value, dict) else {"text": str(value)}

    @property
    def basis(self) -> str:
        """Its legal basis or advice, in the active language ("" when it has none)."""
        return DEADLINE_BASES.words(self.basis_words)

    @basis.setter
    def basis(self, value: dict | str) -> None:
        self.basis_words = value if isinstance(value, dict) else {"text": str(value)}


# --- sharing with other agencies and departments (C7, C8) -------------------------------------


class ShareBase(models.Model):
    """Who else may read a case or lead, why, and until when.

    A share is active while ``ended_at`` is empty; the scopes in rules.py read only active
    shares, so access ends on the next request after a share ends (rule R3).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # set when the share is with one department of a procuratorate (e.g. civil → criminal)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=ShareReason.choices)
    basis = models.CharField(max_length=16, choices=ShareBasis.choices)
    legal_basis = models.TextField(blank=True, default="")
    source = models.CharField(max_length=40)  # what granted it, e.g. "transfer:12"
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.ended_at is None


class CaseShare(ShareBase):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        ordering = ["granted_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "department", "ended_at"]),
            models.Index(fields=["source"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation_id} ({self.source})"
