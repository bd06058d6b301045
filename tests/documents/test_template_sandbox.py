"""Issue 12 item 1: a DOCX template is data, never code.

Every known Jinja escape is refused at upload with a message at the field, the refusal is audited,
nothing of the template runs (no command, no file read, no key), and a template stored before the
checks is refused when an officer issues the document. Number patterns get the same treatment.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.documents.conftest import build_full_case, docx_with
from zhichi.audit.models import AuditEntry
from zhichi.common.errors import InvalidInput
from zhichi.documents import context, render, sandbox, services
from zhichi.documents.models import DocumentTemplate, IssuedDocument, NumberPattern

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


# the probe's payload first, then the classic escapes and denial-of-service shapes
PAYLOADS = [
    "{{ {}[cycler.__init__.__globals__.os.popen('id').read()] }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ joiner.__init__.__globals__.os.environ }}",
    "{{ namespace.__init__.__globals__.os.environ['ZHICHI_ENCRYPTION_KEY'] }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ org_name.__class__.__mro__ }}",
    "{{ org_name|attr('__class__') }}",
    "{{ '%s'|format(org_name) }}",
    "{{ org_name.format(org_name) }}",
    "{{ self }}",
    "{{ config }}",
    "{{ request }}",
    "{{ range(100000000)|list }}",
    "{{ 'x' * 1000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{% set x = org_name %}{{ x }}",
    "{% macro m() %}{% endmacro %}",
    "{% include 'base.html' %}",
    "{% import 'os' as os %}",
    "{% extends 'base.html' %}",
    "{% autoescape false %}{{ org_name }}{% endautoescape %}",
    "{{ org_name|safe }}",
    "{{ claimant_lines[org_name] }}",
    "{% for x in claimant_lines %}{{ loop.cycle('a', 'b') }}{% endfor %}",
    "{% for a in claimant_lines %}{% for b in claimant_lines %}{% for c in claimant_lines %}"
    "{{ c }}{% endfor %}{% endfor %}{% endfor %}",
    "{% for org_name in claimant_lines %}{{ org_name }}{% endfor %}",
    "{{ org_name|replace('华', '" + "x" * 600 + "') }}",
]


@pytest.fixture
def no_command_runs(monkeypatch):
    """Any attempt to start a process or read the environment through os fails the test."""
    ran = []

    def refuse(*args, **kwargs):
        ran.append(args)
        raise AssertionError(f"a template ran a command: {args!r}")

    monkeypatch.setattr(os, "popen", refuse)
    monkeypatch.setattr(os, "system", refuse)
    return ran


@pytest.mark.parametrize("payload", PAYLOADS)
def test_item1_every_known_escape_is_refused_before_it_runs(users, payload, no_command_runs):
    data = docx_with("{{ number }}", payload)
    with pytest.raises(InvalidInput) as exc:
        services.upload_template(
            actor=users["sysadmin"], kind="support_opinion", data=data, name="evil.docx"
        )
    assert no_command_runs == []
    errors = exc.value.errors
    assert errors and {e.field for e in errors} == {"file"}
    assert all(e.code.startswith("template_") for e in errors), errors
    text = " ".join(e.message for e in errors)
    for secret in (settings.SECRET_KEY, *settings.ZHICHI["ENCRYPTION_KEYS"], "uid="):
        assert secret not in text
    assert not DocumentTemplate.objects.exists()
    # the refusal is in the audit trail, with the file's digest and the reasons, not the file
    refusal = AuditEntry.objects.get(action="document.template", outcome="denied")
    assert refusal.username == "sysadmin" and refusal.detail["kind"] == "support_opinion"
    assert refusal.detail["refused"] and len(refusal.detail["sha256"]) == 64


@pytest.mark.parametrize(
    ("where", "payload"),
    [("title", "{{ cycler.__init__.__globals__ }}"), ("header", "{{ org_name.__class__ }}")],
)
def test_item1_payloads_in_properties_and_headers_are_refused_too(users, where, payload):
    data = docx_with("{{ number }}", **{where: payload})
    with pytest.raises(InvalidInput):
        services.upload_template(
            actor=users["sysadmin"], kind="acceptance_notice", data=data, name="x.docx"
        )
    assert not DocumentTemplate.objects.exists()


def test_item1_the_message_names_what_the_template_used_and_shows_no_output(users, web):
    data = docx_with("{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    r = web("sysadmin").post(
        "/documents/templates/",
        {"kind": "suggestion", "file": SimpleUploadedFile("evil.docx", data)},
    )
    body = r.content.decode()
    assert r.status_code == 422
    assert "cycler" in body and "__init__" in body  # what it used, from its own text
    assert "uid=" not in body and "root" not in body
    assert AuditEntry.objects.filter(action="document.template", outcome="denied").count() == 1


def test_item1_a_template_stored_before_the_checks_is_refused_when_an_officer_issues(users):
    """A payload whose render looks harmless was accepted before and ran at every issue: now the
    issue is refused (422 at kind, audited) and nothing of the template runs."""
    case = build_full_case(users)
    evil = DocumentTemplate.objects.create(
        kind="acceptance_notice",
        version=1,
        file=docx_with("{{ number }}{{ cycler.__init__.__globals__.os.environ|length }}"),
        sha256="0" * 64,
        original_name="old.docx",
        active=True,
        uploaded_by=users["sysadmin"],
    )
    with pytest.raises(InvalidInput) as exc:
        services.issue_document(case_id=case.pk, kind="acceptance_notice", actor=users["civil1"])
    assert [(e.field, e.code) for e in exc.value.errors] == [("kind", "template_refused")]
    assert not IssuedDocument.objects.exists()
    assert AuditEntry.objects.filter(
        action="document.template", outcome="denied", object_id=str(evil.pk)
    ).exists()
    # nor can it be put back in use
    evil.active = False
    evil.save()
    with pytest.raises(InvalidInput):
        services.use_template(actor=users["sysadmin"], kind="acceptance_notice", version=1)
    assert not DocumentTemplate.objects.filter(active=True).exists()


def test_item1_loop_counters_and_vetted_filters_are_allowed(users):
    case = build_full_case(users)
    data = docx_with(
        "{{ number }} {{ org_name|trim }}",
        "{% for item in claimant_lines %}{{ loop.index }}. {{ item }}{% endfor %}",
        "{% if copy %}副本{% endif %}{{ claimant_lines|length }}{{ claimant_lines[0] }}",
        "{{ applicants_line|default('—') }}",
    )
    services.upload_template(
        actor=users["sysadmin"], kind="acceptance_notice", data=data, name="ok.docx"
    )
    doc = services.issue_document(case_id=case.pk, kind="acceptance_notice", actor=users["civil1"])
    assert doc.template_version == "v1"


def test_item1_the_sandbox_refuses_attribute_access_even_past_the_checks():
    """The second wall: an already-parsed tree that reached the runtime still cannot climb out."""
    env = sandbox.DocumentEnvironment(frozenset({"org_name"}))
    assert env.globals == {}
    assert "attr" not in env.filters and "format" not in env.filters
    assert not env.is_safe_attribute("x", "__class__", str)
    assert not env.is_safe_callable(print)


@hsettings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attr=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True))
def test_item1_no_attribute_of_an_offered_name_is_reachable(attr):
    names = frozenset(context.sample_context("acceptance_notice"))
    env = render.environment("acceptance_notice")
    with pytest.raises(sandbox.TemplateRefused) as exc:
        env.from_string("{{ org_name." + attr + " }}")
    assert exc.value.problems[0].code == "attribute"
    assert "org_name" in names


# --- number patterns ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern",
    [
        "{short.__class__.__mro__}{seq}",
        "{seq:>3000000}",
        "{seq:09d}",
        "{seq!r}",
        "{0}{seq}",
        "{short[0]}{seq}",
        "{year.real}{seq}",
    ],
)
def test_item1_number_patterns_allow_only_the_documented_fields(users, pattern):
    with pytest.raises(InvalidInput) as exc:
        services.set_number_pattern(actor=users["sysadmin"], kind="visit_record", pattern=pattern)
    assert [e.field for e in exc.value.errors] == ["pattern"]
    assert not NumberPattern.objects.exists()
    assert AuditEntry.objects.filter(action="document.numbering", outcome="denied").count() == 1
