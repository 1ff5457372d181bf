"""The site's own counters: how many times a day each step was reached, booked, failed.

The console's activity page reads them (console/views.py). Each is a number
per day and event, nothing more: no patient, no address, no time of day, no
practitioner, so that they say how the booking is used without saying by
whom. `manage.py purge_change_records` deletes them after
CONSOLE_RETENTION_DAYS.

A page counts in the shared cache (one atomic increment, one key per event
per day), not in the database: a write and a commit on every page was a
fifth of a warm times page's time. And it counts once its response has been
sent (`counting`): the increment was a cache round trip the patient waited
for. A count made outside a page (a command, a background refresh) goes
to the cache at once. The counts reach `DailyCount` in one transaction:

- once the response has been sent (`after`, on every response), at most
  once every EVERY_SECONDS across every server (a `cache.add` lock, as
  bookings/maintenance.py runs the purge and the outbox);
- when the console's activity page is opened (`flush(wait=…)`);
- when the timer's `purge_change_records` runs (`purge`).

A flush takes from each key exactly what it read (an atomic decrement) and
adds that to the day's row, so counts made meanwhile stay for the next: the
database's count plus the cache's is every page counted, whoever flushes and
however often. One flush runs at a time across servers (the FLUSHING lock),
so no count is moved twice. A flush whose database write fails gives its
counts back to the cache. Only a process killed between the decrement and
the commit loses what it was moving.

Counting must never cost a patient a page: a cache or database that fails to
count is logged and the page goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from . import counters
from .clock import today
from .models import DailyCount
from .submissions import Kind

logger = logging.getLogger(__name__)

#: Every event counted, in the order the console's activity page shows them.
EVENTS = (
    "step-choose",  # a page of step 1 shown (each of its two questions counts)
    "step-times",  # a page of free times shown
    "step-details",  # a details form shown
    "booked",  # the diary confirmed a booking (a move's new time among them)
    "just-taken",  # the time was booked meanwhile: the nearest free times offered
    "cancel-requested",  # a change link's cancel request sent to the practice
    "move-requested",  # a change link's move booked, and the practice asked to remove the old
    "diary-failure",  # a page or a booking the diary could not serve
    "lost-outcome",  # `book`'s answer lost: the practice asked to check its diary
)

#: What became of a booking form's first post, as the event it counts; a refusal
#: the patient fixes on the form counts as none.
OUTCOMES = {
    Kind.BOOKED: "booked",
    Kind.TAKEN: "just-taken",
    Kind.UNKNOWN: "lost-outcome",
    Kind.UNAVAILABLE: "diary-failure",
}

#: Days a count may wait in the cache: its key expires after them, and a flush
#: looks at that many days back. A busy site writes them within a minute; a quiet
#: one at the next page, the console's page or the timer (every 15 minutes).
KEPT_DAYS = 8
#: The lock that lets one flush after a response a minute, across servers.
FLUSH_DUE = "activity:flush-due"
EVERY_SECONDS = 60
#: Held while a flush runs, so that two never move the same counts; longer than
#: a flush can take (a database waits at most 20 s for its write lock).
FLUSHING = "activity:flushing"
FLUSHING_SECONDS = 60
#: How often a process with counts to write asks whether a flush is due: a cache
#: call every few seconds, not one a page.
ASK_EVERY_SECONDS = 5.0

# This process has counted since its last flush, and when it may next ask
# whether one is due (time.monotonic()). Threads race on them harmlessly: at
# worst one more question to the cache.
_counted = False
_next_ask = 0.0
# The counts of the page this thread is making (`counting`), to add once it is sent.
_page = threading.local()


def forget() -> None:
    """Forget that this process has counted (each test starts as a new process would)."""
    global _counted, _next_ask
    _counted, _next_ask = False, 0.0


def count(event: str) -> None:
    """Add one to today's count of `event`. Never raises."""
    global _counted
    if event not in EVENTS:
        # A typo in a call would otherwise count quietly under a name no page shows.
        logger.error("activity: unknown event %s not counted", event)
        return
    pending: Counter[str] | None = getattr(_page, "pending", None)
    if pending is not None:
        pending[event] += 1  # added once the page has been sent
        return
    try:
        _add_one(event)
    except Exception as exc:  # whatever went wrong, the patient's page goes on
        # The class only: a cache's or driver's message can name a server's address.
        logger.warning("activity: %s not counted: %s", event, type(exc).__name__)
        return
    _counted = True


Response = TypeVar("Response", bound=HttpResponseBase)


def counting(get_response: Callable[[HttpRequest], Response], request: HttpRequest) -> Response:
    """The response to `request`, its page's counts added to the cache once it has been
    sent, then the counts written to the database if due (`after`)."""
    global _counted
    _page.pending = pending = Counter[str]()
    try:
        response = get_response(request)
    finally:
        _page.pending = None
    if pending:
        # Before `after`'s flush, which then writes this page's counts too.
        response._resource_closers.append(lambda: _add_sent(pending))
        _counted = True
    return after(response)


