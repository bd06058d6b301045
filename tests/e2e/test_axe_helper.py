"""The accessibility helper (tests/e2e/axe.py) finds what axe-core finds, under our CSP, and
fails with a readable list: it passes the sign-in page and fails a page made inaccessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.axe import assert_accessible, version, violations

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
# no lang on <html>, an image without alt text, a button without a name; no main landmark and no
# level-one heading (moderate)
INACCESSIBLE = (
    "<!doctype html><html><head><title>Inaccessible</title></head><body>"
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    "<button></button>"
    "</body></html>"
)


def ids(found: list[dict]) -> list[str]:
    return sorted(v["id"] for v in found)


def test_the_sign_in_page_passes_and_the_csp_stays_on(page, browser_errors):
    page.goto("/login/")
    assert violations(page, impacts=ALL_IMPACTS) == []
    assert_accessible(page, "the sign-in page")
    # loading axe did not switch the policy off: an inline script is still refused
    browser_errors.allow(r"Executing inline script violates the following Content Security")
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        page.add_script_tag(content="window.inlineRan = true")
    assert page.evaluate("() => window.inlineRan === undefined") is True


def test_a_page_made_inaccessible_fails_with_a_readable_list(page):
    page.set_content(INACCESSIBLE)
    found = violations(page)
    assert ids(found) == ["button-name", "html-has-lang", "image-alt"]
    image = next(v for v in found if v["id"] == "image-alt")
    assert (image["impact"], image["help"], image["targets"]) == (
        "critical",
        "Images must have alternative text",
        ["img"],
    )
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page, "the page made inaccessible")
    message = str(failed.value)
    assert message.startswith(
        "the page made inaccessible: 3 accessibility violation(s) of impact serious or critical "
        f"(axe-core {version()}, "
    )
    assert "- [critical] image-alt: Images must have alternative text (https://" in message
    assert "    at img\n      Fix any of the following:\n" in message
    assert "- [serious] html-has-lang: <html> element must have a lang attribute" in message


def test_the_impacts_choose_which_violations_count(page):
    page.set_content(INACCESSIBLE)
    assert ids(violations(page, impacts=("moderate",))) == [
        "landmark-one-main",
        "page-has-heading-one",
        "region",
    ]
    assert ids(violations(page, impacts=("critical",))) == ["button-name", "image-alt"]


def test_axe_is_loaded_again_after_a_navigation(page):
    page.set_content(INACCESSIBLE)
    assert ids(violations(page)) == ["button-name", "html-has-lang", "image-alt"]
    page.goto("/login/")
    assert page.evaluate("() => typeof window.axe") == "undefined"
    assert violations(page) == []
