from pathlib import Path

import pytest
import responses
from django.core.cache import cache

from booking_site import health
from bookings import activity, configuration, refresh
from bookings.client import reset_client

from .leak_guard import guard
from .support import LIVE_KEY, LIVE_URL


@pytest.fixture(scope="session", autouse=True)
def _api_key_never_leaves():
    """Watch every response and log record of the run for an API key (tests/leak_guard.py)."""
    guard.install()
    yield
    guard.uninstall()


#: The tiers (registered in pyproject.toml, described in README.md's "Tests")
#: that every test in a folder belongs to. Elsewhere a tier is marked where
#: the test is, except for the two rules in `pytest_collection_modifyitems`.
FOLDER_TIERS = {"deploy": "deploy", "e2e": "e2e"}
TESTS = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before `-m` chooses by them
def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            folder = item.path.relative_to(TESTS).parts[0]
        except ValueError:
            folder = ""
        if folder in FOLDER_TIERS:
            item.add_marker(FOLDER_TIERS[folder])
        if "live_server" in getattr(item, "fixturenames", ()):  # real HTTP to the test server
            item.add_marker("e2e")
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):  # a property test
            item.add_marker("slow")


def pytest_sessionfinish(session, exitstatus):
    if not guard.sightings:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"An API key was seen {len(guard.sightings)} time(s):", red=True)
        for sighting in sorted(set(guard.sightings)):
            reporter.write_line(f"  in {sighting}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _fresh_client_and_cache():
    # Each test starts with a client built from its own settings and an empty
    # cache, so no answer leaks from one test into the next (/readyz keeps
    # its last answer in the process too, and so does the console's configuration).
    reset_client()
    cache.clear()
    health.forget()
    configuration.forget()
    activity.forget()
    yield
    # A refresh a test's page started in the background ends before the next
    # test's mocks and cache are set up.
    assert refresh.wait_for_background(timeout=30), "a background refresh is still running"
    reset_client()
    cache.clear()
    health.forget()
    configuration.forget()
    activity.forget()


@pytest.fixture(autouse=True)
def _abuse_guards_off(settings):
    # Tests fill a form in milliseconds and post many from one address. The
    # guards have tests of their own (tests/site/test_abuse.py), which turn
    # them back on.
    settings.BOOKING_FORM_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = 0
    settings.BOOKING_FORM_ERROR_RATE_LIMIT = 0
    settings.BOOKING_SEARCH_RATE_LIMIT = 0


@pytest.fixture
def live_api(settings):
    """The site configured for a live Physiodiary server, faked at the HTTP boundary.

    Every response a test adds must be asked for (`responses`' default); a fake
    that answers whatever comes (tests/site/wizard_support.py's FakeDiary, the
    unit tests' own) says otherwise.
    """
    settings.PHYSIODIARY_API_URL = LIVE_URL
    settings.PHYSIODIARY_API_KEY = LIVE_KEY
    settings.PHYSIODIARY_READ_RETRIES = 0
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def bilingual(settings):
    """The site offering English and Welsh, as `SITE_LANGUAGES=en-gb,cy` makes it."""
    settings.LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
    settings.LANGUAGE_CODE = "en-gb"
    return settings
