"""The practice's diary as the site's pages see it: the client plus caching.

- Practitioners and rooms change rarely: their lists are cached for
  PHYSIODIARY_LIST_CACHE_SECONDS, and a copy is kept for
  PHYSIODIARY_LIST_STALE_SECONDS, served while the diary is asked again in
  the background, or while it is unavailable.
- Free times are asked for from the first day a page needs to the last
  bookable day, in one call per practitioner and room, and kept in the
  shared cache: the next window, the next free day and the Earlier and Later
  links then need no call. Younger than BOOKING_FREE_TIMES_CACHE_SECONDS
  they are shown as they are; older, up to BOOKING_FREE_TIMES_MAX_AGE_SECONDS,
  they are shown while the diary is asked again in the background. Nobody
  waits but the first to look at a pair in that long, and the diary is asked
  about a pair once at a time, whoever asks (refresh.py).
- A booking through the site takes its time out of its pair's free times at
  once (`kept_free_times.took_free_time`); a time found taken drops them
  (`forget_free_times`), so that the nearest free times offered instead are
  the diary's latest.
- The details page gives a form only for a time the free times list
  (`offers`): from the cache, never refreshed for it (`book` decides).
- Bookings always go to the diary.
- Pages see the lists as the practice's console offers them (`lists`:
  hidden practitioners and rooms left out, in the console's order); the
  console itself sees them as the diary lists them (`listed`).

Free times become `Slot`s labelled with who and where, in the practice's
time zone, with those too soon to book left out.
"""

import contextvars
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.views.decorators.debug import sensitive_variables

from physiodiary import (
    ErrorCode,
    FreeList,
    PhysiodiaryError,
    Practitioner,
    Rejected,
    Room,
)

from . import clock, configuration
from . import refresh as _refresh
from .client import get_client
from .kept_free_times import KeptFreeTimes, free_times_key, kept_span, kept_spans, usable
from .slots import Slot

logger = logging.getLogger(__name__)


_PRACTITIONERS, _ROOMS = "physiodiary:practitioners", "physiodiary:rooms"


@sensitive_variables()  # the API key, in the client's frames, in error reports
def practitioners() -> tuple[Practitioner, ...]:
    """The practice's practitioners, from the cache or the diary."""
    return _cached(_PRACTITIONERS, lambda: get_client().practitioners())


@sensitive_variables()  # the API key, in the client's frames, in error reports
def rooms() -> tuple[Room, ...]:
    """The practice's rooms, from the cache or the diary."""
    return _cached(_ROOMS, lambda: get_client().rooms())


def lists() -> tuple[tuple[Practitioner, ...], tuple[Room, ...]]:
    """Both lists as patients are offered them: without those the console hides, in its order.

    Every page, "any" and a posted form's check read these, so a hidden
    practitioner or room is never offered, searched or booked.
    """
    return configuration.offered(*listed())


def listed() -> tuple[tuple[Practitioner, ...], tuple[Room, ...]]:
    """Both lists as the diary gives them (the console's, to name every one).

    When neither is cached they are asked for at once: one round trip, not two.
    """
    kept = cache.get_many([_PRACTITIONERS, _ROOMS])  # one cache round trip on every page
    if len(kept) == 2:
        return kept[_PRACTITIONERS], kept[_ROOMS]
    # One list kept or shown from before while it is refreshed, or in-process
    # (the reference diary with no URL): there is no round trip to save.
    if kept or not settings.PHYSIODIARY_API_URL or _stale_copies():
        return practitioners(), rooms()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lists") as pool:
        asked = (
            _submit(pool, _in_worker_thread, practitioners),
            _submit(pool, _in_worker_thread, rooms),
        )
    return asked[0].result(), asked[1].result()


T = TypeVar("T")


def _stale_copies() -> bool:
    return bool(cache.get_many([f"{_PRACTITIONERS}:stale", f"{_ROOMS}:stale"]))


