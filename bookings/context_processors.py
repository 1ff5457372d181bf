from typing import Any

from django.conf import settings
from django.http import HttpRequest


def practice(request: HttpRequest) -> dict[str, Any]:
    """The practice's contact details, which every page can show."""
    return {
        "practice": {
            "name": settings.PRACTICE_NAME,
            "phone": settings.PRACTICE_PHONE,
            "email": settings.PRACTICE_EMAIL,
            "address": settings.PRACTICE_ADDRESS,
        },
        # How pages name the practice's time zone, which every time shown is in.
        "time_zone_label": (
            "UK time" if settings.TIME_ZONE == "Europe/London" else f"{settings.TIME_ZONE} time"
        ),
    }
