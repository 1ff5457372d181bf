"""BOOKING_FREE_TIMES_MAX_AGE_SECONDS: how old free times may be shown while refreshed."""

from __future__ import annotations

from ..environment import start_django

AGES = (
    "from django.conf import settings as s;"
    " print(s.BOOKING_FREE_TIMES_CACHE_SECONDS, s.BOOKING_FREE_TIMES_MAX_AGE_SECONDS)"
)


def test_by_default_free_times_are_shown_for_ten_minutes_while_refreshed_after_one():
    result = start_django(code=AGES, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "600"]


def test_a_site_that_raised_the_cache_time_before_still_starts():
    result = start_django(code=AGES, DJANGO_DEBUG="true", BOOKING_FREE_TIMES_CACHE_SECONDS="900")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["900", "900"]


def test_a_max_age_below_the_cache_time_stops_the_start_naming_both():
    result = start_django(
        code=AGES,
        DJANGO_DEBUG="true",
        BOOKING_FREE_TIMES_CACHE_SECONDS="120",
        BOOKING_FREE_TIMES_MAX_AGE_SECONDS="60",
    )
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: BOOKING_FREE_TIMES_MAX_AGE_SECONDS (60) is less than "
        "BOOKING_FREE_TIMES_CACHE_SECONDS (120)" in result.stderr
    )
