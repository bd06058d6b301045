"""Organisations and their departments, kept by the system administrator (rule R5, 三员分立).

Each change is one function here: the system administrator only (every other role is refused
with 403 and a "denied" audit row), the input read through its schema (``OrganisationIn``,
``OrganisationChangeIn``, ``DepartmentIn``, ``DepartmentChangeIn``: the console's forms and any
other caller alike), then the checks that need the database, then one transaction that makes the
change and writes its audit row (``org.create``, ``org.update``, ``org.set_active``,
``dept.create``, ``dept.update``). A refused input changes nothing and is audited too, with the
outcome "failed" and the fields and codes refused (never the values).

What is decided here:

- A code is how other systems and records name an organisation or a department (the partner
  API names organisations by code, leads land in the department coded ``civil``, the figures and
  the API name departments by code). Codes are unique (an organisation's across the instance, a
  department's within its organisation), compared without regard to case, and are letters,
  digits, ``-`` and ``_``. A code — and an organisation's kind, which decides what its users
  see — can be corrected only while nothing refers to the record yet (no department, user or
  record of any kind); after that it is fixed.
- An organisation is never deleted. Deactivating one takes it out of the lists new work is sent
  to (transfers, referrals, suggestions, imports); everything recorded stays as it is. It is
  refused while the organisation has active users: the security administrator disables them
  first, so an account never keeps working for an organisation that no longer takes part (and
  the system administrator never acts on accounts, their own included). Activating again is
  always allowed.
- The case number pattern is checked by the one number-pattern checker,
  ``zhichi.core.numbering.check_pattern``; empty means the instance's default.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from zhichi.accounts.models import Department, Organisation, OrgKind, User
from zhichi.accounts.rules import ensure_system_admin
from zhichi.audit.services import record
from zhichi.common import changes
from zhichi.common.errors import FieldError, InvalidInput
from zhichi.common.inputs import parse
from zhichi.common.schemas import StrippedIn, model_max, refusal, required_as
from zhichi.common.validation import text_problem
from zhichi.core import numbering
from zhichi.core.identifiers import MAINLAND_PROVINCES

PROVINCE_CODES = tuple(sorted(MAINLAND_PROVINCES))
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
DISTRICT_RE = re.compile(r"[0-9]{6}")

# the words of core.numbering's findings (the same the document numbering shows)
PATTERN_MESSAGES = {
    "max_length": lambda: _("Keep it under %(n)d characters.") % {"n": numbering.MAX_PATTERN_CHARS},
    "no_seq": lambda: _("The pattern must contain {seq}."),
    "placeholder": lambda: (
        _("Use only the placeholders {short}, {year} and {seq} (or {seq:03d}, at most %(n)d wide).")
        % {"n": numbering.MAX_SEQ_WIDTH}
    ),
    "brace": lambda: _("A brace on its own is not allowed; write {{ or }} for a literal brace."),
}


# --- the inputs ---------------------------------------------------------------------------------
def _clean(value: Any) -> Any:
    """Text without the spaces around it, and never with a character no record may hold."""
    if not isinstance(value, str):
        return value
    problem = text_problem(value)
    if problem:
        raise PydanticCustomError(problem[0], str(problem[1]))
    return value.strip()


def _present(value: Any) -> Any:
    value = _clean(value)
    if value is None or value == "":
        raise PydanticCustomError("required", str(_("This field is required.")))
    return value


def _blank_is_empty(value: Any) -> Any:
    value = _clean(value)
    return "" if value is None else value


def _code_format(value: str) -> str:
    if not CODE_RE.fullmatch(value):
        raise PydanticCustomError(
            "format",
            str(_("Use only letters, digits, “-” and “_”, starting with a letter or a digit.")),
        )
    return value


def _district_format(value: str) -> str:
    if value and not DISTRICT_RE.fullmatch(value):
        raise PydanticCustomError(
            "format", str(_("Enter the six-digit code of the district (GB/T 2260), or nothing."))
        )
    return value


def _pattern_problems(value: str) -> str:
    problems = numbering.check_pattern(value) if value else []
    if problems:
        raise PydanticCustomError(problems[0].code, str(PATTERN_MESSAGES[problems[0].code]()))
    return value


def _code(model: type[Model]):
    return Annotated[
        str,
        Field(max_length=model_max(model, "code")),
        BeforeValidator(_present),
        AfterValidator(_code_format),
    ]


def _required_text(model: type[Model], field: str):
    return Annotated[str, Field(max_length=model_max(model, field)), BeforeValidator(_present)]


def _optional_text(model: type[Model], field: str):
    return Annotated[
        str, Field(max_length=model_max(model, field)), BeforeValidator(_blank_is_empty)
    ]


def _one_of(values, message):
    def check(value: str) -> str:
        if value not in values:
            raise PydanticCustomError("choice", str(message))
        return value

    return AfterValidator(check)


ProvinceCode = Annotated[
    str,
    BeforeValidator(_clean),
    required_as(gettext_lazy("Choose the province.")),
    _one_of(PROVINCE_CODES, gettext_lazy("Choose a province from the list.")),
]
KindCode = Annotated[
    str,
    BeforeValidator(_clean),
    required_as(gettext_lazy("Choose the kind of organisation.")),
    _one_of(tuple(OrgKind.values), gettext_lazy("Choose a kind from the list.")),
]
District = Annotated[
    str,
    Field(max_length=model_max(Organisation, "district")),
    BeforeValidator(_blank_is_empty),
    AfterValidator(_district_format),
]
CaseNumberPattern = Annotated[
    str,
    Field(max_length=model_max(Organisation, "case_number_pattern")),
    BeforeValidator(_blank_is_empty),
    AfterValidator(_pattern_problems),
]


class OrganisationIn(StrippedIn):
    """A new organisation."""

    code: _code(Organisation)
    name: _required_text(Organisation, "name")
    short_name: _optional_text(Organisation, "short_name") = ""
    kind: KindCode
    province: ProvinceCode
    district: District = ""
    case_number_pattern: CaseNumberPattern = ""

    @model_validator(mode="after")
    def _district_in_province(self):
        if self.district and not self.district.startswith(self.province):
            raise refusal(
                type(self),
                "district",
                "province",
                _("A district code starts with its province's code (%(province)s).")
                % {"province": self.province},
                self.district,
            )
        return self


class OrganisationChangeIn(OrganisationIn):
    """An organisation's new values; ``code`` and ``kind`` left out (None) keep theirs."""

    code: _code(Organisation) | None = None
    kind: KindCode | None = None