def _add_sent(pending: Counter[str]) -> None:
    for event, n in pending.items():
        try:
            for _ in range(n):  # one a page, nearly always
                _add_one(event)
        except Exception as exc:  # the page has gone; the next flush is not held up
            logger.warning("activity: %s not counted: %s", event, type(exc).__name__)


def count_outcome(kind: Kind) -> None:
    """Count what became of a booking form's first post (bookings/views/booking.py)."""
    if kind in OUTCOMES:
        count(OUTCOMES[kind])


def _add_one(event: str) -> None:
    # Atomic in Redis and the database cache: two servers counting at once both count.
    counters.add_one(_key(today(), event), KEPT_DAYS * 24 * 3600)


def _key(day: dt.date, event: str) -> str:
    return f"activity:{day.isoformat()}:{event}"


def after(response: Response) -> Response:
    """`response`, made to write the counts to the database once it has been sent, if due.

    Every response passes here (booking_site/middleware.py); only one of a
    process that has counted, every ASK_EVERY_SECONDS, asks the cache.
    """
    if _counted and time.monotonic() >= _next_ask:
        # As maintenance.after: run at close, after the last byte is sent.
        response._resource_closers.append(flush_if_due)
    return response


def flush_if_due() -> bool:
    """Flush, unless a flush after a response ran on any server in the last EVERY_SECONDS.

    True if this call flushed. Never raises: the counts wait for the next.
    """
    global _counted, _next_ask
    _next_ask = time.monotonic() + ASK_EVERY_SECONDS
    try:
        if not cache.add(FLUSH_DUE, 1, EVERY_SECONDS):
            return False
    except Exception as exc:  # a cache that is down is the page's problem, not ours
        logger.warning("activity: not written: the cache failed (%s)", type(exc).__name__)
        return False
    # Before the flush reads the cache: a count made while it runs sets it again.
    _counted = False
    try:
        flush()
    except Exception as exc:  # the counts are back in the cache (`_move`): the next flush
        logger.error("activity: counts not written to the database: %s", type(exc).__name__)
        _counted = True
    return True


def flush(*, wait: float = 0) -> int | None:
    """Move the counts waiting in the cache into `DailyCount`; how many were moved.

    None if another flush was running and did not end within `wait` seconds
    (it is moving them). Raises if the cache or the database fails.
    """
    deadline = time.monotonic() + wait
    while not cache.add(FLUSHING, 1, FLUSHING_SECONDS):
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)  # another server's flush: a few database statements
    try:
        return _move()
    finally:
        cache.delete(FLUSHING)


def flush_quietly(wait: float = 5) -> None:
    """`flush`, for a reader of the counts (the console's page, the purge): a cache or
    database that fails is logged, and the counts wait for the next flush."""
    try:
        flush(wait=wait)
    except Exception as exc:
        logger.warning("activity: counts not written to the database: %s", type(exc).__name__)


def _move() -> int:
    days = [today() - dt.timedelta(days=back) for back in range(KEPT_DAYS)]
    keys = {_key(day, event): (day, event) for day in days for event in EVENTS}
    waiting = {key: n for key, n in cache.get_many(list(keys)).items() if n}
    taken: dict[str, int] = {}
    try:
        for key, n in waiting.items():
            try:
                # Exactly what was read: counts made since stay in the cache.
                cache.decr(key, n)
            except ValueError:  # expired meanwhile (KEPT_DAYS unflushed): nothing to take
                continue
            taken[key] = n
        with transaction.atomic():
            for key, n in taken.items():
                _add(*keys[key], n)
    except BaseException:
        _give_back(taken)
        raise
    return sum(taken.values())


def _add(day: dt.date, event: str, n: int) -> None:
    # One UPDATE, atomic in the database.
    if DailyCount.objects.filter(day=day, event=event).update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            DailyCount.objects.create(day=day, event=event, count=n)
    except IntegrityError:
        # Another flush made the day's row between our UPDATE and INSERT.
        DailyCount.objects.filter(day=day, event=event).update(count=F("count") + n)


def _give_back(taken: dict[str, int]) -> None:
    """Put counts a failed flush took back in the cache, for the next flush."""
    for key, n in taken.items():
        try:
            try:
                cache.incr(key, n)
            except ValueError:
                cache.add(key, n, KEPT_DAYS * 24 * 3600)
        except Exception as exc:
            logger.error("activity: %d count(s) lost: the cache failed (%s)", n, type(exc).__name__)


def purge() -> tuple[int, int]:
    """Delete the counts, and the admin's record of who changed what, older than
    CONSOLE_RETENTION_DAYS: (counts, changes) deleted. `purge_change_records` runs it,
    after writing the counts waiting in the cache to the database."""
    flush_quietly()
    days = dt.timedelta(days=settings.CONSOLE_RETENTION_DAYS)
    counts, _ = DailyCount.objects.filter(day__lt=today() - days).delete()
    changes, _ = LogEntry.objects.filter(action_time__lt=timezone.now() - days).delete()
    return counts, changes
