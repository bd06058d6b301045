"""The attachments section of the case and lead pages: list, upload, errors at the field."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.evidence import samples
from tests.evidence.conftest import put, state
from zhichi.evidence.models import Attachment

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"Accept-Language": "en"}  # the messages below are compared in English


def _section(response) -> dict:
    (section,) = [s for s in response.context["extra_sections"] if s["key"] == "attachments"]
    return section["ctx"]


def test_the_case_page_lists_attachments_with_a_download_link(web, users, shared):
    a = put(users["civil1"], case=shared["case"], name="劳动合同.pdf", kind="contract")

    r = web("civil2").get(f"/cases/{shared['case']}/")

    html = r.content.decode()
    assert r.status_code == 200
    assert [x.pk for x in _section(r)["attachments"]] == [a.pk]
    assert 'id="attachments"' in html
    assert f'href="/attachments/{a.pk}/download/"' in html
    assert "劳动合同.pdf" in html
    assert a.sha256[:12] in html
    assert "五华区人民检察院" in html  # the uploader's organisation


def test_an_empty_section_says_so_and_offers_the_form_to_the_officer(web, shared):
    r = web("civil1").get(f"/cases/{shared['case']}/")

    ctx = _section(r)
    html = r.content.decode()
    assert (ctx["attachments"], ctx["form"] is not None) == ([], True)
    assert 'enctype="multipart/form-data"' in html
    assert f'action="/attachments/case/{shared["case"]}/upload/"' in html
    assert 'type="file"' in html and 'accept="' in html


def test_the_form_is_not_offered_to_those_who_may_not_upload(web, shared):
    for user in ("civil2", "registrar1", "chief"):
        r = web(user).get(f"/cases/{shared['case']}/")

        assert _section(r)["form"] is None
        assert f"/attachments/case/{shared['case']}/upload/" not in r.content.decode()


def test_upload_through_the_case_page_then_see_it_listed(web, shared, evidence_dir):
    client = web("civil1")

    r = client.post(
        f"/attachments/case/{shared['case']}/upload/",
        {"file": samples.upload("欠条.jpg", samples.JPEG), "kind": "iou", "description": "原件"},
        headers=EN,
    )

    assert r.status_code == 302
    assert r["Location"] == f"/cases/{shared['case']}/#attachments"
    page = client.get(r["Location"], headers=EN)
    attachment = Attachment.objects.get()
    assert [a.pk for a in _section(page)["attachments"]] == [attachment.pk]
    assert (attachment.kind, attachment.description, attachment.content_type) == (
        "iou",
        "原件",
        "image/jpeg",
    )
    assert [str(m) for m in page.context["messages"]] == ["Attachment uploaded."]


def test_a_bad_file_shows_the_case_page_again_with_the_error_at_the_field(
    web, shared, evidence_dir
):
    r = web("civil1").post(
        f"/attachments/case/{shared['case']}/upload/",
        {
            "file": samples.upload("evil.pdf", b"<html><script>alert(1)</script>"),
            "kind": "iou",
            "description": "看看",
        },
        headers=EN,
    )

    assert r.status_code == 422
    form = _section(r)["form"]
    assert form.errors == {
        "file": ["The file contains web page or script content and is not accepted."]
    }
    html = r.content.decode()
    assert 'id="id_attachment_file_error"' in html
    assert "is-invalid" in html
    assert "看看" in html  # what was typed is kept
    assert r.context["failure"]["anchor"] == "attachments"
    assert state(evidence_dir) == ([], [])


def test_a_missing_kind_and_file_are_shown_at_their_fields(web, shared, evidence_dir):
    r = web("civil1").post(f"/attachments/case/{shared['case']}/upload/", {"kind": ""})

    assert r.status_code == 422
    assert sorted(_section(r)["form"].errors) == ["file", "kind"]


def test_the_lead_page_has_the_section_and_the_partner_uploads_there(web, world, evidence_dir):
    client = web("hrss1")

    page = client.get(f"/leads/{world['lead']}/")
    r = client.post(
        f"/attachments/lead/{world['lead']}/upload/",
        {"file": samples.upload("聊天记录.txt", samples.TEXT_UTF8), "kind": "chat_log"},
    )

    # the partner sees its own upload only, not the procuratorate's
    assert [a.pk for a in _section(page)["attachments"]] == [world["partner_att"]]
    assert _section(page)["form"] is not None
    assert r.status_code == 302
    assert r["Location"] == f"/leads/{world['lead']}/#attachments"
    assert Attachment.objects.filter(organisation__code="WHHRSS").count() == 2


def test_a_bad_file_on_the_lead_page_is_422_with_the_error(web, world, evidence_dir):
    before = state(evidence_dir)

    r = web("civil1").post(
        f"/attachments/lead/{world['lead']}/upload/",
        {"file": samples.upload("a.exe", b"MZ" + b"\x00" * 100), "kind": "other"},
        headers=EN,
    )

    assert r.status_code == 422
    assert _section(r)["form"].errors == {"file": ["Programs and scripts are not accepted."]}
    assert state(evidence_dir) == before


def test_the_case_page_shows_the_leads_attachments_after_acceptance(web, users, world):
    lead = world["lead"]
    r = web("civil1").post(f"/leads/{lead}/accept/")
    case_url = r["Location"]

    page = web("civil1").get(case_url, headers=EN)

    section = _section(page)
    shown = section["attachments"]
    assert {a.pk for a in shown} == {world["partner_att"], world["staff_att"]}
    assert section["on_case"] and all(a.lead_id == lead for a in shown)
    assert "from the lead" in page.content.decode()


def test_download_page_sends_an_attachment(web, users, shared):
    a = put(users["civil1"], case=shared["case"], name="录音.mp3", data=samples.MP3_ID3)

    r = web("civil1").get(f"/attachments/{a.pk}/download/")

    assert r.status_code == 200
    assert r["Content-Type"] == "audio/mpeg"
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == samples.MP3_ID3


@pytest.mark.parametrize("page", ["case", "lead"])
def test_the_section_query_count_does_not_grow_with_the_rows(web, users, shared, page):
    client = web("civil1")
    url = f"/{page}s/{shared[page]}/"
    target = {page: shared[page]}
    put(users["civil1"], **target)
    client.get(url)

    with CaptureQueriesContext(connection) as one:
        assert len(_section(client.get(url))["attachments"]) == 1
    put(users["civil1"], **target)
    put(users["hrss1"], **target)
    with CaptureQueriesContext(connection) as three:
        assert len(_section(client.get(url))["attachments"]) == 3

    assert len(one) == len(three)