class DepartmentIn(StrippedIn):
    """A new department of an organisation."""

    code: _code(Department)
    name: _required_text(Department, "name")


class DepartmentChangeIn(StrippedIn):
    """A department's new values; ``code`` left out (None) keeps its code."""

    code: _code(Department) | None = None
    name: _required_text(Department, "name")


# --- what the checks read -----------------------------------------------------------------------
def in_use(instance: Model) -> bool:
    """Whether any row of any table refers to ``instance`` (a user, a department, a case, a
    transfer, a number sequence …). Read through the model's reverse relations, so no app above
    this one is named here."""
    for relation in instance._meta.related_objects:
        if relation.related_model._base_manager.filter(**{relation.field.name: instance}).exists():
            return True
    return False


def active_users(organisation: Organisation) -> int:
    return User.objects.filter(organisation=organisation, is_active=True).count()


def _refuse(*, action: str, actor: User, obj, errors: list[FieldError], detail: str):
    """Audit a refused input (its fields and codes, never the values) and refuse it."""
    record(
        action=action,
        actor=actor,
        obj=obj,
        object_type="" if obj is not None else "accounts.organisation",
        outcome="failed",
        detail={"refused": [f"{e.field}:{e.code}" for e in errors]},
    )
    raise InvalidInput(errors, detail=detail)


def _parsed(schema, data, *, action: str, actor: User, obj, detail: str):
    try:
        return parse(schema, data, detail=detail)
    except InvalidInput as exc:
        _refuse(action=action, actor=actor, obj=obj, errors=exc.errors, detail=detail)


def _code_taken(field: str, code: str) -> FieldError:
    return FieldError(field, "exists", _("The code “%(code)s” is already used.") % {"code": code})


