"""Issue 13 item 5: transfers between departments go both ways, from the right sender.

The criminal department sends a wage or support claim it found in criminal work to the civil
department (the other half of rule CR-9's two-way transfer): the form offers the departments the
sender may send to, never its own; the API refuses its own department at ``to_department``; and
every transfer records the sender's own department, not the case's or lead's.
"""

from __future__ import annotations

import pytest

from tests.conftest import lead_payload, make_id
from tests.migrating import migrate as _migrate
from zhichi.accounts.models import Notification
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.common.errors import InvalidInput
from zhichi.documents.context import build
from zhichi.intake import services as intake_services
from zhichi.intake.models import LeadStatus
from zhichi.intake.validation import validate_lead
from zhichi.transfers import services
from zhichi.transfers.models import Transfer, TransferStatus

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

TO_CIVIL = {
    "to_org": "WHPROC",
    "to_department": "civil",
    "kind": "civil_support",
    "reason": "刑事案件中发现被害人被拖欠工资，需民事支持起诉",
}
SENDER = "五华区人民检察院 · 刑事检察部"


def criminal_lead(users, seq: str = "701"):
    """A wage claim criminal1 found in criminal work and filed: it lands in civil intake."""
    return intake_services.create_lead(
        actor=users["criminal1"],
        data=validate_lead(
            lead_payload(
                source="internal",
                claimants=[
                    {
                        "name": "赵工人",
                        "id_number": make_id(birth="19800101", seq=seq),
                        "amount_claimed": "16000.00",
                        "months_unpaid": 4,
                    }
                ],
            )
        ),
    )


def criminal_case(users):
    """A case of the criminal department, officer criminal1: civil intake moved the lead to the
    criminal department, which accepted it."""
    lead = criminal_lead(users, seq="702")
    t = services.send_transfer(
        actor=users["civil1"],
        data={**TO_CIVIL, "to_department": "criminal", "kind": "criminal_lead"},
        lead_id=lead.pk,
    )
    services.accept_transfer(transfer_id=t.pk, actor=users["criminal1"])
    case = intake_services.accept_lead(lead_id=lead.pk, actor=users["criminal1"])
    assert (case.department.code, case.officer.username) == ("criminal", "criminal1")
    return case


def receivers(response) -> list[str]:
    return [value for value, _label in response.context["form"].fields["receiver"].choices]


# --- the form offers the departments the sender may send to ------------------------------------
def test_item5_the_lead_form_offers_criminal1_the_civil_department_and_not_its_own(users, web):
    lead = criminal_lead(users)

    r = web("criminal1").get(f"/transfers/new/lead/{lead.pk}/")

    assert r.status_code == 200
    values = receivers(r)
    assert "WHPROC/civil" in values
    assert "WHPROC/criminal" not in values
    assert "PJPROC/civil" in values and "WHHRSS" in values


def test_item5_the_case_form_offers_the_criminal_department_the_civil_department(users, web):
    case = criminal_case(users)

    r = web("criminal1").get(f"/transfers/new/case/{case.pk}/")

    values = receivers(r)
    assert "WHPROC/civil" in values
    assert "WHPROC/criminal" not in values


def test_item5_the_civil_department_is_offered_the_criminal_one_not_its_own(users, web):
    lead = criminal_lead(users)

    values = receivers(web("civil1").get(f"/transfers/new/lead/{lead.pk}/"))

    assert "WHPROC/criminal" in values and "WHPROC/civil" not in values


# --- the own department is refused at to_department --------------------------------------------
@pytest.mark.parametrize("subject", ["lead", "case"])
def test_item5_api_refuses_the_senders_own_department_at_to_department(users, api, subject):
    obj = criminal_lead(users) if subject == "lead" else criminal_case(users)
    before = Transfer.objects.count()

    r = api("criminal1").post(
        f"/api/v1/{subject}s/{obj.pk}/transfers",
        {**TO_CIVIL, "to_department": "criminal", "kind": "other"},
        headers={"Accept-Language": "en"},
    )

    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("to_department", "own_department")
    ]
    assert r.json()["errors"][0]["message"] == (
        "A transfer goes to another department or agency, not to your own department."
    )
    assert Transfer.objects.count() == before


