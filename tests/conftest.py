"""Shared fixtures: organisations, users per role (insider, colleague, outsider), API clients."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from zhichi.accounts.models import ApiToken, Department, Organisation, OrgKind, Role, User
from zhichi.accounts.services import TOKEN_PREFIX, issue_token, token_digest
from zhichi.core.identifiers import credit_check_char, id_check_char

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Test-passw0rd!"

# Every test runs on a clock that starts at this moment and then runs on (issue 14, item 9), so
# "today", the deadlines worked out from it and the dates the tests write are the same whenever
# and wherever the suite runs: no result changes as real time passes, and no run breaks at
# midnight. The clock is set before the test modules are collected (their module-level dates
# read it too) and set back to the start for each test. A test that needs another moment moves
# it (``fixed_clock.move_to``/``shift``); a test about the real clock is marked ``real_clock``.
TEST_START = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_suite_clock: list = []


def pytest_configure(config):
    traveller = time_machine.travel(TEST_START, tick=True)
    traveller.start()
    _suite_clock.append(traveller)


def pytest_unconfigure(config):
    while _suite_clock:
        _suite_clock.pop().stop()


@pytest.fixture(autouse=True)
def fixed_clock(request):
    if request.node.get_closest_marker("real_clock"):
        real_now = time_machine.escape_hatch.time.time()
        with time_machine.travel(real_now, tick=True):
            yield None
        return
    with time_machine.travel(TEST_START, tick=True) as traveller:
        yield traveller


def make_id(region: str = "530102", birth: str = "19850312", seq: str = "123") -> str:
    first17 = f"{region}{birth}{seq}"
    return first17 + id_check_char(first17)


def make_credit_code(body: str = "91530102MA6K2P3Q0") -> str:
    """A valid unified social credit code from 17 characters (rule ID-2)."""
    return body + credit_check_char(body)


@pytest.fixture
def orgs(db):
    return make_orgs()


def make_orgs() -> dict:
    proc = Organisation.objects.create(
        code="WHPROC",
        name="五华区人民检察院",
        short_name="五华检",
        kind=OrgKind.PROCURATORATE,
        province="53",
        district="530102",
    )
    other = Organisation.objects.create(
        code="PJPROC",
        name="盘龙区人民检察院",
        short_name="盘龙检",
        kind=OrgKind.PROCURATORATE,
        province="53",
        district="530103",
    )
    hrss = Organisation.objects.create(
        code="WHHRSS",
        name="五华区人力资源和社会保障局",
        kind=OrgKind.LABOUR_BUREAU,
        province="53",
        district="530102",
    )
    wf = Organisation.objects.create(
        code="WHWF",
        name="五华区妇女联合会",
        kind=OrgKind.WOMENS_FEDERATION,
        province="53",
        district="530102",
    )
    lac = Organisation.objects.create(
        code="WHLAC",
        name="五华区法律援助中心",
        kind=OrgKind.LEGAL_AID,
        province="53",
        district="530102",
    )
    court = Organisation.objects.create(
        code="WHCOURT",
        name="五华区人民法院",
        kind=OrgKind.COURT,
        province="53",
        district="530102",
    )
    depts = {
        "civil": Department.objects.create(organisation=proc, code="civil", name="民事检察部"),
        "criminal": Department.objects.create(
            organisation=proc, code="criminal", name="刑事检察部"
        ),
        "registry": Department.objects.create(
            organisation=proc, code="registry", name="案件管理部"
        ),
        "other_civil": Department.objects.create(
            organisation=other, code="civil", name="民事检察部"
        ),
    }
    return {
        "proc": proc,
        "other": other,
        "hrss": hrss,
        "wf": wf,
        "lac": lac,
        "court": court,
        **depts,
    }


def _user(username, org, role, dept=None):
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        organisation=org,
        department=dept,
        role=role,
        first_name=username,
        # a demo account: with ZHICHI_DEMO=1 (tests/settings.py) no second factor is asked
        is_demo=True,
    )
    return user


@pytest.fixture
def users(orgs):
    """insider (civil officer), colleague, head, criminal officer, chief, registrar, partners,
    the three administrators, and an outsider officer in another procuratorate."""
    return make_users(orgs)


def make_users(orgs: dict) -> dict:
    return {
        "civil1": _user("civil1", orgs["proc"], Role.OFFICER, orgs["civil"]),
        "civil2": _user("civil2", orgs["proc"], Role.OFFICER, orgs["civil"]),
        "civilhead": _user("civilhead", orgs["proc"], Role.HEAD, orgs["civil"]),
        "criminal1": _user("criminal1", orgs["proc"], Role.OFFICER, orgs["criminal"]),
        "chief": _user("chief", orgs["proc"], Role.CHIEF),
        "registrar1": _user("registrar1", orgs["proc"], Role.REGISTRAR, orgs["registry"]),
        "hrss1": _user("hrss1", orgs["hrss"], Role.PARTNER),
        "wf1": _user("wf1", orgs["wf"], Role.PARTNER),
        "lac1": _user("lac1", orgs["lac"], Role.PARTNER),
        "court1": _user("court1", orgs["court"], Role.PARTNER),
        "sysadmin": _user("sysadmin", orgs["proc"], Role.SYSADMIN),
        "secadmin": _user("secadmin", orgs["proc"], Role.SECADMIN),
        "auditor": _user("auditor", orgs["proc"], Role.AUDITOR),
        "outsider": _user("outsider", orgs["other"], Role.OFFICER, orgs["other_civil"]),
    }


def _token_for(user) -> str:
    if user.is_admin_role:
        # Issue 12 item 8: no token can be issued to an administrator. One stored directly (as if
        # made before that rule) is what such a user could hold, and the API refuses it with 401.
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        ApiToken.objects.create(
            user=user,
            name="made before issue 12",
            prefix=raw[:10],
            digest=token_digest(raw),
            expires_at=timezone.now() + timedelta(days=90),
        )
        return raw
    return issue_token(user=user, name="tests").raw


class ApiClient:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, user):
        self.user = user
        self.token = _token_for(user)
        self.client = Client()

    def _headers(self, extra):
        headers = {"Authorization": f"Bearer {self.token}"}
        headers.update(extra or {})
        return headers

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path, data=None, headers=None):
        return self.client.post(
            path,
            data if data is not None else {},
            content_type="application/json",
            headers=self._headers(headers),
        )


@pytest.fixture
def api(users):
    """api("civil1") → an ApiClient for that user (tokens are made once per user)."""
    cache: dict[str, ApiClient] = {}

    def make(username: str) -> ApiClient:
        if username not in cache:
            cache[username] = ApiClient(users[username])
        return cache[username]

    return make


@pytest.fixture
def web(users):
    """web("civil1") → a logged-in page client."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(users[username])
        return client

    return make


