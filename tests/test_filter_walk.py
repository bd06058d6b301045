"""Issue 13, item 3: no filter or search on any list answers 500.

Every page without a parameter in the URLconf is opened by users of each kind on the seeded
demo world; every GET form on it (a list's filter bar, the top bar's case search) is walked:
each field alone with each of its choices or sample values, then, every choice field together with
the others, and the search box with each choice. A value the form refuses is a 400 or a 422 at
its field; any answer of 500 fails, on SQLite and on PostgreSQL alike (the flag filter answered
500 on SQLite: "contains lookup is not supported on this database backend").
"""

from __future__ import annotations

import itertools
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.conftest import make_id
from tests.fuzzing import demo_world
from tests.test_get_side_effects import routes
from zhichi.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

demo = demo_world()

USERS = ["civil1", "chief", "criminal1", "hrss1", "secadmin", "auditor"]
# what people type into a search box: names, case numbers in every bracket form, identifiers,
# too long, wildcards and quotes
TEXT_SAMPLES = [
    "王",
    "王建国",
    "〔2026〕1号",
    "五华检民支[2026]1号",
    "五华检民支(2026)1",
    "五华检民支【2026】1号",
    make_id(seq="111"),
    "13800001111",
    "civil1",
    "%",
    "_",
    "'; --",
    "x" * 400,
]
DATE_SAMPLES = ["2026-01-01", "2026-13-45", "yesterday"]


class GetForms(HTMLParser):
    """The GET forms of a page: their action and fields, each with its kind and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "get":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._form is not None and self._select:
                self._form["fields"][self._select]["values"].append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "select":
            self._select = name
            self._form["fields"][name] = {"kind": "choice", "values": []}
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "hidden"):
                return
            if kind == "checkbox":
                self._form["fields"][name] = {"kind": "choice", "values": [a.get("value", "on")]}
            elif kind == "date":
                self._form["fields"][name] = {"kind": "text", "values": DATE_SAMPLES}
            else:
                self._form["fields"][name] = {"kind": "text", "values": TEXT_SAMPLES}

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form":
            self._form = None


def queries(fields: dict) -> list[dict]:
    """Each field alone with each value; all the choices together (their first real value, then
    their last); each choice with the search text; at most 150 a form."""
    out: list[dict] = []
    for name, field in fields.items():
        out += [{name: v} for v in field["values"] if v != ""]
    choices = {n: [v for v in f["values"] if v] for n, f in fields.items() if f["kind"] == "choice"}
    choices = {n: vs for n, vs in choices.items() if vs}
    if choices:
        out.append({n: vs[0] for n, vs in choices.items()})
        out.append({n: vs[-1] for n, vs in choices.items()})
        for (a, va), (b, vb) in itertools.combinations(choices.items(), 2):
            out += [{a: x, b: y} for x in va[:4] for y in vb[:4]]
    texts = [n for n, f in fields.items() if f["kind"] == "text"]
    for text, (name, values) in itertools.product(texts, choices.items()):
        out += [{text: sample, name: v} for v in values for sample in ("王", make_id(seq="111"))]
    return out[:150]


def list_pages() -> list[str]:
    return sorted({"/" + route for route, _name in routes() if "<" not in route})


def test_issue13_item3_no_filter_on_any_list_answers_500(demo):
    walked: dict[str, int] = {}
    failures: dict[str, int] = {}
    seen: set[tuple] = set()
    for username in USERS:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for path in list_pages():
            if path.startswith("/api/") or path.endswith((".json", ".js", ".txt")):
                continue
            page = client.get(path)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            parser = GetForms()
            parser.feed(page.content.decode())
            for form in parser.forms:
                action = form["action"] or path
                key = (username, action, tuple(sorted(form["fields"])))
                if key in seen:
                    continue  # the top bar's search, on every page: walked once per user
                seen.add(key)
                for query in queries(form["fields"]):
                    url = f"{action}?{urlencode(query)}"
                    status = client.get(url).status_code
                    walked[action] = walked.get(action, 0) + 1
                    if status >= 500 or status not in (200, 400, 422):
                        failures[f"{username} {url}"] = status

    assert failures == {}
    # the walk reached the lists with filters, not only the search box
    assert {"/cases/", "/leads/"} <= set(walked), walked
    assert sum(walked.values()) >= 1000, walked
