"""The free times kept of each practitioner and room: how old, refreshed when, changed how.

One freeList answer per pair, in the shared cache, with the days it covers
and when the diary was asked (`KeptFreeTimes`). Younger than
BOOKING_FREE_TIMES_CACHE_SECONDS it is shown as it is; older, up to
BOOKING_FREE_TIMES_MAX_AGE_SECONDS, it is shown while the diary is asked
again in the background; older still, or not covering the days a page
needs, the diary is asked now. Either way one call per pair at a time, on
every worker and server (refresh.py).

A booking takes its time (every start it overlaps) out at once
(`took_free_time`); a time found taken drops them (`forget_free_times`).
An answer asked for before either is not kept: it may still list the time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables

from physiodiary import MAX_DAYS_PER_REQUEST, FreeDay, FreeList

from . import clock
from . import refresh as _refresh
from .client import get_client
from .slots import Slot


class KeptFreeTimes(NamedTuple):
    """One pair's answer as the cache keeps it, with the days it covers and its age."""

    first: dt.date
    after: dt.date  # the day after the last
    answer: FreeList
    asked_at: float  # when the diary was asked (time.time(): the same on every server)

    def covers(self, start: dt.date, end: dt.date) -> bool:
        return self.first <= start and end <= self.after

    @property
    def age(self) -> float:
        return time.time() - self.asked_at


@sensitive_variables()  # the API key, in the client's frames, in error reports
def kept_span(
    practitioner_id: int, room_id: int, start: dt.date, end: dt.date, *, refresh: bool = True
) -> KeptFreeTimes:
    """The pair's free times covering the days from `start` to before `end`.

    Kept ones if they cover those days and are not too old (refreshed in the
    background when past BOOKING_FREE_TIMES_CACHE_SECONDS, if `refresh`);
    otherwise asked for now, or taken from whoever is asking already.
    """
    if not settings.BOOKING_FREE_TIMES_CACHE_SECONDS:
        return _ask_for_free_times(practitioner_id, room_id, start, end)
    key = free_times_key(practitioner_id, room_id)
    kept = usable(cache.get(key), start, end)
    if kept is not None:
        if refresh:
            _refresh_if_old(kept, practitioner_id, room_id)
        return kept
    return _refresh.once(
        key,
        lambda: _ask_for_free_times(practitioner_id, room_id, start, end),
        lambda: usable(cache.get(key), start, end),
    )


def kept_spans(
    pairs: list[tuple[int, int]], start: dt.date, end: dt.date
) -> dict[tuple[int, int], KeptFreeTimes]:
    """Of these pairs (practitioner and room ids), those whose kept free times will do,
    read in one cache round trip; the older ones are refreshed in the background."""
    if not settings.BOOKING_FREE_TIMES_CACHE_SECONDS:
        return {}
    keys = {free_times_key(*pair): pair for pair in pairs}
    found = {}
    for key, value in cache.get_many(list(keys)).items():
        kept = usable(value, start, end)
        if kept is None:
            continue
        found[keys[key]] = kept
        _refresh_if_old(kept, *keys[key])
    return found


def _refresh_if_old(kept: KeptFreeTimes, practitioner_id: int, room_id: int) -> None:
    """Past BOOKING_FREE_TIMES_CACHE_SECONDS: asked for again, behind the page, for
    the days they covered (from today)."""
    if kept.age > settings.BOOKING_FREE_TIMES_CACHE_SECONDS:
        first, after = max(kept.first, clock.today()), kept.after
        _refresh.later(
            free_times_key(practitioner_id, room_id),
            lambda: _ask_for_free_times(practitioner_id, room_id, first, after),
        )


def usable(kept: object, start: dt.date, end: dt.date) -> KeptFreeTimes | None:
    if not isinstance(kept, KeptFreeTimes) or not kept.covers(start, end):
        return None
    return kept if kept.age <= settings.BOOKING_FREE_TIMES_MAX_AGE_SECONDS else None