def test_item5_the_page_refuses_the_own_department_at_the_receiver_field(users, web):
    lead = criminal_lead(users)

    r = web("criminal1").post(
        f"/transfers/new/lead/{lead.pk}/",
        {"kind": "other", "receiver": "WHPROC/criminal", "reason": "理由"},
    )

    assert r.status_code == 422
    assert list(r.context["form"].errors) == ["receiver"]
    assert Transfer.objects.count() == 0


def test_item5_the_chief_sends_for_the_department_that_holds_the_lead(users):
    lead = criminal_lead(users)

    with pytest.raises(InvalidInput) as exc:
        services.send_transfer(actor=users["chief"], data=TO_CIVIL, lead_id=lead.pk)
    assert [(e.field, e.code) for e in exc.value.errors] == [("to_department", "own_department")]

    t = services.send_transfer(
        actor=users["chief"],
        data={**TO_CIVIL, "to_department": "criminal", "kind": "criminal_lead"},
        lead_id=lead.pk,
    )
    assert (t.from_org.code, t.from_department.code) == ("WHPROC", "civil")


# --- the transfer records the sender's own department ------------------------------------------
def test_item5_a_transfer_of_criminal1s_lead_records_the_criminal_department_as_sender(users, api):
    lead = criminal_lead(users)
    assert lead.department.code == "civil"  # criminal1's lead sits in civil intake

    r = api("criminal1").post(f"/api/v1/leads/{lead.pk}/transfers", TO_CIVIL)

    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["from_org"], body["from_department"]) == ("WHPROC", "criminal")
    assert (body["to_org"], body["to_department"]) == ("WHPROC", "civil")
    t = Transfer.objects.get(pk=body["id"])
    assert (t.from_department.code, t.sent_by.username) == ("criminal", "criminal1")
    audit = AuditEntry.objects.get(action="transfer.send", object_id=str(t.pk))
    assert (audit.detail["from_department"], audit.detail["to_department"]) == (
        "criminal",
        "civil",
    )
    # the receiving department is told who sent it, department included
    note = Notification.objects.get(user=users["civil1"], url=f"/transfers/{t.pk}/")
    assert SENDER in note.text


