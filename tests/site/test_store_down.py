"""The site's own stores down: a Redis that does not answer is a 503 page, never a 500."""

import pytest
from django.core.cache import caches
from django.db import OperationalError

from bookings import changes

from .change_support import booked_with_link, token_on
from .wizard_support import WHEN, details_url, html, open_details, valid_post

#: Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5},
    }
}


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def redis_dies(settings):
    """Call it, and the cache is a Redis that is down; restored after the test."""
    working = settings.CACHES

    def die():
        settings.CACHES = DEAD_REDIS

    yield die
    caches["default"].close()
    # Before the suite's own fixtures clear the cache at tear-down.
    settings.CACHES = working


@pytest.fixture
def dead_redis(redis_dies):
    redis_dies()


@pytest.fixture
def quiet(client):
    # The test client re-raises what a view raised; a browser gets the response.
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("path", ["/", "/times/?staffId=42230&sectionId=7323"])
def test_a_page_is_the_503_page_when_the_cache_is_down(quiet, diary, dead_redis, path, caplog):
    page = quiet.get(path)
    assert page.status_code == 503
    assert "Online booking is unavailable just now" in html(page)
    assert "Please try again in a few minutes" in html(page)
    assert "the cache or database is unavailable: ConnectionError" in caplog.text
    assert "127.0.0.1:1" not in caplog.text
    # One line for the cause, not a second from Django for the 503 itself.
    assert "Service Unavailable" not in caplog.text


def test_a_booking_post_says_not_to_book_again(quiet, diary, redis_dies):
    token = open_details(quiet, WHEN)  # the form, while the cache still answers
    redis_dies()
    page = quiet.post(details_url(WHEN), valid_post(token, WHEN))
    assert page.status_code == 503
    assert "do not know whether it was booked" in html(page)
    assert "Please do not book again yet" in html(page)


def test_a_cancel_request_that_fails_there_asks_to_try_again_not_to_stop_booking(
    quiet, diary, monkeypatch
):
    link = booked_with_link(quiet)
    url = f"/change/{link}/cancel/"
    token = token_on(quiet.get(url))
    monkeypatch.setattr(changes, "find", database_down)

    page = quiet.post(url, {"token": token})

    assert page.status_code == 503
    assert "do not know whether it was booked" not in html(page)
    assert "Please try again in a few minutes" in html(page)


def database_down(*args, **kwargs):
    raise OperationalError("database is locked")