def _cached(key: str, fetch: Callable[[], T]) -> T:
    value = cache.get(key)
    if value is not None:
        return value
    if not settings.PHYSIODIARY_LIST_CACHE_SECONDS:
        return _ask_for_list(key, fetch)  # not cached: asked for every time, as configured
    stale = cache.get(f"{key}:stale")
    if stale is not None:
        # Shown from before while the diary is asked again: nobody waits.
        _refresh.later(key, lambda: _ask_for_list(key, fetch))
        return stale
    return _refresh.once(key, lambda: _ask_for_list(key, fetch), lambda: cache.get(key))


def _ask_for_list(key: str, fetch: Callable[[], T]) -> T:
    try:
        value = fetch()
    except PhysiodiaryError:
        stale = cache.get(f"{key}:stale")
        if stale is None:
            raise
        # Practitioners and rooms seldom change: last hour's list beats an
        # error page. Kept as fresh for a little while, so that every page
        # does not wait for a diary that is down.
        logger.warning("%s: the diary failed, serving the list kept from before", key)
        cache.set(key, stale, min(_STALE_RETRY_SECONDS, settings.PHYSIODIARY_LIST_CACHE_SECONDS))
        return stale
    cache.set(key, value, settings.PHYSIODIARY_LIST_CACHE_SECONDS)
    cache.set(f"{key}:stale", value, settings.PHYSIODIARY_LIST_STALE_SECONDS)
    return value


#: While the diary is failing, how often a list is asked for again.
_STALE_RETRY_SECONDS = 30


# --- Free times -----------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """Free times found for every practitioner and room asked about, earliest first.

    `unchecked` names the pairs whose diary could not be read; the others'
    times are still worth showing.
    """

    free_times: tuple[Slot, ...]
    unchecked: tuple[tuple[Practitioner, Room], ...] = ()
    #: The days with a free time among every day the answers covered, for the
    #: overview of free days and the Earlier and Later links: no further call.
    free_days: frozenset[dt.date] = frozenset()
    #: The days those answers covered, first to last (None: not known, as when a pair failed).
    known: tuple[dt.date, dt.date] | None = None

    def knows(self, first: dt.date, last: dt.date) -> bool:
        """Whether the answers covered every day from `first` to `last`."""
        return self.known is not None and self.known[0] <= first and last <= self.known[1]

    def free_between(self, first: dt.date, last: dt.date) -> bool | None:
        """Whether any day from `first` to `last` has a free time (None: not known)."""
        if first > last:
            return False
        if not self.knows(first, last):
            return None
        return any(first <= day <= last for day in self.free_days)

    @property
    def slot_minutes(self) -> int | None:
        """The one slot length of every time found, or None if they differ."""
        lengths = {free.minutes for free in self.free_times}
        return lengths.pop() if len(lengths) == 1 else None


def find_free_times(
    practitioners: Sequence[Practitioner],
    rooms: Sequence[Room],
    start: dt.date,
    days: int,
    *,
    not_before: dt.datetime,
) -> Search:
    """Free times of every practitioner in every room, from `start` for `days` days.

    One pair is one freeList call. Several pairs ("any practitioner") are asked
    about at once, at most BOOKING_MAX_PARALLEL_SEARCHES at a time, so the page
    waits for about one round trip, not one per pair. The diary's errors for a
    single pair are raised; in a search of several, a pair the diary does not
    know (codes 3 and 4) has no free times, and a pair that failed is left out
    unless every pair failed.
    """
    pairs = [(p, r) for p in practitioners for r in rooms]
    if len(pairs) == 1:
        return _search([_pair_free_times(*pairs[0], start, days, not_before)], ())
    # Those kept (one cache round trip for all) need no thread; the rest are asked for at once.
    end = start + dt.timedelta(days=days)
    kept = kept_spans([(p.id, r.id) for p, r in pairs], start, end)
    found = [
        _pair_free_times(p, r, start, days, not_before, kept=kept[p.id, r.id])
        for p, r in pairs
        if (p.id, r.id) in kept
    ]
    pairs = [(p, r) for p, r in pairs if (p.id, r.id) not in kept]
    if not pairs:
        return _search(found, ())
    workers = min(len(pairs), settings.BOOKING_MAX_PARALLEL_SEARCHES)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="free-times") as pool:
        futures = [_submit(pool, _in_worker, *pair, start, days, not_before) for pair in pairs]
    unchecked, errors = [], []
    for pair, future in zip(pairs, futures, strict=True):
        try:
            found.append(future.result())
        except Rejected as exc:
            if not set(exc.codes) <= _UNKNOWN_PAIR:
                unchecked.append(pair)
                errors.append(exc)
        except PhysiodiaryError as exc:
            unchecked.append(pair)
            errors.append(exc)
    if errors and len(errors) == len(pairs) and not found:
        raise errors[0]
    return _search(found, tuple(unchecked))


@dataclass(frozen=True)
class _PairFreeTimes:
    """One pair's free times in the window, and the free days of the whole answer."""

    in_window: list[Slot]
    free_days: set[dt.date]
    known: tuple[dt.date, dt.date]


