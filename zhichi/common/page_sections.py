"""Sections that higher apps add to the case page, the lead page, the workbench and the
transfer page.

The case and lead pages belong to apps low in the import order (cases, intake); transfers,
evidence and the apps above them add their own sections here from ``AppConfig.ready`` instead of
the lower app importing them. A section's ``context`` returns the template context for one
request and object, or None to leave the section out (e.g. a role that may not see it).

Partner agencies' staff see a section only when it says so (``partners=True``): the audience
rule comes from the cases app's partner view (zhichi/cases/partner_view.py), installed with
``set_audience`` because this module may not import it. A section added later is thus hidden
from partners until someone decides otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PAGES = ("case", "lead", "workbench", "transfer")


@dataclass(frozen=True)
class Section:
    key: str  # the anchor id on the page, e.g. "transfers"
    title: object  # a lazy translation
    template: str
    context: Callable[..., dict | None]  # (request, obj) -> context or None
    order: int = 100
    partners: bool = False  # shown to viewers from outside the object's procuratorate too


_registry: dict[str, dict[str, Section]] = {page: {} for page in PAGES}
_audience: Callable[[object, object, Section], bool] | None = None


def set_audience(predicate: Callable[[object, object, Section], bool]) -> None:
    """``predicate(user, obj, section)``: whether the user may see the section at all."""
    global _audience
    _audience = predicate


def register(page: str, section: Section) -> None:
    """Add (or replace, by key) a section of ``page``; called from an app's ready()."""
    if page not in _registry:
        raise ValueError(f"unknown page {page!r}; one of {PAGES}")
    _registry[page][section.key] = section


def sections_for(page: str, request, obj) -> list[dict]:
    """The sections to show, in order, each as {"key", "title", "template", "ctx"}."""
    shown = []
    for section in sorted(_registry[page].values(), key=lambda s: (s.order, s.key)):
        if _audience is not None and not _audience(request.user, obj, section):
            continue
        ctx = section.context(request, obj)
        if ctx is None:
            continue
        shown.append(
            {"key": section.key, "title": section.title, "template": section.template, "ctx": ctx}
        )
    return shown
