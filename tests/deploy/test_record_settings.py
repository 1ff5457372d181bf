"""Change links in production: a key to seal patients' details, and a mail server, or no start."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from ..environment import start_django

KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
#: A production configuration that starts, with change links on (the default).
STARTS = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "s" * 50,
    "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
    "PHYSIODIARY_API_KEY": "k",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
    "CACHE_URL": "dbcache://booking_cache",
    "BOOKING_RECORD_KEY": KEY,
}
RECIPE = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
KEYS = "from django.conf import settings as s; print(s.BOOKING_RECORD_KEY)"


def without(*names: str, **changes: str) -> dict[str, str]:
    return {**{k: v for k, v in STARTS.items() if k not in names}, **changes}


def refused_naming(variable: str, result) -> bool:
    return result.returncode != 0 and (
        f"ImproperlyConfigured: Set the environment variable {variable}:" in result.stderr
    )


def test_production_with_its_key_and_mail_starts():
    result = start_django(code=KEYS, **STARTS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr([KEY])


@pytest.mark.parametrize("key", [None, "", " , "], ids=["unset", "empty", "blank list"])
def test_production_refuses_change_links_without_a_key_and_says_how_to_make_one(key):
    result = start_django(
        **without("BOOKING_RECORD_KEY", **({} if key is None else {"BOOKING_RECORD_KEY": key}))
    )

    assert refused_naming("BOOKING_RECORD_KEY", result), result.stderr
    assert RECIPE in result.stderr
    assert "BOOKING_CHANGE_LINKS=false" in result.stderr


def test_a_key_that_is_no_fernet_key_is_refused_without_showing_it():
    result = start_django(**without(BOOKING_RECORD_KEY=f"{KEY},not-a-key-at-all"))

    assert result.returncode != 0
    assert "BOOKING_RECORD_KEY: key 2 of 2 is not a Fernet key" in result.stderr
    assert RECIPE in result.stderr
    assert "not-a-key-at-all" not in result.stderr
    assert KEY not in result.stderr


def test_several_keys_are_read_in_order_the_first_sealing():
    result = start_django(code=KEYS, **without(BOOKING_RECORD_KEY=f" {KEY} , {OLD_KEY} "))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr([KEY, OLD_KEY])


@pytest.mark.parametrize("email_url", [None, "consolemail://", "memorymail://"])
def test_production_refuses_change_links_without_a_mail_server(email_url):
    # Even where the diary emails patients itself: the practice's requests go by email.
    quiet = {
        "BOOKING_CONFIRMATION_EMAIL": "false",
        **({"EMAIL_URL": email_url} if email_url else {}),
    }
    result = start_django(**without("EMAIL_URL", **quiet))

    assert refused_naming("EMAIL_URL", result), result.stderr
    assert "BOOKING_CHANGE_LINKS=false" in result.stderr


def test_with_change_links_off_production_needs_neither_key_nor_mail_server():
    off = {
        "BOOKING_CHANGE_LINKS": "false",
        "BOOKING_CONFIRMATION_EMAIL": "false",
        "EMAIL_URL": "consolemail://",
    }
    result = start_django(code=KEYS, **without("BOOKING_RECORD_KEY", **off))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_development_derives_a_stable_key_from_its_secret_key():
    first = start_django(code=KEYS, DJANGO_SECRET_KEY="django-insecure-one")
    again = start_django(code=KEYS, DJANGO_SECRET_KEY="django-insecure-one")
    other = start_django(code=KEYS, DJANGO_SECRET_KEY="django-insecure-two")

    for result in (first, again, other):
        assert result.returncode == 0, result.stderr
    assert first.stdout == again.stdout != other.stdout
    (key,) = eval(first.stdout)  # noqa: S307 - the list of keys printed just above
    Fernet(key)  # a key Fernet takes