def _search(
    found: list[_PairFreeTimes], unchecked: tuple[tuple[Practitioner, Room], ...]
) -> Search:
    free = [slot for pair in found for slot in pair.in_window]
    free.sort(key=lambda slot: (slot.start, slot.practitioner.name, slot.room.name))
    # A day is known to have nothing free only if every pair's answer covered it.
    known = None
    if found and not unchecked:
        known = (max(pair.known[0] for pair in found), min(pair.known[1] for pair in found))
    days = frozenset().union(*(pair.free_days for pair in found))
    return Search(tuple(free), unchecked, days, known if known and known[0] <= known[1] else None)


def one_per_time(
    search: Search, practitioners: Sequence[Practitioner], rooms: Sequence[Room]
) -> tuple[Slot, ...]:
    """Each start time once, for "any" practitioner or room: the site chooses who and where.

    The rule (README, docs/designers.md): of those free at that time, the
    practitioner listed first in the practice's order, then the room listed
    first. The diary tells us nothing of how busy each one is, and the
    practice's own order is one it chose and can change.
    """
    rank_p = {p.id: i for i, p in enumerate(practitioners)}
    rank_r = {r.id: i for i, r in enumerate(rooms)}
    chosen: dict[dt.datetime, Slot] = {}
    for free in search.free_times:
        kept = chosen.get(free.start)
        rank = (
            rank_p.get(free.practitioner.id, len(rank_p)),
            rank_r.get(free.room.id, len(rank_r)),
        )
        if kept is None or rank < (
            rank_p.get(kept.practitioner.id, len(rank_p)),
            rank_r.get(kept.room.id, len(rank_r)),
        ):
            chosen[free.start] = free
    return tuple(sorted(chosen.values(), key=lambda free: free.start))


def first_free_day(
    practitioners: Sequence[Practitioner], rooms: Sequence[Room], start: dt.date
) -> dt.date | None:
    """The first day from `start` to the last bookable day with a free time, if any."""
    days = (clock.last_bookable_day() - start).days + 1
    if days < 1:
        return None
    not_before = clock.earliest_bookable()
    search = find_free_times(practitioners, rooms, start, days, not_before=not_before)
    return search.free_times[0].start.date() if search.free_times else None


def nearest_free_times(
    practitioner: Practitioner, room: Room, wanted: dt.datetime, *, not_before: dt.datetime
) -> tuple[Slot, ...]:
    """The free times nearest to `wanted` for the same practitioner and room, in order.

    For a patient whose chosen time was just taken: one freeList call over the
    days around it, the BOOKING_ALTERNATIVES nearest kept.
    """
    first = max(wanted.date() - dt.timedelta(days=3), clock.today())
    days = max(1, min(14, (clock.last_bookable_day() - first).days + 1))
    free = _free_times(practitioner, room, first, days, not_before)
    free = [f for f in free if f.start != wanted]
    # In UTC: a difference within one zone is wall-clock, wrong across a clock change.
    wanted_utc = wanted.astimezone(dt.UTC)
    free.sort(key=lambda f: abs(f.start.astimezone(dt.UTC) - wanted_utc))
    return tuple(sorted(free[: settings.BOOKING_ALTERNATIVES], key=lambda f: f.start))


