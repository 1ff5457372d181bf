"""The change or cancel link's pages (bookings/views/change.py) with the sample link, each
built by the link's own views' helpers (`overview_context`, `cancel_context`) as the real
pages build theirs, on the step base as `change._page` renders them.

The sample link is kept nowhere (samples.CHANGE_LINK): nothing here reads or writes the
database, and the cancel form posts back to its preview with a token that is not signed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from bookings import views
from bookings.views import change as link_pages

from .contexts import Context
from .samples import TOKEN, appointment, change, from_now


def _as_page(context: Context) -> Context:
    # As change._page: the step base with no progress (the booking is made).
    return views.step_context("booked", context)


def overview(
    request: HttpRequest, *, state: str = "open", just_now: bool = False, emailed: bool = True
) -> Context:
    """/change/<link>/ in `state`; `just_now`: straight after the cancel, as its POST answers."""
    context = link_pages.overview_context(change(state))
    if just_now:
        context.update(just_now=True, emailed=emailed)
    return _as_page(context)


def cancel(request: HttpRequest, *, late: bool = False, expired: bool = False) -> Context:
    """/change/<link>/cancel/: are you sure? `late`: the appointment is inside the practice's
    late-cancellation notice (BOOKING_LATE_CANCEL_HOURS): in about two hours, or sooner
    for a notice of less than four."""
    start = from_now(min(120, settings.BOOKING_LATE_CANCEL_HOURS * 30)) if late else None
    context = link_pages.cancel_context(change(start=start), expired=expired)
    # Back to this preview, never to the real page, with a token the real page would refuse.
    context.update(token=TOKEN, action=request.path)
    return _as_page(context)


def link_not_found(request: HttpRequest) -> Context:
    # The 404 says nothing of any appointment: its context is empty, as the view's is.
    return _as_page({})


def started(request: HttpRequest) -> Context:
    # The 410: an appointment that began a few minutes ago.
    return _as_page({"appointment": appointment(start=from_now(-10))})
