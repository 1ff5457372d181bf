"""Step 3's page: the patient's details form, for a free time (booking.py routes it).

For a move (`change=<link>`, change.py) the page says which appointment is
being moved, fills in the name, phone and email kept with it (never a reason:
none is kept), and its form carries the link to the POST.
"""

from __future__ import annotations

import enum
import math
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from physiodiary import PhysiodiaryError, format_date

from .. import activity, changes, clock, diary, guard, tokens, wizard
from ..forms import DetailsForm
from ..slots import Slot
from .change import for_move
from .common import error_links, render_step


class Problem(enum.StrEnum):
    """Why the details page is shown again, when it is not the form's own errors."""

    TOO_MANY = "too_many"  # over the rate limit: 429
    PENDING = "pending"  # posted again while the first post is still booking: 409
    UNAVAILABLE = "unavailable"  # the diary could not be asked: nothing booked
    UNKNOWN = "unknown"  # it may have been booked: call the practice
    REJECTED = "rejected"  # the diary refused it for a reason the patient cannot fix


def show(request: HttpRequest) -> HttpResponse:
    """The empty form for the free time in the link (a GET), if the diary offers it."""
    move = for_move(request, request.GET)
    if isinstance(move, HttpResponse):
        return move  # the link does not work, its appointment has started, or it was used
    slot = _linked(request.GET)
    if isinstance(slot, HttpResponse):
        return slot
    # A form and its token only for a time the diary offered: any other link,
    # a time gone by, taken since, or never free, goes back to the times.
    if slot.start < clock.earliest_bookable() or not diary.offers(slot):
        return redirect(times_url(request, slot, passed=True))
    initial = {**slot.query, "token": tokens.issue(slot)}
    if move is not None:
        # Who booked the appointment being moved; the reason is theirs to give again, or not.
        kept = move.appointment
        initial.update(name=kept.name, phone=kept.phone, email=kept.email)
    activity.count("step-details")
    return render_details(request, DetailsForm(initial=initial), slot)


def _linked(query: QueryDict) -> Slot | HttpResponse:
    """The free time a link names, or where to go to choose one."""
    practitioners, rooms = diary.lists()
    ids = {name: query.get(name, "") for name in ("staffId", "sectionId")}
    listed = (
        any(str(p.id) == ids["staffId"] for p in practitioners),
        any(str(r.id) == ids["sectionId"] for r in rooms),
    )
    if not all(listed):
        known = {name: value for name, value in ids.items() if value.isascii() and value.isdigit()}
        return redirect(wizard.url("choose", **known))
    slot = Slot.from_query(query)
    if slot is None or not clock.today() <= slot.start.date() <= clock.last_bookable_day():
        return redirect(wizard.url("times", **ids, change=query.get("change")))
    return slot.named(practitioners, rooms)


def render_details(
    request: HttpRequest,
    form: DetailsForm,
    slot: Slot,
    *,
    problem: Problem | None = None,
    taken: tuple[Slot, ...] | None = None,
    status: int = 200,
    wait: int = 0,
) -> HttpResponse:
    # Lists the post could not get: offer the Change links rather than wait on the diary again.
    can_choose = not form.lists_known or _can_choose()
    context = details_context(
        request, form, slot, problem=problem, taken=taken, wait=wait, can_choose=can_choose
    )
    response = render_step(request, "details", context, status=status)
    # What was typed must not come back from the browser's cache on a shared computer.
    response["Cache-Control"] = "no-store"
    if wait:
        response["Retry-After"] = str(wait)
    return response


def details_context(
    request: HttpRequest,
    form: DetailsForm,
    chosen: Slot,
    *,
    problem: str | None = None,
    taken: tuple[Slot, ...] | None = None,
    wait: int = 0,
    can_choose: bool = True,
    move: changes.Change | None = None,
) -> dict[str, Any]:
    """What details.html gets. `can_choose`: whether to link back to step 1 (Change);
    `move`: the appointment being moved, if not the one the request's `change=` finds.
    Apart from the view so that /preview/ renders the same names."""
    move = move or _moving(request)
    return {
        "form": form,
        "chosen": chosen,
        "problem": problem,
        "taken": taken,
        "action": wizard.url("details", **chosen.query, via=_via(request, chosen)),
        # Step 1 knows nothing of a move: its times page offers "any" instead.
        "change_choice_url": wizard.url("choose", **_choice(request, chosen))
        if can_choose and move is None
        else None,
        "change_time_url": times_url(request, chosen, change=move.link if move else None),
        "error_links": error_links(form),
        "wait_minutes": math.ceil(wait / 60),
        "honeypot": guard.HONEYPOT,
        "moving": move,  # the appointment being moved, or None
    }


def _move_link(request: HttpRequest) -> str | None:
    """The change link a move's page or form carries; None for an ordinary booking."""
    return request.POST.get("change") or request.GET.get("change") or None


def _moving(request: HttpRequest) -> changes.Change | None:
    link = _move_link(request)
    return changes.find(link) if link else None


def times_url(
    request: HttpRequest, slot: Slot, *, passed: bool = False, change: str | None = None
) -> str:
    """The times step around this free time, for what was chosen at step 1 (and, for a
    move, its link: `change`, else the request's)."""
    return wizard.url(
        "times",
        **_choice(request, slot),
        date=format_date(slot.start.date()),
        passed=1 if passed else None,
        change=change or _move_link(request),
    )


def _choice(request: HttpRequest, slot: Slot) -> dict[str, object]:
    """What the patient chose at step 1: "any" survives through `via` (see `times`)."""
    staff, _, section = request.GET.get("via", "").partition(".")
    return {
        "staffId": wizard.ANY if staff == wizard.ANY else slot.practitioner.id,
        "sectionId": wizard.ANY if section == wizard.ANY else slot.room.id,
    }


def _via(request: HttpRequest, slot: Slot) -> str | None:
    choice = _choice(request, slot)
    return f"{choice['staffId']}.{choice['sectionId']}" if wizard.ANY in choice.values() else None


def _can_choose() -> bool:
    """Whether step 1 has anything to choose (else its Change links only come back)."""
    try:
        practitioners, rooms = diary.lists()
        return len(practitioners) > 1 or len(rooms) > 1
    except PhysiodiaryError:
        return True
