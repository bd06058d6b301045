"""The system administrator's console (rule R5, 三员分立), mounted under /system/.

The console gathers the system administrator's work: organisations and their departments (kept
here), and links to the pages kept elsewhere — document templates and numbering
(``documents``), the law library, its holiday calendar and rule settings (``rulebook``). It
shows figures about the instance (how many organisations, departments, active users), never a
case, a lead, a person or an audit row; users and roles are the security administrator's, the
audit trail the auditor's.

Thin: authorise (every other role gets 403, audited, before anything is read or judged), bind a
form, call one service of ``zhichi.accounts.organisations``, render or redirect.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhichi.accounts import organisations as services
from zhichi.accounts.models import Department, Organisation, OrgKind, User
from zhichi.accounts.rules import ensure_system_admin
from zhichi.common.pagination import paginate
from zhichi.common.scoping import get_or_404
from zhichi.common.steps import run_step
from zhichi.consoles.system_forms import DepartmentForm, OrganisationFilterForm, OrganisationForm
from zhichi.documents.models import DocumentKind, DocumentTemplate, NumberPattern
from zhichi.documents.services import DEFAULT_PATTERNS
from zhichi.rulebook.models import HolidayYear
from zhichi.rulebook.provinces import PROVINCE_NAMES

PER_PAGE = 25


def _allowed(request, action: str) -> None:
    ensure_system_admin(request.user, action=action)  # NotPermitted: the 403 page, audited


# --- rows the pages show ------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """The console's figures: counts about the instance, nothing of any case."""

    organisations: int
    active_organisations: int
    departments: int
    active_users: int
    template_kinds: int
    kinds: int
    patterns_set: int
    pattern_kinds: int
    holiday_years: list[int]


@dataclass(frozen=True)
class OrganisationRow:
    pk: int
    code: str
    name: str
    short_name: str
    kind: str
    province: str
    district: str
    is_active: bool
    departments: int
    active_users: int


@dataclass(frozen=True)
class DepartmentRow:
    pk: int
    code: str
    name: str
    active_users: int


def _figures(user) -> Figures:
    orgs = Organisation.objects.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    return Figures(
        organisations=orgs["total"],
        active_organisations=orgs["active"],
        departments=Department.objects.count(),
        active_users=User.objects.filter(is_active=True).count(),
        template_kinds=DocumentTemplate.objects.filter(active=True)
        .values("kind")
        .distinct()
        .count(),
        kinds=len(DocumentKind.choices),
        patterns_set=NumberPattern.objects.filter(organisation_id=user.organisation_id).count(),
        pattern_kinds=len(DEFAULT_PATTERNS),
        holiday_years=list(HolidayYear.objects.order_by("year").values_list("year", flat=True)),
    )


def _organisation_rows(page) -> list[OrganisationRow]:
    kinds = dict(OrgKind.choices)
    return [
        OrganisationRow(
            pk=o["pk"],
            code=o["code"],
            name=o["name"],
            short_name=o["short_name"],
            kind=str(kinds.get(o["kind"], o["kind"])),
            province=f"{o['province']} {PROVINCE_NAMES.get(o['province'], '')}".strip(),
            district=o["district"],
            is_active=o["is_active"],
            departments=o["departments_count"],
            active_users=o["active_users_count"],
        )
        for o in page
    ]


def _department_rows(page) -> list[DepartmentRow]:
    return [
        DepartmentRow(
            pk=d["pk"], code=d["code"], name=d["name"], active_users=d["active_users_count"]
        )
        for d in page
    ]


# --- the console's home -------------------------------------------------------------------------
@login_required
@require_GET
def home(request):
    _allowed(request, "system.console")
    return render(request, "consoles/system/home.html", {"figures": _figures(request.user)})


# --- organisations ------------------------------------------------------------------------------
def _organisations_page(request, form: OrganisationForm, *, status: int = 200):
    filters = OrganisationFilterForm(request.GET or None)
    qs = Organisation.objects.order_by("code")
    filtered = False
    if filters.is_valid():
        data = filters.cleaned_data
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
        if data["q"].strip():
            q = data["q"].strip()
            qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(short_name__icontains=q))
        filtered = any(data.values())
    rows = qs.values(
        "pk", "code", "name", "short_name", "kind", "province", "district", "is_active"
    ).annotate(
        departments_count=Count("departments", distinct=True),
        active_users_count=Count("users", filter=Q(users__is_active=True), distinct=True),
    )
    page = paginate(request, rows, PER_PAGE)
    return render(
        request,
        "consoles/system/organisations.html",
        {
            "page_obj": page,
            "rows": _organisation_rows(page),
            "filters": filters,
            "filtered": filtered,
            "form": form,
        },
        status=status,
    )


def _new_organisation_form(data=None) -> OrganisationForm:
    return OrganisationForm(data, auto_id="id_new_%s")


@login_required
@require_GET
def organisation_list(request):
    _allowed(request, "org.list")
    return _organisations_page(request, _new_organisation_form())


@login_required
@require_POST
def organisation_create(request):
    _allowed(request, "org.create")
    form = _new_organisation_form(request.POST)
    return run_step(
        request,
        call=lambda: services.create_organisation(actor=request.user, data=form.payload()),
        back=reverse("system:organisations"),
        form=form,
        failed=lambda _exc: _organisations_page(request, form, status=422),
        done=lambda org: (
            _("Organisation “%(name)s” created. Add its departments below.") % {"name": org.name}
        ),
        to=lambda org: reverse("system:organisation", args=[org.pk]),
        moved_on_goes_back=False,
    )