def offers(slot: Slot) -> bool:
    """Whether the diary's free times list this one (and it is not too soon to book).

    The details page asks before it issues a form and its token, so that a
    link naming any time gets neither. The times page the patient came from
    has just cached the pair's free times, so this costs no call; with them
    gone (expired, or a link followed later) one freeList call, as the times
    page would make, whose answer is cached in turn. The diary's other
    failures are raised.
    """
    day = slot.start.date()
    try:
        found = _pair_free_times(
            slot.practitioner, slot.room, day, 1, clock.earliest_bookable(), refresh=False
        )
        free = found.in_window
    except Rejected as exc:
        if set(exc.codes) <= _UNKNOWN_PAIR:
            return False  # this practitioner does not work in this room: nothing to offer
        raise
    return any(found.start == slot.start for found in free)


# The diary does not know this practitioner or room (or not together).
_UNKNOWN_PAIR = {ErrorCode.INVALID_SECTION_ID, ErrorCode.INVALID_STAFF_ID}


def _free_times(
    practitioner: Practitioner, room: Room, start: dt.date, days: int, not_before: dt.datetime
) -> list[Slot]:
    return _pair_free_times(practitioner, room, start, days, not_before).in_window


def _pair_free_times(
    practitioner: Practitioner,
    room: Room,
    start: dt.date,
    days: int,
    not_before: dt.datetime,
    *,
    refresh: bool = True,
    kept: KeptFreeTimes | None = None,
) -> _PairFreeTimes:
    end = start + dt.timedelta(days=days)
    if kept is None:
        kept = kept_span(practitioner.id, room.id, start, end, refresh=refresh)
    first, after, answer = kept.first, kept.after, kept.answer
    # A Slot for each time in the window only; a day outside it needs one bookable
    # time to count as free. Making all 90 days' Slots was most of a cold page's time.
    zone = clock.zone()
    in_window: list[Slot] = []
    free_days: set[dt.date] = set()
    for day in answer.days:
        if not first <= day.date < after:
            continue
        shown = start <= day.date < end
        for moment in day.times:
            when = dt.datetime.combine(day.date, moment, tzinfo=zone)
            if when < not_before or not clock.exists(when):
                continue
            free_days.add(day.date)
            if not shown:
                break
            # Labelled with the practitioner and room asked about: the vendor's own
            # example echoes other ids than those requested.
            in_window.append(Slot(practitioner, room, when, answer.slot_minutes))
    return _PairFreeTimes(in_window, free_days, (first, after - dt.timedelta(days=1)))


def rooms_known_empty(practitioners: Sequence[Practitioner], rooms: Sequence[Room]) -> set[int]:
    """The rooms where none of `practitioners` has a free time until the last bookable day.

    From the cached answers only, never a call: step 1 must not wait on the
    diary for a hint. A pair with no cached answer, or one that does not
    cover every bookable day, might have a free time, so its room is not
    in the set.
    """
    keys = {free_times_key(p.id, r.id): r.id for p in practitioners for r in rooms}
    cached = cache.get_many(list(keys))
    first, last = clock.today(), clock.last_bookable_day()
    not_before = clock.earliest_bookable()
    empty = {r.id for r in rooms}
    for key, room_id in keys.items():
        kept = usable(cached.get(key), first, last + dt.timedelta(days=1))
        if kept is None or _any_free(kept.answer, not_before):
            empty.discard(room_id)
    return empty


def _any_free(answer: FreeList, not_before: dt.datetime) -> bool:
    last = clock.last_bookable_day()
    return any(
        (when := clock.at(day.date, moment)) >= not_before and clock.exists(when)
        for day in answer.days
        if day.date <= last
        for moment in day.times
    )


def _submit(pool: ThreadPoolExecutor, work: Callable[..., T], *args: Any) -> Future[T]:
    # In the request's context (a copy each: one context cannot run in two
    # threads at once), so the client's log lines carry the request's id.
    return pool.submit(contextvars.copy_context().run, work, *args)


def _in_worker(*args: Any) -> _PairFreeTimes:
    return _in_worker_thread(_pair_free_times, *args)


def _in_worker_thread(work: Callable[..., T], *args: Any) -> T:
    try:
        return work(*args)
    finally:
        # On the in-process reference diary the call opened this thread's own
        # database connection; a pool thread never reaches Django's
        # request-finished clean-up, so close it here.
        connections.close_all()
