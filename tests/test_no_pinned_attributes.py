"""Page builders hand templates rows, never model instances or forms with attributes pinned on
(issue 14, item 4): what a page shows beside a record (a label, a flag, a due date, whether a
form is open) is a field of a frozen dataclass row built by a presenter, so the page and the API
describe a record the same way and a record never carries page state.

The check reads the source of the modules that build pages (``views*.py``, ``page.py``,
``sections.py``, ``presenters.py``, ``selectors.py``, ``templatetags/*.py`` of every app, and
``zhichi/workbench.py``) and reports each assignment ``<name>.<attr> = …`` (or ``+=``,
``setattr(<name>, …)``) inside a function where ``<name>`` is

- a loop variable (``for a in approvals:``, a comprehension's ``for``), which in these modules
  runs over records read from the database;
- a form: a name bound to a call of a class whose name ends in ``Form``, or named ``form`` or
  ``*_form`` (a parameter included);
- a record fetched by name: bound to ``get_object_or_404(…)``, ``….get(…)``, ``….first()``,
  ``….last()`` or a scoping helper ``get_…_for(…)``.

Its limits, on purpose (it must not report anything that is not pinning):

- ``self.<attr>`` (a class setting its own fields), ``request.<attr>`` and anything else bound
  otherwise are not looked at: a record reached through a chain (``row.case.x = …``), through
  an index (``rows[0].x = …``) or passed in under another parameter name is not seen;
- it does not know types: a loop over plain objects of the module's own making that sets their
  attributes would be reported (there is none; a frozen dataclass cannot be set anyway);
- services, models and forms set fields of their own records and are not scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zhichi"
PATTERNS = (
    "*/views*.py",
    "*/page.py",
    "*/sections.py",
    "*/presenters.py",
    "*/selectors.py",
    "*/templatetags/*.py",
    "workbench.py",
)
FETCHERS = {"get_object_or_404", "get", "first", "last"}
SCOPED_FETCH = re.compile(r"^get_\w+_for$")


# Pinning still to be replaced by rows, in modules this change does not own: (path, name,
# attribute). Each must still be found (a fixed one is taken off the list).
def _names(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List):
        return set().union(*(_names(t) for t in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return set()


def _callee(call: ast.Call) -> str:
    f = call.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def _is_form_name(name: str) -> bool:
    return name == "form" or name.endswith("_form")


def _suspects(func: ast.AST) -> set[str]:
    """The names in ``func`` (nested functions included) bound to loop items, forms or fetched
    records."""
    found: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            found |= _names(node.target)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                if _is_form_name(arg.arg):
                    found.add(arg.arg)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            callee = _callee(node.value)
            if callee.endswith("Form") or callee in FETCHERS or SCOPED_FETCH.match(callee):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    found |= _names(t)
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store)
            and _is_form_name(node.id)
        ):
            found.add(node.id)
    return found


def _pinned_targets(node: ast.AST) -> list[ast.Attribute]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    else:
        return []
    out = []
    for t in targets:
        stack = [t]
        while stack:
            t = stack.pop()
            if isinstance(t, ast.Tuple | ast.List):
                stack.extend(t.elts)
            elif isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name):
                out.append(t)
    return out


def pinned(source: str) -> set[tuple[int, str, str]]:
    """(line, name, attribute) of each attribute pinned onto a suspect name in ``source``."""
    found = set()
    tree = ast.parse(source)
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        suspects = _suspects(func) - {"self", "cls"}
        for node in ast.walk(func):
            for t in _pinned_targets(node):
                if t.value.id in suspects:
                    found.add((t.lineno, t.value.id, t.attr))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in suspects
            ):
                attr = node.args[1].value if isinstance(node.args[1], ast.Constant) else "?"
                found.add((node.lineno, node.args[0].id, str(attr)))
    return found


def _page_modules() -> list[Path]:
    return sorted({p for pattern in PATTERNS for p in PACKAGE.glob(pattern)})


def test_the_scanner_finds_pinning_and_nothing_else():
    source = """
def builder(request, case, form=None):
    for a in approvals:
        a.decision_label = "x"                   # a loop item
    rows = [setattr(c, "badges", []) for c in cases]   # a comprehension item
    for key, f in shown.items():
        f.is_open = True                        # a loop item, from a tuple
    form.is_open = True                         # a form parameter
    other = PartyCorrectionForm(role=role)
    other.is_open = True                        # a form made here
    found = rules.get_case_for(user, pk)
    found.flag_badges = []                      # a fetched record
    self_made = Row(case, [])                   # a row: nothing pinned
    request.failed = ("lawyer", form)           # the request: not a record
    context["forms"] = {}                       # an item, not an attribute
    case.version += 0                           # a parameter under another name: not seen
    box = Box()
    box.thing = 1                               # not a loop item, form or fetched record


class Form:
    def __init__(self):
        self.share_note = ""                    # a class's own field
"""
    assert {(name, attr) for _line, name, attr in pinned(source)} == {
        ("a", "decision_label"),
        ("c", "badges"),
        ("f", "is_open"),
        ("form", "is_open"),
        ("other", "is_open"),
        ("found", "flag_badges"),
    }


def test_no_page_builder_pins_attributes_onto_records_or_forms():
    found = set()
    for path in _page_modules():
        rel = path.relative_to(ROOT).as_posix()
        for line, name, attr in pinned(path.read_text(encoding="utf-8")):
            found.add((rel, line, name, attr))
    assert sorted(found) == [], "attributes pinned by a page builder (use a row)"
