"""System checks run by `manage.py check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .backends import NOT_SHARED_CACHES, UNDELIVERED_MAIL

#: Caches each worker process keeps to itself, or whose `add` is not atomic.
_NOT_SHARED = NOT_SHARED_CACHES


@register(Tags.caches, deploy=True)
def shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Confirmations, the once-only booking ledger and rate limits need one shared cache.

    An error in production, which the settings refuse at start-up too; a
    warning with DEBUG on, where one process serves.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in _NOT_SHARED:
        return []
    kind, id_ = (Warning, "bookings.W001") if settings.DEBUG else (Error, "bookings.E002")
    return [
        kind(
            f"The cache ({backend.rsplit('.', 1)[-1]}) is not shared between worker processes.",
            hint="Set CACHE_URL to Redis (e.g. redis://127.0.0.1:6379/1) or to a database cache"
            " (dbcache://booking_cache, then `manage.py createcachetable`). With one cache per"
            " process, a confirmation page can be missing on the next request, a form posted"
            " twice can book twice, and rate limits count per process.",
            id=id_,
        )
    ]


@register(Tags.security, deploy=True)
def mail_delivered(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production's confirmation emails go to patients, never into the server's log or disk."""
    backend = settings.EMAIL_BACKEND
    if settings.DEBUG or not settings.BOOKING_CONFIRMATION_EMAIL or backend not in UNDELIVERED_MAIL:
        return []
    return [
        Error(
            f"EMAIL_URL gives a mail backend that delivers nothing ({backend}): patients'"
            " confirmation emails would be printed, written to a file or dropped.",
            hint="Set EMAIL_URL to the practice's mail server (smtp+tls://user:password@host:587),"
            " or BOOKING_CONFIRMATION_EMAIL=false where the diary emails patients itself.",
            id="bookings.E003",
        )
    ]


@register(Tags.security, deploy=True)
def secret_key_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production signs forms with a key of its own, never the development one."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own refusal of an empty key
        key = ""
    if settings.DEBUG or (key and not key.startswith("django-insecure-")):
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is not set, or is the development key: anyone who has read the"
            " settings could sign the details form's tokens.",
            hint="Set DJANGO_SECRET_KEY to a long random string, the same on every server.",
            id="bookings.E004",
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


@register(Tags.security, deploy=True)
def scheme_known(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """An HTTPS site must know it was reached over HTTPS, or it refuses its own forms.

    Every post whose `Origin` is not the site's own is refused
    (booking_site/same_origin.py). Browsers on `https://` pages send an
    `https://` origin; behind a proxy that ends TLS, Django sees plain HTTP
    unless told which header the proxy sets, and would then refuse them all.
    (The id names the site's project, where the middleware is: the app's own
    E-numbers are for its own checks.)
    """
    meant_for_https = settings.SECURE_SSL_REDIRECT or settings.SECURE_HSTS_SECONDS
    knows_scheme = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or settings.ENDS_TLS
    if settings.DEBUG or not meant_for_https or knows_scheme:
        return []
    return [
        Error(
            "HTTPS is on (DJANGO_SECURE_SSL_REDIRECT or DJANGO_SECURE_HSTS_SECONDS) but"
            " DJANGO_SECURE_PROXY_SSL_HEADER is not set: behind a proxy that ends TLS the site"
            " would take its https:// pages for http:// ones and refuse every form posted"
            " from them as coming from another site.",
            hint="Set DJANGO_SECURE_PROXY_SSL_HEADER to the header your TLS proxy sets"
            " (e.g. X-Forwarded-Proto), or DJANGO_ENDS_TLS=true if the server in front of"
            " Django ends TLS itself with no proxy.",
            id="booking_site.E001",
        )
    ]


@register()
def translations_compiled(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Each offered language has a compiled catalogue, not older than its source.

    Without one, Django quietly shows that language's patients the English.
    """
    from .translations import catalogues, stale

    messages: list[CheckMessage] = [
        Warning(
            f"{po} is newer than its compiled .mo (or has none): patients read the old"
            " translation, or English.",
            hint="Run `manage.py compiletranslations`, then restart the site.",
            id="bookings.W004",
        )
        for po in stale()
    ]
    translated = {po.parent.parent.name.lower().replace("_", "-") for po in catalogues()}
    for code, name in settings.LANGUAGES:
        base = code.split("-")[0]
        if base != "en" and code not in translated and base not in translated:  # en: the source
            messages.append(
                Warning(
                    f"SITE_LANGUAGES offers {name} ({code}), but no catalogue translates it:"
                    " its pages would be in English.",
                    hint=f"Add THEME_DIR/locale/{code}/LC_MESSAGES/django.po"
                    " (docs/translations.md), or leave the language out of SITE_LANGUAGES.",
                    id="bookings.W005",
                )
            )
    return messages
