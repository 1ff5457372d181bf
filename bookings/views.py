"""The booking wizard: four pages, each a real URL, none needing a cookie or JavaScript.

1. `choose`: practitioner and room (GET form, so the choice becomes the next URL)
2. `times`: a free time, from the diary's freeList
3. `details`: the patient's details; its POST calls `book` once
4. `booked`: what the diary confirmed, at an unguessable, expiring URL
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from itertools import groupby
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from . import confirmations, diary, errors, guard, submissions, tokens, wizard
from .forms import ChooseForm, DetailsForm, where
from .physiodiary import (
    ApiError,
    ErrorCode,
    PhysiodiaryError,
    Practitioner,
    Rejected,
    Room,
    UnknownOutcome,
    get_client,
)

logger = logging.getLogger(__name__)


def diary_needed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page the diary failed to serve becomes a 503 with the practice's phone and email."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PhysiodiaryError:
            # The client has logged the cause; the patient needs another way in.
            return errors.unavailable(request)

    return wrapper


# --- Step 1: practitioner and room ----------------------------------------------------


@require_safe
@diary_needed
def choose(request: HttpRequest) -> HttpResponse:
    practitioners, rooms = diary.lists()
    if not practitioners or not rooms:
        return _render(request, "choose", {"closed": True})
    if len(practitioners) == 1 and len(rooms) == 1:
        return redirect(wizard.url("times"))  # nothing to choose
    form = ChooseForm(practitioners, rooms)
    if "staffId" in request.GET or "sectionId" in request.GET:
        # A practice's deep link (/?staffId=42230) or a "Change" link: shown
        # chosen, and an id no longer listed is said so, not silently dropped.
        form = ChooseForm(practitioners, rooms, data=_with_defaults(form, request.GET))
        form.is_valid()
    return _render(request, "choose", choose_context(form))


def choose_context(form: ChooseForm) -> dict[str, Any]:
    """What choose.html gets for a form (the closed practice gets `closed` instead)."""
    return {"form": form, "error_links": _error_links(form)}


def _with_defaults(form: ChooseForm, query: QueryDict) -> dict[str, str]:
    """The choice in the query, with the form's defaults for what it leaves out.

    "any" where there is only one practitioner (or room) means that one: a link
    made when the practice had more must still work.
    """
    data = {}
    for name, field in form.fields.items():
        value = query.get(name) or field.initial
        if value == wizard.ANY and len(field.choices) == 1:
            value = field.initial
        if value is not None:
            data[name] = str(value)
    return data


# --- Step 2: date and time ------------------------------------------------------------


@require_safe
@diary_needed
def times(request: HttpRequest) -> HttpResponse:
    if wizard.malformed(request.GET):
        return errors.bad_request(request)
    practitioners, rooms = diary.lists()
    if not practitioners or not rooms:
        return redirect(wizard.url("choose"))
    form = ChooseForm(practitioners, rooms)
    form = ChooseForm(practitioners, rooms, data=_with_defaults(form, request.GET))
    if not form.is_valid():
        return _choose_again(request, form)
    chosen = wizard.SlotKey.parse(request.GET.get("slot"))
    if chosen:
        # `via` keeps "any" for the details page's Change links.
        staff, section = form.cleaned_data["staffId"], form.cleaned_data["sectionId"]
        via = f"{staff}.{section}" if wizard.ANY in (staff, section) else None
        return redirect(wizard.url("details", **chosen.query(), via=via))
    window = wizard.Window.starting(request.GET.get("date"))
    if window is None:
        return errors.bad_request(request)  # beyond the last bookable day: no link goes there
    if wait := guard.wait_needed(request, "search", settings.BOOKING_SEARCH_RATE_LIMIT):
        return errors.too_many_requests(request, wait)
    who, where = form.chosen()
    not_before = wizard.earliest_bookable()
    try:
        search = diary.find_free_times(who, where, window.start, window.days, not_before=not_before)
    except Rejected as exc:
        # The diary no longer knows this practitioner or room: choose again.
        if not form.add_diary_errors(exc.errors):
            raise
        return _choose_again(request, form)
    choice = {"staffId": form.cleaned_data["staffId"], "sectionId": form.cleaned_data["sectionId"]}
    # "Continue" pressed with no time chosen (only possible where there are times).
    no_time_chosen = "next" in request.GET and bool(search.free_times)
    context = times_context(
        choice,
        window,
        search,
        who,
        where,
        practitioners,
        rooms,
        no_time_chosen=no_time_chosen,
        passed="passed" in request.GET,
    )
    if not search.free_times and window.later:
        context.update(_next_free_day(choice, who, where, window.later))
    return _render(request, "times", context, status=400 if no_time_chosen else 200)


def times_context(
    choice: dict[str, str],
    window: wizard.Window,
    search: diary.Search,
    who: list[Practitioner],
    where: list[Room],
    practitioners: tuple[Practitioner, ...],
    rooms: tuple[Room, ...],
    *,
    no_time_chosen: bool = False,
    passed: bool = False,
) -> dict[str, Any]:
    """What times.html gets, but for the look ahead to the next free day (a diary call:
    `next_free_context`). Apart from the view so that /preview/ renders the same names."""
    context = {
        "choice": choice,
        "window": window,
        "search": search,
        "days": _by_day(search.free_times),
        "many": len(who) * len(where) > 1,
        "practitioner": who[0] if len(who) == 1 else None,
        "room": where[0] if len(where) == 1 else None,
        "no_time_chosen": no_time_chosen,
        "error_links": [(_first_radio(search), "Choose a time")] if no_time_chosen else [],
        "passed": passed,
        "earlier_url": _window_url(choice, window.earlier),
        "later_url": _window_url(choice, window.later),
        "horizon_days": settings.BOOKING_HORIZON_DAYS,
        "can_choose": len(practitioners) > 1 or len(rooms) > 1,
    }
    if not search.free_times:
        context["wider_urls"] = _wider(choice, who, where, practitioners, rooms)
    return context


def _choose_again(request: HttpRequest, form: ChooseForm) -> HttpResponse:
    return _render(request, "choose", choose_context(form), 400)


def _wider(
    choice: dict[str, str],
    who: list[Practitioner],
    where: list[Room],
    practitioners: tuple[Practitioner, ...],
    rooms: tuple[Room, ...],
) -> list[tuple[str, str]]:
    """Searches one step wider than a choice with nothing free: any room, any practitioner."""
    wider = []
    if len(where) == 1 and len(rooms) > 1 and len(who) == 1:
        url = wizard.url("times", staffId=choice["staffId"], sectionId=wizard.ANY)
        wider.append((f"Look for {who[0].name} in any room", url))
    if len(who) == 1 and len(practitioners) > 1:
        url = wizard.url("times", staffId=wizard.ANY, sectionId=choice["sectionId"])
        place = f"in {where[0].name}" if len(where) == 1 else "in any room"
        wider.append((f"Look for any practitioner {place}", url))
    return wider


def _next_free_day(
    choice: dict[str, str], who: list[Practitioner], where: list[Room], start: dt.date
) -> dict[str, Any]:
    """Rather than "later" clicked week after week: one more freeList call, over
    the rest of the bookable days, finds the next free day. If it fails the
    page still offers the next window and the practice's phone."""
    try:
        day = diary.first_free_day(who, where, start)
    except PhysiodiaryError:
        return {}
    return next_free_context(choice, day)


