"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Every test in tests/e2e is marked ``e2e``. A missing browser is a failure, never a silent
skip, unless ZHICHI_SKIP_E2E=1 says so explicitly. Console errors (which include CSP
violations, failed resource loads and uncaught exceptions) fail the test that caused them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe (the fixtures create data from this thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path("test-artifacts")
VIEWPORT = {"width": 1366, "height": 768}

_E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --- outcome of each phase, for the screenshot on failure ---------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    errors = item.stash.get(_ERRORS_KEY, None)
    if report.when == "call" and report.failed and errors is not None and errors.seen:
        # a failed wait is easier to read next to what the browser complained about
        report.sections.append(("Captured browser errors", "\n".join(errors.seen)))
    return report


# --- console errors fail the test (in its call phase, so it is a failure, not an error) -----

_ERRORS_KEY = pytest.StashKey["BrowserErrors"]()


class BrowserErrors:
    """Console errors, CSP violations and uncaught page exceptions seen during a test."""

    # The browser asks for /favicon.ico by itself; the pages declare no icon, so that request
    # 404s. It is the browser's own request, not the page's, so it is not a page error.
    ALWAYS_ALLOWED = (r"status of 404 .*\(https?://[^/]+/favicon\.ico:\d+\)$",)

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._allowed: list[re.Pattern[str]] = [re.compile(p) for p in self.ALWAYS_ALLOWED]

    def allow(self, pattern: str) -> None:
        """Tolerate messages matching ``pattern`` (a regex), e.g. an expected HTTP 422."""
        self._allowed.append(re.compile(pattern))

    def add(self, text: str) -> None:
        self.seen.append(text)

    def unexpected(self) -> list[str]:
        return [t for t in self.seen if not any(p.search(t) for p in self._allowed)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # an exception from the test itself propagates unchanged
    errors = item.stash.get(_ERRORS_KEY, None)
    if errors is not None:
        bad = errors.unexpected()
        if bad:
            pytest.fail(
                "The browser reported errors (console / CSP / page exceptions):\n  "
                + "\n  ".join(bad),
                pytrace=False,
            )
    return result


# --- browser, context, page -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"Chromium is not installed at {CHROMIUM}: the browser tests cannot run. "
            "Install Debian's chromium package, or set ZHICHI_SKIP_E2E=1 to skip them explicitly."
        )
        if os.environ.get("ZHICHI_SKIP_E2E") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def e2e_users(transactional_db, users):
    """The users of tests/conftest.py, in a database the live server's thread can see."""
    return users


@pytest.fixture
def browser_errors(request) -> BrowserErrors:
    errors = BrowserErrors()
    request.node.stash[_ERRORS_KEY] = errors
    return errors


def _describe_console(msg) -> str:
    loc = msg.location or {}
    where = loc.get("url") or ""
    if where and loc.get("lineNumber") is not None:
        where = f"{where}:{loc.get('lineNumber')}"
    return f"console.{msg.type}: {msg.text}" + (f" ({where})" if where else "")


@pytest.fixture
def page(request, browser, live_server, e2e_users, browser_errors) -> Iterator:
    context = browser.new_context(
        locale="zh-CN", viewport=VIEWPORT, base_url=live_server.url, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: browser_errors.add(_describe_console(msg)) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: browser_errors.add(f"uncaught exception: {exc}"))
    try:
        yield page
    finally:
        failed = any(
            getattr(request.node, f"rep_{when}", None) is not None
            and getattr(request.node, f"rep_{when}").failed
            for when in ("setup", "call")
        )
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the real failure
                print(f"could not save a screenshot: {exc}")
        context.close()


@pytest.fixture
def law_library(e2e_users):
    """The seeded law library (migration rulebook 0002): holidays, thresholds, average wages and
    settings the rules read. A browser test runs in a flushed database once an earlier
    transactional test has run, so put the seed back when any of it is gone."""
    from tests.conftest import reseed_law_library

    reseed_law_library()
    return e2e_users


def log_in(page, username: str) -> None:
    """Sign in through the login page and land on the workbench."""
    import re

    from tests.conftest import PASSWORD

    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form:has(#id_password) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
