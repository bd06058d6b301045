"""The access-matrix machinery (rule R2), shared by tests/test_access_matrix.py and each feature's
own ``test_access*.py``: an endpoint row, the fixture users, and one way to call a row.

A feature module lists its routes in ``ENDPOINTS`` (rows) and may name routes it tests another way
in ``ALSO_COVERED``; the coverage check in tests/test_access_matrix.py collects both from every
``tests/**/test_access*.py``, so a new URL cannot ship without its access row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

USERS = [
    "civil1",  # the insider: WHPROC/civil officer of the case
    "civil2",  # a colleague in the same department
    "civilhead",
    "criminal1",  # another department
    "chief",
    "registrar1",
    "hrss1",  # a partner agency
    "wf1",  # another partner
    "sysadmin",
    "secadmin",
    "auditor",
    "outsider",  # another procuratorate
]
# The three administrators hold no API token (issue 12 item 8): the API answers them 401.
ADMINS = frozenset({"sysadmin", "secadmin", "auditor"})


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name, for the coverage check
    kind: str  # "page" or "api"
    method: str
    path: str  # formatted with the world's ids
    ok: int
    visible: frozenset | None = None  # None: everyone reaches it
    allowed: frozenset | None = None  # None: everyone who sees it may do it
    data: dict = field(default_factory=dict)
    label: str = ""
    multipart: bool = False  # an API POST sent as multipart/form-data (uploads)

    def expected(self, user: str) -> int:
        if self.kind == "api" and user in ADMINS:
            return 401
        if self.visible is not None and user not in self.visible:
            return 404
        if self.allowed is not None and user not in self.allowed:
            return 403
        return self.ok

    def __str__(self) -> str:
        return self.label or self.name


def fill(data, values: dict):
    """Data may name the world's ids as "{claimant}"; the value keeps its type (an int)."""
    if isinstance(data, dict):
        return {k: fill(v, values) for k, v in data.items()}
    if (
        isinstance(data, str)
        and data.startswith("{")
        and data.endswith("}")
        and data[1:-1] in values
    ):
        return values[data[1:-1]]
    return data


def call_endpoint(endpoint: Endpoint, user: str, world: dict, web, api, ids: dict | None = None):
    path = endpoint.path.format(**(ids or world))
    data = fill(endpoint.data, world)
    if endpoint.kind == "page":
        client = web(user)
        return getattr(client, endpoint.method)(path, data)
    client = api(user)
    if endpoint.method == "get":
        return client.get(path, data)
    if endpoint.method == "delete":
        return client.client.delete(path, headers=client._headers(None))
    if endpoint.multipart:
        return client.client.post(path, data, headers=client._headers(None))
    return client.post(path, data)


def module_world(build):
    """A module-scoped fixture: the fixture users and ``build(users) -> dict`` are made once per
    module (per test worker) and committed; each test then runs in its own transaction on top,
    rolled back as usual, so a test still cannot change what the next one sees. Everything is
    removed when the module ends (the law library's seed is put back).

    Use it where the world is costly and the matrix is large; it gives the module fixture and
    the two fixtures a test asks for (``users``, and ``world``: what ``build`` made)::

        _world, users, world = module_world(build)
    """

    import pytest
    from django.core.management import call_command

    from tests.conftest import make_orgs, make_users, reseed_law_library

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            try:
                users = make_users(make_orgs())
                data = build(users)
                yield {"users": users, "data": data}
            finally:
                call_command("flush", interactive=False, verbosity=0)
                reseed_law_library()

    # pytest names a fixture after the module attribute that holds it: ``_world``, ``users``,
    # ``world`` in the module that unpacks these
    @pytest.fixture
    def users(_world, db):
        return _world["users"]

    @pytest.fixture
    def world(_world, db):
        return _world["data"]

    return fixture, users, world


def hidden_cells(endpoints: list[Endpoint]) -> list:
    """(endpoint, user) of every API row that must answer 404 (rule R2: a hidden object answers
    exactly like a missing one), as pytest params."""
    import pytest

    return [
        pytest.param(e, u, id=f"{e}-{u}")
        for e in endpoints
        if e.kind == "api" and e.visible is not None
        for u in USERS
        if e.expected(u) == 404
    ]


def anonymous_response(endpoint: Endpoint, world: dict):
    """The row called without signing in (a page: the redirect to login; the API: 401)."""
    from django.test import Client

    path = endpoint.path.format(**world)
    client = Client()
    if endpoint.kind == "page":
        return getattr(client, endpoint.method)(path, endpoint.data)
    if endpoint.method == "get":
        return client.get(path)
    return client.post(path, {}, content_type="application/json")


# --- who may act is decided before the body is judged (issue 12, item 10) ---------------------
def _json_body_routes() -> set[tuple[str, str]]:
    """(method, path with anonymous placeholders) of every API operation that takes JSON."""
    import re

    from zhichi.api import api

    routes = set()
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                routes.add((method, re.sub(r"\{[^}]+\}", "{}", path)))
    return routes


def bad_body_cells(endpoints: list[Endpoint]) -> list:
    """(endpoint, user) of every API row that takes a JSON body, for every user with a token,
    as pytest params: a body of the wrong types must get the row's 404 or 403 first, and 422
    only for a user allowed to act."""
    import re

    import pytest

    routes = _json_body_routes()
    return [
        pytest.param(e, u, id=f"{e}-{u}")
        for e in endpoints
        if e.kind == "api"
        and not e.multipart
        and (e.method, re.sub(r"\{[^}]+\}", "{}", e.path)) in routes
        for u in USERS
        if u not in ADMINS
    ]


def bad_body_expected(endpoint: Endpoint, user: str) -> int:
    status = endpoint.expected(user)
    return status if status in (401, 403, 404) else 422


def call_with_bad_body(endpoint: Endpoint, user: str, world: dict, api):
    """The row's request with every field it sends given as an object and a version that is not
    a number; a row that sends no fields gets a list for a body. No route accepts either."""
    if endpoint.data:
        body = {key: {"not": "valid"} for key in endpoint.data}
        body["version"] = "not a number"
    else:
        body = [{"not": "valid"}]
    return api(user).post(endpoint.path.format(**world), body)
