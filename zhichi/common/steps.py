"""The one way a page posts a step to a service and answers.

Every page that changes something calls its service through ``run_step`` and answers the same way:

- not permitted: nothing to do here. ``NotPermitted`` is Django's ``PermissionDenied``, so it
  reaches our 403 page with the service's reason (audited by the service);
- someone changed the record meanwhile (``StaleVersion``, 409 in the API): back to the record with
  a message that names it (``StaleVersion.message``);
- the record moved on so the step no longer applies (an error on ``status``): back to the record
  with the message, unless the page asks to show it at the form (``moved_on=False``);
- any other bad input: ``failed(exc)``, the page again (422) with the service's errors at the
  form's fields (``form.show_service_errors`` is applied first when ``form`` is given) and nothing
  typed lost;
- done: the success message, and on to ``to`` (the record by default).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect

from zhichi.common.errors import InvalidInput, StaleVersion

Message = str | Callable[[object], str]
Where = str | Callable[[object], str]


def moved_on(exc: InvalidInput) -> bool:
    """Whether a refusal says the record is no longer in a state for this step."""
    return any(e.field == "status" for e in exc.errors)


def _back_with_errors(request, exc: InvalidInput, url: str):
    messages.error(request, "；".join(str(e.message) for e in exc.errors))
    return redirect(url)


def run_step(
    request,
    *,
    call: Callable[[], object],
    back: str,
    failed: Callable[[InvalidInput], object] | None = None,
    done: Message = "",
    to: Where | None = None,
    form=None,
    moved_on_goes_back: bool = True,
    answer: Callable[[object], object] | None = None,
):
    """Run ``call`` (the service) and answer; see the module's docstring.

    ``back``: the record's URL, where a stale version or a record that moved on goes.
    ``failed``: the page again with the errors (422); without it (a button, no form), any
    refusal goes back to the record with its message.
    ``done``: the success message, or a function of what the service returned that makes it.
    ``to``: where success goes, when not ``back``: a URL or a function of the service's result.
    ``answer``: on success, the response to give instead (a function of the service's result),
    e.g. a confirm step that shows what the service worked out.
    """
    try:
        result = call()
    except StaleVersion as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except InvalidInput as exc:
        if moved_on_goes_back and moved_on(exc):
            return _back_with_errors(request, exc, back)
        if failed is None:  # a button, no form: back to the record with the refusal
            return _back_with_errors(request, exc, back)
        if form is not None:
            form.show_service_errors(exc)
        return failed(exc)
    if answer is not None:
        return answer(result)
    text = done(result) if callable(done) else done
    if text:
        messages.success(request, text)
    if to is None:
        return redirect(back)
    return redirect(to(result) if callable(to) else to)
