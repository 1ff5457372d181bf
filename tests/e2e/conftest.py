"""Browser tests: Debian's Chromium driven by Playwright, against the site
served by pytest-django's live server, which talks to the reference diary over
real HTTP."""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the background-networking flags Chromium keeps trying to reach
# Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Debian's Chromium is missing at {CHROMIUM}; `make test` installs it as root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # in CI a missing browser is a failure, never a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test's thread, which
    # makes Django refuse database access there (the test server's set-up and
    # tear-down); the tests themselves are synchronous. Only while a browser
    # is open, so every other test keeps Django's guard.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


#: The browser contexts the tests use: a desktop, a phone, and a desktop with
#: JavaScript switched off (every page must work without it).
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "en-GB"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "en-GB",
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
NO_JS = {**DESKTOP, "java_script_enabled": False}
#: Chromium's console lines when it refuses something: the Content Security
#: Policy's, and a style sheet or script whose bytes do not match its integrity="…".
BLOCKED = re.compile(r"Content Security Policy|valid digest in the 'integrity' attribute")


@pytest.fixture
def new_page(browser):
    """A page in a fresh context with `browser.new_context(**options)`; closed after the test."""
    contexts = []
    refused = []  # what the Content Security Policy or a wrong integrity blocked, on any page

    def open_page(**options):
        context = browser.new_context(accept_downloads=True, **options)
        context.set_default_timeout(10_000)  # fail in seconds, not half a minute
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: refused.append(message.text) if BLOCKED.search(message.text) else None,
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert refused == [], "the CSP or Subresource Integrity blocked something a page needs"


@pytest.fixture
def page(new_page):
    return new_page(**DESKTOP)


@pytest.fixture
def phone_page(new_page):
    return new_page(**PHONE)


@pytest.fixture
def nojs_page(new_page):
    return new_page(**NO_JS)


@pytest.fixture
def site(live_server, settings):
    """The site on the seeded reference diary, reached over real HTTP."""
    settings.PHYSIODIARY_API_URL = live_server.url + reverse("sandbox:api-request")
    call_command("seed_demo_diary", stdout=io.StringIO())
    return live_server


@pytest.fixture
def screenshot(request):
    """`screenshot(name)` saves the `page` fixture's page, `screenshot(name, other)` another."""

    def take(name: str, target=None) -> Path:
        target = target if target is not None else request.getfixturevalue("page")
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe():
    """`axe(page)` runs axe-core (carried offline by axe-playwright-python) on the page
    as it is now, and fails the test with axe's report if anything is violated."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(page, where: str = "") -> None:
        results = checker.run(page)
        assert results.violations_count == 0, (
            f"axe-core found {results.violations_count} violation(s) on {where or page.url}:\n"
            f"{results.generate_report()}"
        )

    return check
