from typing import Any

from django.conf import settings
from django.http import HttpRequest

from . import theme
from .clock import time_zone_label
from .embedding import embedded, new_tab_url


def practice(request: HttpRequest | None = None) -> dict[str, Any]:
    """The practice's contact details and time zone, which every page and email can show."""
    return {
        "practice": {
            "name": settings.PRACTICE_NAME,
            "phone": settings.PRACTICE_PHONE,
            "email": settings.PRACTICE_EMAIL,
            "address": settings.PRACTICE_ADDRESS,
        },
        "time_zone_label": time_zone_label(),
    }


def look(request: HttpRequest) -> dict[str, Any]:
    """The theme, and whether the page is in a practice website's frame."""
    return {
        "theme": theme.current(),
        "embedded": embedded(request),
        "new_tab_url": new_tab_url(request),
        # booking.js talks only to these parents (the frame-ancestors too).
        "embed_origins": " ".join(settings.EMBED_ALLOWED_ORIGINS),
    }
