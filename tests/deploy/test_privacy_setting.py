"""PRACTICE_PRIVACY_URL, read when Django starts: a web address, or the site does not start."""

import pytest

from ..environment import start_django

SHOW = "from django.conf import settings as s; print(repr(s.PRACTICE_PRIVACY_URL))"


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",  # it becomes a link's href on every page
        "www.riverside-physio.example/privacy",  # no scheme: a path on the booking site
        "/privacy",
        "https://",
        "https://riverside physio.example/privacy",
    ],
)
def test_it_refuses_a_privacy_notice_that_is_not_a_web_address(value):
    result = start_django(PRACTICE_PRIVACY_URL=value)

    assert result.returncode != 0
    assert "ImproperlyConfigured: PRACTICE_PRIVACY_URL must be a web address such as" in (
        result.stderr
    )


def test_it_takes_the_practices_privacy_notice_and_defaults_to_none():
    given = start_django(
        code=SHOW, PRACTICE_PRIVACY_URL=" https://www.riverside-physio.example/privacy "
    )
    unset = start_django(code=SHOW)

    assert given.stdout.strip() == "'https://www.riverside-physio.example/privacy'"
    assert unset.stdout.strip() == "''"
