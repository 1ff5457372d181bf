"""The live-server set-up of tests/site/conftest.py, for the unit tests that call the diary."""

from __future__ import annotations

import pytest
import responses

from .support import LIVE_KEY, LIVE_URL


@pytest.fixture
def live_api(settings):
    """The site configured for a live Physiodiary server, faked at the HTTP boundary."""
    settings.PHYSIODIARY_API_URL = LIVE_URL
    settings.PHYSIODIARY_API_KEY = LIVE_KEY
    settings.PHYSIODIARY_READ_RETRIES = 0
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
