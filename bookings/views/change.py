"""A booked appointment's "Change or cancel" link: its pages, and the cancel request.

- `/change/<link>/`: the appointment and two choices, "Move to another time"
  and "Cancel the appointment"; once either was asked for, what was asked and
  when (the record is in the database, so a second visit finds it on any
  server). A link that does not work (altered, unknown, purged) gets the 404
  page, an appointment that has started the 410.
- `/change/<link>/cancel/`: GET, the page that asks to confirm, saying so
  inside the practice's late-cancellation notice (BOOKING_LATE_CANCEL_HOURS);
  POST, the request, once (`changes.claim`, one conditional UPDATE): one
  email to the practice, and the acknowledgement, on the page and by email.

A move goes through the wizard's own times and details pages, with
`change=<link>` in their query strings and the details form (`for_move`,
below, is what they ask here); booking.py claims the link before `book`.

The link's id is the only key to these pages: it is hidden in logs
(booking_site/logs.py) and never put in a cookie. The cancel form is
protected as the details form is: the site's same-origin check on every
POST, and a signed token from the GET page instead of a CSRF cookie (the
site runs in practices' frames, where third-party cookies are blocked).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from .. import (
    activity,
    changes,
    configuration,
    crypto,
    emails,
    error_pages,
    guard,
    maintenance,
    outbox,
    wizard,
)
from ..changes import Change, Request
from .common import see_other, step_context

logger = logging.getLogger(__name__)

#: The rate limits' scopes (guard.wait_needed): visits to a link's pages are counted
#: like the times pages' searches, and cancel requests like booking attempts.
LOOKS, REQUESTS = "change-look", "change"

_SALT = "bookings.change-cancel"


def _then_maintenance(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view, then the purge and the outbox if due (at most once a minute, on any server)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # After the page has gone: a due practice email can take EMAIL_TIMEOUT.
        return maintenance.after(view(request, *args, **kwargs))

    return wrapper


@require_safe
@_then_maintenance
def overview(request: HttpRequest, link: str) -> HttpResponse:
    found = _found(request, link)
    if isinstance(found, HttpResponse):
        return found
    return _page(request, "change", overview_context(found))


@csrf_exempt  # the form's signed token stands in for the CSRF cookie (see the docstring)
@require_http_methods(["GET", "HEAD", "POST"])
@_then_maintenance
def cancel(request: HttpRequest, link: str) -> HttpResponse:
    if request.method == "POST":
        return _cancel(request, link)
    found = _found(request, link)
    if isinstance(found, HttpResponse):
        return found
    if found.state != "open":
        return see_other(overview_url(link))  # asked already: the page says what, and when
    return _page(request, "change_cancel", cancel_context(found))


def _cancel(request: HttpRequest, link: str) -> HttpResponse:
    """The cancel request: once, whatever is clicked, refreshed or sent to two servers at once."""
    found = _found(request, link, scope=REQUESTS, limit=settings.BOOKING_RATE_LIMIT)
    if isinstance(found, HttpResponse):
        return found
    if found.state != "open":
        return see_other(overview_url(link))
    if not _token_is_for(request.POST.get("token", ""), link):
        return _page(request, "change_cancel", cancel_context(found, expired=True), status=400)
    asked = replace(
        found, request=Request.CANCEL, requested_at=timezone.localtime(), state="cancel"
    )
    # Built before the claim: the email is the request's only record at the practice,
    # so a claim must never be left without one (a failure here claims nothing).
    request_to_practice = emails.practice_cancel_request(asked)
    if not changes.claim(link, Request.CANCEL):
        return see_other(overview_url(link))  # another click (or server) got there first
    activity.count("cancel-requested")
    # Kept and retried if the mail server fails (outbox.py); the patient's copy is
    # not, and the page says so when it did not go.
    outbox.send_to_practice(request_to_practice)
    page_url = request.build_absolute_uri(overview_url(link))
    emailed = _send_to_patient(lambda: emails.cancel_acknowledgement(asked, page_url=page_url))
    context = {**overview_context(asked), "just_now": True, "emailed": emailed}
    return _page(request, "change", context)


# --- What each page gets ----------------------------------------------------------------


def overview_context(change: Change) -> dict[str, Any]:
    """What change.html gets. Apart from the view so that /preview/ could render the same."""
    appointment = change.appointment
    return {
        "change": change,
        "appointment": appointment,
        "move_url": wizard.url(
            "times",
            staffId=appointment.practitioner_id,
            sectionId=appointment.room_id,
            change=change.link,
        ),
        "move_any_url": wizard.url(
            "times", staffId=wizard.ANY, sectionId=wizard.ANY, change=change.link
        ),
        "cancel_url": reverse("bookings:change-cancel", args=[change.link]),
        **_late_notice(appointment.start),
    }


def cancel_context(change: Change, *, expired: bool = False) -> dict[str, Any]:
    """What change_cancel.html gets: the appointment, the notice, and a fresh token."""
    return {
        "change": change,
        "appointment": change.appointment,
        "token": _issue(change.link),
        "action": reverse("bookings:change-cancel", args=[change.link]),
        "expired": expired,
        "problem": "expired" if expired else None,  # the page title's "Error: "
        "back_url": overview_url(change.link),
        **_late_notice(change.appointment.start),
    }


def _late_notice(start: dt.datetime) -> dict[str, Any]:
    """Whether cancelling now is inside the practice's late-cancellation notice."""
    hours = configuration.rule("BOOKING_LATE_CANCEL_HOURS")
    late = bool(hours) and start - timezone.now() < dt.timedelta(hours=hours)
    return {"late": late, "late_cancel_hours": hours}


