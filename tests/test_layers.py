"""The layers of docs/architecture.md, enforced (issue 14, item 3).

- the import-linter contract in `.importlinter` (which layer may import which) is kept;
- no app imports another app's pages (its `views*` modules): a page another app shows again
  comes from that app's page builder (`cases.page`, `intake.page`, `transfers.page`);
- no import cycle between modules, function-level imports included;
- no function-level import of a Zhichi module outside an `apps.py` without a comment saying why.

The graph is read from the source (grimp), so every import counts, wherever it is written.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "zhichi"
# the project's wiring may import any app's pages: the URLconfs
WIRING = {"zhichi.urls"}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("zhichi", include_external_packages=False)


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _is_page_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.count(".") >= 2 and (last.startswith("views") or last.endswith("_views"))


def test_the_layers_contract_is_kept():
    linter = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(linter), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_app_imports_another_apps_pages(graph):
    found = []
    for importer in sorted(graph.modules):
        if importer in WIRING:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if _is_page_module(imported) and _app(imported) != _app(importer):
                found.append(f"{importer} -> {imported}")
    assert found == []


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    g = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        g.add_module(name)
    g.add_import(importer="a.x", imported="a.y")
    g.add_import(importer="a.y", imported="a.z")
    g.add_import(importer="a.z", imported="a.x")
    assert _cycles(g) == [["a.x", "a.y", "a.z"]]


def test_no_import_cycle(graph):
    # a package importing its own submodules (an __init__ re-exporting them) is not a cycle
    # between modules when the submodules do not import the package back
    assert _cycles(graph) == []


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.ImportFrom):
                names = [sub.module or ""]
            elif isinstance(sub, ast.Import):
                names = [alias.name for alias in sub.names]
            else:
                continue
            if not any(n == "zhichi" or n.startswith("zhichi.") for n in names):
                continue
            line = lines[sub.lineno - 1]
            above = lines[sub.lineno - 2].strip() if sub.lineno > 1 else ""
            if "#" not in line and not above.startswith("#"):
                found.append((sub.lineno, line.strip()))
    return found


def test_function_level_imports_say_why():
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts or path.name == "apps.py":
            continue
        for lineno, line in _function_level_imports(path):
            unexplained.append(f"{path.relative_to(ROOT)}:{lineno}: {line}")
    assert unexplained == []
