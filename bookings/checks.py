"""System checks run by `manage.py check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

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


@register()
def theme_readable(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The brand colour writes links and free times on white: it must be readable there."""
    from django.contrib.staticfiles import finders

    from .theme import WHITE, contrast

    messages: list[CheckMessage] = []
    ratio = contrast(settings.THEME_BRAND_COLOUR, WHITE)
    if ratio < 4.5:
        messages.append(
            Warning(
                f"THEME_BRAND_COLOUR {settings.THEME_BRAND_COLOUR} has a contrast of"
                f" {ratio:.1f}:1 on white; links and free times in it need 4.5:1 (WCAG AA).",
                hint="Choose a darker shade of the brand colour; put the light one in"
                " THEME_ACCENT_COLOUR, which only draws lines.",
                id="bookings.W002",
            )
        )
    if settings.THEME_LOGO and not finders.find(settings.THEME_LOGO):
        messages.append(
            Error(
                f"THEME_LOGO {settings.THEME_LOGO} is not among the static files.",
                hint="Put it in THEME_DIR/static/ (e.g. THEME_DIR/static/theme/logo.svg for"
                " THEME_LOGO=theme/logo.svg), then run collectstatic.",
                id="bookings.E001",
            )
        )
    return messages


@register(deploy=True)
def diary_over_https(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The API key and patients' details cross the network in every call to the diary."""
    url = settings.PHYSIODIARY_API_URL
    if not url or url.lower().startswith("https://"):
        return []
    return [
        Warning(
            "PHYSIODIARY_API_URL is not https://: the API key and patients' details would"
            " travel unencrypted.",
            hint="Use the https:// address Physiodiary gave the practice.",
            id="bookings.W003",
        )
    ]
