"""Step 2: a free time, from the diary's freeList, one window of days at a time.

For a move (`change=<link>`, change.py) every link and form on the page carries
the link on to the details page, the page says which appointment is being
moved, and in place of step 1 it offers the same practitioner and room, or any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import Any, NamedTuple

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_safe

from physiodiary import PhysiodiaryError, Practitioner, Rejected, Room, format_date

from .. import activity, clock, configuration, diary, error_pages, guard, page_memo, wizard
from ..changes import Change
from ..forms import ChooseForm
from ..slots import Slot
from .change import for_move, move_context
from .choice import choose_again
from .common import diary_needed, render_step


@require_safe
@diary_needed
def times(request: HttpRequest) -> HttpResponse:
    if wizard.malformed(request.GET):
        return error_pages.bad_request(request)
    move = for_move(request, request.GET)
    if isinstance(move, HttpResponse):
        return move  # the link does not work, its appointment has started, or it was used
    practitioners, rooms = diary.lists()
    if not practitioners or not rooms:
        return redirect(wizard.url("choose"))
    form = ChooseForm.from_query(practitioners, rooms, request.GET)
    if not form.is_valid():
        return choose_again(request, form)
    if slot := Slot.from_key(request.GET.get("slot")):
        # `via` keeps "any" for the details page's Change links.
        return redirect(
            wizard.url("details", **slot.query, via=form.via, change=request.GET.get("change"))
        )
    window = wizard.Window.starting(request.GET.get("date"))
    if window is None:
        return error_pages.bad_request(request)  # beyond the last bookable day: no link goes there
    if wait := guard.wait_needed(request, "search", settings.BOOKING_SEARCH_RATE_LIMIT):
        return error_pages.too_many_requests(request, wait)
    try:
        search = page_memo.find_free_times(*form.chosen(), window.start, window.days)
    except Rejected as exc:
        # The diary no longer knows this practitioner or room: choose again.
        if not form.add_diary_errors(exc.errors):
            raise
        return choose_again(request, form)
    activity.count("step-times")
    if move is not None or _look_ahead_needed(window, search):
        # A move's page shows its link's appointment; a look ahead, a call's answer.
        return _page(request, form, window, search, practitioners, rooms, move)
    return _kept_page(request, form, window, search, practitioners, rooms)


def _kept_page(
    request: HttpRequest,
    form: ChooseForm,
    window: wizard.Window,
    search: diary.Search,
    practitioners: tuple[Practitioner, ...],
    rooms: tuple[Room, ...],
) -> HttpResponse:
    """The page this worker made last for the same address and search, else made now:
    remade when anything it shows has changed, and at least every 2 s (page_memo.py)."""
    key = page_memo.times_page_key(request, search, practitioners, rooms)
    if key is not None and (kept := page_memo.kept_page(key)) is not None:
        return kept
    response = _page(request, form, window, search, practitioners, rooms)
    if key is not None:
        page_memo.keep_page(key, response)
    return response


def _page(
    request: HttpRequest,
    form: ChooseForm,
    window: wizard.Window,
    search: diary.Search,
    practitioners: tuple[Practitioner, ...],
    rooms: tuple[Room, ...],
    move: Change | None = None,
) -> HttpResponse:
    who, where = form.chosen()
    # "Continue" pressed with no time chosen (only possible where there are times).
    no_time_chosen = "next" in request.GET and bool(search.free_times)
    # A move's link goes wherever the choice goes: each link and form of the page.
    choice = {**form.choice, "change": move.link} if move else form.choice
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
    if move is not None:
        context.update(move_times_context(move, choice))
    if _look_ahead_needed(window, search):
        context.update(_next_free_day(choice, who, where, window.later))
    elif not search.free_times and window.later:
        # The answers already cover the rest of the bookable days: no call.
        later = [day for day in search.free_days if day >= window.later]
        context.update(next_free_context(choice, min(later, default=None)))
    return render_step(request, "times", context, status=400 if no_time_chosen else 200)


def _look_ahead_needed(window: wizard.Window, search: diary.Search) -> bool:
    """Whether an empty window's page asks the diary for the next free day (`_next_free_day`)."""
    return (
        not search.free_times
        and window.later is not None
        and not search.knows(window.later, clock.last_bookable_day())
    )


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
    many = len(who) * len(where) > 1
    # "Any": each time once, with the practitioner and room the site chooses
    # (diary.one_per_time's rule); the details page names them, with Change links.
    shown = diary.one_per_time(search, who, where) if many else search.free_times
    chosen = tuple(choice.items())
    today, last = clock.today(), clock.last_bookable_day()
    context = {
        "choice": choice,
        "window": window,
        "search": search,
        "days": _by_day(shown),
        # Everything the times and the overview show, for {% memo %} (templatetags/memo.py):
        # equal keys, the same HTML, made once per process.
        "times_key": (shown, search.slot_minutes, chosen, window.start, no_time_chosen),
        "overview_key": (chosen, window, search.free_days, search.known, today, last),
        "many": many,
        "practitioner": who[0] if len(who) == 1 else None,
        "room": where[0] if len(where) == 1 else None,
        "no_time_chosen": no_time_chosen,
        "error_links": [(_first_radio(search), gettext("Choose a time"))] if no_time_chosen else [],
        "passed": passed,
        "earlier_url": window_url(
            choice, window.earlier if _reaches_earlier(window, search) else None
        ),
        "later_url": window_url(choice, window.later if _reaches_later(window, search) else None),
        # Made only if the page renders it: not when {% memo %} has it already.
        "overview": SimpleLazyObject(lambda: free_days_overview(choice, window, search)),
        "horizon_days": configuration.rule("BOOKING_HORIZON_DAYS"),
        "can_choose": len(practitioners) > 1 or len(rooms) > 1,
    }
    if not search.free_times:
        context["wider_urls"] = _wider(choice, who, where, practitioners, rooms)
    return context


