"""The API's answers are declared, not built by hand (issue 14, item 8): every JSON answer of a
success is an output schema of the OpenAPI document (or a list of one), resolved by ninja from the
records, and no ``*_out`` function of an API module or a presenter assembles a body as a dict
beside them. (The law library's calculators answer a computation, not a record: the page and the
API show the one dict ``zhichi.rulebook.calculators`` computes, through ``rulebook.api``'s schemas.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ZHICHI = Path(__file__).resolve().parent.parent / "zhichi"


@pytest.fixture(scope="module")
def doc() -> dict:
    from zhichi.api import api

    return api.get_openapi_schema()


def untyped_answers(doc: dict) -> list[str]:
    """The success answers whose JSON body is not a named schema or a list of one."""
    found = []
    for route, methods in doc["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                body = answer.get("content", {}).get("application/json", {}).get("schema")
                if body is None:  # a file, or no body
                    continue
                item = body.get("items", {}) if body.get("type") == "array" else body
                if "$ref" not in item:
                    found.append(f"{method.upper()} {route} {status}")
    return found


def dict_builders(source: str) -> list[str]:
    """The functions named ``*_out`` (the old hand-built answers) in ``source``."""
    return [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.endswith("_out")
    ]


def test_every_success_answer_is_an_output_schema(doc):
    assert untyped_answers(doc) == []


def test_no_answer_is_assembled_by_a_function_beside_the_schemas():
    found = {
        str(path.relative_to(ZHICHI)): names
        for path in sorted(ZHICHI.rglob("*.py"))
        if (path.name.startswith("api") or path.name == "presenters.py")
        and (names := dict_builders(path.read_text()))
    }
    assert found == {}


def test_the_walks_catch_what_they_look_for():
    doc = {
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"type": "object"}}}},
                        "201": {
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/c/X"}}
                                }
                            }
                        },
                        "404": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    }
                }
            }
        }
    }
    assert untyped_answers(doc) == ["GET /x 200"]
    assert dict_builders("def case_out(c):\n    return {}\ndef shown(c):\n    pass\n") == [
        "case_out"
    ]
