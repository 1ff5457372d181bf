"""The practice's diary as the site's pages see it: the client plus caching.

Practitioners and rooms change rarely, so their lists are cached for
PHYSIODIARY_LIST_CACHE_SECONDS; free times and bookings always go to the diary.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from .physiodiary import Practitioner, Room, get_client


def practitioners() -> tuple[Practitioner, ...]:
    """The practice's practitioners, from the cache or the diary."""
    return _cached("physiodiary:practitioners", lambda: get_client().practitioners())


def rooms() -> tuple[Room, ...]:
    """The practice's rooms, from the cache or the diary."""
    return _cached("physiodiary:rooms", lambda: get_client().rooms())


T = TypeVar("T")


def _cached(key: str, fetch: Callable[[], T]) -> T:
    value = cache.get(key)
    if value is None:
        value = fetch()
        cache.set(key, value, settings.PHYSIODIARY_LIST_CACHE_SECONDS)
    return value