def test_item5_criminal_to_civil_end_to_end_from_criminal1s_own_lead(users, api, web):
    lead = criminal_lead(users)
    t = Transfer.objects.get(
        pk=api("criminal1").post(f"/api/v1/leads/{lead.pk}/transfers", TO_CIVIL).json()["id"]
    )

    # the civil department's inbox, page and API, names the criminal department as the sender
    inbox = api("civil1").get("/api/v1/transfers", {"box": "inbox"}).json()["items"]
    assert [(x["id"], x["from_department"]) for x in inbox] == [(t.pk, "criminal")]
    assert api("criminal1").get("/api/v1/transfers", {"box": "inbox"}).json()["items"] == []
    outbox = api("criminal1").get("/api/v1/transfers", {"box": "outbox"}).json()["items"]
    assert [x["id"] for x in outbox] == [t.pk]
    assert api("civil1").get("/api/v1/transfers", {"box": "outbox"}).json()["items"] == []
    page = web("civil1").get("/transfers/inbox/")
    assert [x.pk for x in page.context["page_obj"]] == [t.pk]
    assert SENDER in page.content.decode()
    detail = web("civil1").get(f"/transfers/{t.pk}/")
    assert (detail.context["is_receiver"], detail.context["is_sender"]) == (True, False)
    assert f'<span data-testid="transfer-sender">{SENDER}</span>' in detail.content.decode()
    assert SENDER in web("civil1").get("/").content.decode()  # the workbench's waiting list

    # the civil department takes it on and answers; the criminal department closes it
    for step in ("receive", "accept"):
        assert api("civil1").post(f"/api/v1/transfers/{t.pk}/{step}").status_code == 200
    lead.refresh_from_db()
    assert (lead.department.code, lead.status) == ("civil", LeadStatus.NEW)
    r = api("civil1").post(
        f"/api/v1/transfers/{t.pk}/feedback",
        {"text": "已受理，进入支持起诉审查", "result": "support_accepted"},
    )
    assert r.status_code == 200, r.content
    assert api("civil1").post(f"/api/v1/transfers/{t.pk}/close").status_code == 403
    r = api("criminal1").post(f"/api/v1/transfers/{t.pk}/close", {"note": "已收到反馈"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == TransferStatus.CLOSED


def test_item5_criminal_to_civil_from_a_case_of_the_criminal_department(users, api, web):
    case = criminal_case(users)
    assert not Case.objects.visible_to(users["civil1"]).filter(pk=case.pk).exists()

    r = web("criminal1").post(
        f"/transfers/new/case/{case.pk}/",
        {"kind": "civil_support", "receiver": "WHPROC/civil", "reason": TO_CIVIL["reason"]},
    )

    t = Transfer.objects.get(case=case)
    assert r.status_code == 302 and r["Location"] == f"/transfers/{t.pk}/"
    assert (t.from_department.code, t.to_department.code) == ("criminal", "civil")
    assert Case.objects.visible_to(users["civil1"]).filter(pk=case.pk).exists()  # shared while open
    inbox = web("civil1").get("/transfers/inbox/")
    assert SENDER in inbox.content.decode()
    # the case page's transfers section names both sides
    section = web("civil1").get(f"/cases/{case.pk}/").content.decode()
    assert SENDER in section and "五华区人民检察院 · 民事检察部" in section
    # the transfer letter comes from the procuratorate and goes to the civil department
    letter = build(case, "transfer_letter", subject_id=t.pk).context
    assert (letter["org_name"], letter["receiver"]) == (
        "五华区人民检察院",
        "五华区人民检察院民事检察部",
    )
    assert api("civil1").post(f"/api/v1/transfers/{t.pk}/accept").status_code == 200


# --- transfers recorded before: the data migration (rule R14) ----------------------------------
@pytest.mark.django_db(transaction=True)
def test_item5_the_migration_sets_the_sender_department_from_the_sender_and_back(users):
    lead = criminal_lead(users)
    by_criminal1 = services.send_transfer(actor=users["criminal1"], data=TO_CIVIL, lead_id=lead.pk)
    by_chief = services.send_transfer(
        actor=users["chief"],
        data={**TO_CIVIL, "to_department": "criminal", "kind": "criminal_lead"},
        lead_id=lead.pk,
    )
    civil, criminal = users["civil1"].department, users["criminal1"].department
    try:
        old = _migrate([("transfers", "0001_initial")])
        # as the code before recorded it: the lead's department (civil intake)
        old.get_model("transfers", "Transfer").objects.filter(pk=by_criminal1.pk).update(
            from_department_id=civil.pk
        )

        new = _migrate([("transfers", "0002_sender_department")])
        rows = new.get_model("transfers", "Transfer").objects
        assert rows.get(pk=by_criminal1.pk).from_department_id == criminal.pk
        # the chief belongs to no department: it sent for civil intake, which stays
        assert rows.get(pk=by_chief.pk).from_department_id == civil.pk
        corrections = new.get_model("transfers", "SenderCorrection").objects.values_list(
            "transfer_id", "recorded_department_id", "corrected_department_id"
        )
        assert list(corrections) == [(by_criminal1.pk, civil.pk, criminal.pk)]

        back = _migrate([("transfers", "0001_initial")])
        rows = back.get_model("transfers", "Transfer").objects
        assert rows.get(pk=by_criminal1.pk).from_department_id == civil.pk
        assert rows.get(pk=by_chief.pk).from_department_id == civil.pk
    finally:
        _migrate(None)
    assert Transfer.objects.get(pk=by_criminal1.pk).from_department == criminal
