"""Document templates are data, never code: the one Jinja environment every document renders in.

A replacement DOCX template is uploaded by a system administrator and rendered every time an
officer issues that kind, so what it may say is limited twice over:

1. **Before anything runs**, every piece of template text Jinja is given (docxtpl hands it the
   body, headers, footers, footnotes and the document properties one by one) is parsed and its
   syntax tree checked against an allow-list: the names the kind offers (and loop variables),
   plain text and constants, ``for`` and ``if``, comparisons and ``and``/``or``/``not``, the
   vetted filters and tests below, and of ``loop`` only its counters. No attribute access, no
   subscript but a whole-number index, no call, no literal dict, no arithmetic (``'x' * 10**9``
   is a memory bomb), no ``set``/``macro``/``import``/``include``/``extends``/``autoescape``.
   A template that uses anything else is refused with the list of what it used, and nothing of
   it was executed.
2. **While it runs**, the environment is Jinja's immutable sandbox with no globals, only the
   vetted filters and tests, and attribute access refused everywhere but on the loop counters.

The built-in layouts go through the same environment, so there is one way to render.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
from jinja2 import nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

# filters a template may use: text in, text out; none reaches an object's attributes or formats
# with Python's format machinery (``format``, ``map``, ``attr``, ``safe`` are deliberately absent)
VETTED_FILTERS = frozenset(
    {
        "default",
        "d",
        "trim",
        "join",
        "length",
        "count",
        "first",
        "last",
        "upper",
        "lower",
        "title",
        "capitalize",
        "replace",
        "truncate",
        "e",
        "escape",
        "string",
    }
)
VETTED_TESTS = frozenset(
    {"defined", "undefined", "none", "string", "number", "sequence", "eq", "ne", "in"}
)
LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem"}
)
ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.Name,
    nodes.For,
    nodes.If,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Compare,
    nodes.Operand,
    nodes.Concat,
    nodes.Filter,
    nodes.Test,
    nodes.Keyword,
    nodes.List,
    nodes.Getattr,  # only loop counters, checked below
    nodes.Getitem,  # only a whole-number index, checked below
)
# how many problems a refusal lists (a hostile template may have thousands)
MAX_PROBLEMS = 20
# loops inside loops multiply the output (100 workers, five levels deep: 10^10 lines)
MAX_LOOP_DEPTH = 2
# a constant inside an expression may be this long (``replace`` with a long text multiplies it)
MAX_CONSTANT_CHARS = 500
# a template's text, all parts together, may be this long (the upload limit keeps the file small,
# but a DOCX compresses well)
MAX_SOURCE_CHARS = 2_000_000


@dataclass(frozen=True)
class Problem:
    code: str  # name | attribute | call | filter | test | construct | index | too_large
    what: str  # the offending name, filter, or construct (never anything the template computed)
    line: int | None


class TemplateRefused(Exception):
    """The template uses something documents may not use; nothing of it was executed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(f"{p.code}:{p.what}" for p in self.problems))


def check(tree: nodes.Template, names: frozenset[str]) -> list[Problem]:
    """Every use in ``tree`` outside the allow-list (``names`` are the names the kind offers)."""
    problems: list[Problem] = []
    bound = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node, loops in _walk(tree):
        line = getattr(node, "lineno", None)
        if isinstance(node, nodes.For) and loops > MAX_LOOP_DEPTH:
            problems.append(Problem("construct", "loop in a loop in a loop", line))
        if not isinstance(node, ALLOWED_NODES):
            code = "call" if isinstance(node, nodes.Call) else "construct"
            problems.append(Problem(code, type(node).__name__, line))
        elif isinstance(node, nodes.Name):
            if node.ctx == "load" and node.name not in names | bound | {"loop"}:
                problems.append(Problem("name", node.name, line))
            elif node.ctx == "store" and node.name in names | {"loop"}:
                # shadowing an offered name (or the loop) would let a loop redefine it
                problems.append(Problem("construct", f"for {node.name}", line))
        elif isinstance(node, nodes.Getattr):
            target = node.node
            if not (
                isinstance(target, nodes.Name)
                and target.name == "loop"
                and node.attr in LOOP_ATTRIBUTES
            ):
                problems.append(Problem("attribute", node.attr, line))
        elif isinstance(node, nodes.Getitem):
            arg = node.arg
            if not (
                isinstance(arg, nodes.Const)
                and isinstance(arg.value, int)
                and not isinstance(arg.value, bool)
            ):
                problems.append(Problem("index", type(arg).__name__, line))
        elif isinstance(node, nodes.Filter):
            if node.name not in VETTED_FILTERS:
                problems.append(Problem("filter", node.name, line))
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                problems.append(Problem("construct", "*args", line))
        elif isinstance(node, nodes.Test):
            if node.name not in VETTED_TESTS:
                problems.append(Problem("test", node.name, line))
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                problems.append(Problem("construct", "*args", line))
        elif isinstance(node, nodes.For) and node.recursive:
            problems.append(Problem("construct", "recursive loop", line))
        elif isinstance(node, nodes.Const) and len(str(node.value)) > MAX_CONSTANT_CHARS:
            problems.append(Problem("too_large", "constant", line))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _walk(node: nodes.Node, loops: int = 0):
    """Every node with the number of loops it is in (a loop counts itself)."""
    if isinstance(node, nodes.For):
        loops += 1
    yield node, loops
    for child in node.iter_child_nodes():
        yield from _walk(child, loops)


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, narrowed to what documents need (see the module's docstring).

    ``names`` are the names the kind offers; every template given to ``from_string`` is checked
    before it is compiled, so a refused template never runs, here or inside docxtpl."""

    def __init__(self, names: frozenset[str]):
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined)
        self.names = frozenset(names)
        self.globals.clear()
        self.filters = {k: v for k, v in self.filters.items() if k in VETTED_FILTERS}
        self.tests = {k: v for k, v in self.tests.items() if k in VETTED_TESTS}

    def from_string(self, source, globals=None, template_class=None):
        if isinstance(source, str):
            if len(source) > MAX_SOURCE_CHARS:
                raise TemplateRefused([Problem("too_large", str(len(source)), None)])
            tree = self.parse(source)
            problems = check(tree, self.names)
            if problems:
                raise TemplateRefused(problems)
            source = tree
        else:
            problems = check(source, self.names)
            if problems:
                raise TemplateRefused(problems)
        return super().from_string(source, globals=globals, template_class=template_class)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # the only objects a template reaches are strings, lists of strings and the loop
        return isinstance(obj, LoopContext) and attr in LOOP_ATTRIBUTES

    def is_safe_callable(self, obj) -> bool:
        return False

    def call(self, __context, __obj, *args, **kwargs):
        raise jinja2.sandbox.SecurityError("documents may not call functions")
