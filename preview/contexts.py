"""Each preview state's template context, built from the samples by the booking
views' own helpers (`bookings.views.*_context`), as the real pages build theirs.

Each builder takes the request (some contexts read it) and returns the context.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse

from bookings import clock, emails, views, wizard
from bookings.changes import Change
from bookings.diary import Search
from bookings.embedding import new_tab_url
from bookings.forms import HONEYPOT_FILLED, ChooseForm, DetailsForm
from bookings.slots import Slot
from bookings.views import Problem, statements
from physiodiary import ApiError, ErrorCode

from .samples import (
    ANNA,
    CHANGE_LINK,
    PAIRS,
    PATIENT,
    PRACTITIONERS,
    ROOM_2,
    ROOMS,
    TOKEN,
    alternatives,
    appointment,
    booked,
    change,
    chosen,
    free_times,
    window,
)

Context = dict[str, Any]
Build = Callable[[HttpRequest], Context]

# --- Step 1 -----------------------------------------------------------------------------


def choose(request: HttpRequest) -> Context:
    # The first question, at /: who.
    return views.step_context("choose", views.choose_context(ChooseForm(PRACTITIONERS, ROOMS)))


def choose_unknown(request: HttpRequest) -> Context:
    # A practice's deep link, /?staffId=99999, to a practitioner no longer listed.
    form = ChooseForm(PRACTITIONERS, ROOMS, data={"staffId": "99999", "sectionId": wizard.ANY})
    form.is_valid()
    return views.step_context("choose", views.choose_context(form))


def choose_room(request: HttpRequest) -> Context:
    # The second question, /?staffId=42230: Anna has no free time in room 1 (from
    # the cached answers), so only the rooms she can be booked in are offered.
    form = ChooseForm.from_query(PRACTITIONERS, ROOMS, {"staffId": str(ANNA.id)})
    form.is_valid()
    form.offer_rooms_only_where_free({ROOMS[0].id})
    return views.step_context("choose", views.choose_context(form, "sectionId"))


def choose_closed(request: HttpRequest) -> Context:
    return views.step_context("choose", {"closed": True})


# --- Step 2 -----------------------------------------------------------------------------

_ONE = {"staffId": str(ANNA.id), "sectionId": str(ROOM_2.id)}
_ANY = {"staffId": wizard.ANY, "sectionId": wizard.ANY}


def _searched(found: tuple[Slot, ...], *, later: bool = True, **more: Any) -> Search:
    """A search as the diary's answers over the whole horizon give it: the overview of
    free days shows the sample times' days and, with `later`, each weekday after them."""
    days = {free.start.date() for free in found}
    if later and found:
        after = max(days)
        last = clock.last_bookable_day()
        days |= {
            after + dt.timedelta(days=n)
            for n in range(3, (last - after).days + 1)
            if (after + dt.timedelta(days=n)).weekday() < 5 and n % 4
        }
    known = (clock.today(), clock.last_bookable_day())
    return Search(found, free_days=frozenset(days), known=known, **more)


def times_one(
    request: HttpRequest,
    *,
    no_time_chosen: bool = False,
    passed: bool = False,
    moving: bool = False,
) -> Context:
    """Anna in Room 2; `moving`: for a move of the sample booking (its change link)."""
    shown = window()
    search = _searched(free_times(((ANNA, ROOM_2),), shown, (45,)))
    # A move's link goes wherever the choice goes, as the real page carries it.
    choice = {**_ONE, "change": CHANGE_LINK} if moving else _ONE
    context = views.times_context(
        choice,
        shown,
        search,
        [ANNA],
        [ROOM_2],
        PRACTITIONERS,
        ROOMS,
        no_time_chosen=no_time_chosen,
        passed=passed,
    )
    if moving:
        context.update(views.move_times_context(change(), choice))
    return views.step_context("times", context)


def times_any(request: HttpRequest, *, unchecked: bool = False) -> Context:
    shown = window()
    if unchecked:
        # One diary could not be read, and the others' slots differ in length.
        found = free_times(PAIRS[:2], shown, (45, 30))
        # A diary not read: which days are free is not known, so every day is a link.
        search = Search(
            found, unchecked=(PAIRS[2],), free_days=frozenset(f.start.date() for f in found)
        )
    else:
        search = _searched(free_times(PAIRS, shown, (45,)))
    context = views.times_context(
        _ANY, shown, search, list(PRACTITIONERS), list(ROOMS), PRACTITIONERS, ROOMS
    )
    return views.step_context("times", context)


