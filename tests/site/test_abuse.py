"""Keeping programs from filling the diary: rate limits, the honeypot, a minimum time.

tests/conftest.py switches these guards off for every other test; here they
are switched back on, one at a time.
"""

import time

import pytest
from django.test import RequestFactory

from bookings import guard

from .wizard_support import (
    ANNA,
    PATIENT,
    ROOM_2,
    WHEN,
    details_url,
    html,
    open_details,
    submit,
    valid_post,
)


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


def times_url() -> str:
    return f"/times/?staffId={ANNA}&sectionId={ROOM_2}"


def assert_typed_input_kept(page):
    for value in PATIENT.values():
        assert value in html(page)


# --- The client's address ------------------------------------------------------------


def request_from(remote: str, **headers: str):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_the_address_is_remote_addr_whatever_a_client_claims():
    request = request_from("203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert guard.client_address(request) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_address_is_the_one_it_saw(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    # The client forged the first entry; our proxy appended the second.
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    assert guard.client_address(request) == "203.0.113.7"


def test_behind_two_trusted_proxies_it_counts_two_from_the_right(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CLIENT_IP_PROXIES = 2
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7, 10.0.0.9")
    assert guard.client_address(request) == "203.0.113.7"


def test_without_the_header_it_falls_back_to_remote_addr(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert guard.client_address(request_from("203.0.113.7")) == "203.0.113.7"


def test_an_ipv6_client_counts_as_its_whole_64(settings):
    one = guard.client_address(request_from("2001:db8:1:2::1"))
    other = guard.client_address(request_from("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert guard.client_address(request_from("::ffff:203.0.113.7")) == "203.0.113.7"


def test_an_address_that_is_not_one_is_counted_together(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    assert guard.client_address(request) == "unknown"


# --- Booking attempts ----------------------------------------------------------------


def test_booking_attempts_over_the_limit_get_a_friendly_429_keeping_the_details(
    client, diary, settings
):
    settings.BOOKING_RATE_LIMIT = 3
    for _ in range(3):
        assert submit(client, WHEN, email="not an email").status_code == 400

    page = submit(client, WHEN)

    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= settings.BOOKING_RATE_LIMIT_SECONDS
    assert "Too many booking attempts" in html(page)
    assert settings.PRACTICE_PHONE in html(page)
    assert_typed_input_kept(page)
    assert diary.calls("book") == []


def post_from(client, address: str, **changes: str):
    token = open_details(client, WHEN)
    return client.post(details_url(WHEN), valid_post(token, WHEN, **changes), REMOTE_ADDR=address)


def test_the_limit_is_per_address(client, diary, settings):
    settings.BOOKING_RATE_LIMIT = 1
    assert post_from(client, "203.0.113.1", email="x").status_code == 400
    assert post_from(client, "203.0.113.1", email="x").status_code == 429
    assert post_from(client, "203.0.113.2").status_code == 303


def test_the_count_starts_again_in_the_next_period(client, diary, settings, monkeypatch):
    settings.BOOKING_RATE_LIMIT = 1
    assert submit(client, WHEN, email="x").status_code == 400
    assert submit(client, WHEN, email="x").status_code == 429

    later = time.time() + settings.BOOKING_RATE_LIMIT_SECONDS
    monkeypatch.setattr(guard.time, "time", lambda: later)

    assert submit(client, WHEN).status_code == 303


def test_the_cache_keeps_no_address(cached, client, diary, settings):
    settings.BOOKING_RATE_LIMIT = 5
    post_from(client, "203.0.113.77")
    keys = [key for key in cached() if ":rate:" in key]
    assert keys
    assert not any("203.0.113" in key for key in keys)


def test_searches_over_their_limit_get_the_429_page_without_a_diary_call(client, diary, settings):
    settings.BOOKING_SEARCH_RATE_LIMIT = 2
    assert client.get(times_url()).status_code == 200
    assert client.get(times_url()).status_code == 200
    calls = len(diary.sent)

    page = client.get(times_url())

    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert "Please wait a moment" in html(page)
    assert settings.PRACTICE_PHONE in html(page)
    assert len(diary.sent) == calls


# --- The honeypot and the minimum time -----------------------------------------------


def test_the_form_has_a_honeypot_hidden_from_people(client, diary):
    body = html(client.get(details_url(WHEN)))
    assert '<div class="leave-empty">' in body
    assert 'name="website"' in body
    assert 'tabindex="-1"' in body.split('name="website"')[1].split(">")[0]


def test_a_filled_honeypot_books_nothing_and_says_why(client, diary):
    page = submit(client, WHEN, website="http://spam.example")

    assert page.status_code == 400
    assert "Leave this field empty" in html(page)
    assert_typed_input_kept(page)
    assert diary.calls("book") == []


def test_a_form_sent_back_too_quickly_books_nothing(client, diary, settings):
    settings.BOOKING_FORM_MIN_SECONDS = 5
    page = submit(client, WHEN)

    assert page.status_code == 400
    assert "press “Book appointment” again" in html(page)
    assert_typed_input_kept(page)
    assert diary.calls("book") == []


def test_a_form_sent_back_after_the_minimum_time_books(client, diary, settings, monkeypatch):
    settings.BOOKING_FORM_MIN_SECONDS = 5
    token = open_details(client, WHEN)
    later = time.time() + 6
    monkeypatch.setattr(guard.time, "time", lambda: later)

    page = client.post(details_url(WHEN), valid_post(token, WHEN))

    assert page.status_code == 303
    assert len(diary.calls("book")) == 1