def _ask_for_free_times(
    practitioner_id: int, room_id: int, start: dt.date, end: dt.date
) -> KeptFreeTimes:
    """One freeList call: every bookable day from today (as many as one request
    may ask for), so that the overview of free days and Earlier know the days
    before `start`. Kept unless a booking in this pair began meanwhile."""
    first = min(clock.today(), start)
    if (end - first).days > MAX_DAYS_PER_REQUEST:
        first = start  # from today would not reach `end` in one request: from `start`
    rest = (clock.last_bookable_day() - first).days + 1
    days = max((end - first).days, min(rest, MAX_DAYS_PER_REQUEST))
    asked_at = time.time()
    answer = get_client().free_times(practitioner_id, room_id, first, days)
    kept = KeptFreeTimes(first, first + dt.timedelta(days=days), answer, asked_at)
    if not settings.BOOKING_FREE_TIMES_CACHE_SECONDS:
        return kept  # nothing kept: no cache to ask
    key = free_times_key(practitioner_id, room_id)
    changed = cache.get(f"{key}:changed")
    # An answer asked for before a booking may still list its time.
    if changed is None or changed < asked_at:
        keep(key, kept, settings.BOOKING_FREE_TIMES_MAX_AGE_SECONDS)
    return kept


def took_free_time(slot: Slot) -> None:
    """A booking (or one whose outcome is unknown) took `slot`: not shown again.

    The pair's kept free times lose, at once, every start the appointment
    overlaps (the diary will not offer them either), and keep their age: the
    diary is asked again when they grow old, as for any other change, not
    because of this one, which we know. So the next patient neither waits
    nor costs a call; a change this misses (the practice's own rules) is
    `book`'s to find, as for a time booked at the practice.
    """
    key = free_times_key(slot.practitioner.id, slot.room.id)
    _mark_changed(key)
    kept = cache.get(key)
    if not isinstance(kept, KeptFreeTimes):
        return
    left = settings.BOOKING_FREE_TIMES_MAX_AGE_SECONDS - kept.age
    if left < 1:
        cache.delete_many([key, version_key(key)])
        return
    length = dt.timedelta(minutes=slot.minutes or kept.answer.slot_minutes)
    begins, ends = slot.start, slot.start + length

    def free(day: dt.date, moment: dt.time) -> bool:
        start = clock.at(day, moment)
        return start + length <= begins or ends <= start

    days = tuple(
        FreeDay(day.date, tuple(t for t in day.times if free(day.date, t)))
        for day in kept.answer.days
    )
    without = dataclasses.replace(kept.answer, days=days)
    keep(key, kept._replace(answer=without), int(left))


def forget_free_times(practitioner_id: int, room_id: int) -> None:
    """Drop the pair's kept free times: the next look asks the diary (a time found taken)."""
    key = free_times_key(practitioner_id, room_id)
    _mark_changed(key)
    cache.delete_many([key, version_key(key)])


def keep(key: str, kept: KeptFreeTimes, seconds: int) -> None:
    # With a new version beside it: what a page made from the kept free times
    # can be checked against without reading (and unpickling) them all again.
    cache.set_many({key: kept, version_key(key): secrets.token_hex(6)}, seconds)


def version_key(key: str) -> str:
    """Where a kept answer's version is: a new one every time it is kept or changed."""
    return f"{key}:version"


def _mark_changed(key: str) -> None:
    # Read by an answer asked for before now, which is then not kept.
    ttl = settings.BOOKING_FREE_TIMES_MAX_AGE_SECONDS + _refresh.lock_seconds()
    cache.set(f"{key}:changed", time.time(), ttl)


def free_times_key(practitioner_id: int, room_id: int) -> str:
    # v2: the value became KeptFreeTimes (a site upgraded while the old ones are kept ignores them).
    return f"physiodiary:free-times:v2:{practitioner_id}:{room_id}"
