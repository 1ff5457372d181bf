"""PRACTICE_NOTIFY_EMAIL and PRACTICE_NOTIFY_BOOKINGS, as the settings read them at start-up."""

import pytest

from ..environment import start_django

SHOW = (
    "from django.conf import settings as s;"
    " print(s.PRACTICE_NOTIFY_EMAIL, s.PRACTICE_NOTIFY_BOOKINGS)"
)


def test_the_practice_is_told_at_its_own_address_and_of_no_booking_by_default():
    result = start_django(code=SHOW, PRACTICE_EMAIL="bookings@riverside-physio.example")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bookings@riverside-physio.example", "False"]


def test_a_receptionists_inbox_and_booking_notes_can_be_asked_for():
    result = start_django(
        code=SHOW,
        PRACTICE_NOTIFY_EMAIL="reception@riverside-physio.example",
        PRACTICE_NOTIFY_BOOKINGS="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["reception@riverside-physio.example", "True"]


@pytest.mark.parametrize(
    "value", ["reception", "a@b.example, c@d.example", "Reception <r@b.example>"]
)
def test_it_refuses_a_notify_address_that_is_not_one_address_and_names_it(value):
    result = start_django(PRACTICE_NOTIFY_EMAIL=value)

    assert result.returncode != 0
    assert "ImproperlyConfigured: PRACTICE_NOTIFY_EMAIL must be one email address" in result.stderr


def test_production_with_booking_notes_needs_a_mail_server_even_with_the_rest_off():
    # Otherwise the console backend would print each patient's name, phone and email
    # in the server's log.
    result = start_django(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="s" * 50,
        PHYSIODIARY_API_URL="https://diary.example:1234/api/request",
        PHYSIODIARY_API_KEY="k",
        CACHE_URL="dbcache://booking_cache",
        BOOKING_CONFIRMATION_EMAIL="false",
        BOOKING_CHANGE_LINKS="false",
        PRACTICE_NOTIFY_BOOKINGS="true",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the environment variable EMAIL_URL:" in result.stderr
    assert "PRACTICE_NOTIFY_BOOKINGS=false" in result.stderr
