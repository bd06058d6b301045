"""A working day on Zhichi, for locust (QUALITY.md R13): staff at their pages, partners on the API.

Two kinds of user, in fixed numbers (``LOAD_STAFF``, default 50, and ``LOAD_API``, default 20):

- ``StaffUser`` signs in through the login page as a browser does (the CSRF cookie and the form's
  hidden token), then works: the workbench, the lead list and a lead, the case list with its
  filters, a case, a search, the transfer boxes and a transfer, the statistics, the approvals
  inbox, an employer's profile, and now and then plans a return visit on a case whose page offers
  that form. What it opens next it has seen linked on a page before, as a person clicks.
- ``ApiClient`` carries a bearer token and reads the lists a partner system polls (cases, leads,
  transfers; following ``next_cursor``), a case and its timeline, searches, the statistics, an
  employer's profile, and now and then files a lead (``POST /api/v1/leads``, with an
  ``Idempotency-Key``).

Both think 1–5 s between steps. Any answer other than the one the step expects is a failure: an
error status, a page that turned into the login page (a lost session), a redirect where a page was
expected, a write the server refused. The fixture (``LOAD_FIXTURE``, a JSON file the runner
writes) gives the usernames, the password, the tokens and the search terms found in the data.

    LOAD_FIXTURE=fixture.json locust -f bench/loadtest/locustfile.py --headless -u 70 -r 10 \
        -t 10m --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from zhichi.core.identifiers import credit_check_char, id_check_char, org_check_char

FIXTURE = json.loads(Path(os.environ["LOAD_FIXTURE"]).read_text(encoding="utf-8"))
PASSWORD = FIXTURE["password"]
STAFF = FIXTURE["staff"]  # usernames, the 50 sessions share them round-robin
API_USERS = sorted(FIXTURE["tokens"])
PARTNERS = set(FIXTURE["partners"])
TERMS = FIXTURE["probe"]
ALLOWED_HOST = "127.0.0.1"

CSRF_FIELD = re.compile(
    r'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"'
)
LINK = re.compile(r'href="(/[^"#?]*)"')
VISIT_FORM = re.compile(r'<form method="post" action="(/cases/\d+/visits/)"')
PAGE_GROUPS = (  # (pattern of a harvested link, pool)
    (re.compile(r"^/cases/\d+/$"), "cases"),
    (re.compile(r"^/leads/\d+/$"), "leads"),
    (re.compile(r"^/transfers/\d+/$"), "transfers"),
    (re.compile(r"^/employers/[0-9A-Z]{18}/$"), "employers"),
)
STAGES = ("review", "pre_litigation", "litigation", "post_litigation", "closed")
CATEGORIES = ("wages", "work_injury", "support_payment", "domestic_violence", "other")
FLAGS = ("criminal_lead_candidate", "mass_dispute_risk", "arbitration_first")
LEAD_STATUSES = ("new", "accepted", "declined", "transferred")

_staff_seq = itertools.count()
_api_seq = itertools.count()


@events.test_start.add_listener
def _loopback_only(environment, **_kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != ALLOWED_HOST:
        raise SystemExit(f"the load test runs against http://{ALLOWED_HOST} only, not {host}")


def browser_retry(session) -> None:
    """Send a request again, once, when the connection breaks before any answer (as browsers do).

    A kept-alive connection the server closes (gunicorn closes one idle for ``--keep-alive``,
    2 s) while the next request is on its way is reset; a browser then sends the request again
    on a new connection, and so does this client, once, for a GET or a POST alike (the server
    never read the request it reset). urllib3 logs each retry ("Retrying (Retry(...") in
    locust.log; the runner counts them. A status code is never retried, nor a second break.
    """
    retry = Retry(
        total=1,
        connect=1,
        read=1,
        status=0,
        other=0,
        redirect=0,
        allowed_methods=frozenset({"GET", "POST"}),
        raise_on_status=False,
        raise_on_redirect=False,
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))


def problem(r) -> str:
    """What went wrong with a response, for the failures table."""
    if not r.status_code:
        return f"no answer: {r.error!r}"[:300]
    where = r.headers.get("Location", "")
    if where:
        return f"{r.status_code} to {where}"
    return f"{r.status_code} {r.text[:200]}"


def search_term(rng: random.Random) -> str:
    pools = [
        TERMS.get("name_pieces"),
        TERMS.get("names"),
        TERMS.get("employer_names"),
        TERMS.get("case_numbers"),
    ]
    pool = rng.choice([p for p in pools if p] or [["王"]])
    term = rng.choice(pool)
    if pool is TERMS.get("employer_names") and len(term) > 4:
        start = rng.randrange(0, len(term) - 3)
        term = term[start : start + 4]  # a piece of the name, as people type it
    return term


class StaffUser(HttpUser):
    """One signed-in member of staff at the pages (a browser session)."""

    fixed_count = int(os.environ.get("LOAD_STAFF", "50"))
    wait_time = between(1, 5)

    def on_start(self):
        n = next(_staff_seq)
        self.username = STAFF[n % len(STAFF)]
        self.rng = random.Random(1000 + n)
        self.partner = self.username in PARTNERS
        self.pools: dict[str, list[str]] = {name: [] for _p, name in PAGE_GROUPS}
        self.nav: set[str] = set()
        browser_retry(self.client)
        self.sign_in()

    # --- the browser's part -----------------------------------------------------------------
    def sign_in(self):
        with self.client.get("/login/", name="page: login form /login/", catch_response=True) as r:
            token = CSRF_FIELD.search(r.text or "")
            if r.status_code != 200 or not token or "csrftoken" not in self.client.cookies:
                r.failure(f"login page: {r.status_code}, no CSRF token")
                raise StopUser
        form = {
            "csrfmiddlewaretoken": token.group(1) or token.group(2),
            "username": self.username,
            "password": PASSWORD,
        }
        with self.client.post(
            "/login/",
            data=form,
            headers={"Referer": f"{self.host}/login/"},
            name="page: sign in POST /login/",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            landing = urlsplit(r.headers.get("Location", "")).path
            if r.status_code != 302 or not landing or landing.startswith(("/login/", "/account/")):
                r.failure(
                    f"sign-in as {self.username}: {problem(r)}; a second factor asked for? "
                    "the server must run with ZHICHI_DEMO=1"
                )
                raise StopUser
        html = self.page(landing, "page: workbench /")
        if html is None:
            raise StopUser
        self.nav = set(LINK.findall(html))

    def page(self, path: str, name: str) -> str | None:
        """GET a page; it must answer 200 itself (no redirect, never the login page)."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(problem(r))
                return None
            self.harvest(r.text)
            return r.text

    def harvest(self, html: str) -> None:
        for link in set(LINK.findall(html or "")):
            for pattern, pool in PAGE_GROUPS:
                if pattern.match(link):
                    known = self.pools[pool]
                    if link not in known:
                        known.append(link)
                        if len(known) > 200:
                            known.pop(0)

    def pick(self, pool: str) -> str | None:
        known = self.pools[pool]
        return self.rng.choice(known) if known else None

    def think(self):
        self.wait()  # the user reads the page before the next click (wait_time)

    # --- the working day --------------------------------------------------------------------
    @task(5)
    def workbench(self):
        self.page("/", "page: workbench /")

    @task(3)
    def lead_list(self):
        query = {}
        if self.rng.random() < 0.4:
            query["status"] = self.rng.choice(LEAD_STATUSES)
        if self.rng.random() < 0.2:
            query["category"] = self.rng.choice(CATEGORIES)
        suffix = f"?{urlencode(query)}" if query else ""
        self.page(f"/leads/{suffix}", "page: lead list /leads/?filters")

    @task(3)
    def lead(self):
        link = self.pick("leads")
        if link is None:
            self.lead_list()
        else:
            self.page(link, "page: lead /leads/<id>/")

    @task(6)
    def case_list(self):
        query: dict[str, str] = {}
        roll = self.rng.random()
        if roll < 0.25:
            query["mine"] = "on"
        elif roll < 0.5:
            query["stage"] = self.rng.choice(STAGES)
        elif roll < 0.65:
            query["category"] = self.rng.choice(CATEGORIES)
        elif roll < 0.75:
            query["level"] = str(self.rng.randint(1, 3))
        elif roll < 0.85 and not self.partner:
            query["flag"] = self.rng.choice(FLAGS)
        if self.rng.random() < 0.15:
            query["page"] = "2"
        suffix = f"?{urlencode(query)}" if query else ""
        self.page(f"/cases/{suffix}", "page: case list /cases/?filters")

    @task(8)
    def case(self):
        link = self.pick("cases")
        if link is None:
            self.case_list()
            return
        self.page(link, "page: case /cases/<id>/")

    @task(4)
    def search(self):
        term = search_term(self.rng)
        self.page(f"/cases/?{urlencode({'q': term})}", "page: search /cases/?q=")

    @task(1)
    def employer_search(self):
        names = TERMS.get("employer_names") or ["公司"]
        name = self.rng.choice(names)
        self.page(f"/employers/?{urlencode({'q': name[:4]})}", "page: employer search")

    @task(1)
    def employer(self):
        link = self.pick("employers")
        if link is not None:
            self.page(link, "page: employer /employers/<code>/")

    @task(2)
    def transfers(self):
        box = "inbox" if self.rng.random() < 0.7 else "outbox"
        self.page(f"/transfers/{box}/", "page: transfers /transfers/inbox|outbox/")
        link = self.pick("transfers")
        if link is not None:
            self.think()
            self.page(link, "page: transfer /transfers/<id>/")

    @task(2)
    def stats(self):
        self.page("/stats/", "page: stats /stats/")
        if "/stats/warnings/" in self.nav and self.rng.random() < 0.3:
            self.think()
            self.page("/stats/warnings/", "page: early warnings /stats/warnings/")

    @task(1)
    def notifications(self):
        self.page("/notifications/", "page: notifications")

    @task(1)
    def approvals(self):
        if "/cases/approvals/" in self.nav:
            self.page("/cases/approvals/", "page: approvals /cases/approvals/")

    @task(1)
    def plan_visit(self):
        """Plan a return visit on a case whose page offers the form (the only write here)."""
        link = self.pick("cases")
        if link is None:
            return
        html = self.page(link, "page: case /cases/<id>/")
        form = VISIT_FORM.search(html or "")
        if form is None:
            return  # not this user's to plan (a partner, a closed case): a person moves on
        start = html.find(form.group(0))
        token = CSRF_FIELD.search(html, start)
        if token is None:
            return
        self.think()
        data = {
            "csrfmiddlewaretoken": token.group(1) or token.group(2),
            "planned_on": (date.today() + timedelta(days=self.rng.randint(3, 30))).isoformat(),
            "target": self.rng.choice(["claimant", "employer"]),
            "method": self.rng.choice(["phone", "visit", "video"]),
        }
        with self.client.post(
            form.group(1),
            data=data,
            headers={"Referer": f"{self.host}{link}"},
            name="page: plan a visit POST /cases/<id>/visits/",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302 or urlsplit(r.headers.get("Location", "")).path != link:
                r.failure(problem(r))


def _valid_id_number(rng: random.Random) -> str:
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 38))
    first17 = f"530102{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + id_check_char(first17)


