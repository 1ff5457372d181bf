"""The privacy notice and the accessibility statement: two plain pages, linked from every footer.

Neither asks the diary, so both open when it is down, and both may be framed
like the booking's steps (a patient in a practice's frame follows the footer
link there). Each offers a way back to the step the patient came from.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

#: The pages a "Back" link may return to: the steps whose state is all in their URL.
_STEPS_TO_RETURN_TO = {"bookings:choose", "bookings:times", "bookings:details"}


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return _page(request, "bookings/privacy.html", privacy_context())


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return _page(request, "bookings/accessibility.html", {})


def privacy_context() -> dict[str, Any]:
    """What privacy.html states, from the settings that make it true."""
    return {
        "confirmation_kept_for": kept_for(settings.BOOKING_CONFIRMATION_SECONDS),
        "rate_counts_kept_for": kept_for(settings.BOOKING_RATE_LIMIT_SECONDS + 60),
        "practice_privacy_url": settings.PRACTICE_PRIVACY_URL,
    }


def kept_for(seconds: int) -> str:
    """A lifetime in words: "24 hours", "11 minutes"."""
    hours, minutes = seconds // 3600, max(seconds // 60, 1)
    if hours and seconds % 3600 == 0:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def back_url(request: HttpRequest) -> str:
    """The booking step the patient came from (its URL holds its state), else step 1.

    Read from the Referer, which browsers send within the site (Referrer-Policy:
    same-origin): only a step of this site's booking is believed.
    """
    referer = urlsplit(request.headers.get("Referer", ""))
    start = reverse("bookings:choose")
    if referer.netloc != request.get_host() or referer.scheme not in ("http", "https"):
        return start
    prefix = get_script_prefix()
    if not referer.path.startswith(prefix):
        return start
    try:
        match = resolve("/" + referer.path[len(prefix) :])
    except Resolver404:
        return start
    if match.view_name not in _STEPS_TO_RETURN_TO:
        return start
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, {"back_url": back_url(request), **context})
    # The back link follows the page the patient came from.
    patch_vary_headers(response, ["Referer"])
    return response
