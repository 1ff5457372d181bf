import pytest
from django.core.cache import cache

from bookings.physiodiary import reset_client

from .leak_guard import guard


@pytest.fixture(scope="session", autouse=True)
def _api_key_never_leaves():
    """Watch every response and log record of the run for an API key (tests/leak_guard.py)."""
    guard.install()
    yield
    guard.uninstall()


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
    # cache, so no answer leaks from one test into the next.
    reset_client()
    cache.clear()
    yield
    reset_client()
    cache.clear()


@pytest.fixture(autouse=True)
def _abuse_guards_off(settings):
    # Tests fill a form in milliseconds and post many from one address. The
    # guards have tests of their own (tests/site/test_abuse.py), which turn
    # them back on.
    settings.BOOKING_FORM_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = 0
    settings.BOOKING_SEARCH_RATE_LIMIT = 0