def times_empty(request: HttpRequest, *, next_free: str) -> Context:
    """No free time in the window; then the look ahead found a day, none, or failed."""
    shown = window()
    # The overview as the answers give it: every day known to have nothing free but, for the
    # next free day, that one; with the look ahead failed, nothing known.
    day = (
        min(shown.later + dt.timedelta(days=2), clock.last_bookable_day()) if shown.later else None
    )
    search = Search(()) if next_free == "failed" else _searched(())
    if next_free == "found" and day:
        search = Search((), free_days=frozenset({day}), known=search.known)
    context = views.times_context(_ONE, shown, search, [ANNA], [ROOM_2], PRACTITIONERS, ROOMS)
    if next_free == "found" and day:
        context.update(views.next_free_context(_ONE, day))
    elif next_free == "none":
        context.update(views.next_free_context(_ONE, None))
    return views.step_context("times", context)


# --- Step 3 -----------------------------------------------------------------------------


def _details_form(**changes: str) -> DetailsForm:
    """The form as posted: the free time, the token and the patient's details."""
    form = DetailsForm({**chosen().query, "token": TOKEN, **PATIENT, **changes})
    form.is_valid()
    return form


def details(
    request: HttpRequest,
    form: DetailsForm | None = None,
    *,
    problem: Problem | None = None,
    taken: tuple[Slot, ...] | None = None,
    wait: int = 0,
    slot: Slot | None = None,
    move: Change | None = None,
) -> Context:
    slot = slot or chosen()
    if form is None:
        form = DetailsForm(initial={**slot.query, "token": TOKEN})
    context = views.details_context(
        request, form, slot, problem=problem, taken=taken, wait=wait, move=move
    )
    # Back to this preview, never to the real details page: nothing is booked.
    context["action"] = request.path
    return views.step_context("details", context)


def details_field_errors(request: HttpRequest) -> Context:
    form = _details_form(
        name="",
        phone="0161 ab",
        email="alex.morgan@",
        # Over the 500 characters allowed, whitespace stripped as the form strips it.
        desc=("My knee hurts when I run downhill, and lately on the stairs too. " * 9).strip(),
    )
    return details(request, form)


def details_refused(request: HttpRequest) -> Context:
    # The diary's own errors, each on its field through forms.API_ERRORS.
    form = _details_form()
    form.add_api_errors(
        [
            ApiError(ErrorCode.INVALID_STAFF_ID, "staffId", ""),
            ApiError(ErrorCode.INVALID_TIME, "time", ""),
            ApiError(ErrorCode.INVALID_PHONE, "phone", ""),
        ]
    )
    return details(request, form)


def details_no_field(request: HttpRequest) -> Context:
    form = _details_form()
    form.add_error(None, HONEYPOT_FILLED)
    return details(request, form)


def details_taken(request: HttpRequest, *, offered: bool = True) -> Context:
    """The chosen time was just taken; the nearest others offered, or none."""
    return details(request, _details_form(), taken=alternatives() if offered else ())


def details_moving(request: HttpRequest) -> Context:
    """A move's form: the new time, with the name, phone and email kept with the link (never
    a reason: none is kept), as the real page fills them in."""
    moving = change()
    kept, new = moving.appointment, appointment(moved=True)
    slot = Slot(ANNA, ROOM_2, new.start, new.duration_minutes)
    initial = {**slot.query, "token": TOKEN, "name": kept.name, "phone": kept.phone}
    form = DetailsForm(initial={**initial, "email": kept.email})
    return details(request, form, slot=slot, move=moving)


def details_problem(problem: Problem, **extra: int) -> Build:
    """The details page with `problem`'s box, as the form was posted."""

    def build(request: HttpRequest) -> Context:
        return details(request, _details_form(), problem=problem, **extra)

    return build


# --- Step 4 and the email ---------------------------------------------------------------


