"""Issue 13 item 2: no typed fact silently lost when a lead is filed.

The reproduction: 李秀英 is on record (ID number N, phone 135****1122). A lead typed as 王小二 with
N and phone 18600000000 was saved as 李秀英 / 135****1122: the typed name replaced silently, the
new phone lost. Now the lead is refused at the claimant's ``name`` (422, ``name_conflict``) until
the filer says which name is right (``name_choice``: ``record``, or ``typed`` with a reason, which
corrects the record); the new phone joins the person's contacts either way.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import lead_payload, make_id
from tests.intake.test_views import form_data
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.common.errors import InvalidInput
from zhichi.intake import services
from zhichi.intake.models import Lead
from zhichi.intake.validation import validate_lead
from zhichi.parties import crypto
from zhichi.parties.models import ContactKind, Party
from zhichi.parties.services import same_name

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
LI_ID = make_id(birth="19760315", seq="112")
LI_PHONE, NEW_PHONE = "13500001122", "18600000000"


def typed(name="王小二", phone=NEW_PHONE, **answer) -> dict:
    return {
        "name": name,
        "id_number": LI_ID,
        "phone": phone,
        "groups": ["migrant_worker"],
        "amount_claimed": "6000.00",
        "months_unpaid": 2,
        **answer,
    }


def file(users, claimant: dict, user: str = "civil1"):
    return services.create_lead(
        actor=users[user], data=validate_lead(lead_payload(claimants=[claimant]))
    )


@pytest.fixture
def li(users) -> Party:
    """李秀英 on record, from a lead civil1 filed."""
    lead = file(users, {"name": "李秀英", "id_number": LI_ID, "phone": LI_PHONE})
    return lead.parties.get(role="claimant").party


def phones(party: Party) -> list[str]:
    return [c.phone for c in party.contacts.filter(kind=ContactKind.PHONE)]


# --- the service ------------------------------------------------------------------------------
def test_issue13_item2_a_lead_typed_under_another_name_is_refused_at_the_name(users, li):
    leads = Lead.objects.count()

    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        file(users, typed())

    [error] = refused.value.errors
    assert (error.field, error.code) == ("claimants.0.name", "name_conflict")
    assert "李秀英" in error.message and "王小二" in error.message
    li.refresh_from_db()
    assert (Lead.objects.count(), li.name, li.phone) == (leads, "李秀英", LI_PHONE)
    assert phones(li) == [LI_PHONE]  # nothing was saved


def test_issue13_item2_the_name_on_record_chosen_keeps_the_new_phone(users, li):
    lead = file(users, typed(name_choice="record", name_on_record="李秀英"))

    party = lead.parties.get(role="claimant").party
    assert (party.pk, party.name, party.phone_masked) == (li.pk, "李秀英", "186****0000")
    assert phones(party) == [NEW_PHONE, LI_PHONE]  # the earlier phone stays listed
    entry = AuditEntry.objects.filter(action="lead.create").latest("id")
    assert entry.detail["name_choices"] == {"claimants.0": "record"}


def test_issue13_item2_the_typed_name_chosen_corrects_the_record_with_the_reason(
    users, li, django_capture_on_commit_callbacks
):
    case = services.accept_lead(lead_id=li.lead_roles.get().lead_id, actor=users["civil1"])

    with django_capture_on_commit_callbacks(execute=True):
        lead = file(
            users, typed(name_choice="typed", name_reason="核对身份证", name_on_record="李秀英")
        )

    party = lead.parties.get(role="claimant").party
    assert (party.pk, party.name, party.phone) == (li.pk, "王小二", NEW_PHONE)
    entry = AuditEntry.objects.get(action="party.correct")
    assert entry.detail == {
        "lead": lead.receipt_code,
        "changes": {"name": {"from": "李秀英", "to": "王小二"}},
        "reason": "核对身份证",
    }
    # the person's case notes the correction and, once the lead is committed, is found by the
    # new name (its search text is refreshed under its own lock after the commit)
    event = case.timeline.get(kind="party_corrected")
    assert (event.summary, event.data["via"], event.data["ref"]) == (
        "核对身份证",
        "lead",
        lead.receipt_code,
    )
    assert Case.objects.search("王小二").filter(pk=case.pk).exists()


def test_correcting_the_record_needs_a_reason(users, li):
    with pytest.raises(InvalidInput) as refused:
        file(users, typed(name_choice="typed"))

    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("claimants.0.name_reason", "required")
    ]


def test_an_answer_given_against_another_record_does_not_apply(users, li):
    """The filer chose against 张三 (say, before changing the ID number): asked again."""
    with pytest.raises(InvalidInput) as refused:
        file(users, typed(name_choice="record", name_on_record="张三"))

    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("claimants.0.name", "name_conflict")
    ]


def test_the_same_name_with_spaces_is_no_conflict(users, li):
    lead = file(users, typed(name="李 秀英"))

    assert lead.parties.get(role="claimant").party.name == "李秀英"


def test_a_person_respondent_under_another_name_is_asked_about_too(users, li):
    payload = lead_payload(
        respondents=[{"kind": "person", "name": "张包工", "id_number": LI_ID}],
        claimants=[{"name": "王建国", "id_number": make_id(seq="113")}],
    )
    with pytest.raises(InvalidInput) as refused:
        services.create_lead(actor=users["civil1"], data=validate_lead(payload))

    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("respondents.0.name", "name_conflict")
    ]


def test_id3_the_name_on_record_is_not_shown_to_who_may_not_see_the_person(users, li):
    """wf1 (a partner) has no lead or case of 李秀英: the ID number must not tell it her name."""
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        file(users, typed(), user="wf1")

    [error] = refused.value.errors
    assert error.code == "name_conflict"
    assert "李秀英" not in error.message and "王小二" not in error.message
    assert "under another name" in error.message


# --- the API ----------------------------------------------------------------------------------
def test_issue13_item2_api_answers_422_naming_the_claimants_name(api, li):
    r = api("civil1").post("/api/v1/leads", lead_payload(claimants=[typed()]), headers=EN)

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("claimants.0.name", "name_conflict")
    ]


def test_issue13_item2_api_files_the_lead_with_the_chosen_name_and_new_phone(api, li):
    body = lead_payload(claimants=[typed(name_choice="typed", name_reason="核对身份证")])

    r = api("civil1").post("/api/v1/leads", body)

    assert r.status_code == 201, r.content
    [claimant] = r.json()["claimants"]
    assert (claimant["party_id"], claimant["name"], claimant["phone_masked"]) == (
        li.pk,
        "王小二",
        "186****0000",
    )


def test_the_openapi_documents_the_name_choice(api):
    schema = api("civil1").get("/api/v1/openapi.json").json()["components"]["schemas"]

    props = schema["ClaimantIn"]["properties"]
    assert {"name_choice", "name_reason", "name_on_record"} <= set(props)
    assert "name_conflict" in props["name_choice"]["description"]


# --- the page ---------------------------------------------------------------------------------
def page_claimant(**extra) -> dict:
    return {
        "name": "王小二",
        "id_number": LI_ID,
        "phone": NEW_PHONE,
        "amount_claimed": "6000",
        "months_unpaid": "2",
        **extra,
    }


def test_issue13_item2_the_lead_form_asks_which_name_is_right(web, li):
    r = web("civil1").post("/leads/new/", form_data([page_claimant()]), headers=EN)

    assert r.status_code == 422
    row = r.context["claimants"].forms[0]
    assert [e for e in row.errors["name"] if "李秀英" in e]
    assert (row.name_conflict.recorded, row.name_conflict.typed) == ("李秀英", "王小二")
    html = r.content.decode()
    assert 'name="claimants-0-name_choice" value="record"' in html
    assert 'name="claimants-0-name_choice" value="typed"' in html
    assert 'name="claimants-0-name_on_record" value="李秀英"' in html
    assert 'value="王小二"' in html and f'value="{NEW_PHONE}"' in html  # nothing typed is lost


def test_issue13_item2_the_lead_form_saves_the_chosen_name(web, li):
    choice = page_claimant(name_choice="typed", name_reason="核对身份证", name_on_record="李秀英")

    r = web("civil1").post("/leads/new/", form_data([choice]))

    assert r.status_code == 302, r.context and r.context["claimants"].errors
    party = Lead.objects.latest("id").parties.get(role="claimant").party
    assert (party.pk, party.name, party.phone) == (li.pk, "王小二", NEW_PHONE)


def test_a_reason_missing_shows_the_question_again_with_the_answer_kept(web, li):
    choice = page_claimant(name_choice="typed", name_on_record="李秀英")

    r = web("civil1").post("/leads/new/", form_data([choice]), headers=EN)

    assert r.status_code == 422
    row = r.context["claimants"].forms[0]
    assert "name_reason" in row.errors
    assert row.name_conflict.recorded == "李秀英"
    html = r.content.decode()
    assert re.search(r'name="claimants-0-name_choice" value="typed"[^>]*checked', html)
    assert re.search(r'name="claimants-0-name_reason"[^>]*aria-invalid="true"', html)


# --- the property: a saved lead keeps what was typed, or what was chosen ----------------------
NAMES = st.text(alphabet="王李张小二秀英 ", min_size=1, max_size=5).filter(lambda s: s.strip())
PHONES = st.one_of(st.just(""), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
CHOICES = st.sampled_from(["", "record", "typed"])


@hypothesis_settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(recorded=NAMES, name=NAMES, phone=PHONES, choice=CHOICES)
def test_issue13_item2_a_saved_lead_keeps_the_typed_name_or_the_choice_made(
    users, recorded, name, phone, choice
):
    """Never the name on record in place of a different typed name without the filer's say;
    never a typed phone dropped."""
    number = make_id(birth="19800101", seq="909")
    received = (timezone.localdate() - timedelta(days=1)).isoformat()
    with transaction.atomic():
        file(users, {"name": recorded, "id_number": number, "phone": LI_PHONE})
        answer = {"name_choice": choice, "name_reason": "核对身份证" if choice else ""}
        claimant = {"name": name, "id_number": number, "phone": phone, **answer}
        try:
            lead = services.create_lead(
                actor=users["civil1"],
                data=validate_lead(lead_payload(claimants=[claimant], received_on=received)),
            )
        except InvalidInput as exc:
            assert not same_name(name, recorded) and not choice
            assert [(e.field, e.code) for e in exc.errors] == [
                ("claimants.0.name", "name_conflict")
            ]
        else:
            party = lead.parties.get(role="claimant").party
            if same_name(name, recorded) or choice == "record":
                assert party.name == recorded.strip()
            else:
                assert choice == "typed" and party.name == name.strip()
            if phone:
                assert party.phone == phone
                indexes = set(party.contacts.values_list("phone_index", flat=True))
                assert {crypto.blind_index("phone", p) for p in (phone, LI_PHONE)} <= indexes
        transaction.set_rollback(True)


def test_r4_no_plaintext_identifier_in_the_raw_rows_after_a_chosen_name(users, li):
    file(users, typed(name_choice="typed", name_reason="核对身份证"))

    with connection.cursor() as cursor:
        dump = ""
        for table in ("parties_party", "parties_partycontact", "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            dump += " ".join(str(v) for row in cursor.fetchall() for v in row)
    for plain in (LI_ID, LI_PHONE, NEW_PHONE):
        assert plain not in dump