def overview_url(link: str) -> str:
    return reverse("bookings:change", args=[link])


# --- The move, through the wizard's pages --------------------------------------------------


def for_move(
    request: HttpRequest, query: QueryDict, *, must_be_open: bool = True
) -> Change | HttpResponse | None:
    """The appointment a wizard page is moving (`change=` in `query`), or the page to show.

    None: not a move. A link that does not work, or an appointment that has
    started, gets its page; one already used (and `must_be_open`), the link's
    own page, which says what was asked for. The details form's POST passes
    `must_be_open=False`: a repeat of a move that booked shows the booking, and
    `changes.claim` decides the rest.
    """
    link = query.get("change")
    if not link:
        return None
    found = _found(request, link, scope=None)
    if isinstance(found, Change) and must_be_open and found.state != "open":
        return see_other(overview_url(link))
    return found


def move_context(change: Change) -> dict[str, Any]:
    """What the times and details pages of a move add: the old appointment, the way back."""
    return {"moving": change, "back_url": overview_url(change.link)}


# --- Finding the link ------------------------------------------------------------------------


def _found(
    request: HttpRequest, link: str, *, scope: str | None = LOOKS, limit: int | None = None
) -> Change | HttpResponse:
    """The link's record, or the page that says why not (429, 404, 410)."""
    if scope is not None:
        allowance = settings.BOOKING_SEARCH_RATE_LIMIT if limit is None else limit
        if wait := guard.wait_needed(request, scope, allowance):
            return error_pages.too_many_requests(request, wait)
    found = changes.find(link) if settings.BOOKING_CHANGE_LINKS else None
    if found is None:
        return _page(request, "change_unknown", {}, status=404)
    # A moved appointment's old time is no longer the patient's: its page still says where to.
    if found.appointment.start <= timezone.now() and found.state != "moved":
        return _page(request, "change_started", {"appointment": found.appointment}, status=410)
    return found


def _page(
    request: HttpRequest, name: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """`bookings/<name>.html` on the step base, with no progress: the booking is made."""
    response = render(
        request, f"bookings/{name}.html", step_context("booked", context), status=status
    )
    # The patient's name and the appointment: not for a shared computer's cache, nor search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _send_to_patient(build: Callable[[], EmailMessage]) -> bool:
    """Build and send a patient's email; False, logged without details, if either fails."""
    try:
        return emails.send_to_patient(build())
    except Exception as exc:  # the request stands whatever the email does
        logger.error("change email to the patient not sent: %s", type(exc).__name__)
        return False


# --- The cancel form's token ---------------------------------------------------------------


def _issue(link: str) -> str:
    """A token for this link's cancel form: which link (as a digest), and when."""
    return signing.dumps({"l": crypto.digest(link)[:32], "i": int(time.time())}, salt=_SALT)


def _token_is_for(token: str, link: str) -> bool:
    """Whether the token is ours, recent, and for this link."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.BOOKING_FORM_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("l") == crypto.digest(link)[:32]
