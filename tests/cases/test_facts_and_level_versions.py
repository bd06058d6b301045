"""No partial writes of a case's facts and level (issue 12, item 11): both need the version the
writer read (missing: 422 at ``version``, nothing changed; stale: 409), and a facts body changes
only the facts it names (PATCH), so consent to share is withdrawn only when ``consent_to_share:
false`` is sent. The page forms send every field and the version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone, translation

from tests.transfers.conftest import wage_case
from zhichi.audit.models import AuditEntry
from zhichi.cases.models import Case
from zhichi.cases.services import facts, override_level
from zhichi.common.errors import InvalidInput, StaleVersion

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}
TODAY = timezone.localdate()
ORDER = {
    "authority": "五华区人力资源和社会保障局",
    "issued_on": (TODAY - timedelta(days=20)).isoformat(),
    "deadline": (TODAY - timedelta(days=5)).isoformat(),
}


def state(case: Case) -> tuple:
    """Everything the facts and level routes could change, and the version."""
    case.refresh_from_db()
    return (
        case.version,
        case.labour_relationship,
        case.has_iou,
        case.consent_to_share,
        case.evasion,
        case.payment_order_authority,
        case.payment_order_issued_on,
        case.payment_order_deadline,
        case.level,
        case.level_override_reason,
    )


def sees(user, case: Case) -> bool:
    return Case.objects.visible_to(user).filter(pk=case.pk).exists()


@pytest.fixture
def shared(users) -> Case:
    """A case hrss1 referred with the person's consent: hrss1 sees it; a contractor's crew that
    holds an IOU, under an order to pay."""
    case = wage_case(
        users, consent=True, seq="51", labour_relationship="contractor_crew", has_iou=True
    )
    case.refresh_from_db()
    facts.update_case_facts(
        case_id=case.pk,
        actor=users["civil1"],
        data={"payment_order": ORDER},
        version=case.version,
    )
    case.refresh_from_db()
    assert sees(users["hrss1"], case)
    assert (case.labour_relationship, case.has_iou) == ("contractor_crew", True)
    return case


# --- facts --------------------------------------------------------------------------------------
def test_facts_without_a_version_are_422_at_version_and_change_nothing_item11(api, users, shared):
    before = state(shared)

    r = api("civil1").post(f"/api/v1/cases/{shared.pk}/facts", {"evasion": ["absconded"]})

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["version"]
    assert state(shared) == before
    assert sees(users["hrss1"], shared)


def test_a_partial_facts_body_changes_only_the_named_fact_and_consent_stays_item11(
    api, users, shared
):
    before = state(shared)

    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts", {"evasion": ["absconded"], "version": shared.version}
    )

    assert r.status_code == 200, r.content
    after = state(shared)
    assert after[4] == ["absconded"]
    assert after[0] == before[0] + 1
    assert after[1:4] == before[1:4]  # labour relationship, IOU, consent as they were
    assert after[5:] == before[5:]  # the order to pay and the level as they were
    assert sees(users["hrss1"], shared)  # the partner keeps its access
    assert api("hrss1").get(f"/api/v1/cases/{shared.pk}").status_code == 200
    event = shared.timeline.filter(kind="facts").latest("at", "id")
    assert event.data == {"changed": ["evasion"], "shares_ended": 0}


def test_consent_is_withdrawn_only_when_false_is_sent_item11(api, users, shared):
    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts",
        {"consent_to_share": False, "version": shared.version},
    )

    assert r.status_code == 200, r.content
    assert not sees(users["hrss1"], shared)
    assert api("hrss1").get(f"/api/v1/cases/{shared.pk}").status_code == 404


def test_facts_on_a_stale_version_are_409_and_change_nothing(api, users, shared):
    before = state(shared)

    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts",
        {"consent_to_share": False, "version": shared.version - 1},
    )

    assert r.status_code == 409
    assert r.json()["current_version"] == shared.version
    assert state(shared) == before
    assert sees(users["hrss1"], shared)


def test_each_part_of_the_order_to_pay_changes_alone_and_null_clears_it(api, shared):
    deadline = (TODAY - timedelta(days=2)).isoformat()
    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts",
        {"payment_order": {"deadline": deadline}, "version": shared.version},
    )
    assert r.status_code == 200, r.content
    shared.refresh_from_db()
    assert (
        shared.payment_order_authority,
        shared.payment_order_issued_on.isoformat(),
        shared.payment_order_deadline.isoformat(),
    ) == (ORDER["authority"], ORDER["issued_on"], deadline)

    early = (TODAY - timedelta(days=30)).isoformat()  # before the stored date of issue
    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts",
        {"payment_order": {"deadline": early}, "version": shared.version},
    )
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("payment_order.deadline", "before_issue")
    ]

    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts", {"payment_order": None, "version": shared.version}
    )
    assert r.status_code == 200, r.content
    shared.refresh_from_db()
    assert (
        shared.payment_order_authority,
        shared.payment_order_issued_on,
        shared.payment_order_deadline,
    ) == ("", None, None)
    assert shared.consent_to_share is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"has_iou": None}, "has_iou"),
        ({"consent_to_share": None}, "consent_to_share"),
        ({"labour_relationship": ""}, "labour_relationship"),
        ({"labour_relationship": "boss"}, "labour_relationship"),
        ({"evasion": ["flew_to_the_moon"]}, "evasion.0"),
        ({"signals": ["riot"]}, "signals.0"),  # rule EW-3
    ],
)
def test_a_named_fact_is_validated_and_a_bad_one_changes_nothing(api, shared, body, field):
    before = state(shared)

    r = api("civil1").post(f"/api/v1/cases/{shared.pk}/facts", {**body, "version": shared.version})

    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]
    assert state(shared) == before


def test_an_unchanged_fact_writes_nothing(api, shared):
    before = state(shared)

    r = api("civil1").post(
        f"/api/v1/cases/{shared.pk}/facts", {"has_iou": True, "version": shared.version}
    )

    assert r.status_code == 200
    assert state(shared) == before


def test_the_facts_service_refuses_a_missing_version(users, shared):
    before = state(shared)

    with pytest.raises(InvalidInput) as exc:
        facts.update_case_facts(
            case_id=shared.pk, actor=users["civil1"], data={"has_iou": False}, version=None
        )

    assert [(e.field, e.code) for e in exc.value.errors] == [("version", "required")]
    assert state(shared) == before


# --- level --------------------------------------------------------------------------------------
def test_level_without_a_version_is_422_at_version_item11(api, shared):
    before = state(shared)

    r = api("civilhead").post(
        f"/api/v1/cases/{shared.pk}/level", {"level": 3, "reason": "涉众风险高"}
    )

    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["version"]
    assert state(shared) == before


def test_level_on_a_stale_version_is_409_and_on_the_current_one_is_set_item11(api, shared):
    before = state(shared)

    stale = api("civilhead").post(
        f"/api/v1/cases/{shared.pk}/level",
        {"level": 3, "reason": "涉众风险高", "version": shared.version - 1},
    )

    assert stale.status_code == 409
    assert state(shared) == before
    ok = api("civilhead").post(
        f"/api/v1/cases/{shared.pk}/level",
        {"level": 3, "reason": "涉众风险高", "version": shared.version},
    )
    assert ok.status_code == 200, ok.content
    assert (ok.json()["level"], ok.json()["version"]) == (3, shared.version + 1)
    assert AuditEntry.objects.filter(action="case.level", outcome="ok").count() == 1


def test_the_level_service_refuses_a_missing_version(users, shared):
    with pytest.raises(InvalidInput) as exc:
        override_level(
            case_id=shared.pk, level=3, reason="涉众风险高", actor=users["civilhead"], version=None
        )

    assert [(e.field, e.code) for e in exc.value.errors] == [("version", "required")]


def test_the_openapi_requires_the_version_and_shows_no_default_facts():
    doc = Client().get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    facts_in, level_in = schemas["FactsIn"], schemas["LevelIn"]

    assert "version" in facts_in["required"] and "version" in level_in["required"]
    assert facts_in["required"] == ["version"]
    for name in ("labour_relationship", "has_iou", "consent_to_share", "evasion", "signals"):
        assert "default" not in facts_in["properties"][name], name
    for route in ("/api/v1/cases/{case_id}/facts", "/api/v1/cases/{case_id}/level"):
        assert {"409", "422"} <= set(doc["paths"][route]["post"]["responses"])


# --- the pages ----------------------------------------------------------------------------------
def test_the_facts_form_sends_every_field_and_the_version(web, shared):
    page = web("civil1").get(f"/cases/{shared.pk}/", headers=EN)
    form = page.context["forms"]["facts"]

    assert form.initial["version"] == shared.version
    assert f'name="version" value="{shared.version}"' in page.content.decode()
    level = web("civilhead").get(f"/cases/{shared.pk}/").context["forms"]["level"]
    assert level.initial["version"] == shared.version


def test_the_facts_page_saves_every_field_it_shows(users, shared):
    client = Client()
    client.force_login(users["civil1"])

    r = client.post(
        f"/cases/{shared.pk}/facts/",
        {
            "labour_relationship": "employee",
            "consent_to_share": "on",
            "payment_order_authority": "",
            "payment_order_issued_on": "",
            "payment_order_deadline": "",
            "evasion": ["absconded"],
            "signals": ["construction", "mass_incident"],
            "version": shared.version,
        },
    )

    assert r.status_code == 302
    shared.refresh_from_db()
    assert shared.signals == ["construction", "mass_incident"]  # rules EW-1 (ii), EW-3
    assert (shared.labour_relationship, shared.has_iou, shared.evasion) == (
        "employee",
        False,  # an unticked box on the page says no
        ["absconded"],
    )
    assert (shared.payment_order_authority, shared.payment_order_deadline) == ("", None)
    assert shared.consent_to_share is True


def test_a_stale_facts_page_is_refused_with_the_stale_message(users, shared):
    client = Client()
    client.force_login(users["civil1"])
    before = state(shared)

    r = client.post(
        f"/cases/{shared.pk}/facts/",
        {"labour_relationship": "employee", "version": shared.version - 1},
        headers=EN,
    )

    assert r.status_code == 302
    with translation.override("en"):
        assert [str(m) for m in get_messages(r.wsgi_request)] == [StaleVersion(0).message]
    assert state(shared) == before


def test_a_facts_page_without_the_version_is_422_and_changes_nothing(web, shared):
    before = state(shared)

    r = web("civil1").post(
        f"/cases/{shared.pk}/facts/", {"labour_relationship": "employee"}, headers=EN
    )

    assert r.status_code == 422
    assert "version" in r.context["forms"]["facts"].errors
    assert state(shared) == before


def test_a_stale_level_page_is_refused_with_the_stale_message(users, shared):
    client = Client()
    client.force_login(users["civilhead"])
    before = state(shared)

    r = client.post(
        f"/cases/{shared.pk}/level/",
        {"level": "3", "reason": "涉众风险高", "version": shared.version - 1},
        headers=EN,
    )

    assert r.status_code == 302
    with translation.override("en"):
        assert [str(m) for m in get_messages(r.wsgi_request)] == [StaleVersion(0).message]
    assert state(shared) == before
