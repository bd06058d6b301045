"""The one step runner every page posts through (zhichi.common.steps, issue 14 item 2): refusals
are Django-native and a stale version's message names the record."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from zhichi.common.errors import RECORDS, FieldError, InvalidInput, NotPermitted, StaleVersion
from zhichi.common.steps import run_step

pytestmark = pytest.mark.unit


def _request():
    request = RequestFactory().post("/x/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _raise(exc):
    def call():
        raise exc

    return call


def _run(request, call, **kwargs):
    kwargs.setdefault("failed", lambda exc: HttpResponse("again", status=422))
    return run_step(request, call=call, back="/record/", **kwargs)


def test_not_permitted_is_a_permission_denied_and_passes_through():
    assert issubclass(NotPermitted, PermissionDenied)
    with pytest.raises(PermissionDenied, match="not yours"):
        _run(_request(), _raise(NotPermitted("not yours")))


@pytest.mark.parametrize("record", RECORDS)
def test_a_stale_version_goes_back_with_a_message_naming_the_record(record):
    request = _request()
    with translation.override("en"):
        response = _run(request, _raise(StaleVersion(3, record=record)))
        shown = [str(m) for m in get_messages(request)]
    assert (response.status_code, response.url) == (302, "/record/")
    assert len(shown) == 1 and f"this {record}" in shown[0]


def test_each_record_has_its_own_stale_message_in_both_languages():
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            texts = {StaleVersion(1, record=r).message for r in RECORDS}
        assert len(texts) == len(RECORDS)


def test_an_unknown_record_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        StaleVersion(1, record="lead")


def test_a_record_that_moved_on_goes_back_unless_the_page_shows_it_at_the_form():
    moved = InvalidInput([FieldError("status", "state", "Already decided.")])
    request = _request()
    response = _run(request, _raise(moved))
    assert (response.status_code, [str(m) for m in get_messages(request)]) == (
        302,
        ["Already decided."],
    )
    response = _run(_request(), _raise(moved), moved_on_goes_back=False)
    assert response.status_code == 422


def test_other_bad_input_shows_the_page_again_with_the_errors_on_the_form():
    seen = []

    class Form:
        def show_service_errors(self, exc):
            seen.append(exc)

    bad = InvalidInput([FieldError("reason", "required", "Say why.")])
    response = _run(_request(), _raise(bad), form=Form())
    assert response.status_code == 422 and seen == [bad]


def test_done_goes_on_with_a_message_made_from_the_result():
    request = _request()
    response = _run(request, lambda: 7, done=lambda n: f"Done {n}.", to=lambda n: f"/record/{n}/")
    assert (response.url, [str(m) for m in get_messages(request)]) == ("/record/7/", ["Done 7."])


def test_answer_replaces_the_redirect_on_success():
    response = _run(_request(), lambda: "shown once", answer=lambda s: HttpResponse(s))
    assert (response.status_code, response.content) == (200, b"shown once")