def _valid_credit_code(rng: random.Random) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(rng.choice(chars) for _ in range(8))
    first17 = f"91530102{body}{org_check_char(body)}"
    return first17 + credit_check_char(first17)


class ApiClient(HttpUser):
    """A partner system or an officer's tool on the API, with a bearer token."""

    fixed_count = int(os.environ.get("LOAD_API", "20"))
    wait_time = between(1, 5)

    def on_start(self):
        n = next(_api_seq)
        self.username = API_USERS[n % len(API_USERS)]
        self.partner = self.username in PARTNERS
        self.rng = random.Random(5000 + n)
        browser_retry(self.client)  # the POST carries an Idempotency-Key: a retry is safe
        self.client.headers["Authorization"] = f"Bearer {FIXTURE['tokens'][self.username]}"
        self.client.headers["Accept-Language"] = "zh-hans"
        self.case_ids: list[int] = []
        self.lead_ids: list[int] = []
        self.employers: list[str] = []

    def get(self, path: str, name: str, params: dict | None = None) -> dict | list | None:
        with self.client.get(
            path, params=params, name=name, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 200:
                r.failure(problem(r))
                return None
            try:
                return r.json()
            except ValueError:
                r.failure("not JSON")
                return None

    def walk(self, path: str, name: str, params: dict, pages: int) -> list[dict]:
        """A list read page after page through ``next_cursor``."""
        items: list[dict] = []
        cursor = None
        for _ in range(pages):
            query = dict(params, cursor=cursor) if cursor else params
            body = self.get(path, name, query)
            if not isinstance(body, dict):
                break
            items += body.get("items", [])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        return items

    @staticmethod
    def _remember(known: list, values) -> None:
        for value in values:
            if value not in known:
                known.append(value)
        del known[:-300]

    @task(5)
    def case_list(self):
        params: dict[str, str | int] = {"limit": self.rng.choice([20, 50, 100])}
        roll = self.rng.random()
        if roll < 0.3:
            params["stage"] = self.rng.choice(STAGES)
        elif roll < 0.45:
            params["category"] = self.rng.choice(CATEGORIES)
        elif roll < 0.55:
            params["status"] = self.rng.choice(["open", "closed"])
        items = self.walk("/api/v1/cases", "api: GET /cases?filters&cursor", params, 3)
        self._remember(self.case_ids, [item["id"] for item in items])

    @task(6)
    def case(self):
        if not self.case_ids:
            self.case_list()
            return
        case_id = self.rng.choice(self.case_ids)
        body = self.get(f"/api/v1/cases/{case_id}", "api: GET /cases/{id}")
        if isinstance(body, dict):
            codes = [r.get("credit_code") for r in body.get("respondents", [])]
            self._remember(self.employers, [c for c in codes if c])
        if self.rng.random() < 0.3:
            self.get(f"/api/v1/cases/{case_id}/timeline", "api: GET /cases/{id}/timeline")

    @task(3)
    def search(self):
        params = {"q": search_term(self.rng), "limit": 50}
        items = self.walk("/api/v1/cases", "api: GET /cases?q=", params, 1)
        self._remember(self.case_ids, [item["id"] for item in items])

    @task(3)
    def lead_list(self):
        params = {"limit": self.rng.choice([20, 50])}
        items = self.walk("/api/v1/leads", "api: GET /leads?cursor", params, 2)
        self._remember(self.lead_ids, [item["id"] for item in items])

    @task(2)
    def lead(self):
        if self.lead_ids:
            lead_id = self.rng.choice(self.lead_ids)
            self.get(f"/api/v1/leads/{lead_id}", "api: GET /leads/{id}")

    @task(2)
    def transfers(self):
        box = self.rng.choice(["inbox", "outbox"])
        self.walk("/api/v1/transfers", "api: GET /transfers?box=", {"box": box, "limit": 50}, 2)

    @task(1)
    def stats(self):
        self.get("/api/v1/stats/summary", "api: GET /stats/summary")

    @task(1)
    def employer(self):
        if self.employers:
            code = self.rng.choice(self.employers)
            self.get(f"/api/v1/employers/{code}", "api: GET /employers/{code}")

    @task(1)
    def me(self):
        self.get("/api/v1/me", "api: GET /me")

    @task(1)
    def file_lead(self):
        """A new lead as a partner agency or an officer files it (201 with its receipt code)."""
        rng = self.rng
        surname = rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
        name = surname + rng.choice(["建国", "海燕", "志强", "桂英", "文华", "小红", "永福"])
        employer = rng.choice(["鑫盛", "宏达", "恒通", "金穗", "昌隆"]) + "建筑劳务有限公司"
        amount = rng.randrange(3000, 60000)
        months = rng.randint(1, 8)
        body = {
            "source": "agency" if self.partner else rng.choice(["walk_in", "hotline"]),
            "received_on": (date.today() - timedelta(days=1)).isoformat(),
            "category": "wages",
            "summary": f"{name}在{employer}务工，被拖欠工资{months}个月，共计{amount}元，多次讨要未果。",
            "claimants": [
                {
                    "name": name,
                    "id_number": _valid_id_number(rng),
                    "phone": f"13{rng.randrange(0, 10**9):09d}",
                    "groups": ["migrant_worker"],
                    "amount_claimed": f"{amount}.00",
                    "months_unpaid": months,
                }
            ],
            "respondents": [
                {"kind": "organisation", "name": employer, "credit_code": _valid_credit_code(rng)}
            ],
            "voluntary": True,
            "consent_to_share": True,
            "labour_relationship": "employee",
        }
        with self.client.post(
            "/api/v1/leads",
            json=body,
            headers={"Idempotency-Key": str(uuid.UUID(int=rng.getrandbits(128)))},
            name="api: POST /leads",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 201:
                r.failure(problem(r))
                return
            self._remember(self.lead_ids, [r.json()["id"]])


# --- the public portal (issue 18; R13: the portal answers 429 past its rate limit) ---------------
PORTAL_STEPS = (
    ("what", {"category": "wages", "summary": "在工地干了三个月，老板一直不发工资。"}),
    (
        "who",
        {
            "kind": "organisation",
            "name": "昆明某建筑劳务有限公司",
            "labour_relationship": "contractor_crew",
            "has_iou": "no",
        },
    ),
    ("money", {"amount": "9600", "since": ""}),
)
PORTAL_REFUSED = "portal: refused with 429 (rate limit)"


class PortalVisitor(HttpUser):
    """Someone applying through the public portal from a phone, without an account: the privacy
    notice agreed to, the six steps, the receipt, then a status lookup. Every load test client comes from 127.0.0.1, so
    together they pass the portal's per-address limits within minutes: from then on a POST must
    be refused with 429, ``Retry-After`` and the portal's own page naming the hotline; anything
    else is a failure. Each refusal is counted in its own row (``PORTAL_REFUSED``)."""

    fixed_count = int(os.environ.get("LOAD_PORTAL", "5"))
    wait_time = between(2, 6)

    def on_start(self):
        self.rng = random.Random(5000 + next(_api_seq))
        browser_retry(self.client)

    def think(self):
        self.wait()  # reading the question, typing the answer on a phone

    def _form(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            token = CSRF_FIELD.search(r.text or "")
            if r.status_code != 200 or not token:
                r.failure(problem(r))
                return None
            return token.group(1) or token.group(2)

    def _post(self, path: str, data: dict, name: str, token: str) -> str | None:
        """POST a portal form: the redirect's target, "" when refused with 429, None on failure."""
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": f"{self.host}{path}"},
            name=name,
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code == 302:
                return urlsplit(r.headers.get("Location", "")).path
            if r.status_code == 429:
                if not r.headers.get("Retry-After") or "12309" not in (r.text or ""):
                    r.failure(f"429 without Retry-After or without the portal's page: {problem(r)}")
                    return None
                r.success()
                self.environment.events.request.fire(
                    request_type="POST",
                    name=PORTAL_REFUSED,
                    response_time=r.elapsed.total_seconds() * 1000,
                    response_length=len(r.content or b""),
                    exception=None,
                    context={},
                )
                return ""
            r.failure(problem(r))
            return None

    @task
    def apply(self):
        self.client.cookies.clear()  # a new person on a new phone
        if self._form("/portal/", "portal: GET /portal/") is None:
            return
        phone = f"139{self.rng.randrange(0, 10**8):08d}"
        answers = dict(PORTAL_STEPS)
        answers["you"] = {
            "filed_by": "self",
            "name": "杨" + self.rng.choice(["小平", "春燕", "建华", "德福"]),
            "phone": phone,
            "office": "WHPROC",  # the demo data's procuratorate
        }
        # the privacy notice is agreed to before anything typed is kept
        token = self._form("/portal/apply/start/", "portal: GET /portal/apply/start/")
        if token is None or not self._post(
            "/portal/apply/start/",
            {"consent_sensitive": "on"},
            "portal: POST /portal/apply/start/",
            token,
        ):
            return
        for step in ("what", "who", "money", "you"):
            self.think()
            path = f"/portal/apply/{step}/"
            token = self._form(path, "portal: GET /portal/apply/{step}/")
            if token is None:
                return
            if not self._post(path, answers[step], "portal: POST /portal/apply/{step}/", token):
                return  # refused (429) or failed: this person gives up
        token = self._form("/portal/apply/evidence/", "portal: GET /portal/apply/{step}/")
        if token is None or not self._post(
            "/portal/apply/evidence/",
            {"action": "next"},
            "portal: POST /portal/apply/{step}/",
            token,
        ):
            return
        self.think()
        token = self._form("/portal/apply/consent/", "portal: GET /portal/apply/{step}/")
        consent = {"consent_sensitive": "on", "consent_voluntary": "on"}
        if token is None:
            return
        receipt = self._post("/portal/apply/consent/", consent, "portal: POST send", token)
        if not receipt:
            return
        code = receipt.rstrip("/").rsplit("/", 1)[-1]
        with self.client.get(
            receipt, name="portal: GET /portal/receipt/{code}/", catch_response=True
        ) as r:
            if r.status_code != 200 or f"{code[:5]}-{code[5:]}" not in (r.text or ""):
                r.failure(problem(r))
                return
        self.think()
        token = self._form("/portal/status/", "portal: GET /portal/status/")
        if token is not None:
            self._post(
                "/portal/status/",
                {"code": code, "last4": phone[-4:]},
                "portal: POST /portal/status/",
                token,
            )
