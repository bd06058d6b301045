"""The lead is declared once (issue 14 item 1): ``intake.schemas.LeadIn`` refuses a bad value at
its field with the project's code (nested claimants and respondents at their paths), and the
service given the same values as a dict (a page's form, a caller) refuses them the same way,
saving nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import lead_payload
from tests.refusals import refusal, refused
from zhichi.common.errors import InvalidInput
from zhichi.common.inputs import parse
from zhichi.intake import services
from zhichi.intake.models import Lead
from zhichi.intake.schemas import LeadIn
from zhichi.intake.validation import validate_lead


def _claimant(**values) -> dict:
    return {"claimants": [{"name": "王建国", **values}]}


def _respondent(**values) -> dict:
    return {"respondents": [{"name": "某公司", **values}]}


def test_a_good_lead_is_read_with_real_types():
    payload = lead_payload()
    claimant_id = payload["claimants"][0]["id_number"]
    lead = parse(
        LeadIn,
        {
            **payload,
            "summary": "  拖欠工资  ",
            "claimants": [
                {**payload["claimants"][0], "id_number": f" {claimant_id[:6]}-{claimant_id[6:]} "}
            ],
            "payment_order": {"authority": " 人社局 ", "issued_on": "2026-01-05"},
            "evasion": ["absconded", "absconded"],
        },
    )
    assert isinstance(lead.received_on, date)
    assert lead.summary == "拖欠工资"
    assert lead.claimants[0].id_number == claimant_id  # normalised by rule ID-1
    assert lead.claimants[0].amount_claimed == Decimal("12000.00")
    assert lead.claimants[0].months_unpaid == 4
    assert lead.respondents[0].kind == "organisation"
    assert (
        lead.payment_order_authority,
        lead.payment_order_issued_on,
        lead.payment_order_deadline,
    ) == ("人社局", date(2026, 1, 5), None)
    assert lead.evasion == ["absconded"]
    assert parse(LeadIn, lead) is lead  # the API's parsed body is taken as it is


def test_left_out_values_are_the_defaults_a_page_leaves():
    lead = parse(
        LeadIn,
        {
            **lead_payload(),
            "voluntary": None,
            "labour_relationship": "",
            "evasion": None,
            "respondents": [{"kind": "", "name": "张三", "credit_code": None}],
            "claimants": [{"name": "王建国", "groups": None, "name_reason": None, "phone": ""}],
        },
    )
    assert (lead.voluntary, lead.labour_relationship, lead.evasion) == (False, "unknown", [])
    assert (lead.respondents[0].kind, lead.respondents[0].credit_code) == ("organisation", "")
    c = lead.claimants[0]
    assert (c.groups, c.name_reason, c.phone, c.name_choice) == ([], "", "", None)


TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"source": ""}, {"source": "required"}),
        ({"category": "nonsense"}, {"category": "choice"}),
        ({"received_on": ""}, {"received_on": "required"}),
        ({"received_on": "2026/01/05"}, {"received_on": "date"}),
        ({"received_on": (TODAY + timedelta(days=1)).isoformat()}, {"received_on": "future"}),
        ({"received_on": "1899-12-31"}, {"received_on": "date_range"}),
        ({"summary": "   "}, {"summary": "required"}),
        ({"summary": "a\x00b"}, {"summary": "control_character"}),
        ({"claimants": []}, {"claimants": "required"}),
        ({"voluntary": "yes"}, {"voluntary": "type"}),
        ({"evasion": ["nonsense"]}, {"evasion.0": "choice"}),
        ({"signals": ["riot"]}, {"signals.0": "choice"}),
        ({"referring_org": 5}, {"referring_org": "type"}),
        (_claimant(name=""), {"claimants.0.name": "required"}),
        (_claimant(id_number="123"), {"claimants.0.id_number": "length"}),
        (_claimant(phone="12"), {"claimants.0.phone": "format"}),
        (_claimant(amount_claimed="-1"), {"claimants.0.amount_claimed": "negative"}),
        (_claimant(amount_claimed="1.234"), {"claimants.0.amount_claimed": "precision"}),
        (_claimant(months_unpaid=601), {"claimants.0.months_unpaid": "range"}),
        (_claimant(months_unpaid="x"), {"claimants.0.months_unpaid": "integer"}),
        (_claimant(groups=["nonsense"]), {"claimants.0.groups.0": "choice"}),
        (_claimant(name_choice="maybe"), {"claimants.0.name_choice": "choice"}),
        (_respondent(kind="nonsense"), {"respondents.0.kind": "choice"}),
        (_respondent(credit_code="garbage"), {"respondents.0.credit_code": "length"}),
        (_respondent(kind="person", id_number="123"), {"respondents.0.id_number": "length"}),
        # an organisation's ID number and a person's credit code are not read
        (_respondent(kind="person", credit_code="garbage"), {}),
        (
            {"payment_order": {"issued_on": (TODAY + timedelta(days=1)).isoformat()}},
            {"payment_order.issued_on": "future"},
        ),
        (
            {"payment_order": {"issued_on": "2026-01-10", "deadline": "2026-01-01"}},
            {"payment_order.deadline": "before_issue"},
        ),
        ({"payment_order": {"authority": "局" * 201}}, {"payment_order.authority": "max_length"}),
    ],
)
def test_lead_in_refuses_bad_values_at_the_field(data, errors):
    payload = {**lead_payload(), **data}
    if errors:
        assert refused(LeadIn, payload) == errors
    else:
        parse(LeadIn, payload)


def test_a_person_listed_twice_is_refused_at_the_second():
    p = lead_payload()
    twice = [p["claimants"][0], {**p["claimants"][1], "id_number": p["claimants"][0]["id_number"]}]
    assert refused(LeadIn, {**p, "claimants": twice}) == {"claimants.1.id_number": "duplicate"}
    again = [p["respondents"][0], {**p["respondents"][0], "name": "另一家"}]
    assert refused(LeadIn, {**p, "respondents": again}) == {
        "respondents.1.credit_code": "duplicate"
    }


def test_the_messages_are_the_lead_forms():
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        parse(LeadIn, {**lead_payload(), **_claimant(months_unpaid=700)})
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("claimants.0.months_unpaid", "Enter a number from 0 to 600.")
    ]
    with translation.override("en"), pytest.raises(InvalidInput) as exc:
        parse(LeadIn, {**lead_payload(), "claimants": [], "source": ""})
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("source", "Choose one."),
        ("claimants", "Add at least one claimant."),
    ]


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(alphabet="欠薪ab ", min_size=5001, max_size=5050).filter(
        lambda s: len(s.strip()) > 5000
    )
)
def test_any_summary_longer_than_5000_characters_is_refused(summary):
    assert refused(LeadIn, {**lead_payload(), "summary": summary}) == {"summary": "max_length"}


@settings(max_examples=30)
@given(st.text(alphabet="王李张三", min_size=201, max_size=260))
def test_any_name_longer_than_the_column_is_refused(name):
    assert refused(LeadIn, {**lead_payload(), **_claimant(name=name)}) == {
        "claimants.0.name": "max_length"
    }
    assert refused(LeadIn, {**lead_payload(), **_respondent(name=name)}) == {
        "respondents.0.name": "max_length"
    }


# --- the service reads a dict through the same schema -----------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"source": "nonsense"}, {"source": "choice"}),
        (_claimant(id_number="123"), {"claimants.0.id_number": "length"}),
        (_respondent(credit_code="garbage"), {"respondents.0.credit_code": "length"}),
        (
            {"payment_order": {"issued_on": "2026-01-10", "deadline": "2026-01-01"}},
            {"payment_order.deadline": "before_issue"},
        ),
    ],
)
def test_create_lead_refuses_a_dict_as_the_schema_does(users, data, errors):
    payload = {**lead_payload(), **data}
    assert (
        refusal(lambda: services.create_lead(actor=users["civil1"], data=payload))
        == errors
        == refused(LeadIn, payload)
    )
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_referring_organisation_is_refused_after_the_schema(users):
    payload = lead_payload(referring_org="NOSUCHORG")
    assert parse(LeadIn, payload).referring_org == "NOSUCHORG"
    assert refusal(lambda: validate_lead(payload)) == {"referring_org": "unknown"}
    assert refusal(lambda: services.create_lead(actor=users["civil1"], data=payload)) == {
        "referring_org": "unknown"
    }
    assert Lead.objects.count() == 0


@pytest.mark.django_db
def test_create_lead_takes_a_dict_and_the_parsed_schema_alike(users):
    payload = lead_payload()
    from_dict = services.create_lead(actor=users["civil1"], data=payload)
    assert from_dict.parties.count() == 3  # two claimants, one respondent
    lead = validate_lead({**payload, "summary": "另一件"})
    assert services.create_lead(actor=users["civil1"], data=lead).summary == "另一件"
