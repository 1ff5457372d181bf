from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .wizard import time_zone_label


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