def lead_payload(**overrides) -> dict:
    today = timezone.localdate()
    payload = {
        "source": "walk_in",
        "received_on": (today - timedelta(days=2)).isoformat(),
        "category": "wages",
        "summary": "某建筑工地拖欠农民工工资四个月",
        "claimants": [
            {
                "name": "王建国",
                "id_number": make_id(seq="111"),
                "phone": "13800001111",
                "groups": ["migrant_worker"],
                "vulnerability_basis": ["economic_hardship"],
                "amount_claimed": "12000.00",
                "months_unpaid": 4,
            },
            {
                "name": "李秀英",
                "id_number": make_id(birth="19900101", seq="222"),
                "groups": ["migrant_worker", "woman"],
                "amount_claimed": "8000.50",
                "months_unpaid": 3,
            },
        ],
        "respondents": [
            {
                "kind": "organisation",
                "name": "云南某建筑劳务有限公司",
                "credit_code": make_credit_code(),
            }
        ],
        "voluntary": True,
        "consent_to_share": True,
        "labour_relationship": "employee",
        "has_iou": False,
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def payload():
    return lead_payload


# Property tests are about correctness, not speed: on a loaded 2-core CI machine the default
# 200 ms deadline makes them flaky.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("zhichi", deadline=None)
hypothesis_settings.load_profile("zhichi")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache holds rows read from the database (the password policy): each test starts
    without what an earlier one's database held."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_audit_journal():
    """Each test starts from an empty audit trail (rolled back, or flushed after a transactional
    test), so it starts with an empty checkpoint journal too: checkpoints of a trail that no longer
    exists would rightly read as a truncation (docs/audit.md). Cleared before and after, in case
    a live server's last request commits after the test's own teardown."""
    from zhichi.audit.anchor import journal_path

    journal_path().unlink(missing_ok=True)
    yield
    journal_path().unlink(missing_ok=True)


def reseed_law_library() -> None:
    """Put back what a flush removes of the law library's seeded configuration: the holidays,
    thresholds and wages (rulebook migration 0002) and the winter campaign (0003)."""
    import importlib

    from django.apps import apps

    from zhichi.rulebook.models import AverageWage, CriminalThreshold, HolidayYear, RuleSetting

    complete = (
        HolidayYear.objects.exists()
        and CriminalThreshold.objects.exists()
        and AverageWage.objects.filter(province="53").exists()
        and RuleSetting.objects.filter(key="assistance_months").exists()
    )
    if not complete:
        seed = importlib.import_module("zhichi.rulebook.migrations.0002_seed")
        seed.unseed(apps, None)
        seed.seed(apps, None)
    importlib.import_module("zhichi.rulebook.migrations.0003_campaign_windows").seed(apps, None)


@pytest.fixture(autouse=True)
def _restore_law_library_after_a_flush(request, django_db_blocker):
    """A transactional test ends by flushing every table, which also removes the law library's
    seeded configuration (holidays, thresholds, wages, the winter campaign). Put it back for the
    tests that follow."""
    yield
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if not transactional:
        return
    with django_db_blocker.unblock():
        reseed_law_library()