def _reaches_earlier(window: wizard.Window, search: diary.Search) -> bool:
    """Whether Earlier leads to a free time (or might: the answers did not cover those days)."""
    if window.earlier is None:
        return False
    before = window.start - dt.timedelta(days=1)
    return search.free_between(clock.today(), before) is not False


def _reaches_later(window: wizard.Window, search: diary.Search) -> bool:
    """Whether Later leads to a free time (or might). An empty window keeps it while the
    next free day is unknown: the look ahead may fail, and Later is then the way on."""
    if window.later is None:
        return False
    return search.free_between(window.later, clock.last_bookable_day()) is not False


def _wider(
    choice: dict[str, str],
    who: list[Practitioner],
    where: list[Room],
    practitioners: tuple[Practitioner, ...],
    rooms: tuple[Room, ...],
) -> list[tuple[str, str]]:
    """Searches one step wider than a choice with nothing free: any room, any practitioner."""
    wider = []
    move = choice.get("change")
    if len(where) == 1 and len(rooms) > 1 and len(who) == 1:
        url = wizard.url("times", staffId=choice["staffId"], sectionId=wizard.ANY, change=move)
        # Translators: a link to the free times of this practitioner (a name) in every room.
        words = gettext("Look for %(practitioner)s in any room") % {"practitioner": who[0].name}
        wider.append((words, url))
    if len(who) == 1 and len(practitioners) > 1:
        url = wizard.url("times", staffId=wizard.ANY, sectionId=choice["sectionId"], change=move)
        if len(where) == 1:
            # Translators: a link to every practitioner's free times in this room (its name).
            words = gettext("Look for any practitioner in %(room)s") % {"room": where[0].name}
        else:
            words = gettext("Look for any practitioner in any room")
        wider.append((words, url))
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


def move_times_context(move: Change, choice: dict[str, str]) -> dict[str, Any]:
    """What a move's times page adds to `times_context`: the appointment being moved, the way
    back to its link, and step 1's stand-ins. Apart from the view so that /preview/ renders it."""
    return {**move_context(move), **_move_choices(move, choice)}


def _move_choices(move: Change, choice: dict[str, str]) -> dict[str, Any]:
    """A move's way back to step 1's choice: the appointment's own practitioner and room, or any.

    Step 1 knows nothing of a move (its Change link is not shown), so these stand in for it.
    """
    kept = move.appointment
    same = {"staffId": str(kept.practitioner_id), "sectionId": str(kept.room_id)}
    anyone = {"staffId": wizard.ANY, "sectionId": wizard.ANY}
    chosen = {key: choice[key] for key in same}
    return {
        "can_choose": False,
        "move_same_url": None if chosen == same else wizard.url("times", **same, change=move.link),
        "move_any_url": None
        if chosen == anyone
        else wizard.url("times", **anyone, change=move.link),
    }


