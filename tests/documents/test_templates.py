"""Replaceable DOCX templates: a template is tried with sample data before it is used; a broken one
is refused and changes nothing; versions are kept; issued documents record their version."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.documents.conftest import build_full_case, docx_text, docx_with
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput, NotPermitted
from zhichi.documents import context, render, services
from zhichi.documents.models import DocumentKind, DocumentTemplate

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_builtin_template_renders_with_the_sample_context(kind):
    words = docx_text(
        render.render_docx(render.builtin_docx(kind), context.sample_context(kind), kind=kind)
    )
    assert "五华" in words  # the sample's organisation or number is in the text


def test_an_uploaded_template_is_used_and_recorded_on_the_document(users):
    case = build_full_case(users)
    data = docx_with(
        "新版受理通知书 {{ number }}", "案号：{{ case_number }}", "{{ applicants_line }}"
    )
    t = services.upload_template(
        actor=users["sysadmin"], kind="acceptance_notice", data=data, name="新版.docx"
    )
    assert (t.version, t.active) == (1, True)
    doc = services.issue_document(case_id=case.pk, kind="acceptance_notice", actor=users["civil1"])
    assert (doc.template_id, doc.template_version) == (t.pk, "v1")
    words = docx_text(bytes(doc.docx))
    assert words.startswith("新版受理通知书 五华检民支受") and case.number in words
    # a second version replaces it in use; the first is kept
    t2 = services.upload_template(
        actor=users["sysadmin"], kind="acceptance_notice", data=data, name="v2.docx"
    )
    t.refresh_from_db()
    assert (t2.version, t2.active, t.active) == (2, True, False)
    # back to the built-in
    services.use_template(actor=users["sysadmin"], kind="acceptance_notice", version=None)
    assert not DocumentTemplate.objects.filter(active=True).exists()
    again = services.issue_document(
        case_id=case.pk, kind="acceptance_notice", actor=users["civil1"], reason="换回标准模板"
    )
    assert again.template_version == "builtin-1" and again.number == doc.number


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (docx_with("{{ no_such_name }}"), "template_name"),
        (docx_with("{% if number %}unclosed"), "template_syntax"),
        (b"%PDF-1.4 not a docx", "not_docx"),
        (b"", "required"),
    ],
)
def test_a_broken_template_is_refused_and_changes_nothing(users, data, code):
    with pytest.raises(InvalidInput) as exc:
        services.upload_template(
            actor=users["sysadmin"], kind="support_opinion", data=data, name="x.docx"
        )
    assert [(e.field, e.code) for e in exc.value.errors] == [("file", code)]
    assert not DocumentTemplate.objects.exists()
    assert not AuditEntry.objects.filter(action="document.template", outcome="ok").exists()


def test_only_the_system_administrator_manages_templates(users):
    for who in ("civil1", "civilhead", "chief", "secadmin", "hrss1"):
        with pytest.raises(NotPermitted):
            services.upload_template(
                actor=users[who], kind="suggestion", data=docx_with("x"), name="x.docx"
            )
    assert AuditEntry.objects.filter(action="document.template", outcome="denied").count() == 5


def test_templates_page_upload_errors_at_the_field(users, web):
    client = web("sysadmin")
    assert client.get("/documents/templates/").status_code == 200
    bad = client.post(
        "/documents/templates/",
        {"kind": "suggestion", "file": SimpleUploadedFile("x.docx", docx_with("{{ nope }}"))},
    )
    assert bad.status_code == 422 and "nope" in bad.content.decode()
    ok = client.post(
        "/documents/templates/",
        {
            "kind": "suggestion",
            "file": SimpleUploadedFile("ok.docx", docx_with("{{ recipient }}")),
        },
    )
    assert ok.status_code == 302 and DocumentTemplate.objects.get().kind == "suggestion"
    builtin = client.get("/documents/templates/suggestion/builtin.docx")
    assert builtin.status_code == 200 and builtin.content == render.builtin_docx("suggestion")
    assert client.get("/documents/templates/suggestion/1.docx").status_code == 200
    assert client.post("/documents/templates/suggestion/use/", {}).status_code == 302
    assert not DocumentTemplate.objects.filter(active=True).exists()
    assert web("civil1").get("/documents/templates/").status_code == 403


# --- numbering patterns (rule DOC-1: numbering varies locally) ---------------------------------
def test_numbering_pattern_is_set_used_and_reset(users):
    case = build_full_case(users)
    services.set_number_pattern(
        actor=users["sysadmin"],
        kind="acceptance_notice",
        pattern="{short}受字〔{year}〕第{seq:03d}号",
    )
    doc = services.issue_document(case_id=case.pk, kind="acceptance_notice", actor=users["civil1"])
    assert doc.number.startswith("五华检受字〔") and doc.number.endswith("第001号")
    services.set_number_pattern(actor=users["sysadmin"], kind="acceptance_notice", pattern="")
    assert (
        services.patterns_for(case.organisation)["acceptance_notice"]
        == "{short}民支受〔{year}〕{seq}号"
    )


@pytest.mark.parametrize(
    ("kind", "pattern", "field"),
    [
        ("acceptance_notice", "{short}〔{year}〕号", "pattern"),  # no {seq}
        ("acceptance_notice", "{short}{court}{seq}号", "pattern"),  # unknown placeholder
        ("transfer_letter", "{seq}", "kind"),  # takes the transfer's number
    ],
)
def test_a_bad_numbering_pattern_is_refused(users, kind, pattern, field):
    with pytest.raises(InvalidInput) as exc:
        services.set_number_pattern(actor=users["sysadmin"], kind=kind, pattern=pattern)
    assert exc.value.errors[0].field == field


def test_numbering_page(users, web):
    r = web("sysadmin").post(
        "/documents/numbering/", {"kind": "visit_record", "pattern": "{short}访"}
    )
    assert r.status_code == 422 and "{seq}" in r.content.decode()
    ok = web("sysadmin").post(
        "/documents/numbering/", {"kind": "visit_record", "pattern": "{short}访〔{year}〕{seq}号"}
    )
    assert ok.status_code == 302
    assert (
        "{short}访〔{year}〕{seq}号"
        in web("sysadmin").get("/documents/templates/").content.decode()
    )
    assert web("civil1").post("/documents/numbering/", {"kind": "visit_record"}).status_code == 403
