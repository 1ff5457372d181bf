"""A details form posted twice books once, and the second post shows what the first did.

Double clicks, Refresh, Back and post again, two tabs: the same form, with the
same token and nonce, arrives again. (Over real HTTP, with requests truly at
once, see tests/e2e/test_concurrent_bookings.py.)
"""

import threading
from urllib.parse import urlsplit

import pytest
from django.test import Client

from bookings import submissions, tokens

from .wizard_support import (
    PATIENT,
    UNAVAILABLE,
    WHEN,
    details_url,
    error,
    html,
    open_details,
    token_of,
    valid_post,
)


@pytest.fixture
def diary(diary):
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def form(client, diary):
    """The details form, filled in, as the browser would post it again and again."""
    return valid_post(open_details(client, WHEN), WHEN)


def post(client, form):
    return client.post(details_url(WHEN), form)


def test_a_second_post_shows_the_same_confirmation_without_booking_again(client, diary, form):
    first, second = post(client, form), post(client, form)

    assert first.status_code == second.status_code == 303
    assert second["Location"] == first["Location"]
    assert urlsplit(first["Location"]).path.startswith("/booked/")
    assert len(diary.calls("book")) == 1


def test_a_refresh_long_after_still_finds_the_booking(client, diary, form, settings):
    first = post(client, form)
    # Time has passed: the free time is now too soon to book, but it was booked.
    settings.BOOKING_MIN_NOTICE_MINUTES = 10 * 24 * 60

    again = post(client, form)

    assert again.status_code == 303
    assert again["Location"] == first["Location"]
    assert len(diary.calls("book")) == 1


def test_a_second_tab_with_the_same_form_books_nothing_more(diary, form):
    first, second = Client(), Client()
    assert post(first, form).status_code == 303
    assert post(second, form).status_code == 303
    assert len(diary.calls("book")) == 1


def test_after_just_taken_a_second_post_shows_just_taken_again(client, diary, form):
    diary.answer("book", error(12))
    post(client, form)

    again = post(client, form)

    assert again.status_code == 409
    assert "has just been taken" in html(again)
    assert len(diary.calls("book")) == 1


def test_after_a_field_error_a_second_post_shows_it_again(client, diary, form):
    diary.answer("book", error(9))
    first = post(client, form)

    again = post(client, form)

    assert again.status_code == first.status_code == 400
    assert "did not accept this phone number" in html(again)
    assert PATIENT["phone"] in html(again)
    assert len(diary.calls("book")) == 1


@pytest.mark.parametrize("fault", ["timeout", "server error", "not json"])
def test_after_an_unknown_outcome_a_second_post_books_nothing(client, diary, form, fault):
    diary.answer("book", UNAVAILABLE[fault])
    post(client, form)

    again = post(client, form)

    assert again.status_code == 503
    assert "may or may not have been made" in html(again)
    assert len(diary.calls("book")) == 1


def test_after_the_diary_was_unreachable_the_fresh_form_can_book(client, diary, form):
    diary.answer("book", UNAVAILABLE["connection refused"], diary._confirm)
    unreachable = post(client, form)
    assert "has not been booked yet" in html(unreachable)

    # The same old form again: still its outcome, and nothing sent.
    assert "has not been booked yet" in html(post(client, form))
    assert len(diary.calls("book")) == 1

    # The page that came back carries a new form, which may book.
    fresh = valid_post(token_of(unreachable), WHEN)
    assert post(client, fresh).status_code == 303
    assert len(diary.calls("book")) == 2


def test_two_posts_at_once_book_once_and_both_see_the_confirmation(
    transactional_db, diary, form, monkeypatch
):
    """The second post arrives while the first is still waiting for the diary."""
    # transactional_db: the first post, in a thread of its own, keeps the booking's change
    # link in the database; inside the test's transaction it would wait on the test's lock.
    second_is_waiting = threading.Event()
    wait_for_outcome = submissions.outcome

    def outcome(nonce, **kwargs):
        second_is_waiting.set()
        return wait_for_outcome(nonce, **kwargs)

    def slow_confirm(payload):
        # The diary answers the first post only once the second is waiting for it.
        assert second_is_waiting.wait(timeout=10)
        return diary._confirm(payload)

    monkeypatch.setattr(submissions, "outcome", outcome)
    diary.answer("book", slow_confirm)
    answers = {}

    def send(name):
        answers[name] = post(Client(), form)

    first = threading.Thread(target=send, args=("first",))
    first.start()
    send("second")
    first.join(timeout=15)

    assert answers["first"].status_code == answers["second"].status_code == 303
    assert answers["first"]["Location"] == answers["second"]["Location"]
    assert len(diary.calls("book")) == 1


def test_a_post_still_pending_after_the_wait_says_so(client, diary, form, settings):
    settings.PHYSIODIARY_CONNECT_TIMEOUT = settings.PHYSIODIARY_READ_TIMEOUT = 0.05
    submissions.claim(tokens.read(form["token"]).nonce)  # as if a first post were booking

    page = post(client, form)

    assert page.status_code == 409
    assert "Your booking is still being made" in html(page)
    assert "do not book again" in html(page)
    assert diary.calls("book") == []


def test_an_outcome_lost_from_the_cache_counts_as_unknown():
    assert submissions.outcome("never-claimed", wait=0) == submissions.Outcome(
        submissions.Kind.UNKNOWN
    )


def test_the_ledger_keeps_no_patient_detail(cached, client, diary, form):
    post(client, form)
    kept = [value for key, value in cached().items() if ":submission:" in key]
    assert kept
    for value in kept:
        for detail in PATIENT.values():
            assert detail.encode() not in value