def _organisation_form(organisation: Organisation, data=None) -> OrganisationForm:
    fixed = ("code", "kind") if services.in_use(organisation) else ()
    initial = {name: getattr(organisation, name) for name in services.ORG_FIELDS}
    return OrganisationForm(data, initial=initial, fixed=fixed)


def _new_department_form(data=None) -> DepartmentForm:
    return DepartmentForm(data, auto_id="id_dept_%s")


def _organisation_page(
    request,
    organisation: Organisation,
    *,
    form: OrganisationForm | None = None,
    department_form: DepartmentForm | None = None,
    status: int = 200,
):
    departments = (
        Department.objects.filter(organisation=organisation)
        .order_by("code")
        .values("pk", "code", "name")
        .annotate(active_users_count=Count("users", filter=Q(users__is_active=True), distinct=True))
    )
    page = paginate(request, departments, PER_PAGE)
    return render(
        request,
        "consoles/system/organisation.html",
        {
            "organisation": organisation,
            "form": form or _organisation_form(organisation),
            "department_form": department_form or _new_department_form(),
            "page_obj": page,
            "departments": _department_rows(page),
            "active_users": services.active_users(organisation),
            "open_form": "department" if department_form is not None else "",
        },
        status=status,
    )


@login_required
@require_GET
def organisation_detail(request, pk: int):
    _allowed(request, "org.view")
    organisation = get_or_404(Organisation.objects.all(), pk)
    return _organisation_page(request, organisation)


@login_required
@require_POST
def organisation_update(request, pk: int):
    _allowed(request, "org.update")
    organisation = get_or_404(Organisation.objects.all(), pk)
    form = _organisation_form(organisation, request.POST)
    back = reverse("system:organisation", args=[organisation.pk])
    return run_step(
        request,
        call=lambda: services.update_organisation(
            actor=request.user, organisation_id=organisation.pk, data=form.payload()
        ),
        back=back,
        form=form,
        failed=lambda _exc: _organisation_page(request, organisation, form=form, status=422),
        done=_("Organisation saved."),
        moved_on_goes_back=False,
    )


@login_required
@require_POST
def organisation_active(request, pk: int):
    _allowed(request, "org.set_active")
    organisation = get_or_404(Organisation.objects.all(), pk)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, _("Choose Activate or Deactivate; nothing was changed."))
        return _organisation_page(request, organisation, status=422)
    active = wanted == "1"

    def failed(exc):
        messages.error(request, exc.detail)
        return _organisation_page(request, organisation, status=422)

    def done(changed: bool) -> str:
        if not changed:
            return _("Nothing to do: the organisation was already in that state.")
        if active:
            return _("%(name)s is active again: new work can be sent to it.") % {
                "name": organisation.name
            }
        return _("%(name)s is inactive: no new work is sent to it. Everything recorded stays.") % {
            "name": organisation.name
        }

    return run_step(
        request,
        call=lambda: services.set_organisation_active(
            actor=request.user, organisation_id=organisation.pk, active=active
        ),
        back=reverse("system:organisation", args=[organisation.pk]),
        failed=failed,
        done=done,
        moved_on_goes_back=False,
    )


# --- departments --------------------------------------------------------------------------------
@login_required
@require_POST
def department_create(request, pk: int):
    _allowed(request, "dept.create")
    organisation = get_or_404(Organisation.objects.all(), pk)
    form = _new_department_form(request.POST)
    return run_step(
        request,
        call=lambda: services.create_department(
            actor=request.user, organisation_id=organisation.pk, data=form.payload()
        ),
        back=reverse("system:organisation", args=[organisation.pk]),
        form=form,
        failed=lambda _exc: _organisation_page(
            request, organisation, department_form=form, status=422
        ),
        done=lambda dept: _("Department “%(name)s” added.") % {"name": dept.name},
        to=lambda dept: reverse("system:organisation", args=[organisation.pk]) + "#departments",
        moved_on_goes_back=False,
    )


def _department_form(department: Department, data=None) -> DepartmentForm:
    fixed = ("code",) if services.in_use(department) else ()
    initial = {"code": department.code, "name": department.name}
    return DepartmentForm(data, initial=initial, fixed=fixed)


def _department_page(request, department: Department, form: DepartmentForm, *, status=200):
    return render(
        request,
        "consoles/system/department.html",
        {
            "department": department,
            "organisation": department.organisation,
            "form": form,
            "active_users": department.users.filter(is_active=True).count(),
        },
        status=status,
    )


def _get_department(pk) -> Department:
    return get_or_404(Department.objects.select_related("organisation"), pk)


@login_required
@require_GET
def department_detail(request, pk: int):
    _allowed(request, "dept.view")
    department = _get_department(pk)
    return _department_page(request, department, _department_form(department))


@login_required
@require_POST
def department_update(request, pk: int):
    _allowed(request, "dept.update")
    department = _get_department(pk)
    form = _department_form(department, request.POST)
    return run_step(
        request,
        call=lambda: services.update_department(
            actor=request.user, department_id=department.pk, data=form.payload()
        ),
        back=reverse("system:department", args=[department.pk]),
        form=form,
        failed=lambda _exc: _department_page(request, department, form, status=422),
        done=_("Department saved."),
        to=reverse("system:organisation", args=[department.organisation_id]) + "#departments",
        moved_on_goes_back=False,
    )