def _fixed(field: str) -> FieldError:
    message = {
        "code": _(
            "The code is fixed once the organisation is in use (it has departments, users or "
            "records): other systems and records know it by this code."
        ),
        "kind": _(
            "The kind is fixed once the organisation is in use (it has departments, users or "
            "records): it decides what its users see."
        ),
    }[field]
    return FieldError(field, "fixed", message)


ORG_REFUSED = gettext_lazy("The organisation has errors; nothing was saved.")
DEPT_REFUSED = gettext_lazy("The department has errors; nothing was saved.")
ORG_FIELDS = ("code", "name", "short_name", "kind", "province", "district", "case_number_pattern")


# --- organisations ------------------------------------------------------------------------------
def create_organisation(*, actor: User, data: OrganisationIn | dict) -> Organisation:
    """A new, active organisation (the system administrator only)."""
    ensure_system_admin(actor, action="org.create")
    detail = str(ORG_REFUSED)
    data = _parsed(OrganisationIn, data, action="org.create", actor=actor, obj=None, detail=detail)
    if Organisation.objects.filter(code__iexact=data.code).exists():
        _refuse(
            action="org.create",
            actor=actor,
            obj=None,
            errors=[_code_taken("code", data.code)],
            detail=detail,
        )
    values = {name: getattr(data, name) for name in ORG_FIELDS}
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(**values, is_active=True)
            record(
                action="org.create",
                actor=actor,
                obj=organisation,
                detail={k: values[k] for k in ("code", "name", "kind", "province")},
            )
    except IntegrityError:  # another administrator took the code meanwhile
        _refuse(
            action="org.create",
            actor=actor,
            obj=None,
            errors=[_code_taken("code", data.code)],
            detail=detail,
        )
    return organisation


def update_organisation(
    *, actor: User, organisation_id: int, data: OrganisationChangeIn | dict
) -> Organisation:
    """Change an organisation's names, place, numbering (and, while it is not in use yet, its
    code and kind). Saving the values it has already changes nothing and writes no audit row."""
    ensure_system_admin(actor, action="org.update")
    organisation = Organisation.objects.get(pk=organisation_id)
    detail = str(ORG_REFUSED)
    data = _parsed(
        OrganisationChangeIn,
        data,
        action="org.update",
        actor=actor,
        obj=organisation,
        detail=detail,
    )
    wanted = {name: getattr(data, name) for name in ORG_FIELDS}
    for kept in ("code", "kind"):
        if wanted[kept] is None:
            wanted[kept] = getattr(organisation, kept)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
            changed = changes.diff(organisation, wanted)
            errors = []
            if ("code" in changed or "kind" in changed) and in_use(organisation):
                errors += [_fixed(name) for name in ("code", "kind") if name in changed]
            if (
                "code" in changed
                and Organisation.objects.filter(code__iexact=wanted["code"])
                .exclude(pk=organisation.pk)
                .exists()
            ):
                errors.append(_code_taken("code", wanted["code"]))
            if errors:
                raise InvalidInput(errors, detail=detail)
            if not changed:
                return organisation
            organisation.save(update_fields=changes.apply(organisation, changed))
            record(
                action="org.update",
                actor=actor,
                obj=organisation,
                detail={"code": organisation.code, "changed": changed},
            )
    except InvalidInput as exc:  # refused inside the transaction: the audit row after it
        _refuse(
            action="org.update", actor=actor, obj=organisation, errors=exc.errors, detail=detail
        )
    except IntegrityError:
        _refuse(
            action="org.update",
            actor=actor,
            obj=organisation,
            errors=[_code_taken("code", wanted["code"])],
            detail=detail,
        )
    return organisation


