"""The watch over the whole run (tests/leak_guard.py) does see a key, wherever it is."""

import logging

import pytest
from django.http import HttpResponse

from .leak_guard import guard


@pytest.fixture
def sightings():
    before = list(guard.sightings)
    yield guard.sightings
    guard.sightings[:] = before  # these sightings were planted on purpose


def test_it_sees_a_key_in_a_body(sightings, settings):
    guard.inspect_response(HttpResponse(f"key={settings.PHYSIODIARY_API_KEY}"), "GET /x")
    assert sightings[-1] == "the body of the response to GET /x"


def test_it_sees_a_key_in_a_header(sightings, settings):
    response = HttpResponse("")
    response["X-Debug"] = settings.SANDBOX_API_KEY
    guard.inspect_response(response, "GET /y")
    assert sightings[-1] == "a header of the response to GET /y"


def test_it_sees_a_key_in_a_log_line_or_its_traceback(sightings, settings):
    logger = logging.getLogger("tests.planted")
    logger.warning("calling with %s", settings.PHYSIODIARY_API_KEY)
    try:
        raise RuntimeError(settings.PHYSIODIARY_API_KEY)
    except RuntimeError:
        logger.exception("failed")
    assert len(sightings) >= 2
    assert all("tests.planted" in sighting for sighting in sightings[-2:])


def test_it_sees_a_key_in_a_real_response(sightings, client, settings, monkeypatch):
    from bookings import error_pages

    key = settings.SANDBOX_API_KEY
    monkeypatch.setattr(error_pages.loader, "render_to_string", lambda *args, **kwargs: key)
    client.get("/no-such-page/")
    assert "the body of the response to GET /no-such-page/" in sightings
