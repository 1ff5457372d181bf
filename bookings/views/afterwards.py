"""What follows a `book` call, once its outcome is recorded: links, records and emails.

- Booked: the booking's own "Change or cancel" link (BOOKING_CHANGE_LINKS),
  in the patient's confirmation email and, through `changes.link_for`, on the
  confirmation page. A move records the new appointment against the old link
  and sends the practice one email, "booked online: NEW; please remove: OLD";
  any other booking, with PRACTICE_NOTIFY_BOOKINGS, a short note.
- Outcome unknown (the answer to `book` was lost): always a note to the
  practice, with the free time only, to check its diary; a move's link is
  marked so, and is not offered again.
- Nothing booked (taken, refused, the diary unavailable): a move's link is
  open again, for another time.

The booking is made before any of this: nothing here may turn its page into
an error. Each step that could fail (the database, a template) is logged,
without the patient's details, and the rest goes on. Practice emails go
through the outbox, which keeps and retries what the mail server refuses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse

from .. import activity, changes, confirmations, emails, outbox
from ..changes import Appointment, Change
from ..slots import Slot
from ..submissions import Kind, Outcome

logger = logging.getLogger(__name__)


def settle(
    request: HttpRequest,
    outcome: Outcome,
    booked: confirmations.Booked | None,
    patient: Mapping[str, str],
    slot: Slot,
    move: Change | None,
) -> None:
    """Everything the outcome of one `book` call sets going, for a booking and a move alike."""
    if outcome.kind == Kind.BOOKED and booked is not None:
        _booked(request, booked, patient, slot, move)
    elif outcome.kind == Kind.UNKNOWN:
        if move is not None:
            _safely("marking a move's outcome unknown", changes.unknown, move.link)
        _safely("the lost-outcome note", _to_practice, lambda: emails.practice_lost_outcome(slot))
    elif move is not None:
        _safely("reopening a change link", changes.release, move.link)


def _booked(
    request: HttpRequest,
    booked: confirmations.Booked,
    patient: Mapping[str, str],
    slot: Slot,
    move: Change | None,
) -> None:
    new = appointment(booked, slot, patient)
    change_url = None
    if settings.BOOKING_CHANGE_LINKS:
        link = _safely("keeping a change link", changes.keep, new, confirmation=booked.reference)
        if link:
            change_url = request.build_absolute_uri(reverse("bookings:change", args=[link]))
    if move is not None:
        _safely("recording a move", changes.moved, move.link, new)
        activity.count("move-requested")
        old = move.appointment
        _safely("the move request", _to_practice, lambda: emails.practice_move_request(old, new))
    elif settings.PRACTICE_NOTIFY_BOOKINGS:
        note = lambda: emails.practice_booking_note(booked, patient)  # noqa: E731
        _safely("the booking note", _to_practice, note)
    page_url = request.build_absolute_uri(reverse("bookings:booked", args=[booked.reference]))
    _safely(
        "the confirmation email",
        confirmations.send_email,
        booked,
        to=patient["email"],
        name=patient["name"],
        page_url=page_url,
        change_url=change_url,
    )


def appointment(
    booked: confirmations.Booked, slot: Slot, patient: Mapping[str, str]
) -> Appointment:
    """The booking as its change link keeps it: what the diary confirmed, and who; no reason."""
    return Appointment(
        practitioner_id=slot.practitioner.id,
        practitioner_name=booked.practitioner_name,
        room_id=slot.room.id,
        room_name=booked.room_name,
        start=booked.start,
        duration_minutes=booked.duration_minutes,
        name=patient["name"],
        phone=patient["phone"],
        email=patient["email"],
        language=booked.language,
    )


def _to_practice(build: Callable[[], EmailMessage]) -> bool:
    return outbox.send_to_practice(build())


def _safely(what: str, do: Callable[..., object], *args: object, **kwargs: object) -> object:
    """`do(...)`, or None, logged by its class only (a message can hold an address)."""
    try:
        return do(*args, **kwargs)
    except Exception as exc:  # the booking is made: its page must not become an error
        logger.error("after a booking, %s failed: %s", what, type(exc).__name__)
        return None