def next_free_context(choice: dict[str, str], day: dt.date | None) -> dict[str, Any]:
    """The empty times page's pointer to the next free day (None: none is bookable)."""
    return {"looked_ahead": True, "next_free": day, "next_free_url": _window_url(choice, day)}


def _first_radio(search: diary.Search) -> str:
    return f"slot-{search.free_times[0].key}"


def _window_url(choice: dict[str, str], start: dt.date | None) -> str | None:
    return wizard.url("times", **choice, date=f"{start:%Y%m%d}") if start else None


@dataclass(frozen=True)
class PartOfDay:
    name: str
    free_times: list[diary.FreeTime]


def _part_of_day(free: diary.FreeTime) -> str:
    hour = free.start.hour
    return "Morning" if hour < 12 else "Afternoon" if hour < 17 else "Evening"


def _by_day(free_times: tuple[diary.FreeTime, ...]) -> list[tuple[dt.date, list[PartOfDay]]]:
    """Free times grouped by day, then by morning, afternoon and evening."""
    days = []
    for day, on_day in groupby(free_times, key=lambda free: free.start.date()):
        parts = [PartOfDay(name, list(times)) for name, times in groupby(on_day, key=_part_of_day)]
        days.append((day, parts))
    return days


# --- Step 3: your details -------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    """The free time the details form is for."""

    practitioner: Practitioner
    room: Room
    start: dt.datetime
    # On a POST: "staffId" or "sectionId" when no longer listed by the diary.
    unlisted: tuple[str, ...] = ()
    # False when the diary's lists could not be had for this POST: the page
    # then does not ask for them again (and wait for another timeout).
    lists_known: bool = True

    @property
    def query(self) -> dict[str, object]:
        return {
            "staffId": self.practitioner.id,
            "sectionId": self.room.id,
            "date": f"{self.start:%Y%m%d}",
            "time": f"{self.start:%H%M}",
        }


