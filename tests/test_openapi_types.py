"""The OpenAPI document tells the whole truth about every input (issue 14, item 1): each request
body property and each parameter has a type; a choice lists its values in ``enum`` (not in a
description); text that goes into a column is bounded as the column is; an amount is a bounded
decimal; a date is a date. The walk names the path of every property that breaks a rule."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from zhichi.accounts.models import Department, Organisation
from zhichi.assistance.models import (
    ApplicationForm,
    AssistanceApplication,
    AssistanceStatus,
    Exclusion,
    LegalAidOutcome,
    LegalAidReferral,
    NoticeMethod,
    PaymentMethod,
    Proposal,
    Situation,
)
from zhichi.cases.models import (
    ApprovalStatus,
    Case,
    CaseShare,
    CaseStatus,
    Category,
    CourtEvent,
    CourtEventKind,
    Evasion,
    LabourRelationship,
    Mediation,
    MediationOutcome,
    Outcome,
    Payment,
    RiskSignal,
    Service,
    SessionKind,
    Source,
    Stage,
    VisitMethod,
    VisitTarget,
)
from zhichi.documents.models import DocumentKind
from zhichi.evidence.models import Attachment, Kind
from zhichi.intake.models import LeadStatus, Redirect
from zhichi.parties.models import Group, Party, PartyKind, VulnerabilityBasis
from zhichi.rulebook.models import WageSeries
from zhichi.supervision.models import (
    Adoption,
    EscalationTarget,
    ServiceMethod,
    Suggestion,
    SuggestionStatus,
)
from zhichi.transfers.models import FeedbackResult, TransferKind, TransferStatus
from zhichi.webhooks.models import SUBSCRIBABLE_EVENTS, WebhookSubscription

TYPED = {"type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const"}
REF = "#/components/schemas/"

# money in the request bodies: a bounded decimal (a string with a digits pattern, or a number
# with a minimum and a maximum), never a bare string or number
MONEY_NAMES = re.compile(r"amount|_wage$|_limit$")
# dates: format date
DATE_NAMES = re.compile(r"(_on|^on|^due|^start|^as_of|^from|^to)$")
# a description that lists values: "a | b", "one of", "a、b、c", "`a`, `b`"
VALUE_LIST = [
    re.compile(r"\b[a-z][a-z0-9_.]*\s*\|\s*[a-z][a-z0-9_.]*\b"),
    re.compile(r"\bone of\b", re.IGNORECASE),
    re.compile(r"[\w`]+、[\w`]+、"),
    re.compile(r"`[a-z][a-z0-9_.]*`\s*(,|or)\s*`[a-z][a-z0-9_.]*`"),
]


@pytest.fixture(scope="module")
def doc() -> dict:
    from zhichi.api import api

    return api.get_openapi_schema()


class Walk:
    def __init__(self, doc: dict):
        self.components = doc.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict) -> tuple[dict, str | None]:
        """The schema a ``$ref`` (or ninja's single-``$ref`` ``allOf``) points to, and its name."""
        name = None
        for _ in range(20):
            if "$ref" in schema:
                name = schema["$ref"].removeprefix(REF)
                schema = self.components[name]
            elif len(schema.get("allOf", [])) == 1 and "$ref" in schema["allOf"][0]:
                schema = schema["allOf"][0]
            else:
                break
        return schema, name

    def branches(self, schema: dict) -> Iterator[dict]:
        """The schema itself, or each member of its anyOf/oneOf/allOf, resolved (not null)."""
        schema, _name = self.resolve(schema)
        members = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
        if not members:
            yield schema
            return
        for member in members:
            if member.get("type") != "null":
                yield from self.branches(member)

    def properties(self, schema: dict, path: str, owner: str, seen=()) -> Iterator[tuple]:
        """Every property under ``schema`` as (path, owner schema name, property name, schema)."""
        for branch in self.branches(schema):
            _resolved, name = self.resolve(branch)
            if name in seen:
                continue
            here = name or owner
            for prop, sub in branch.get("properties", {}).items():
                where = f"{path}.{prop}"
                yield where, here, prop, sub
                yield from self.properties(sub, where, here, (*seen, *([name] if name else [])))
            if isinstance(branch.get("items"), dict):
                yield from self.properties(branch["items"], f"{path}.0", here, seen)
            if isinstance(branch.get("additionalProperties"), dict):
                yield from self.properties(branch["additionalProperties"], f"{path}.*", here, seen)

    def inputs(self, doc: dict) -> Iterator[tuple]:
        """Every request body property and every parameter of every operation."""
        for route, methods in doc["paths"].items():
            for method, operation in methods.items():
                at = f"{method.upper()} {route}"
                for parameter in operation.get("parameters", []):
                    yield (
                        f"{at} ({parameter['in']}) {parameter['name']}",
                        parameter["in"],
                        parameter["name"],
                        {"description": parameter.get("description", ""), **parameter["schema"]},
                    )
                for media, content in operation.get("requestBody", {}).get("content", {}).items():
                    yield from self.properties(content["schema"], f"{at} ({media})", "")


def _typed(walk: Walk, schema: dict) -> bool:
    if not TYPED & set(schema):
        return False
    for key in ("anyOf", "oneOf", "allOf"):
        if not all(_typed(walk, member) for member in schema.get(key, [])):
            return False
    return schema.get("type") != "array" or _typed(walk, schema.get("items") or {})


def _leaves(walk: Walk, schema: dict) -> list[dict]:
    """The non-null branches, looking through arrays to their items."""
    out = []
    for branch in walk.branches(schema):
        if branch.get("type") == "array" and isinstance(branch.get("items"), dict):
            out += _leaves(walk, branch["items"])
        else:
            out.append(branch)
    return out


def _is_text(walk: Walk, schema: dict) -> bool:
    return any(b.get("type") == "string" for b in _leaves(walk, schema))


def _has_enum(walk: Walk, schema: dict) -> bool:
    return any("enum" in b or "const" in b for b in _leaves(walk, schema))


def test_every_input_has_a_type(doc):
    walk = Walk(doc)
    untyped = [where for where, _o, _p, schema in walk.inputs(doc) if not _typed(walk, schema)]
    assert untyped == []


def test_no_description_lists_values_that_the_schema_does_not_enumerate(doc):
    walk = Walk(doc)
    listed = [
        (where, schema.get("description"))
        for where, _o, _p, schema in walk.inputs(doc)
        if _is_text(walk, schema)
        and not _has_enum(walk, schema)
        and any(p.search(schema.get("description") or "") for p in VALUE_LIST)
    ]
    assert listed == []


def test_every_text_in_a_body_is_bounded(doc):
    """Free text in a body has a maxLength (a choice has its enum, a date its format, a file is
    binary)."""
    walk = Walk(doc)
    unbounded = []
    for where, _owner, _prop, schema in walk.inputs(doc):
        if "(query)" in where or "(path)" in where:
            continue
        for leaf in _leaves(walk, schema):
            if leaf.get("type") != "string":
                continue
            if {"enum", "const", "maxLength", "format"} & set(leaf):
                continue
            unbounded.append(where)
    assert unbounded == []


def test_every_amount_is_a_bounded_decimal(doc):
    walk = Walk(doc)
    loose, amounts = [], []
    for where, _owner, prop, schema in walk.inputs(doc):
        if not MONEY_NAMES.search(prop) or prop == "limit":
            continue
        amounts.append(where)
        for leaf in _leaves(walk, schema):
            if leaf.get("type") == "string":
                ok = bool(leaf.get("pattern")) and "maxLength" in leaf
            elif leaf.get("type") in ("number", "integer"):
                ok = "maximum" in leaf and leaf.get("minimum") == 0
            else:
                ok = False
            if not ok:
                loose.append((where, leaf))
    assert loose == []
    assert len(amounts) >= 15, amounts  # the walk found the amounts (it is not vacuous)


def test_every_date_is_a_date(doc):
    walk = Walk(doc)
    dates, not_dates = [], []
    for where, _owner, prop, schema in walk.inputs(doc):
        if not DATE_NAMES.search(prop) or prop in ("to", "to_org", "to_department"):
            continue
        if where.startswith("POST /api/v1/cases/{case_id}/stage"):
            continue  # "to" there is a stage
        dates.append(where)
        if not all(leaf.get("format") == "date" for leaf in _leaves(walk, schema)):
            not_dates.append(where)
    assert not_dates == []
    assert len(dates) >= 30, dates


def _property(walk: Walk, owner: str, prop: str) -> dict:
    schema = walk.components[owner]
    return schema["properties"][prop]


CHOICES = {
    ("LeadIn", "source"): Source,
    ("LeadIn", "category"): Category,
    ("LeadIn", "labour_relationship"): LabourRelationship,
    ("LeadIn", "evasion"): Evasion,
    ("LeadIn", "signals"): RiskSignal,
    ("FactsIn", "labour_relationship"): LabourRelationship,
    ("FactsIn", "evasion"): Evasion,
    ("FactsIn", "signals"): RiskSignal,
    ("ClaimantIn", "groups"): Group,
    ("ClaimantIn", "vulnerability_basis"): VulnerabilityBasis,
    ("RespondentIn", "kind"): PartyKind,
    ("DeclineIn", "redirect"): Redirect,
    ("StageIn", "to"): Stage,
    ("MediationIn", "outcome"): MediationOutcome,
    ("MediationIn", "kind"): SessionKind,
    ("CourtEventIn", "kind"): CourtEventKind,
    ("VisitIn", "target"): VisitTarget,
    ("VisitIn", "method"): VisitMethod,
    ("CloseIn", "outcome"): Outcome,
    ("CorrectionIn", "groups"): Group,
    ("TransferIn", "kind"): TransferKind,
    ("FeedbackIn", "result"): FeedbackResult,
    ("ApplicationIn", "basis"): Situation,
    ("ApplicationIn", "form"): ApplicationForm,
    ("OpinionIn", "proposal"): Proposal,
    ("NoticeIn", "method"): NoticeMethod,
    ("AssistancePaymentIn", "method"): PaymentMethod,
    ("OutcomeIn", "outcome"): LegalAidOutcome,
    ("ServeIn", "method"): ServiceMethod,
    ("ReplyIn", "adoption"): Adoption,
    ("EscalateIn", "to"): EscalationTarget,
    ("IssueIn", "kind"): DocumentKind,
    ("AssistanceCapIn", "series"): WageSeries,
    ("SubscriptionIn", "events"): [e.value for e in SUBSCRIBABLE_EVENTS],
    ("CriminalLeadIn", "evasion"): Evasion,
}

QUERY_CHOICES = {
    ("/api/v1/leads", "status"): LeadStatus,
    ("/api/v1/leads", "source"): Source,
    ("/api/v1/leads", "category"): Category,
    ("/api/v1/cases", "stage"): Stage,
    ("/api/v1/cases", "category"): Category,
    ("/api/v1/cases", "status"): CaseStatus,
    ("/api/v1/approvals", "status"): ApprovalStatus,
    ("/api/v1/transfers", "status"): TransferStatus,
    ("/api/v1/assistance", "status"): AssistanceStatus,
    ("/api/v1/suggestions", "status"): SuggestionStatus,
}


def _values(choices) -> set:
    return set(choices.values) if isinstance(choices, type) else set(choices)


def _enum(walk: Walk, schema: dict) -> set:
    found: set = set()
    for leaf in _leaves(walk, schema):
        found |= set(leaf.get("enum", []))
    return found


@pytest.mark.parametrize(("owner", "prop"), list(CHOICES), ids=lambda v: v)
def test_a_choice_lists_the_models_values(doc, owner, prop):
    walk = Walk(doc)
    assert _enum(walk, _property(walk, owner, prop)) == _values(CHOICES[owner, prop])


def test_the_assistance_exclusions_are_named(doc):
    walk = Walk(doc)
    exclusions = _property(walk, "OpinionIn", "exclusions")
    assert set(exclusions["propertyNames"]["enum"]) == set(Exclusion.values)
    assert exclusions["additionalProperties"] == {"type": "boolean"}


@pytest.mark.parametrize(("route", "name"), list(QUERY_CHOICES), ids=lambda v: v)
def test_a_filter_lists_the_models_values(doc, route, name):
    walk = Walk(doc)
    (parameter,) = [p for p in doc["paths"][route]["get"]["parameters"] if p["name"] == name]
    assert _enum(walk, parameter["schema"]) == _values(QUERY_CHOICES[route, name])


COLUMNS = {
    ("ClaimantIn", "name"): (Party, "name"),
    ("ClaimantIn", "address"): (Party, "address"),
    ("RespondentIn", "name"): (Party, "name"),
    ("RespondentIn", "address"): (Party, "address"),
    ("CorrectionIn", "name"): (Party, "name"),
    ("CorrectionIn", "address"): (Party, "address"),
    ("PaymentOrderIn", "authority"): (Case, "payment_order_authority"),
    ("LeadIn", "referring_org"): (Organisation, "code"),
    ("MediationIn", "mediator_org"): (Mediation, "mediator_org"),
    ("CourtEventIn", "court"): (CourtEvent, "court"),
    ("ServedIn", "person"): (Service, "person"),
    ("PaymentIn", "payer"): (Payment, "payer"),
    ("PaymentIn", "method"): (Payment, "method"),
    ("RevokeIn", "reason"): (CaseShare, "end_reason"),
    ("TransferIn", "to_org"): (Organisation, "code"),
    ("TransferIn", "to_department"): (Department, "code"),
    ("SuggestionIn", "to_org_name"): (Suggestion, "to_org_name"),
    ("SuggestionIn", "to_org"): (Organisation, "code"),
    ("LawyerIn", "lawyer_name"): (LegalAidReferral, "lawyer_name"),
    ("LawyerIn", "law_firm"): (LegalAidReferral, "law_firm"),
    ("LawyerIn", "lawyer_phone"): (LegalAidReferral, "lawyer_phone"),
    ("AssistancePaymentIn", "reference"): (AssistanceApplication, "payment_reference"),
    ("SubscriptionIn", "url"): (WebhookSubscription, "url"),
    ("SubscriptionIn", "description"): (WebhookSubscription, "description"),
    ("JointActionIn", "organisations"): (Organisation, "code"),
}


@pytest.mark.parametrize(("owner", "prop"), list(COLUMNS), ids=lambda v: v)
def test_text_is_bounded_as_its_column(doc, owner, prop):
    walk = Walk(doc)
    model, field = COLUMNS[owner, prop]
    column = model._meta.get_field(field).max_length
    lengths = [
        leaf.get("maxLength")
        for leaf in _leaves(walk, _property(walk, owner, prop))
        if leaf.get("type") == "string"
    ]
    assert lengths and all(n is not None and n <= column for n in lengths), (lengths, column)


def test_an_upload_names_its_kinds_and_bounds_its_description(doc):
    walk = Walk(doc)
    form = doc["paths"]["/api/v1/cases/{case_id}/attachments"]["post"]["requestBody"]["content"]
    properties = form["multipart/form-data"]["schema"]["properties"]
    assert _enum(walk, properties["kind"]) == set(Kind.values)
    column = Attachment._meta.get_field("description").max_length
    assert [leaf.get("maxLength") for leaf in _leaves(walk, properties["description"])] == [column]


def test_the_walk_catches_what_it_looks_for():
    """The rules find an untyped property, a listed value without an enum, unbounded text and a
    loose amount, each at its path."""
    broken = {
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": REF + "XIn"}}}
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "XIn": {
                    "type": "object",
                    "properties": {
                        "anything": {"title": "Anything"},
                        "status": {"type": "string", "description": "open | closed"},
                        "note": {"type": "string"},
                        "amount": {"type": "string"},
                        "parts": {"type": "array", "items": {"$ref": REF + "PartIn"}},
                    },
                },
                "PartIn": {"type": "object", "properties": {"due": {"type": "string"}}},
            }
        },
    }
    walk = Walk(broken)
    found = {where: schema for where, _o, _p, schema in walk.inputs(broken)}
    at = "POST /x (application/json)"
    assert not _typed(walk, found[f"{at}.anything"])
    assert any(p.search(found[f"{at}.status"]["description"]) for p in VALUE_LIST)
    assert not _has_enum(walk, found[f"{at}.status"])
    assert "maxLength" not in found[f"{at}.note"]
    assert f"{at}.parts.0.due" in found
    with pytest.raises(AssertionError):
        test_every_input_has_a_type(broken)
    with pytest.raises(AssertionError):
        test_no_description_lists_values_that_the_schema_does_not_enumerate(broken)
    with pytest.raises(AssertionError):
        test_every_text_in_a_body_is_bounded(broken)
    with pytest.raises(AssertionError):
        test_every_date_is_a_date(broken)
