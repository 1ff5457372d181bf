"""What every page's template gets (docs/designers.md, "Every template").

`practice` is the same for every page in a language until the practice's
console changes something (bookings/configuration.py: a new reading at most
every 2 seconds) or a setting does: each process makes it once per language
and reading, not once per page. `look` is the request's own.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from . import configuration, languages, theme
from .clock import time_zone_label
from .embedding import embedded, new_tab_url
from .practice import text

# {(language, script prefix): (the configuration it was made from, what `practice` gives)}
_made: dict[tuple[str | None, str], tuple[configuration.Configuration, dict[str, Any]]] = {}


@receiver(setting_changed)
def _forget(**kwargs: object) -> None:
    # The practice's texts, the languages, the time zone are settings: a test that
    # changes one gets them afresh. A running site never changes one.
    _made.clear()


def practice(request: HttpRequest | None = None) -> dict[str, Any]:
    """The practice's contact details and time zone, which every page and email can show."""
    now = configuration.current()
    key = (get_language(), get_script_prefix())  # the privacy page's address has both
    kept = _made.get(key)
    if kept is not None and kept[0] is now:
        return kept[1]
    made = _practice(now)
    _made[key] = (now, made)
    return made


def _practice(now: configuration.Configuration) -> dict[str, Any]:
    # Read-only, as it is every page's in this language until the next reading.
    return {
        "practice": MappingProxyType(
            {
                # In the page's language where the practice wrote one (bookings/practice.py).
                "name": text("PRACTICE_NAME"),
                "phone": text("PRACTICE_PHONE"),
                "email": text("PRACTICE_EMAIL"),
                "address": text("PRACTICE_ADDRESS"),
                # Plain text from the settings: paragraphs and lines, so that
                # templates write the markup and autoescape what the practice wrote.
                "what_next": _parts(text("PRACTICE_WHAT_NEXT"), "\n\n"),
                "opening_hours": _parts(text("PRACTICE_OPENING_HOURS"), "\n"),
                # The practice's own notice, or the site's page naming the practice.
                "privacy_url": text("PRACTICE_PRIVACY_URL") or reverse("bookings:privacy"),
                # Another site's page: it opens in a new tab (it may refuse frames).
                "privacy_elsewhere": bool(text("PRACTICE_PRIVACY_URL")),
                # Whether what the patient types also goes into an email (the privacy notices say).
                "confirmation_email": settings.BOOKING_CONFIRMATION_EMAIL,
                # Whether the site keeps name, phone and email, encrypted, until the appointment
                # ends, for the change or cancel link (bookings/changes.py): the notices say.
                "change_links": settings.BOOKING_CHANGE_LINKS,
            }
        ),
        "time_zone_label": time_zone_label(),
        # The console's notices for today, in the page's language (notices.html, every step).
        "notices": tuple(
            words for notice in now.notices if (words := configuration.in_language(notice.text))
        ),
    }


def look(request: HttpRequest) -> dict[str, Any]:
    """The theme, and whether the page is in a practice website's frame."""
    return {
        "theme": theme.current(),
        "embedded": embedded(request),
        "new_tab_url": new_tab_url(request),
        # booking.js talks only to these parents (the frame-ancestors too).
        "embed_origins": " ".join(settings.EMBED_ALLOWED_ORIGINS),
        # This page in the other languages offered (none where one is).
        "language_links": languages.links(request),
        "assets_key": assets_key(),
    }


#: `assets_key` where the files may change under the same name: not hashable, so
#: `{% memo %}` (templatetags/memo.py) renders the tags every time.
_EVERY_TIME: list[str] = []


def assets_key() -> object:
    """What base.html's style sheet, logo and script tags depend on, for `{% memo %}`.

    Collected files never change under their hashed names (bookings/integrity.py
    hashes each once per process) and the theme is settings: one key for the
    process. In development a file edited shows, with its new hash, at the next
    page: no key.
    """
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        return "collected"
    return _EVERY_TIME


def _parts(text: str, separator: str) -> tuple[str, ...]:
    """`text`'s non-blank parts, each with its lines joined as one ("\r\n" from Windows too)."""
    parts = text.replace("\r\n", "\n").split(separator)
    return tuple(" ".join(part.split()) for part in parts if part.strip())
