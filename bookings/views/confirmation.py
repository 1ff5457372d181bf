"""Step 4: what the diary confirmed, at an unguessable, expiring URL, and its calendar file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from .. import confirmations
from .common import render_step


@require_safe
def booked(request: HttpRequest, reference: str) -> HttpResponse:
    kept = confirmations.find(reference)
    if kept is None:
        return render_step(request, "booked_gone", {}, status=404)
    response = render_step(request, "booked", booked_context(kept))
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def booked_context(kept: confirmations.Booked) -> dict[str, Any]:
    """What booked.html gets for a kept confirmation."""
    return {
        "booked": kept,
        "google_url": confirmations.google_calendar_url(kept),
        "outlook_url": confirmations.outlook_calendar_url(kept),
        "kept_for": _duration(settings.BOOKING_CONFIRMATION_SECONDS),
    }


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
