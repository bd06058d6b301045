"""The portal's section on the lead and case pages (issue 18 item 6): who filed, how to reach the
person (masked), the consents, a name typed differently from the record, and what the person was
told; for the receiving procuratorate's staff only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.conftest import lead_payload
from tests.portal.factories import HELPER_PHONE, PHONE, make_filing
from zhichi.cases import sharing
from zhichi.cases.models import CaseShare, ShareBasis, ShareReason
from zhichi.intake import services as intake
from zhichi.intake.models import LeadShare

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SECTION = 'id="portal"'


def lead_url(filing) -> str:
    return reverse("intake:lead_detail", args=[filing.lead_id])


def share(model, field: str, subject, organisation, users, department=None) -> None:
    sharing.grant(
        model,
        subject_field=field,
        subject=subject,
        organisation=organisation,
        department=department,
        reason=ShareReason.TRANSFER,
        basis=ShareBasis.LEGAL_BASIS,
        legal_basis="《保障农民工工资支付条例》第十条",
        source="test:1",
        actor=users["civil1"],
    )


def test_the_receiving_officer_sees_who_filed_the_consents_and_the_phones_masked(orgs, users, web):
    filing = make_filing(orgs, helper=True)

    page = web("civil1").get(lead_url(filing)).content.decode()

    assert SECTION in page
    assert "李大姐" in page  # the helper's name, and their relation
    with translation.override("zh-hans"):  # the page's language
        assert str(filing.get_helper_relation_display()) in page
    assert "139****5678" in page
    assert "136****5432" in page
    assert PHONE not in page
    assert HELPER_PHONE not in page
    assert "2026-12" in page  # the privacy notice's version


def test_a_typed_name_that_differs_is_a_warning_to_check(orgs, users, web):
    filing = make_filing(orgs, typed_name="赵晓满")

    page = web("civilhead").get(lead_url(filing)).content.decode()

    assert "赵晓满" in page
    assert 'class="alert alert-warning' in page


def test_no_warning_when_the_name_was_as_on_record(orgs, users, web):
    filing = make_filing(orgs)

    page = web("civil1").get(lead_url(filing)).content.decode()

    assert SECTION in page
    assert 'class="alert alert-warning' not in page


def test_the_notices_are_listed_with_their_text_status(orgs, users, web, settings):
    settings.ZHICHI = {**settings.ZHICHI, "SMS_BACKEND": ""}
    filing = make_filing(orgs)
    intake.accept_lead(lead_id=filing.lead_id, actor=users["civil1"])

    page = web("chief").get(lead_url(filing)).content.decode()

    notice = filing.notices.get()
    with translation.override("zh-hans"):
        assert str(notice.get_kind_display()) in page
        assert str(notice.get_sms_status_display()) in page


def test_the_case_page_shows_it_to_the_procuratorate_and_not_to_a_partner_it_is_shared_with(
    orgs, users, web
):
    filing = make_filing(orgs)
    case = intake.accept_lead(lead_id=filing.lead_id, actor=users["civil1"])
    share(CaseShare, "case", case, orgs["hrss"], users)

    own = web("civil1").get(case.get_absolute_url())
    partner = web("hrss1").get(case.get_absolute_url())
    outsider = web("outsider").get(case.get_absolute_url())

    assert (own.status_code, partner.status_code, outsider.status_code) == (200, 200, 404)
    assert SECTION in own.content.decode()
    assert SECTION not in partner.content.decode()


def test_the_lead_page_hides_it_from_a_partner_and_another_procuratorate_it_is_shared_with(
    orgs, users, web
):
    filing = make_filing(orgs)
    share(LeadShare, "lead", filing.lead, orgs["hrss"], users)
    share(LeadShare, "lead", filing.lead, orgs["other"], users, department=orgs["other_civil"])

    partner = web("hrss1").get(lead_url(filing))
    outsider = web("outsider").get(lead_url(filing))

    assert (partner.status_code, outsider.status_code) == (200, 200)
    assert SECTION not in partner.content.decode()
    assert SECTION not in outsider.content.decode()


def test_not_shared_the_lead_is_404_to_a_partner_and_an_outsider(orgs, web):
    filing = make_filing(orgs)

    assert web("hrss1").get(lead_url(filing)).status_code == 404
    assert web("outsider").get(lead_url(filing)).status_code == 404


def test_a_lead_that_did_not_come_from_the_portal_has_no_section(users, web):
    lead = intake.create_lead(actor=users["civil1"], data=lead_payload())

    page = web("civil1").get(reverse("intake:lead_detail", args=[lead.pk])).content.decode()

    assert SECTION not in page
