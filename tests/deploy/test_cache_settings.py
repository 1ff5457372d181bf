"""CACHE_URL: redis:// is Django's own Redis backend, and counts as shared."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from .. import environment

REDIS = "django.core.cache.backends.redis.RedisCache"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3Y-" + "x9Q!z" * 12,  # long and varied, as check --deploy wants
    "PHYSIODIARY_API_URL": "https://diary.example:1234/api/request",
    "PHYSIODIARY_API_KEY": "a-key",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
    "BOOKING_RECORD_KEY": Fernet.generate_key().decode(),
}


def start_django(code: str, **env: str) -> str:
    """Run `code` after Django's set-up in a fresh interpreter, as a server starts; its output."""
    done = environment.start_django(code=code, development=False, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def cache_settings(url: str) -> dict:
    code = "import json; from django.conf import settings; print(json.dumps(settings.CACHES))"
    # In development, where any cache is accepted: production refuses some.
    return json.loads(start_django(code, CACHE_URL=url, DJANGO_DEBUG="true"))["default"]


@pytest.mark.parametrize(
    ("url", "location", "options"),
    [
        (
            "redis://127.0.0.1:6379/1",
            "redis://127.0.0.1:6379/1",
            {"socket_connect_timeout": 3, "socket_timeout": 3},
        ),
        (
            "rediss://:secret@cache.internal:6380/0?socket_timeout=10",
            "rediss://:secret@cache.internal:6380/0",
            {"socket_connect_timeout": 3, "socket_timeout": 10},
        ),
    ],
)
def test_a_redis_url_is_djangos_own_redis_backend_with_timeouts(url, location, options):
    # Whether or not django-redis happens to be installed, which django-environ would prefer.
    assert cache_settings(url) == {"BACKEND": REDIS, "LOCATION": location, "OPTIONS": options}


def test_a_key_prefix_in_a_redis_url_is_one_django_reads():
    # Two sites on one Redis database must not read each other's lists and confirmations.
    found = cache_settings("redis://127.0.0.1:6379/0?key_prefix=riverside")
    assert found["KEY_PREFIX"] == "riverside"
    assert "key_prefix" not in found


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("locmemcache://booking-site", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_other_cache_urls_keep_their_backends(url, backend):
    assert cache_settings(url)["BACKEND"] == backend


def test_a_database_cache_url_is_the_sites_own_database_cache_with_its_options():
    # Django's own would cull live confirmations and miscount at once (booking_site/db_cache.py).
    assert cache_settings("dbcache://booking_cache?max_entries=5000") == {
        "BACKEND": "booking_site.db_cache.DatabaseCache",
        "LOCATION": "booking_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }


def test_check_deploy_counts_redis_as_shared_between_servers():
    code = "from django.core.management import call_command; call_command('check', deploy=True)"
    output = start_django(
        code,
        CACHE_URL="redis://127.0.0.1:6379/1",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",  # else booking_site.E001
        **PRODUCTION,
    )
    assert "bookings.W001" not in output
    assert "System check identified no issues (0 silenced)." in output
