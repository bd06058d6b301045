"""Issue 13 item 2: correcting a party after acceptance — by the service, the API and the page.

The case officer or the department head corrects a party's name, phone, address or groups with a
reason; an ID number needs the head. Every correction is audited (identifiers masked only), on the
timeline (``party_corrected``, internal), re-encrypts and re-indexes what changed, and the case is
graded again when the groups change. An ID number already on another person is refused.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.utils import translation

from tests.conftest import lead_payload, make_id
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case, CaseParty
from zhichi.cases.presenters import describe_event
from zhichi.cases.services import disposal
from zhichi.cases.services.parties import correct_party
from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion
from zhichi.intake import services as intake_services
from zhichi.intake.validation import validate_lead
from zhichi.parties import crypto
from zhichi.parties.models import ContactKind, Party
from zhichi.parties.services import find_person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
LI_ID = make_id(birth="19760315", seq="112")
NEW_ID = make_id(birth="19760316", seq="114")
LI_PHONE, NEW_PHONE = "13500001122", "18600000000"


def one_claimant_case(users, *, consent=True) -> Case:
    payload = lead_payload(
        consent_to_share=consent,
        claimants=[
            {
                "name": "李秀英",
                "id_number": LI_ID,
                "phone": LI_PHONE,
                "address": "五华区一号",
                "groups": ["migrant_worker"],
                "amount_claimed": "3000.00",
                "months_unpaid": 1,
            }
        ],
    )
    lead = intake_services.create_lead(actor=users["hrss1"], data=validate_lead(payload))
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


@pytest.fixture
def case(users) -> Case:
    return one_claimant_case(users)


@pytest.fixture
def li(case) -> Party:
    return case.parties.get(role="claimant").party


def correct(users, case, li, user="civil1", version=None, **data):
    return correct_party(
        case_id=case.pk,
        party_id=li.pk,
        actor=users[user],
        data={"reason": "核对身份证", **data},
        version=version,
    )


# --- the service ------------------------------------------------------------------------------
def test_issue13_item2_officer_corrects_name_phone_and_address_with_a_reason(users, case, li):
    version = case.version

    correct(users, case, li, name="王小二", phone=NEW_PHONE, address="盘龙区二号", version=version)

    li.refresh_from_db()
    case.refresh_from_db()
    assert (li.name, li.phone, li.address) == ("王小二", NEW_PHONE, "盘龙区二号")
    assert case.version == version + 1
    phones = [c.phone for c in li.contacts.filter(kind=ContactKind.PHONE)]
    assert phones == [NEW_PHONE, LI_PHONE]  # the earlier one stays listed
    event = case.timeline.get(kind="party_corrected")
    assert event.summary == "核对身份证"
    assert event.data["changes"] == {
        "name": {"from": "李秀英", "to": "王小二"},
        "phone": {"from": "135****1122", "to": "186****0000"},
        "address": {},
    }
    entry = AuditEntry.objects.get(action="party.correct", outcome="ok")
    assert entry.detail == {
        "case": case.number,
        "changes": event.data["changes"],
        "reason": "核对身份证",
    }
    assert Case.objects.search("王小二").filter(pk=case.pk).exists()
    assert not Case.objects.search("李秀英").filter(pk=case.pk).exists()


def test_issue13_item2_the_timeline_reads_the_correction_in_the_readers_language(users, case, li):
    correct(users, case, li, name="王小二", phone=NEW_PHONE)
    event = case.timeline.get(kind="party_corrected")

    with translation.override("en"):
        text = describe_event(event)

    assert text == (
        "王小二 corrected: name from 李秀英 to 王小二; phone from 135****1122 to 186****0000: "
        "核对身份证"
    )


def test_issue13_item2_new_groups_grade_the_case_again(users, case, li):
    assert case.level == 1

    correct(users, case, li, groups=["migrant_worker", "disabled"])

    case.refresh_from_db()
    assert case.level == 2  # rule SP-3: a disabled claimant
    assert CaseParty.objects.get(case=case, party=li).groups == ["migrant_worker", "disabled"]
    assert case.timeline.get(kind="party_corrected").data["changes"] == {
        "groups": {"from": ["migrant_worker"], "to": ["migrant_worker", "disabled"]}
    }


def test_issue13_item2_an_officer_may_not_change_an_id_number(users, case, li):
    with pytest.raises(NotPermitted):
        correct(users, case, li, id_number=NEW_ID)

    li.refresh_from_db()
    assert li.id_number == LI_ID
    assert AuditEntry.objects.filter(action="party.correct", outcome="denied").count() == 1


def test_issue13_item2_the_head_changes_an_id_number_reencrypted_and_reindexed(users, case, li):
    before = (li.id_number_enc, li.id_number_index)

    correct(users, case, li, user="civilhead", id_number=NEW_ID.lower().replace("x", "x"))

    li.refresh_from_db()
    assert li.id_number == NEW_ID
    assert (li.id_number_enc, li.id_number_index) != before
    assert find_person(id_number=NEW_ID) == li
    assert find_person(id_number=LI_ID) is None
    changes = case.timeline.get(kind="party_corrected").data["changes"]
    assert changes == {
        "id_number": {"from": LI_ID[:6] + "********" + LI_ID[-4:], "to": li.id_number_masked}
    }


def test_issue13_item2_an_id_number_on_another_person_is_refused_at_the_field(users, case, li):
    other = one_claimant_case_with(users, name="张三", id_number=NEW_ID)

    with pytest.raises(InvalidInput) as refused:
        correct(users, case, li, user="civilhead", id_number=NEW_ID, name="王小二")

    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("id_number", "duplicate_identity")
    ]
    li.refresh_from_db()
    assert (li.name, li.id_number) == ("李秀英", LI_ID)  # nothing changed
    assert other.parties.get(role="claimant").party.id_number == NEW_ID


def one_claimant_case_with(users, *, name, id_number) -> Case:
    payload = lead_payload(claimants=[{"name": name, "id_number": id_number}])
    lead = intake_services.create_lead(actor=users["civil1"], data=validate_lead(payload))
    return intake_services.accept_lead(lead_id=lead.pk, actor=users["civil1"])


def test_r4_no_new_plaintext_identifier_in_the_raw_rows_after_a_correction(users, case, li):
    correct(users, case, li, user="civilhead", id_number=NEW_ID, phone=NEW_PHONE)

    dump = ""
    with connection.cursor() as cursor:
        for table in (
            "parties_party",
            "parties_partycontact",
            "audit_auditentry",
            "cases_timelineevent",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            dump += " ".join(str(v) for row in cursor.fetchall() for v in row)
    for plain in (LI_ID, NEW_ID, LI_PHONE, NEW_PHONE):
        assert plain not in dump
    assert li.contacts.filter(phone_index=crypto.blind_index("phone", NEW_PHONE)).exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, [("name", "nothing_to_correct")]),
        ({"name": "李秀英"}, [("name", "no_change")]),
        ({"name": "  "}, [("name", "required")]),
        ({"phone": "12345"}, [("phone", "format")]),
        ({"groups": ["astronaut"]}, [("groups.0", "choice")]),
        ({"name": "王小二", "reason": ""}, [("reason", "required")]),
    ],
    ids=["nothing", "unchanged", "blank-name", "bad-phone", "bad-group", "no-reason"],
)
def test_bad_corrections_are_refused_at_the_field_and_change_nothing(users, case, li, data, errors):
    version = case.version
    with pytest.raises(InvalidInput) as refused:
        correct_party(
            case_id=case.pk,
            party_id=li.pk,
            actor=users["civil1"],
            data={"reason": "核对身份证", **data},
        )

    assert [(e.field, e.code) for e in refused.value.errors] == errors
    case.refresh_from_db()
    assert (case.version, case.timeline.filter(kind="party_corrected").count()) == (version, 0)


def test_a_respondent_has_no_groups_and_an_organisation_no_id_number(users, case):
    company = case.parties.get(role="respondent").party
    with pytest.raises(InvalidInput) as groups:
        correct(users, case, company, groups=["woman"])
    with pytest.raises(InvalidInput) as identity:
        correct(users, case, company, user="civilhead", id_number=NEW_ID)

    assert [e.code for e in groups.value.errors] == ["not_claimant"]
    assert [e.code for e in identity.value.errors] == ["not_person"]


def test_a_stale_version_is_refused(users, case, li):
    with pytest.raises(StaleVersion):
        correct(users, case, li, name="王小二", version=case.version - 1)


def test_a_closed_case_takes_no_correction(users, case, li):
    disposal.close_case(
        case_id=case.pk, actor=users["civil1"], data={"outcome": "withdrawn", "note": "撤回"}
    )
    with pytest.raises(InvalidInput) as refused:
        correct(users, case, li, name="王小二")

    assert [e.code for e in refused.value.errors] == ["closed"]


def test_a_colleague_and_a_partner_may_not_correct(users, case, li):
    for user in ("civil2", "hrss1", "chief"):
        with pytest.raises(NotPermitted):
            correct(users, case, li, user=user, name="王小二")
    li.refresh_from_db()
    assert li.name == "李秀英"


def test_the_persons_other_case_notes_the_correction_by_reference(users, case, li):
    second = intake_services.create_lead(
        actor=users["civil1"],
        data=validate_lead(lead_payload(claimants=[{"name": "李秀英", "id_number": LI_ID}])),
    )
    other = intake_services.accept_lead(lead_id=second.pk, actor=users["civil1"])

    correct(users, case, li, name="王小二")

    here = case.timeline.get(kind="party_corrected")
    there = other.timeline.get(kind="party_corrected")
    assert (here.data["ref"], there.data["ref"]) == ("", case.number)
    with translation.override("en"):
        assert f"(on case {case.number})" in describe_event(there)


def test_item7_the_other_cases_search_text_follows_after_the_commit_under_its_own_lock(
    users, case, li, django_capture_on_commit_callbacks
):
    """Issue 14 item 7: a correction locks only the case it is made on; the person's other cases
    get their search text after the commit, one at a time, each under its own lock."""
    second = intake_services.create_lead(
        actor=users["civil1"],
        data=validate_lead(lead_payload(claimants=[{"name": "李秀英", "id_number": LI_ID}])),
    )
    other = intake_services.accept_lead(lead_id=second.pk, actor=users["civil1"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        correct(users, case, li, name="王小二")
    found = set(Case.objects.search("王小二").values_list("pk", flat=True))
    assert found == {case.pk}  # the own case at once; the other waits for the commit

    for callback in callbacks:
        callback()
    found = set(Case.objects.search("王小二").values_list("pk", flat=True))
    assert found == {case.pk, other.pk}


# --- the API ----------------------------------------------------------------------------------
def url(case, party) -> str:
    return f"/api/v1/cases/{case.pk}/parties/{party.pk}/correct"


def test_issue13_item2_api_corrects_a_party_and_answers_the_case(api, case, li):
    r = api("civil1").post(
        url(case, li),
        {"reason": "核对身份证", "name": "王小二", "phone": NEW_PHONE, "version": case.version},
    )

    assert r.status_code == 200, r.content
    [claimant] = r.json()["claimants"]
    assert (claimant["name"], claimant["phone_masked"]) == ("王小二", "186****0000")
    assert r.json()["version"] == case.version + 1


def test_issue13_item2_api_id_number_needs_a_head(api, case, li):
    body = {"reason": "户籍更正", "id_number": NEW_ID}

    officer = api("civil1").post(url(case, li), body)
    head = api("civilhead").post(url(case, li), body)

    assert officer.status_code == 403
    assert head.status_code == 200, head.content
    assert head.json()["claimants"][0]["id_number_masked"] == NEW_ID[:6] + "********" + NEW_ID[-4:]


def test_api_duplicate_identity_is_422_at_id_number(api, users, case, li):
    one_claimant_case_with(users, name="张三", id_number=NEW_ID)

    r = api("civilhead").post(url(case, li), {"reason": "户籍更正", "id_number": NEW_ID})

    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("id_number", "duplicate_identity")
    ]


def test_api_a_party_not_on_the_case_is_404(api, users, case):
    other = one_claimant_case_with(users, name="张三", id_number=NEW_ID)
    stranger = other.parties.get(role="claimant").party

    r = api("civil1").post(url(case, stranger), {"reason": "x", "name": "y"})

    assert r.status_code == 404


@pytest.mark.parametrize("party_id", [2**63, 10**24])
def test_r1_api_a_party_id_past_the_databases_integers_is_404(api, case, li, party_id):
    # found by the fuzzing pass: the lookup by party_id overflowed SQLite's integers (500)
    r = api("civil1").post(
        f"/api/v1/cases/{case.pk}/parties/{party_id}/correct", {"reason": "x", "name": "y"}
    )

    assert r.status_code == 404, r.content
    assert Party.objects.filter(pk=li.pk, name="李秀英").exists()


@pytest.mark.parametrize("party_id", [2**63, 10**24])
def test_r1_page_a_party_id_past_the_databases_integers_is_404(web, case, li, party_id):
    r = web("civil1").post(
        f"/cases/{case.pk}/parties/{party_id}/correct/", {"reason": "x", "name": "y"}
    )

    assert r.status_code == 404
    assert Party.objects.filter(pk=li.pk, name="李秀英").exists()


def test_api_a_partner_gets_404_or_403(api, users, case, li):
    hidden = one_claimant_case(users, consent=False)  # hrss1 referred it without consent
    hidden_party = hidden.parties.get(role="claimant").party
    body = {"reason": "x", "name": "王小二"}

    assert api("hrss1").post(url(case, li), body).status_code == 403  # shared with consent
    assert api("wf1").post(url(case, li), body).status_code == 404
    assert api("hrss1").post(url(hidden, hidden_party), body).status_code == 404


def test_the_openapi_documents_the_correction(api):
    doc = api("civil1").get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/cases/{case_id}/parties/{party_id}/correct"]["post"]

    assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"reason", "name", "phone", "address", "groups", "id_number"} <= set(body["properties"])
    assert body["required"] == ["reason"]


# --- the page ---------------------------------------------------------------------------------
def page_url(case, party) -> str:
    return f"/cases/{case.pk}/parties/{party.pk}/correct/"


def form(case, **data) -> dict:
    return {
        "name": "李秀英",
        "phone": "",
        "address": "五华区一号",
        "groups": ["migrant_worker"],
        "reason": "核对身份证",
        "version": str(case.version),
        **data,
    }


def test_issue13_item2_the_case_page_offers_a_correction_for_each_party(web, case, li):
    r = web("civil1").get(f"/cases/{case.pk}/?correct={li.pk}", headers=EN)

    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-correct-party="{li.pk}"' in html
    assert f'action="{page_url(case, li)}"' in html
    assert r.context["correction_form"].party == li
    assert "id_number" not in r.context["correction_form"].fields  # an officer: no ID number
    head = web("civilhead").get(f"/cases/{case.pk}/?correct={li.pk}")
    assert "id_number" in head.context["correction_form"].fields


def test_issue13_item2_the_page_corrects_only_what_differs(web, case, li):
    r = web("civil1").post(page_url(case, li), form(case, name="王小二", phone=NEW_PHONE))

    assert r.status_code == 302
    li.refresh_from_db()
    assert (li.name, li.phone, li.address) == ("王小二", NEW_PHONE, "五华区一号")
    assert set(case.timeline.get(kind="party_corrected").data["changes"]) == {"name", "phone"}


def test_a_refused_correction_shows_the_form_again_with_the_error_at_the_field(web, case, li):
    r = web("civil1").post(page_url(case, li), form(case, phone="12345"), headers=EN)

    assert r.status_code == 422
    correction = r.context["correction_form"]
    assert "phone" in correction.errors
    assert r.context["failure"]["shown"] is True


def test_an_id_number_posted_by_an_officer_is_403_on_the_page(web, case, li):
    r = web("civil1").post(page_url(case, li), form(case, id_number=NEW_ID))

    assert r.status_code == 403
    li.refresh_from_db()
    assert li.id_number == LI_ID


def test_the_case_page_lists_the_contacts_with_the_current_first(web, users, case, li):
    correct(users, case, li, phone=NEW_PHONE)

    r = web("civil1").get(f"/cases/{case.pk}/")

    [claimant] = r.context["claimants"]
    rows = [
        (row["contact"].phone_masked, row["current"])
        for row in claimant.contact_rows
        if row["contact"].kind == "phone"
    ]
    assert rows == [("186****0000", True), ("135****1122", False)]
    html = r.content.decode()
    assert f'data-contacts="{li.pk}"' in html and NEW_PHONE not in html


def test_a_partner_sees_neither_contacts_nor_the_correction_event(web, api, users, case, li):
    correct(users, case, li, name="王小二", phone=NEW_PHONE)

    page = web("hrss1").get(f"/cases/{case.pk}/")
    timeline = api("hrss1").get(f"/api/v1/cases/{case.pk}/timeline").json()

    assert page.status_code == 200
    assert "data-contacts" not in page.content.decode()
    assert page.context["correction_form"] is None
    assert "party_corrected" not in json.dumps(timeline)