def set_organisation_active(*, actor: User, organisation_id: int, active: bool) -> bool:
    """Activate or deactivate an organisation; True when its state changed (asking for the state
    it has changes nothing). Deactivating is refused while it has active users."""
    ensure_system_admin(actor, action="org.set_active")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if organisation.is_active == bool(active):
            return False
        users = 0 if active else active_users(organisation)
        if not users:
            organisation.is_active = bool(active)
            organisation.save(update_fields=["is_active"])
            record(
                action="org.set_active",
                actor=actor,
                obj=organisation,
                detail={"code": organisation.code, "active": organisation.is_active},
            )
            return True
    message = ngettext(
        "%(org)s still has %(n)d active user. The security administrator disables the accounts "
        "of an organisation before it is deactivated; nothing was changed.",
        "%(org)s still has %(n)d active users. The security administrator disables the accounts "
        "of an organisation before it is deactivated; nothing was changed.",
        users,
    ) % {"org": organisation.name, "n": users}
    _refuse(
        action="org.set_active",
        actor=actor,
        obj=organisation,
        errors=[FieldError("active", "active_users", message)],
        detail=message,
    )


# --- departments --------------------------------------------------------------------------------
def create_department(
    *, actor: User, organisation_id: int, data: DepartmentIn | dict
) -> Department:
    """A new department of an organisation; its code is unique within the organisation."""
    ensure_system_admin(actor, action="dept.create")
    organisation = Organisation.objects.get(pk=organisation_id)
    detail = str(DEPT_REFUSED)
    data = _parsed(
        DepartmentIn, data, action="dept.create", actor=actor, obj=organisation, detail=detail
    )
    try:
        with transaction.atomic():
            # the organisation's row orders the writers of its departments
            Organisation.objects.select_for_update().filter(pk=organisation_id).first()
            if organisation.departments.filter(code__iexact=data.code).exists():
                raise InvalidInput([_code_taken("code", data.code)], detail=detail)
            department = Department.objects.create(
                organisation=organisation, code=data.code, name=data.name
            )
            record(
                action="dept.create",
                actor=actor,
                obj=department,
                detail={"organisation": organisation.code, "code": data.code, "name": data.name},
            )
    except InvalidInput as exc:
        _refuse(
            action="dept.create", actor=actor, obj=organisation, errors=exc.errors, detail=detail
        )
    except IntegrityError:
        _refuse(
            action="dept.create",
            actor=actor,
            obj=organisation,
            errors=[_code_taken("code", data.code)],
            detail=detail,
        )
    return department


def update_department(
    *, actor: User, department_id: int, data: DepartmentChangeIn | dict
) -> Department:
    """Rename a department (and, while nothing refers to it yet, change its code). Saving the
    values it has already changes nothing and writes no audit row."""
    ensure_system_admin(actor, action="dept.update")
    department = Department.objects.select_related("organisation").get(pk=department_id)
    detail = str(DEPT_REFUSED)
    data = _parsed(
        DepartmentChangeIn, data, action="dept.update", actor=actor, obj=department, detail=detail
    )
    wanted = {"code": data.code if data.code is not None else department.code, "name": data.name}
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().filter(pk=department.organisation_id).first()
            department = (
                Department.objects.select_for_update()
                .select_related("organisation")
                .get(pk=department_id)
            )
            changed = changes.diff(department, wanted)
            if "code" in changed:
                errors = []
                if in_use(department):
                    errors.append(
                        FieldError(
                            "code",
                            "fixed",
                            _(
                                "The code is fixed once the department is in use (it has users "
                                "or records): leads, figures and partner systems know it by "
                                "this code."
                            ),
                        )
                    )
                elif (
                    Department.objects.filter(
                        organisation_id=department.organisation_id, code__iexact=wanted["code"]
                    )
                    .exclude(pk=department.pk)
                    .exists()
                ):
                    errors.append(_code_taken("code", wanted["code"]))
                if errors:
                    raise InvalidInput(errors, detail=detail)
            if not changed:
                return department
            department.save(update_fields=changes.apply(department, changed))
            record(
                action="dept.update",
                actor=actor,
                obj=department,
                detail={
                    "organisation": department.organisation.code,
                    "code": department.code,
                    "changed": changed,
                },
            )
    except InvalidInput as exc:
        _refuse(action="dept.update", actor=actor, obj=department, errors=exc.errors, detail=detail)
    except IntegrityError:
        _refuse(
            action="dept.update",
            actor=actor,
            obj=department,
            errors=[_code_taken("code", wanted["code"])],
            detail=detail,
        )
    return department
