from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import configuration, languages, theme
from .clock import time_zone_label
from .embedding import embedded, new_tab_url
from .practice import text


def practice(request: HttpRequest | None = None) -> dict[str, Any]:
    """The practice's contact details and time zone, which every page and email can show."""
    return {
        "practice": {
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
        },
        "time_zone_label": time_zone_label(),
        # The console's notices for today, in the page's language (notices.html, every step).
        "notices": [
            words
            for notice in configuration.current().notices
            if (words := configuration.in_language(notice.text))
        ],
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
    }


def _parts(text: str, separator: str) -> list[str]:
    """`text`'s non-blank parts, each with its lines joined as one ("\r\n" from Windows too)."""
    parts = text.replace("\r\n", "\n").split(separator)
    return [" ".join(part.split()) for part in parts if part.strip()]