def booked_page(request: HttpRequest, *, moved: bool = False, change_link: bool = True) -> Context:
    # The sample link's page, as the real one finds the booking's (BOOKING_CHANGE_LINKS).
    change_url = reverse("bookings:change", args=[CHANGE_LINK]) if change_link else None
    context = views.booked_context(booked(moved=moved), change_url=change_url)
    return views.step_context("booked", context)


def booked_gone(request: HttpRequest) -> Context:
    return views.step_context("booked_gone", {})


# The emails, each built by bookings.emails as the site builds it (sending nothing), then
# shown by preview/email.html: its headers, its HTML part in a frame (`html_part`, served
# by views.email_html) and its text part.

Message = Callable[[HttpRequest], EmailMessage]


def _address(request: HttpRequest, name: str, *args: str) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def confirmation_email(
    request: HttpRequest, *, moved: bool = False, change_link: bool = True
) -> EmailMessage:
    """The confirmation, with its "Change or cancel" link (or, without, "call us")."""
    kept = booked(moved=moved)
    change_url = _address(request, "bookings:change", CHANGE_LINK) if change_link else None
    page_url = _address(request, "bookings:booked", kept.reference)
    return emails.confirmation(
        kept, to=PATIENT["email"], name=PATIENT["name"], page_url=page_url, change_url=change_url
    )


def cancel_acknowledgement_email(request: HttpRequest) -> EmailMessage:
    page_url = _address(request, "bookings:change", CHANGE_LINK)
    return emails.cancel_acknowledgement(change("cancel"), page_url=page_url)


def practice_cancel_email(request: HttpRequest) -> EmailMessage:
    return emails.practice_cancel_request(change("cancel"))


def practice_move_email(request: HttpRequest) -> EmailMessage:
    return emails.practice_move_request(appointment(), appointment(moved=True))


def practice_booking_note_email(request: HttpRequest) -> EmailMessage:
    # PATIENT holds a reason for the visit: the note leaves it out.
    return emails.practice_booking_note(booked(), PATIENT)


def practice_lost_outcome_email(request: HttpRequest) -> EmailMessage:
    return emails.practice_lost_outcome(chosen())


def html_part(message: EmailMessage) -> str | None:
    """The HTML part as a browser can show it, its inline images as data: addresses; or None."""
    parts = getattr(message, "alternatives", ())
    html = next((str(part.content) for part in parts if part.mimetype == "text/html"), None)
    if html is None:
        return None
    for image in getattr(message, "images", ()):
        data = base64.b64encode(image.get_payload(decode=True)).decode()
        cid = "cid:" + image["Content-ID"].strip("<>")
        html = html.replace(cid, f"data:{image.get_content_type()};base64,{data}")
    return html


def email(message: Message, slug: str, request: HttpRequest) -> Context:
    """preview/email.html's context: the email `message` builds, with both parts."""
    built = message(request)
    attached = [part[0] for part in built.attachments if not isinstance(part, MIMEBase)]
    return {
        "email_subject": built.subject,
        "email_body": built.body,
        "email_from": built.from_email,
        "email_to": ", ".join(built.to),
        "email_reply_to": ", ".join(built.reply_to),
        "email_attached": attached,
        "email_images": [image.get_filename() for image in getattr(built, "images", ())],
        "email_html_url": reverse("preview:email-html", args=[slug]) if html_part(built) else "",
    }


# --- Error pages ------------------------------------------------------------------------


def error_page(request: HttpRequest) -> Context:
    return {}


def unavailable(request: HttpRequest) -> Context:
    # As error_pages.unavailable: "Try again" asks for the same address (here, the preview's).
    return {"maybe_booked": False, "retry_url": new_tab_url(request)}


def privacy(request: HttpRequest) -> Context:
    return {**statements.privacy_context(), "back_url": reverse("bookings:choose")}


def accessibility(request: HttpRequest) -> Context:
    return {"back_url": reverse("bookings:choose")}


def maybe_booked(request: HttpRequest) -> Context:
    # As error_pages.unavailable for a post that failed on the site's own store.
    return {"maybe_booked": True}


def too_many(request: HttpRequest) -> Context:
    # As error_pages.too_many_requests words a whole period's wait.
    return {"wait_minutes": math.ceil(settings.BOOKING_RATE_LIMIT_SECONDS / 60)}
