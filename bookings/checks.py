"""System checks run by `manage.py check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

#: Caches each worker process keeps to itself, or whose `add` is not atomic.
_NOT_SHARED = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


@register(Tags.caches, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Confirmations, the once-only booking ledger and rate limits need one shared cache."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in _NOT_SHARED:
        return []
    return [
        Warning(
            f"The cache ({backend.rsplit('.', 1)[-1]}) is not shared between worker processes.",
            hint="Set CACHE_URL to Redis (e.g. redis://127.0.0.1:6379/1) or to a database cache"
            " (dbcache://booking_cache, then `manage.py createcachetable`). With one cache per"
            " process, a confirmation page can be missing on the next request, a form posted"
            " twice can book twice, and rate limits count per process.",
            id="bookings.W001",
        )
    ]
