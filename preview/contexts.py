"""Each preview state's template context, built from the samples by the booking
views' own helpers (`bookings.views.*_context`), as the real pages build theirs.

Each builder takes the request (some contexts read it) and returns the context.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from bookings import clock, views, wizard
from bookings.context_processors import practice
from bookings.diary import Search
from bookings.embedding import new_tab_url
from bookings.forms import HONEYPOT_FILLED, ChooseForm, DetailsForm
from bookings.slots import Slot
from bookings.views import Problem, statements
from physiodiary import ApiError, ErrorCode

from .samples import (
    ANNA,
    PAIRS,
    PATIENT,
    PRACTITIONERS,
    ROOM_2,
    ROOMS,
    TOKEN,
    alternatives,
    booked,
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
    request: HttpRequest, *, no_time_chosen: bool = False, passed: bool = False
) -> Context:
    shown = window()
    search = _searched(free_times(((ANNA, ROOM_2),), shown, (45,)))
    context = views.times_context(
        _ONE,
        shown,
        search,
        [ANNA],
        [ROOM_2],
        PRACTITIONERS,
        ROOMS,
        no_time_chosen=no_time_chosen,
        passed=passed,
    )
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
) -> Context:
    slot = chosen()
    if form is None:
        form = DetailsForm(initial={**slot.query, "token": TOKEN})
    context = views.details_context(request, form, slot, problem=problem, taken=taken, wait=wait)
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


def details_problem(problem: Problem, **extra: int) -> Build:
    """The details page with `problem`'s box, as the form was posted."""

    def build(request: HttpRequest) -> Context:
        return details(request, _details_form(), problem=problem, **extra)

    return build


# --- Step 4 and the email ---------------------------------------------------------------


def booked_page(request: HttpRequest, *, moved: bool = False) -> Context:
    return views.step_context("booked", views.booked_context(booked(moved=moved)))


def booked_gone(request: HttpRequest) -> Context:
    return views.step_context("booked_gone", {})


def email(request: HttpRequest, *, moved: bool = False) -> Context:
    kept = booked(moved=moved)
    page_url = request.build_absolute_uri(reverse("bookings:booked", args=[kept.reference]))
    # The context confirmations.send_email gives both templates (an email has no request).
    context = {"booked": kept, "name": PATIENT["name"], "page_url": page_url, **practice()}
    return {
        "email_subject": render_to_string("bookings/email/subject.txt", context).strip(),
        "email_body": render_to_string("bookings/email/confirmation.txt", context),
        "email_from": settings.DEFAULT_FROM_EMAIL,
        "email_to": PATIENT["email"],
        "email_reply_to": settings.PRACTICE_EMAIL,
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
