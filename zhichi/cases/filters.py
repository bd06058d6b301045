"""Case list filters and search, shared by the page and the API (issue 13, item 3).

The search box takes what people have in hand (docs/decisions/0002-case-search.md):
- a case number in any bracket and width, with or without 号, or any Chinese substring of the
  number, a party's name, a credit code or the summary: ``search_text`` in search form;
- a whole resident ID number or phone: the cases of that person, by exact match on the keyed
  blind index (rule ID-3). The identifier itself is never compared with anything in the
  database, nor sent to it: only its HMAC is;
- an officer's name (display name or username): the cases they handle, among the cases whose
  internal details the viewer sees (partner agencies never see who handles a case, C8).

Everything is narrowed within the queryset it is given, which is already what the viewer may
see: nobody finds a case by someone's identifier that they could not open anyway.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichi.accounts.models import User
from zhichi.cases import criminal_flag
from zhichi.cases.models import Case, CaseParty, PartyRole, search_match
from zhichi.cases.partner_view import is_partner
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.core import identifiers
from zhichi.parties import crypto
from zhichi.parties.models import PartyContact

# the shape of a resident ID number once normalised (rule ID-1): 18 characters, or the old 15
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")


def filter_cases(
    qs: QuerySet[Case],
    *,
    stage: str | None = None,
    level: int | str | None = None,
    category: str | None = None,
    status: str | None = None,
    q: str | None = None,
    employer: str | None = None,
    officer: str | None = None,
    flag: str | None = None,
    viewer: User | None = None,
) -> QuerySet[Case]:
    """``viewer``: who searches (an officer's name finds cases only among those whose internal
    details the viewer sees). A ``q`` that looks like an ID number but is not a valid one is
    refused (422 on ``q``) rather than compared as text."""
    if stage:
        qs = qs.filter(stage=stage)
    if level not in (None, ""):
        try:
            wanted = int(level)
        except (TypeError, ValueError):
            wanted = None
        # only the three levels exist (C3); any other number finds nothing, and is never sent
        # to the database (SQLite cannot take an integer wider than 64 bits)
        qs = qs.filter(level=wanted) if wanted in (1, 2, 3) else qs.none()
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if officer:
        qs = qs.filter(officer__username=officer)
    if flag:
        qs = criminal_flag.filter_flag(qs, flag)
    if employer:
        code = employer.strip().upper()
        qs = qs.filter(
            pk__in=Case.objects.filter(
                parties__role=PartyRole.RESPONDENT, parties__party__credit_code=code
            ).values("pk")
        )
    if q:
        qs = search_cases(qs, q, viewer=viewer)
    return qs


def filter_case_list(
    qs: QuerySet[Case],
    *,
    viewer: User,
    stage: str | None = None,
    level: int | str | None = None,
    category: str | None = None,
    status: str | None = None,
    q: str | None = None,
    employer: str | None = None,
    flag: str | None = None,
    mine: bool = False,
) -> QuerySet[Case]:
    """The case list's filters, shared by the page and the Excel export: ``filter_cases``, a flag
    only among the cases of the viewer's own organisation (the flags are its own grading, C8: a
    filter must not reveal them), and "only my cases". Refuses like ``filter_cases``."""
    qs = filter_cases(
        qs,
        stage=stage,
        level=level,
        category=category,
        status=status,
        q=q,
        employer=employer,
        viewer=viewer,
    )
    if flag:
        qs = filter_cases(qs.filter(organisation_id=viewer.organisation_id), flag=flag)
    if mine:
        qs = qs.filter(officer=viewer)
    return qs


def identifier_key(q: str) -> tuple[str, str] | None:
    """``("id_number" | "phone", blind index)`` when ``q`` is a whole resident ID number or
    phone; None when it is neither. Raises InvalidInput when it has the shape of an ID number
    but is not one (a typing error: searching it as text would find nothing, and would send
    something close to a person's ID number to the database in clear)."""
    normalised = identifiers.normalise(q)
    if _ID_SHAPE.fullmatch(normalised):
        check = identifiers.validate_id_number(q, today=timezone.localdate())
        if check.valid:
            return "id_number", crypto.blind_index("id", check.normalised)
        if identifiers.validate_credit_code(q).valid:
            return None  # an all-digit credit code: searched as text, like every credit code
        raise InvalidInput(
            [
                FieldError(
                    "q",
                    "id_number",
                    _(
                        "This looks like an ID number, but it is not a valid one: check its "
                        "digits. A whole, valid ID number finds the cases of that person."
                    ),
                )
            ]
        )
    phone = identifiers.validate_phone(q)
    if phone.valid:
        return "phone", crypto.blind_index("phone", phone.normalised)
    return None


def _officers(q: str, viewer: User | None) -> list[int]:
    """The viewer's colleagues whose username or display name is ``q`` (spaces ignored)."""
    if viewer is None or not viewer.is_authenticated or is_partner(viewer):
        return []
    wanted = "".join(q.split())
    if not wanted:
        return []
    found = []
    staff = User.objects.filter(organisation_id=viewer.organisation_id).only(
        "pk", "username", "first_name", "last_name"
    )
    for user in staff:
        names = {
            user.username.lower(),
            "".join(user.get_full_name().split()),
            f"{user.last_name}{user.first_name}".replace(" ", ""),
        }
        if wanted.lower() in names or wanted in names:
            found.append(user.pk)
    return found


def search_cases(qs: QuerySet[Case], q: str, *, viewer: User | None = None) -> QuerySet[Case]:
    """The cases of ``qs`` that ``q`` finds (see the module's docstring)."""
    q = (q or "").strip()
    if not q:
        return qs
    key = identifier_key(q)
    if key is not None:
        field, index = key
        if field == "phone":
            # a phone the person gave before is still theirs (parties.PartyContact)
            earlier = PartyContact.objects.filter(phone_index=index).values("party_id")
            holders = CaseParty.objects.filter(
                Q(party__phone_index=index) | Q(party_id__in=earlier)
            )
        else:
            holders = CaseParty.objects.filter(party__id_number_index=index)
        return qs.filter(pk__in=holders.values("case_id"))
    match = search_match(q)
    officers = _officers(q, viewer)
    if officers:
        match |= Q(officer_id__in=officers, organisation_id=viewer.organisation_id)
    return qs.filter(match)
