"""One step posted from a record's page (an assistance application, a suggestion, a legal aid
referral): call its service, and answer the way every such page does.

- not permitted → 403; someone changed the record meanwhile (409 in the API) → back to the record
  with a message; the record moved on so the step no longer applies (an error on ``status``) →
  back with the message;
- any other bad input → the page again (422) with the service's errors at the form's fields and
  nothing typed lost (``failed(form)`` renders it);
- done → back to the record with ``done``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from zhichi.common.errors import InvalidInput, NotPermitted, StaleVersion


def run_step(
    request,
    *,
    call: Callable[[], object],
    form,
    back: str,
    done: str,
    failed: Callable,
    stale: str = "",
):
    try:
        call()
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from exc
    except StaleVersion:
        messages.error(
            request, stale or _("Someone changed this while you were reading it. Here it is now.")
        )
        return redirect(back)
    except InvalidInput as exc:
        if any(e.field == "status" for e in exc.errors):
            messages.error(request, "；".join(e.message for e in exc.errors))
            return redirect(back)
        form.show_service_errors(exc)
        return failed(form)
    messages.success(request, done)
    return redirect(back)
