"""Joint actions (C8): payments into each case's ledger, all or nothing, the consent gate,
shares for the participants, and who sees what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tests.employers.conftest import EMPLOYER, OTHER_EMPLOYER, open_case
from zhichi.audit.models import AuditEntry
from zhichi.cases.ledger import ledger_for
from zhichi.cases.models import Case, CaseShare, Payment, ShareBasis, ShareReason, TimelineEvent
from zhichi.cases.presenters import describe_event
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.employers import services
from zhichi.employers.models import JointAction, JointActionPayment

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

D = Decimal
TODAY = timezone.localdate().isoformat()


def data(cases, **overrides) -> dict:
    body = {
        "on": TODAY,
        "employer": EMPLOYER,
        "organisations": ["WHHRSS"],
        "case_ids": [c.pk for c in cases],
        "result": "人社局、检察院联合约谈用人单位，当场支付部分工资",
        "amount_paid_on_site": "0",
        "legal_basis": "",
    }
    body.update(overrides)
    return body


def fields(exc) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.value.errors]


def nothing_written():
    return (
        JointAction.objects.count(),
        Payment.objects.count(),
        CaseShare.objects.count(),
        TimelineEvent.objects.filter(kind="joint_action").count(),
    ) == (0, 0, 0, 0)


# --- money ------------------------------------------------------------------------------------
def test_money_paid_on_site_lands_in_each_cases_ledger_in_proportion_to_what_is_owed(
    users, two_cases
):
    first, second = two_cases
    # owed: 12,000.00 + 8,000.50 in each case = 40,001.00; half of it is paid on site
    action = services.record_joint_action(
        actor=users["civil1"],
        data=data(two_cases, amount_paid_on_site="20000.50", legal_basis="法律援助条例第十条"),
    )

    recovered = [ledger_for(c).totals["recovered"] for c in (first, second)]
    assert recovered == [D("10000.25"), D("10000.25")]
    rows = [(r.claimed, r.recovered) for r in ledger_for(first).rows]
    assert rows == [(D("12000.00"), D("6000.00")), (D("8000.50"), D("4000.25"))]
    assert sum(recovered) == action.amount_paid_on_site == D("20000.50")
    links = JointActionPayment.objects.filter(joint_action=action)
    assert sorted(link.payment.amount for link in links) == sorted(
        [D("6000.00"), D("4000.25"), D("6000.00"), D("4000.25")]
    )
    assert {p.payer for p in Payment.objects.all()} == {"云南某建筑劳务有限公司"}


def test_the_split_can_be_given_per_claimant(users, two_cases):
    first, second = two_cases
    claimant = first.parties.filter(role="claimant").first().party_id
    other = second.parties.filter(role="claimant").last().party_id

    services.record_joint_action(
        actor=users["civil1"],
        data=data(
            two_cases,
            amount_paid_on_site="3000.00",
            legal_basis="依据",
            payments=[
                {"case_id": first.pk, "claimant_party_id": claimant, "amount": "1000.00"},
                {"case_id": second.pk, "claimant_party_id": other, "amount": "2000.00"},
            ],
        ),
    )

    assert [(r.claimant.party_id, r.recovered) for r in ledger_for(first).rows if r.recovered] == [
        (claimant, D("1000.00"))
    ]
    assert [(r.claimant.party_id, r.recovered) for r in ledger_for(second).rows if r.recovered] == [
        (other, D("2000.00"))
    ]


def test_a_given_split_must_add_up_and_name_claimants_of_the_listed_cases(users, two_cases):
    first, second = two_cases
    claimant = first.parties.filter(role="claimant").first().party_id
    stranger = open_case(users, seq=300).parties.filter(role="claimant").first().party_id

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"],
            data=data(
                [first],
                amount_paid_on_site="3000.00",
                payments=[
                    {"case_id": first.pk, "claimant_party_id": claimant, "amount": "1000.00"},
                    {"case_id": first.pk, "claimant_party_id": stranger, "amount": "1000.00"},
                    {"case_id": second.pk, "claimant_party_id": claimant, "amount": "1000.00"},
                ],
            ),
        )

    assert fields(exc) == [
        ("payments.1.claimant_party_id", "unknown"),
        ("payments.2.case_id", "unknown"),
    ]
    # a part's own value is the schema's to refuse, before any case is looked up
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"],
            data=data(
                [first],
                amount_paid_on_site="3000.00",
                payments=[
                    {"case_id": first.pk, "claimant_party_id": claimant, "amount": "3001.00"},
                    {"case_id": first.pk, "claimant_party_id": claimant, "amount": "-1"},
                ],
            ),
        )
    assert fields(exc) == [("payments.1.amount", "negative")]
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"],
            data=data(
                [first],
                amount_paid_on_site="3000.00",
                payments=[{"case_id": first.pk, "claimant_party_id": claimant, "amount": "1.00"}],
            ),
        )
    assert fields(exc) == [("payments", "sum")]
    assert nothing_written()


def test_a_given_part_above_what_the_claimant_is_owed_is_refused(users, two_cases):
    first, _second = two_cases
    claimant = first.parties.filter(role="claimant").last().party_id  # owed 8,000.50

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"],
            data=data(
                [first],
                amount_paid_on_site="8000.51",
                payments=[
                    {"case_id": first.pk, "claimant_party_id": claimant, "amount": "8000.51"}
                ],
            ),
        )

    assert fields(exc) == [("payments.0.amount", "more_than_owed")]


def test_more_than_is_owed_altogether_is_refused_and_nothing_is_written(users, two_cases):
    first, _second = two_cases

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"], data=data([first], amount_paid_on_site="20000.51")
        )

    assert fields(exc) == [("amount_paid_on_site", "more_than_owed")]
    assert "20,000.50" in exc.value.errors[0].message
    assert nothing_written()


def test_what_is_owed_counts_what_was_paid_before(users, two_cases):
    first, _second = two_cases
    services.record_joint_action(
        actor=users["civil1"], data=data([first], amount_paid_on_site="20000.00")
    )

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"], data=data([first], amount_paid_on_site="0.51")
        )

    assert fields(exc) == [("amount_paid_on_site", "more_than_owed")]
    services.record_joint_action(
        actor=users["civil1"], data=data([first], amount_paid_on_site="0.50")
    )
    assert ledger_for(first).totals["outstanding"] == D("0.00")


# --- all or nothing ------------------------------------------------------------------------------
def test_a_case_the_actor_may_not_work_on_refuses_everything(users, two_cases):
    first, _second = two_cases
    colleagues = open_case(users, seq=300, officer="civil2")  # civil1 sees it, civil2 works it

    with pytest.raises(NotPermitted):
        services.record_joint_action(
            actor=users["civil1"],
            data=data([first, colleagues], amount_paid_on_site="1000.00"),
        )

    assert nothing_written()
    assert AuditEntry.objects.filter(
        action="joint_action.record", outcome="denied", object_id=str(colleagues.pk)
    ).exists()


def test_a_failure_after_the_first_payment_leaves_nothing_behind(users, two_cases):
    real = services.record_payment
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["case_id"])
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(**kwargs)

    with mock.patch.object(services, "record_payment", failing), pytest.raises(RuntimeError):
        services.record_joint_action(
            actor=users["civil1"],
            data=data(two_cases, amount_paid_on_site="4000.00", legal_basis="依据"),
        )

    assert len(calls) == 3
    assert nothing_written()
    assert [c.version for c in (c.__class__.objects.get(pk=c.pk) for c in two_cases)] == [
        c.version for c in two_cases
    ]


def test_partners_and_administrators_may_not_record_joint_actions(users, two_cases):
    for user in ("hrss1", "chief", "registrar1", "sysadmin"):
        with pytest.raises(NotPermitted):
            services.record_joint_action(actor=users[user], data=data(two_cases[:1]))
    assert nothing_written()


# --- validation -------------------------------------------------------------------------------
def test_a_case_the_actor_cannot_see_is_not_found(users, two_cases):
    theirs = open_case(users, seq=400, officer="outsider")

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"],
            data=data([], case_ids=[two_cases[0].pk, theirs.pk, 999999, "x", two_cases[0].pk]),
        )
    assert fields(exc) == [("case_ids.3", "type"), ("case_ids.4", "duplicate")]

    # once the list is sound, each id is looked up
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"], data=data([], case_ids=[two_cases[0].pk, theirs.pk, 999999])
        )
    assert fields(exc) == [("case_ids.1", "not_found"), ("case_ids.2", "not_found")]
    # the message is in the language active when it was raised
    assert exc.value.errors[0].message == _("No case with this id was found.")


def test_every_case_must_name_the_employer(users, two_cases):
    elsewhere = open_case(users, seq=500, code=OTHER_EMPLOYER, name="另一家公司")

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(actor=users["civil1"], data=data([two_cases[0], elsewhere]))

    assert fields(exc) == [("case_ids.1", "employer")]


def test_the_employer_is_a_valid_credit_code_named_in_a_visible_case_or_lead(users, two_cases):
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"], data=data(two_cases[:1], employer=EMPLOYER[:-1] + "0")
        )
    assert fields(exc)[0] == ("employer", "checksum")

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"], data=data([], employer=OTHER_EMPLOYER, organisations=["WHHRSS"])
        )
    assert fields(exc) == [("employer", "unknown")]


def test_fields_are_checked_strictly(users, two_cases):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"],
            data=data(
                two_cases[:1],
                on=tomorrow,
                result=" ",
                amount_paid_on_site="1e3",
                organisations=["WHHRSS", "NOPE", 7],
            ),
        )

    assert fields(exc) == [
        ("on", "future"),
        ("result", "required"),
        ("amount_paid_on_site", "money"),
        ("organisations.2", "type"),
    ]
    # an organisation no one has is a finding of the database, once the fields are sound
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(
            actor=users["civil1"], data=data(two_cases[:1], organisations=["WHHRSS", "NOPE"])
        )
    assert fields(exc) == [("organisations.1", "unknown")]


def test_a_joint_action_needs_another_organisation_or_a_case(users, two_cases):
    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(actor=users["civil1"], data=data([], organisations=["WHPROC"]))

    assert fields(exc) == [("organisations", "required")]


def test_a_joint_action_without_cases_may_name_an_employer_known_from_a_lead(users):
    from tests.employers.conftest import file_lead

    file_lead(users["civil1"], seq=600, code=OTHER_EMPLOYER)

    action = services.record_joint_action(
        actor=users["civil1"], data=data([], employer=OTHER_EMPLOYER)
    )

    assert (action.cases.count(), action.employer.credit_code) == (0, OTHER_EMPLOYER)


def test_a_closed_case_cannot_take_part(users, two_cases):
    from zhichi.cases.services import disposal

    first, _second = two_cases
    disposal.close_case(case_id=first.pk, actor=users["civil1"], data={"outcome": "withdrawn"})

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(actor=users["civil1"], data=data([first]))

    assert fields(exc) == [("case_ids.0", "closed")]


# --- sharing and the consent gate ------------------------------------------------------------
def test_sharing_a_case_without_consent_needs_a_legal_basis(users, two_cases):
    first, second = two_cases  # the second has no consent

    with pytest.raises(InvalidInput) as exc:
        services.record_joint_action(actor=users["civil1"], data=data(two_cases))

    assert fields(exc) == [("legal_basis", "consent_required")]
    assert second.number in exc.value.errors[0].message
    assert first.number not in exc.value.errors[0].message
    assert nothing_written()


def test_participants_get_a_share_of_each_case_and_can_then_see_it(users, two_cases):
    first, second = two_cases
    assert not Case.objects.visible_to(users["hrss1"]).exists()

    action = services.record_joint_action(
        actor=users["civil1"],
        data=data(two_cases, legal_basis="《保障农民工工资支付条例》第五十一条"),
    )

    shares = CaseShare.objects.order_by("case_id")
    assert [(s.case_id, s.organisation.code, s.reason, s.basis, s.source) for s in shares] == [
        (first.pk, "WHHRSS", ShareReason.JOINT_ACTION, ShareBasis.CONSENT, action.share_source),
        (
            second.pk,
            "WHHRSS",
            ShareReason.JOINT_ACTION,
            ShareBasis.LEGAL_BASIS,
            action.share_source,
        ),
    ]
    assert sorted(Case.objects.visible_to(users["hrss1"]).values_list("pk", flat=True)) == sorted(
        [first.pk, second.pk]
    )
    assert not Case.objects.visible_to(users["wf1"]).exists()


def test_the_organiser_itself_gets_no_share(users, two_cases):
    services.record_joint_action(
        actor=users["civil1"], data=data(two_cases[:1], organisations=["WHPROC", "WHHRSS"])
    )

    assert list(CaseShare.objects.values_list("organisation__code", flat=True)) == ["WHHRSS"]


# --- timeline, audit, webhooks -----------------------------------------------------------------
def test_each_case_gets_a_timeline_event_and_the_action_is_audited(users, two_cases):
    action = services.record_joint_action(
        actor=users["civil1"],
        data=data(two_cases, amount_paid_on_site="100.00", legal_basis="依据"),
    )

    events = TimelineEvent.objects.filter(kind="joint_action").order_by("case_id")
    assert [e.case_id for e in events] == sorted(c.pk for c in two_cases)
    with translation.override("en"):
        assert describe_event(events[0]).startswith(
            f"Joint action on {TODAY} with 五华区人力资源和社会保障局, 50.00 yuan paid on site: "
        )
    assert AuditEntry.objects.filter(
        action="joint_action.record", object_id=str(action.pk), outcome="ok"
    ).exists()


def test_participants_subscribed_to_the_event_get_a_webhook_with_ids_and_amounts(users, two_cases):
    webhooks = pytest.importorskip("zhichi.webhooks.models")
    subscription = webhooks.WebhookSubscription.objects.create(
        organisation=users["hrss1"].organisation,
        url="https://hrss.example.org/hook",
        events=["joint_action.recorded"],
        secret_enc="-",
        secret_hint="-",
        created_by=users["hrss1"],
    )

    action = services.record_joint_action(
        actor=users["civil1"], data=data(two_cases[:1], amount_paid_on_site="100.00")
    )

    (delivery,) = webhooks.WebhookDelivery.objects.filter(subscription=subscription)
    assert delivery.event == "joint_action.recorded"
    assert delivery.payload["joint_action_id"] == action.pk
    assert delivery.payload["amount_paid_on_site"] == "100.00"
    assert sorted(p["amount"] for p in delivery.payload["payments"]) == ["40.00", "60.00"]


# --- who sees it --------------------------------------------------------------------------------
VIEWERS = {"civil1", "civil2", "civilhead", "chief", "registrar1", "hrss1"}


@pytest.fixture
def action(users, two_cases):
    return services.record_joint_action(
        actor=users["civil1"],
        data=data(two_cases[:1], amount_paid_on_site="1000.00"),
    )


@pytest.mark.parametrize(
    "user",
    sorted({*VIEWERS, "criminal1", "wf1", "lac1", "court1", "outsider"}),
)
def test_the_organisers_staff_and_the_participants_see_the_joint_action(user, action, api):
    r = api(user).get(f"/api/v1/joint-actions/{action.pk}")

    assert r.status_code == (200 if user in VIEWERS else 404)
    listed = [i["id"] for i in api(user).get("/api/v1/joint-actions").json()["items"]]
    assert listed == ([action.pk] if user in VIEWERS else [])


def test_a_participant_that_cannot_see_a_case_sees_it_unlinked_with_masked_names(
    users, two_cases, api
):
    # another procuratorate takes part: its departments are not given the share
    action = services.record_joint_action(
        actor=users["civil1"],
        data=data(two_cases[:1], organisations=["PJPROC"], amount_paid_on_site="100.00"),
    )

    body = api("outsider").get(f"/api/v1/joint-actions/{action.pk}").json()

    assert body["case_ids"] == []
    assert body["cases"] == [{"id": None, "number": two_cases[0].number}]
    assert sorted(p["name"] for p in body["payments"]) == ["李**", "王**"]
    assert {p["claimant_party_id"] for p in body["payments"]} == {None}
    own = api("civil1").get(f"/api/v1/joint-actions/{action.pk}").json()
    assert sorted(p["name"] for p in own["payments"]) == ["李秀英", "王建国"]


def test_hostile_input_through_the_api_is_422_at_the_field(users, two_cases, api):
    first, _second = two_cases

    r = api("civil1").post(
        "/api/v1/joint-actions",
        {
            "on": ["2026-01-01"],
            "employer": {"code": EMPLOYER},
            "organisations": [{"x": 1}],
            "case_ids": [10**30, -5, first.pk],
            "result": 7,
            "amount_paid_on_site": 1.5,
            "legal_basis": None,
            "payments": [{"case_id": [1], "claimant_party_id": {"a": 1}, "amount": "1"}],
        },
    )

    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("on", "date"),
        ("employer", "type"),
        ("result", "type"),
        ("amount_paid_on_site", "money"),
        ("organisations.0", "type"),
        ("payments.0.case_id", "integer"),
        ("payments.0.claimant_party_id", "integer"),
    ]
    assert nothing_written()

    # of the documented types, but naming no case: refused by the service, at each id
    r = api("civil1").post(
        "/api/v1/joint-actions",
        {
            "on": TODAY,
            "employer": EMPLOYER,
            "case_ids": [10**30, -5, first.pk],
            "result": "联合约谈",
        },
    )

    assert r.status_code == 422, r.content
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("case_ids.0", "not_found"),
        ("case_ids.1", "not_found"),
    ]
    assert nothing_written()


def test_the_api_answers_201_with_the_joint_action(users, two_cases, api):
    first, _second = two_cases

    r = api("civil1").post(
        "/api/v1/joint-actions",
        {
            "on": TODAY,
            "employer": EMPLOYER,
            "organisations": ["WHHRSS"],
            "case_ids": [first.pk],
            "result": "联合约谈",
            "amount_paid_on_site": "1000.00",
        },
    )

    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["organisation"], body["organisations"], body["case_ids"]) == (
        "WHPROC",
        ["WHHRSS"],
        [first.pk],
    )
    assert body["amount_paid_on_site"] == "1000.00"
    assert sum(D(p["amount"]) for p in body["payments"]) == D("1000.00")
    assert body["employer"] == {"name": "云南某建筑劳务有限公司", "credit_code": EMPLOYER}


def test_the_api_list_pages_with_a_cursor(users, two_cases, api):
    ids = [
        services.record_joint_action(actor=users["civil1"], data=data(two_cases[:1])).pk
        for _ in range(3)
    ]

    first = api("civil1").get("/api/v1/joint-actions", {"limit": 2}).json()
    second = (
        api("civil1")
        .get("/api/v1/joint-actions", {"limit": 2, "cursor": first["next_cursor"]})
        .json()
    )

    assert [i["id"] for i in first["items"]] == [ids[2], ids[1]]
    assert ([i["id"] for i in second["items"]], second["next_cursor"]) == ([ids[0]], None)
    bad = api("civil1").get("/api/v1/joint-actions", {"cursor": "nope", "from": "2026-13-01"})
    assert bad.status_code == 422