def next_free_context(choice: dict[str, str], day: dt.date | None) -> dict[str, Any]:
    """The empty times page's pointer to the next free day (None: none is bookable)."""
    return {"looked_ahead": True, "next_free": day, "next_free_url": window_url(choice, day)}


def _first_radio(search: diary.Search) -> str:
    return f"slot-{search.free_times[0].key}"


def window_url(choice: dict[str, object], start: dt.date | None) -> str | None:
    """The times step for this choice, from `start`."""
    return wizard.url("times", **choice, date=format_date(start)) if start else None


@dataclass(frozen=True)
class PartOfDay:
    name: str
    free_times: list[Slot]


class DayOfTimes(NamedTuple):
    """One day's free times: `(date, parts)` to a template that unpacks it, as before,
    and the day's labels, each written once in Python rather than by a filter per time."""

    date: dt.date
    parts: list[PartOfDay]

    @property
    def anchor(self) -> str:
        """The day in ids and the day jump's links: `day-<anchor>`."""
        return format_date(self.date)

    @property
    def heading(self) -> str:
        return date_format(self.date, "l j F Y")

    @property
    def label(self) -> str:
        """The day in each time's hidden text and `data-when`."""
        return date_format(self.date, "l j F")

    @property
    def weekday(self) -> str:
        return date_format(self.date, "D")

    @property
    def short(self) -> str:
        return date_format(self.date, "j M")


def _part_of_day(free: Slot) -> int:
    """0 before 12:00, 1 to 17:00, 2 after."""
    hour = free.start.hour
    return 0 if hour < 12 else 1 if hour < 17 else 2


def _part_name(part: int) -> str:
    if part == 0:
        # Translators: headings over a day's free times: before 12:00, to 17:00, after.
        return pgettext("part of the day", "Morning")
    if part == 1:
        return pgettext("part of the day", "Afternoon")
    return pgettext("part of the day", "Evening")


def _by_day(free_times: tuple[Slot, ...]) -> list[DayOfTimes]:
    """Free times grouped by day, then by morning, afternoon and evening (each part's
    name translated once, not once a time)."""
    days = []
    for day, on_day in groupby(free_times, key=lambda free: free.start.date()):
        parts = [
            PartOfDay(_part_name(part), list(times))
            for part, times in groupby(on_day, key=_part_of_day)
        ]
        days.append(DayOfTimes(day, parts))
    return days


# --- The overview of free days ---------------------------------------------------------


@dataclass(frozen=True)
class OverviewDay:
    """One day of the overview's month. `free`: True, False, or None where the answers
    did not cover it (a link all the same); `url` None for a day that cannot be booked."""

    date: dt.date
    free: bool | None
    url: str | None
    shown: bool  # one of the days the page shows below


def free_days_overview(
    choice: dict[str, str], window: wizard.Window, search: diary.Search
) -> dict[str, Any]:
    """The month of the window's first day, a week to a row, from the answers already had:
    which days have free times, each bookable day a link to its own window. No call."""
    first = window.start.replace(day=1)
    following = (first + dt.timedelta(days=31)).replace(day=1)
    today, last = clock.today(), clock.last_bookable_day()
    weeks: list[list[OverviewDay | None]] = [[None] * first.weekday()]
    for offset in range((following - first).days):
        day = first + dt.timedelta(days=offset)
        if len(weeks[-1]) == 7:
            weeks.append([])
        bookable = today <= day <= last
        free = (day in search.free_days) if search.knows(day, day) else None
        weeks[-1].append(
            OverviewDay(
                date=day,
                free=free if bookable else False,
                url=window_url(choice, day) if bookable else None,
                shown=window.start <= day <= window.end,
            )
        )
    weeks[-1].extend([None] * (7 - len(weeks[-1])))
    before = first - dt.timedelta(days=1)
    return {
        "month": first,
        "weekdays": _WEEKDAYS,
        "weeks": weeks,
        "previous_month_url": window_url(choice, max(before.replace(day=1), today))
        if before >= today
        else None,
        "next_month_url": window_url(choice, following) if following <= last else None,
    }


#: Each weekday's name and its abbreviation, as `date:"l"` and `date:"D"` write them
#: (Django's own, lazy: each page reads them in its own language; not sliced, which
#: would make "Dyd" of every day in Welsh).
_WEEKDAYS = tuple((WEEKDAYS[day], WEEKDAYS_ABBR[day]) for day in range(7))
