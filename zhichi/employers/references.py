"""How a page links to an employer without writing an individual's credit code into the HTML.

Rule ID-3: credit codes of legal persons are public, but a 92… code (个体工商户) identifies a
person and is shown masked; its links use the party's id instead (``p123``). The API keeps the
credit code in its path (API.md) and answers with the masked form.
"""

from __future__ import annotations

import re

from django.http import Http404

from zhichi.parties.models import Party

PARTY_REF = re.compile(r"^p(\d{1,12})$")


def is_personal(code: str) -> bool:
    return code.startswith("92")


def ref_for(code: str, party_id: int | None = None) -> str:
    """The path segment of the employer's page: the code, or ``p<party id>`` for a 92… code."""
    if not is_personal(code):
        return code
    if party_id is None:
        party_id = (
            Party.objects.filter(credit_code=code)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    return f"p{party_id}" if party_id else code


def code_for(ref: str) -> str:
    """The credit code a page's path segment stands for (404 for an unknown party id)."""
    m = PARTY_REF.match(ref)
    if not m:
        return ref
    code = Party.objects.filter(pk=int(m.group(1))).values_list("credit_code", flat=True).first()
    if not code:
        raise Http404
    return code
