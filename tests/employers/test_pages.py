"""The joint-action pages: list with filters and empty state, the form (errors at the field,
nothing lost), the detail, and the joint actions' section on the case page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.employers.conftest import EMPLOYER, OTHER_EMPLOYER, open_case
from zhichi.cases.models import Payment
from zhichi.employers import services
from zhichi.employers.models import JointAction

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

TODAY = timezone.localdate()
EN = {"Accept-Language": "en"}


def record(users, cases, *, on=TODAY, code=EMPLOYER, orgs=("WHHRSS",), amount="0"):
    return services.record_joint_action(
        actor=users["civil1"],
        data={
            "on": on.isoformat(),
            "employer": code,
            "organisations": list(orgs),
            "case_ids": [c.pk for c in cases],
            "result": "联合约谈",
            "amount_paid_on_site": amount,
        },
    )


def test_the_list_shows_joint_actions_and_filters_by_date_and_employer(users, web):
    mine = open_case(users, seq=100)
    other = open_case(users, seq=200, code=OTHER_EMPLOYER, name="另一家公司")
    old = record(users, [mine], on=TODAY - timedelta(days=30))
    new = record(users, [other], code=OTHER_EMPLOYER)
    client = web("civil1")

    def listed(**params):
        return [row.action.pk for row in client.get("/joint-actions/", params).context["rows"]]

    assert listed() == [new.pk, old.pk]
    assert listed(date_from=(TODAY - timedelta(days=1)).isoformat()) == [new.pk]
    assert listed(date_to=(TODAY - timedelta(days=1)).isoformat()) == [old.pk]
    assert listed(employer=EMPLOYER) == [old.pk]
    assert listed(employer="另一家") == [new.pk]
    assert listed(date_from="not a date") == []


def test_the_list_without_joint_actions_says_what_to_do(web, users):
    r = web("civil1").get("/joint-actions/", headers=EN)

    assert "No joint actions yet." in r.content.decode()
    assert 'href="/joint-actions/new/"' in r.content.decode()
    partner = web("hrss1").get("/joint-actions/", headers=EN).content.decode()
    assert 'href="/joint-actions/new/"' not in partner


def test_the_form_offers_the_officers_open_cases_against_the_employer(users, web):
    mine = open_case(users, seq=100)
    open_case(users, seq=200, code=OTHER_EMPLOYER, name="另一家公司")
    open_case(users, seq=300, officer="civil2")  # not civil1's to work on

    form = web("civil1").get("/joint-actions/new/", {"employer": EMPLOYER}).context["form"]

    assert [value for value, _label in form.fields["case_ids"].choices] == [str(mine.pk)]
    codes = [value for value, _label in form.fields["organisations"].choices]
    assert "WHHRSS" in codes and "WHPROC" not in codes
    head = web("civilhead").get("/joint-actions/new/", {"employer": EMPLOYER}).context["form"]
    assert len(head.fields["case_ids"].choices) == 2  # the head may work on the department's


def test_showing_the_employers_cases_saves_nothing(users, web):
    mine = open_case(users, seq=100)

    r = web("civil1").post("/joint-actions/new/", {"employer": EMPLOYER, "find": "1"})

    assert r.status_code == 200
    assert [v for v, _l in r.context["form"].fields["case_ids"].choices] == [str(mine.pk)]
    assert not r.context["form"].errors
    assert JointAction.objects.count() == 0


def test_a_failed_submit_shows_errors_at_the_fields_and_keeps_what_was_typed(users, web):
    mine = open_case(users, seq=100)
    posted = {
        "on": TODAY.isoformat(),
        "employer": EMPLOYER,
        "organisations": ["WHHRSS"],
        "case_ids": [str(mine.pk)],
        "result": "",
        "amount_paid_on_site": "99999.00",
        "legal_basis": "依据",
    }

    r = web("civil1").post("/joint-actions/new/", posted, headers=EN)

    assert r.status_code == 422
    form = r.context["form"]
    assert set(form.errors) == {"result"}
    html = r.content.decode()
    assert f'<option value="{mine.pk}" selected>' in html
    assert 'value="99999.00"' in html
    assert 'value="WHHRSS" id="id_organisations_' in html and "checked" in html
    assert (JointAction.objects.count(), Payment.objects.count()) == (0, 0)

    # once the fields are sound, what the cases owe is checked (a database finding)
    r = web("civil1").post("/joint-actions/new/", {**posted, "result": "联合约谈"}, headers=EN)

    assert r.status_code == 422
    assert set(r.context["form"].errors) == {"amount_paid_on_site"}
    assert 'value="99999.00"' in r.content.decode()
    assert (JointAction.objects.count(), Payment.objects.count()) == (0, 0)


def test_a_successful_submit_records_and_shows_the_joint_action(users, web):
    mine = open_case(users, seq=100)

    r = web("civil1").post(
        "/joint-actions/new/",
        {
            "on": TODAY.isoformat(),
            "employer": EMPLOYER.lower(),
            "organisations": ["WHHRSS", "WHLAC"],
            "case_ids": [str(mine.pk)],
            "result": "联合约谈，当场支付",
            "amount_paid_on_site": "2,000.50",
        },
    )

    action = JointAction.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/joint-actions/{action.pk}/"
    detail = web("civil1").get(r["Location"], headers=EN)
    html = detail.content.decode()
    assert "王建国" in html and "¥2,000.50" in html
    assert f'href="/cases/{mine.pk}/"' in html
    assert [o.code for o in detail.context["view"].organisations] == ["WHHRSS", "WHLAC"]


def test_a_participant_that_cannot_see_the_case_sees_masked_names_and_no_link(users, web):
    mine = open_case(users, seq=100)
    action = record(users, [mine], orgs=("PJPROC",), amount="100.00")

    html = web("outsider").get(f"/joint-actions/{action.pk}/").content.decode()

    assert "王**" in html and "王建国" not in html
    assert f'href="/cases/{mine.pk}/' not in html
    assert mine.number in html


def test_the_case_page_lists_its_joint_actions_and_the_timeline_names_them(users, web):
    mine = open_case(users, seq=100)
    action = record(users, [mine], amount="100.00")

    html = web("civil1").get(f"/cases/{mine.pk}/", headers=EN).content.decode()

    assert f'href="/joint-actions/{action.pk}/"' in html
    assert f"Joint action on {TODAY.isoformat()} with 五华区人力资源和社会保障局" in html
    other = open_case(users, seq=200)
    assert 'id="joint-actions"' not in web("civil1").get(f"/cases/{other.pk}/").content.decode()
