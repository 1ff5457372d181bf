"""CACHE_URL=dbcache://: what booking_site/db_cache.py changes in Django's database cache.

On the tests' own SQLite database, in this process. Concurrency, 10,000
keys and PostgreSQL are in tests/deploy/test_database_cache.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.management import call_command
from django.db import connection

from booking_site.db_cache import DatabaseCache

TABLE = "unit_test_cache"
EXPIRED = -1  # Django's timeouts: a second ago


@pytest.fixture
def cache(db) -> DatabaseCache:
    call_command("createcachetable", TABLE, verbosity=0)
    return DatabaseCache(TABLE, {"OPTIONS": {"MAX_ENTRIES": 10}})


def rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def test_live_rows_outlive_any_number_of_keys_beyond_max_entries(cache):
    cache.set("bookings:booked:reference", "the confirmation", timeout=86400)
    cache.add("bookings:submission:nonce", "pending", timeout=7260)
    for address in range(60):  # six times MAX_ENTRIES, one at a time as the guard writes
        cache.add(f"bookings:rate:book:{address}", 0, timeout=660)
        cache.incr(f"bookings:rate:book:{address}")
    assert cache.get("bookings:booked:reference") == "the confirmation"
    assert cache.get("bookings:submission:nonce") == "pending"
    assert rows() == 62


def test_expired_rows_are_swept_by_writes_once_the_table_is_over_max_entries(cache):
    cache.set_many({f"old:{n}": n for n in range(30)}, timeout=EXPIRED)
    cache.set("live", "kept", timeout=600)
    assert rows() == 1
    assert cache.get("live") == "kept"


def test_incr_counts_from_the_stored_number_and_keeps_its_expiry(cache):
    cache.add("count", 0, timeout=660)
    assert [cache.incr("count") for _ in range(3)] == [1, 2, 3]
    assert cache.incr("count", 5) == 8
    assert cache.decr("count", 2) == 6
    assert cache.get("count") == 6
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {TABLE}")  # noqa: S608
        expires = cursor.fetchone()[0]
    if isinstance(expires, str):
        expires = dt.datetime.fromisoformat(expires)
    left = expires.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=600) < left <= dt.timedelta(seconds=660)  # not Django's 300


def test_incr_of_a_missing_or_expired_key_is_a_value_error_as_in_django(cache):
    cache.set("old", 4, timeout=EXPIRED)
    for key in ("missing", "old"):
        with pytest.raises(ValueError, match="not found"):
            cache.incr(key)


def test_an_add_over_an_expired_row_stores_and_over_a_live_one_does_not(cache):
    cache.set("nonce", "an old claim", timeout=EXPIRED)
    assert cache.add("nonce", "pending", timeout=600)
    assert not cache.add("nonce", "a second post", timeout=600)
    assert cache.get("nonce") == "pending"


def test_set_many_writes_over_old_values_as_set_would(cache):
    cache.set("a", "old")
    assert cache.set_many({"a": 1, "b": [2, 3], "c": None}, timeout=None) == []
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": [2, 3], "c": None}
    cache.set_many({"a": "gone"}, timeout=EXPIRED)
    assert cache.get("a", "nothing") == "nothing"


def test_rows_are_written_and_read_as_djangos_own_database_cache_writes_them(cache):
    # So a running site's rows stay readable across the upgrade, and back.
    django = DjangoDatabaseCache(TABLE, {})
    django.set("from-django", {"count": 1}, timeout=600)
    django.set("counter", 41, timeout=600)
    assert cache.get("from-django") == {"count": 1}
    assert cache.incr("counter") == 42
    cache.set_many({"from-ours": (1, "two")}, timeout=600)
    assert django.get_many(["counter", "from-ours"]) == {"counter": 42, "from-ours": (1, "two")}
