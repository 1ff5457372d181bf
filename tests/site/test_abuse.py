"""Keeping programs from filling the diary: rate limits, the honeypot, a minimum time.

tests/conftest.py switches these guards off for every other test; here they
are switched back on, one at a time.
"""

import time

import pytest

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


# --- Booking attempts ----------------------------------------------------------------


def test_booking_attempts_over_the_limit_get_a_friendly_429_keeping_the_details(
    client, diary, settings
):
    settings.BOOKING_RATE_LIMIT = 10
    for _ in range(10):
        assert submit(client, WHEN).status_code == 303

    page = submit(client, WHEN)

    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= settings.BOOKING_RATE_LIMIT_SECONDS
    assert "Too many booking attempts" in html(page)
    assert settings.PRACTICE_PHONE in html(page)
    assert_typed_input_kept(page)
    assert len(diary.calls("book")) == 10


def test_mistyped_posts_do_not_count_against_the_booking_attempts(client, diary, settings):
    # A patient at a shared reception desk, where every patient has one address.
    settings.BOOKING_RATE_LIMIT = 10
    settings.BOOKING_FORM_ERROR_RATE_LIMIT = 60
    for _ in range(10):
        assert submit(client, WHEN, email="not an email").status_code == 400

    assert submit(client, WHEN).status_code == 303


#: What the form's checks refuse, as changes to a form filled in right.
REFUSED = {
    "mistyped": {"email": "not an email"},
    "expired": {"token": "not one of ours"},  # read as an expired form: a fresh one comes back
    "honeypot filled": {"website": "http://spam.example"},
    "too quick": {},  # with BOOKING_FORM_MIN_SECONDS, below
}


def post_refused(client, refusal: str):
    data = {**valid_post(open_details(client, WHEN), WHEN), **REFUSED[refusal]}
    return client.post(details_url(WHEN), data)


@pytest.mark.parametrize("refusal", REFUSED)
def test_posts_the_form_refuses_have_a_limit_of_their_own(client, diary, settings, refusal):
    settings.BOOKING_FORM_ERROR_RATE_LIMIT = 2
    settings.BOOKING_RATE_LIMIT = 1
    if refusal == "too quick":
        settings.BOOKING_FORM_MIN_SECONDS = 60
    for _ in range(2):
        assert post_refused(client, refusal).status_code == 400

    page = post_refused(client, refusal)

    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= settings.BOOKING_RATE_LIMIT_SECONDS
    assert "Too many booking attempts" in html(page)
    assert PATIENT["name"] in html(page) and PATIENT["phone"] in html(page)  # what was typed
    assert diary.calls("book") == []


def test_a_form_posted_again_after_it_booked_is_not_a_booking_attempt(client, diary, settings):
    settings.BOOKING_RATE_LIMIT = 1
    token = open_details(client, WHEN)
    first = client.post(details_url(WHEN), valid_post(token, WHEN))

    again = client.post(details_url(WHEN), valid_post(token, WHEN))  # Refresh, or Back then Book

    assert first.status_code == again.status_code == 303
    assert again["Location"] == first["Location"]
    assert len(diary.calls("book")) == 1


def post_from(client, address: str, **changes: str):
    token = open_details(client, WHEN)
    return client.post(details_url(WHEN), valid_post(token, WHEN, **changes), REMOTE_ADDR=address)


def test_the_limit_is_per_address(client, diary, settings):
    settings.BOOKING_RATE_LIMIT = 1
    assert post_from(client, "203.0.113.1").status_code == 303
    assert post_from(client, "203.0.113.1").status_code == 429
    assert post_from(client, "203.0.113.2").status_code == 303


def test_the_count_starts_again_in_the_next_period(client, diary, settings, monkeypatch):
    settings.BOOKING_RATE_LIMIT = 1
    assert submit(client, WHEN).status_code == 303
    assert submit(client, WHEN).status_code == 429

    later = time.time() + settings.BOOKING_RATE_LIMIT_SECONDS
    monkeypatch.setattr(guard.time, "time", lambda: later)

    assert submit(client, WHEN).status_code == 303


def test_the_cache_keeps_no_address(cached, client, diary, settings):
    settings.BOOKING_RATE_LIMIT = settings.BOOKING_FORM_ERROR_RATE_LIMIT = 5
    post_from(client, "203.0.113.77")
    post_from(client, "2001:db8:abcd:12::77", email="x")  # its /64 and its /48
    keys = [key for key in cached() if ":rate:" in key]
    assert len(keys) == 3
    assert not any("203.0.113" in key or "2001" in key or "db8" in key for key in keys)


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