@csrf_exempt  # the form's signed token stands in for the CSRF cookie (see tokens.py)
@sensitive_post_parameters("name", "phone", "email", "desc")
@require_http_methods(["GET", "HEAD", "POST"])
@diary_needed
def details(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    if wizard.malformed(request.GET) or (posted and not _names_a_free_time(request.POST)):
        # Our links and forms never look like this: it was changed by hand.
        return errors.bad_request(request)
    chosen = _chosen(request.POST if posted else request.GET, posted=posted)
    if isinstance(chosen, HttpResponse):
        return chosen
    if not posted:
        if chosen.start < wizard.earliest_bookable():
            return redirect(_times_url(request, chosen, passed=True))
        form = DetailsForm(initial={**chosen.query, "token": tokens.issue(*_token_fields(chosen))})
        return _render_details(request, form, chosen)
    return _submit(request, chosen)


def _chosen(source: QueryDict, *, posted: bool = False) -> Chosen | HttpResponse:
    """The free time named by the request, or where to go to choose one.

    A GET with a free time that cannot be offered goes back a step. A POST
    never does: it carries what the patient typed, so it gets field errors.
    """
    practitioner_id, room_id = _int(source.get("staffId")), _int(source.get("sectionId"))
    day, moment = wizard.api_date(source.get("date")), wizard.api_time(source.get("time"))
    lists_known = True
    try:
        practitioners, rooms = diary.lists()
        practitioner = next((p for p in practitioners if p.id == practitioner_id), None)
        room = next((r for r in rooms if r.id == room_id), None)
    except PhysiodiaryError:
        if not posted or practitioner_id is None or room_id is None:
            raise
        # The lists are unavailable: `book` checks the ids anyway, and its
        # failure keeps what was typed.
        practitioner, room = _unlisted_practitioner(practitioner_id), _unlisted_room(room_id)
        lists_known = False
    if posted and practitioner_id and room_id and day and moment:
        unlisted = (("staffId",) if practitioner is None else ()) + (
            ("sectionId",) if room is None else ()
        )
        return Chosen(
            practitioner or _unlisted_practitioner(practitioner_id),
            room or _unlisted_room(room_id),
            wizard.at(day, moment),
            unlisted,
            lists_known,
        )
    if practitioner is None or room is None:
        return redirect(wizard.url("choose", staffId=practitioner_id, sectionId=room_id))
    if day is None or moment is None or not wizard.today() <= day <= wizard.last_bookable_day():
        return redirect(wizard.url("times", staffId=practitioner.id, sectionId=room.id))
    return Chosen(practitioner, room, wizard.at(day, moment))


def _names_a_free_time(form: QueryDict) -> bool:
    """Whether a posted form has its hidden fields, as every form of ours does."""
    return not wizard.malformed(form) and all(
        (_int(form.get("staffId")), _int(form.get("sectionId")), form.get("date"), form.get("time"))
    )


def _unlisted_practitioner(practitioner_id: int) -> Practitioner:
    return Practitioner(practitioner_id, "the practitioner you chose")


def _unlisted_room(room_id: int) -> Room:
    return Room(room_id, "the room you chose")


def _int(value: str | None) -> int | None:
    # Not str.isdigit(): "²".isdigit() is true, and int("²") fails.
    return int(value) if value and re.fullmatch(r"[0-9]{1,12}", value) else None


def _token_fields(chosen: Chosen) -> tuple[int, int, str, str]:
    """The free time as the token holds it: practitioner, room, YYYYMMDD, HHMM."""
    return chosen.practitioner.id, chosen.room.id, f"{chosen.start:%Y%m%d}", f"{chosen.start:%H%M}"


def _times_url(request: HttpRequest, chosen: Chosen, *, passed: bool = False) -> str:
    return wizard.url(
        "times",
        **_choice(request, chosen),
        date=f"{chosen.start:%Y%m%d}",
        passed=1 if passed else None,
    )


def _choice(request: HttpRequest, chosen: Chosen) -> dict[str, object]:
    """What the patient chose at step 1: "any" survives through `via` (see `times`)."""
    staff, _, section = request.GET.get("via", "").partition(".")
    return {
        "staffId": wizard.ANY if staff == wizard.ANY else chosen.practitioner.id,
        "sectionId": wizard.ANY if section == wizard.ANY else chosen.room.id,
    }


def _via(request: HttpRequest, chosen: Chosen) -> str | None:
    choice = _choice(request, chosen)
    return f"{choice['staffId']}.{choice['sectionId']}" if wizard.ANY in choice.values() else None


@sensitive_variables()  # the patient's details, in error reports
def _submit(request: HttpRequest, chosen: Chosen) -> HttpResponse:
    """The details form's POST: check it, then call `book` once."""
    wait = guard.wait_needed(request, "book", settings.BOOKING_RATE_LIMIT)
    data = request.POST.copy()
    try:
        token = tokens.read(data.get("token", ""))
    except tokens.BadToken:
        token = None
    if token and not token.allows(*_token_fields(chosen)):
        token = None
    if token and submissions.known(token.nonce):
        # This very form was posted before: show what became of it. Checked
        # before anything that changes with time, so a Refresh long after
        # still finds the booking.
        form = DetailsForm(data)
        form.is_valid()
        return _repeat(request, form, chosen, token.nonce)
    if token and "slot" in data:
        # One of the free times offered after "just taken": same details, new time.
        alternative = wizard.SlotKey.parse(data["slot"])
        if alternative is None or data["slot"] not in token.alternatives:
            token = None
        else:
            start = wizard.at(alternative.date, alternative.time)
            chosen = replace(chosen, start=start)
            for key, value in chosen.query.items():
                data[key] = str(value)
    data["token"] = tokens.issue(*_token_fields(chosen))
    form = DetailsForm(data)
    if wait:
        form.is_valid()
        return _render_details(request, form, chosen, problem="too_many", status=429, wait=wait)
    if not form.is_valid():
        return _render_details(request, form, chosen, status=400)
    if token is None:
        form.add_error(None, "This form has expired. Check your details and book again.")
        return _render_details(request, form, chosen, status=400)
    if guard.filled_honeypot(request):
        logger.info("booking refused: the honeypot field was filled in")
        form.add_error(None, HONEYPOT_FILLED)
        return _render_details(request, form, chosen, status=400)
    if guard.too_quick(token.issued.timestamp()):
        logger.info("booking refused: the form came back too quickly")
        form.add_error(None, "Check your details, then press “Book appointment” again.")
        return _render_details(request, form, chosen, status=400)
    if "review" in data:
        # Enter pressed in a field while "just taken" offers times: book none unasked.
        return _taken(request, form, chosen)
    for field in chosen.unlisted:
        form.add_error(field, _UNLISTED[field])
    if chosen.start < wizard.earliest_bookable():
        form.add_error("time", "This time is now too soon to book online. Choose another time")
    elif chosen.start.date() > wizard.last_bookable_day():
        form.add_error("date", "This date is too far ahead to book online. Choose another time")
    if form.errors:
        return _render_details(request, form, chosen, status=400)
    if not submissions.claim(token.nonce):
        return _repeat(request, form, chosen, token.nonce)  # posted twice at once
    return _book(request, form, chosen, token.nonce)


HONEYPOT_FILLED = (
    "We could not take this booking. Leave the field marked “Leave this field empty”"
    " empty, then press “Book appointment” again."
)


#: A POST for a practitioner or room the diary no longer lists.
_UNLISTED = {
    "staffId": where(ApiError(ErrorCode.INVALID_STAFF_ID, "staffId", ""))[1],
    "sectionId": where(ApiError(ErrorCode.INVALID_SECTION_ID, "sectionId", ""))[1],
}


@sensitive_variables()  # the patient's details, in error reports
def _book(request: HttpRequest, form: DetailsForm, chosen: Chosen, nonce: str) -> HttpResponse:
    """Call `book`, once, and record its outcome against the form's nonce."""
    patient = {key: form.cleaned_data[key] for key in ("name", "phone", "email", "desc")}
    # Whatever the answer, the pair's free times may have changed.
    diary.forget_free_times(chosen.practitioner.id, chosen.room.id)
    try:
        confirmation = get_client().book(
            practitioner_id=chosen.practitioner.id,
            room_id=chosen.room.id,
            date=chosen.start.date(),
            time=chosen.start.time(),
            **patient,
        )
    except Rejected as exc:
        if ErrorCode.ALREADY_BOOKED in exc.codes:
            submissions.record(nonce, submissions.Outcome(submissions.TAKEN))
            return _taken(request, form, chosen)
        if ErrorCode.UNKNOWN_ERROR in exc.codes:
            # The diary failed in a way it does not explain: the booking may
            # have been made, and trying again could make it twice.
            return _unknown(request, form, chosen, nonce, "error 13")
        refused = tuple((error.code, error.field) for error in exc.errors)
        submissions.record(nonce, submissions.Outcome(submissions.REJECTED, errors=refused))
        return _rejected(request, form, chosen, refused)
    except UnknownOutcome as exc:
        return _unknown(request, form, chosen, nonce, exc.reason)
    except PhysiodiaryError:
        submissions.record(nonce, submissions.Outcome(submissions.UNAVAILABLE))
        return _render_details(request, form, chosen, problem="unavailable", status=503)
    booked = confirmations.keep(confirmation, requested=chosen.start)
    submissions.record(nonce, submissions.Outcome(submissions.BOOKED, booked.reference))
    page = reverse("bookings:booked", args=[booked.reference])
    confirmations.send_email(
        booked, to=patient["email"], name=patient["name"], page_url=request.build_absolute_uri(page)
    )
    return _see_other(page)


def _unknown(
    request: HttpRequest, form: DetailsForm, chosen: Chosen, nonce: str, cause: str
) -> HttpResponse:
    """The booking may or may not exist: never retried, and the practice must check."""
    submissions.record(nonce, submissions.Outcome(submissions.UNKNOWN))
    # What the practice needs to find it in its diary; never the patient's details.
    logger.error(
        "booking outcome unknown (%s): staffId=%s sectionId=%s date=%s time=%s;"
        " the practice should check its diary",
        cause,
        *_token_fields(chosen),
    )
    return _render_details(request, form, chosen, problem="unknown", status=503)


def _rejected(
    request: HttpRequest, form: DetailsForm, chosen: Chosen, refused: tuple[tuple[int, str], ...]
) -> HttpResponse:
    """The diary's errors on their fields; those with no field say to call the practice."""
    if form.add_api_errors([ApiError(code, field, "") for code, field in refused]):
        return _render_details(request, form, chosen, problem="rejected", status=503)
    return _render_details(request, form, chosen, status=400)


def _repeat(request: HttpRequest, form: DetailsForm, chosen: Chosen, nonce: str) -> HttpResponse:
    """A form posted again: what became of its first post, without booking again."""
    client = get_client()
    # Long enough for the first post's `book` call to finish, whatever happens to it.
    first = submissions.outcome(nonce, wait=sum(client.timeout) + 1)
    if first is None:
        return _render_details(request, form, chosen, problem="pending", status=409)
    if first.kind == submissions.BOOKED:
        return _see_other(reverse("bookings:booked", args=[first.reference]))
    if first.kind == submissions.TAKEN:
        return _taken(request, form, chosen)
    if first.kind == submissions.REJECTED:
        return _rejected(request, form, chosen, first.errors)
    if first.kind == submissions.UNAVAILABLE:
        return _render_details(request, form, chosen, problem="unavailable", status=503)
    return _render_details(request, form, chosen, problem="unknown", status=503)


def _see_other(url: str) -> HttpResponse:
    # 303: Refresh or Back on the confirmation never re-sends the booking form.
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


def _taken(request: HttpRequest, form: DetailsForm, chosen: Chosen) -> HttpResponse:
    """12 ALREADY_BOOKED: keep what was typed and offer the nearest free times."""
    try:
        nearest = diary.nearest_free_times(
            chosen.practitioner,
            chosen.room,
            chosen.start,
            not_before=wizard.earliest_bookable(),
        )
    except PhysiodiaryError:
        nearest = ()
    data = form.data.copy()
    data["token"] = tokens.issue(*_token_fields(chosen), tuple(free.key for free in nearest))
    form = DetailsForm(data)
    form.is_valid()
    return _render_details(request, form, chosen, taken=nearest, status=409)


def _render_details(
    request: HttpRequest,
    form: DetailsForm,
    chosen: Chosen,
    *,
    problem: str | None = None,
    taken: tuple[diary.FreeTime, ...] | None = None,
    status: int = 200,
    wait: int = 0,
) -> HttpResponse:
    context = details_context(
        request,
        form,
        chosen,
        problem=problem,
        taken=taken,
        wait=wait,
        # Unknown lists: offer the Change links rather than wait on the diary again.
        can_choose=not chosen.lists_known or _can_choose(),
    )
    response = _render(request, "details", context, status=status)
    # What was typed must not come back from the browser's cache on a shared computer.
    response["Cache-Control"] = "no-store"
    if wait:
        response["Retry-After"] = str(wait)
    return response


def details_context(
    request: HttpRequest,
    form: DetailsForm,
    chosen: Chosen,
    *,
    problem: str | None = None,
    taken: tuple[diary.FreeTime, ...] | None = None,
    wait: int = 0,
    can_choose: bool = True,
) -> dict[str, Any]:
    """What details.html gets. `can_choose`: whether to link back to step 1 (Change).
    Apart from the view so that /preview/ renders the same names."""
    return {
        "form": form,
        "chosen": chosen,
        "problem": problem,
        "taken": taken,
        "action": wizard.url("details", **chosen.query, via=_via(request, chosen)),
        "change_choice_url": wizard.url("choose", **_choice(request, chosen))
        if can_choose
        else None,
        "change_time_url": _times_url(request, chosen),
        "error_links": _error_links(form),
        "wait_minutes": math.ceil(wait / 60),
        "honeypot": guard.HONEYPOT,
    }


def _can_choose() -> bool:
    """Whether step 1 has anything to choose (else its Change links only come back)."""
    try:
        practitioners, rooms = diary.lists()
        return len(practitioners) > 1 or len(rooms) > 1
    except PhysiodiaryError:
        return True


#: Where the error summary sends the patient for a field with no input of its own.
_SUMMARY_ANCHORS = {
    "staffId": "summary-practitioner",
    "sectionId": "summary-room",
    "date": "summary-when",
    "time": "summary-when",
    "token": None,
}


def _error_links(form: forms.Form) -> list[tuple[str | None, str]]:
    """(anchor, message) for the error summary at the top of the page."""
    links = []
    for field, messages in form.errors.items():
        if field == "__all__":
            anchor = None
        elif isinstance(form.fields[field].widget, forms.RadioSelect):
            anchor = f"{form[field].auto_id}_0"  # the group's first radio button
        elif field in _SUMMARY_ANCHORS:
            anchor = _SUMMARY_ANCHORS[field]
        else:
            anchor = form[field].auto_id
        links.extend((anchor, str(message)) for message in messages)
    return links


# --- Step 4: booked -------------------------------------------------------------------


@require_safe
def booked(request: HttpRequest, reference: str) -> HttpResponse:
    kept = confirmations.find(reference)
    if kept is None:
        return _render(request, "booked_gone", {}, status=404)
    response = _render(request, "booked", booked_context(kept))
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
    hours, minutes = seconds // 3600, seconds // 60
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}"


# --- Shared ---------------------------------------------------------------------------


def _render(
    request: HttpRequest, name: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"bookings/{name}.html", step_context(name, context), status=status)


def step_context(name: str, context: dict[str, Any]) -> dict[str, Any]:
    """Every step template's context: its step and all the steps (for the progress
    fragment), then the page's own. `name` is the template's, `bookings/<name>.html`."""
    step_name = "booked" if name == "booked_gone" else name
    return {"step": wizard.step(step_name), "steps": wizard.STEPS, **context}
