"""Step 4: what the diary confirmed, at an unguessable, expiring URL, and its calendar file."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from .. import changes, confirmations
from .common import render_step

logger = logging.getLogger(__name__)


@require_safe
def booked(request: HttpRequest, reference: str) -> HttpResponse:
    kept = confirmations.find(reference)
    if kept is None:
        return render_step(request, "booked_gone", {}, status=404)
    response = render_step(request, "booked", booked_context(kept, change_url=_change_url(kept)))
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def booked_context(kept: confirmations.Booked, *, change_url: str | None = None) -> dict[str, Any]:
    """What booked.html gets for a kept confirmation; `change_url` its change or cancel page."""
    return {
        "booked": kept,
        "google_url": confirmations.google_calendar_url(kept),
        "outlook_url": confirmations.outlook_calendar_url(kept),
        "kept_for": _duration(settings.BOOKING_CONFIRMATION_SECONDS),
        "change_url": change_url,
    }


def _change_url(kept: confirmations.Booked) -> str | None:
    """The booking's change or cancel page, if it has one (BOOKING_CHANGE_LINKS), in this
    page's language: the database finds it by the confirmation's reference."""
    if not settings.BOOKING_CHANGE_LINKS:
        return None
    try:
        link = changes.link_for(kept.reference)
    except DatabaseError as exc:
        # The confirmation is in the cache: it still shows, with "call us" for the link.
        logger.error("the confirmation's change link could not be read: %s", type(exc).__name__)
        return None
    return reverse("bookings:change", args=[link]) if link else None


@require_safe
def booked_calendar(request: HttpRequest, reference: str) -> HttpResponse:
    kept = confirmations.find(reference)
    if kept is None:
        raise Http404("No such confirmation")
    response = HttpResponse(
        confirmations.calendar_file(kept), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response["Cache-Control"] = "no-store"
    return response


def _duration(seconds: int) -> str:
    hours, minutes = seconds // 3600, max(seconds // 60, 1)
    if hours:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
