"""What one process keeps of the times pages it has made: searches, and rendered fragments.

A warm times page (its pairs' free times kept in the shared cache) used to
spend most of its time remaking what the last request made: the search over
every pair (for "any", a thread for each of 12 pairs), and in the templates
the same days, times and month as HTML. Each worker now keeps the last few
of both, in its own memory, for as long as what they were made from is
unchanged:

- `find_free_times`: `diary.find_free_times` for a window, kept while the
  pairs' kept free times (one `get_many`, compared by a hash) are the same,
  and for at most MEMO_SECONDS, so that diary.py still sees every pair at
  least that often and refreshes one past BOOKING_FREE_TIMES_CACHE_SECONDS.
  A booking on any server changes its pair's kept free times (kept_free_times.py),
  so the next page here is made afresh.
- `FRAGMENTS`: HTML a template made, kept by `{% memo %}` (templatetags/memo.py)
  under the values it names and the page's language.
- `PAGES`: whole times pages, kept under everything a page is made from
  (`times_page_key`): its address (the choice, the window, the language),
  whether it is in a frame, the search above, the console's configuration,
  the lists and the day. The search and the configuration are compared by
  identity: a search is made anew at least every MEMO_SECONDS, and the
  configuration read anew as often (configuration.MEMO_SECONDS), so a page
  is remade at least every two seconds, and at once when anything it shows
  has changed.

Bounded (least recently used goes first): a few megabytes per worker at most.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language

from physiodiary import Practitioner, Room

from . import clock, configuration, diary
from .embedding import embedded
from .kept_free_times import free_times_key, version_key

#: How long a process reuses a search without asking diary.py again.
MEMO_SECONDS = 2.0


class Memo:
    """A small least-recently-used map, safe to share between a process's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def values(self) -> list[Any]:
        with self._lock:
            return list(self._entries.values())


#: A search holds one window's times; a fragment is up to ~50 KB of HTML ("any", a week).
SEARCHES = Memo(32)
FRAGMENTS = Memo(64)
#: A times page is up to ~60 KB of HTML ("any", a week): a few megabytes at most.
PAGES = Memo(48)


@receiver(setting_changed)
def _forget(**kwargs: object) -> None:
    # What both were made with (time zone, languages, templates, rules) is a setting:
    # a test that changes one starts afresh. A running site never changes one.
    SEARCHES.clear()
    FRAGMENTS.clear()
    PAGES.clear()


class Same:
    """A part of a memo's key equal only to another holding the very same object.

    For what is made anew whenever it may have changed (a search kept above, the
    console's configuration read every two seconds): comparing by identity costs
    nothing, where hashing a week of free times would cost more than it saves.
    Held in the key, the object outlives it, so its id() is never another's.
    """

    __slots__ = ("held",)

    def __init__(self, held: object) -> None:
        self.held = held

    def __hash__(self) -> int:
        return id(self.held)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.held is self.held


@dataclass(frozen=True)
class _Kept:
    made_from: int  # the hash of the pairs' kept free times it was made from
    until: float  # time.monotonic()
    search: diary.Search


def find_free_times(
    practitioners: Sequence[Practitioner], rooms: Sequence[Room], start: dt.date, days: int
) -> diary.Search:
    """`diary.find_free_times` from `start` for `days` days, the earliest bookable moment
    being now's; from this process's memory when nothing it depends on has changed."""
    # Free times start on the minute: from the next whole minute is the same search,
    # and it stays the same search for up to a minute.
    earliest = clock.earliest_bookable()
    not_before = earliest.replace(second=0, microsecond=0)
    if not_before < earliest:
        not_before += dt.timedelta(minutes=1)
    made_from = _kept_hash(practitioners, rooms)
    if made_from is None:
        return diary.find_free_times(practitioners, rooms, start, days, not_before=not_before)
    key = (
        tuple(practitioners),
        tuple(rooms),
        start,
        days,
        not_before,
        timezone.get_current_timezone_name(),
    )
    kept = SEARCHES.get(key)
    if kept is not None and kept.made_from == made_from and kept.until > time.monotonic():
        return kept.search
    search = diary.find_free_times(practitioners, rooms, start, days, not_before=not_before)
    # A search with a pair left unchecked is not kept: the next page asks again.
    if not search.unchecked:
        SEARCHES.put(key, _Kept(made_from, time.monotonic() + MEMO_SECONDS, search))
    return search


def _kept_hash(practitioners: Sequence[Practitioner], rooms: Sequence[Room]) -> int | None:
    """A hash of every pair's kept free times (one cache round trip), or None when a pair
    has none kept: then the diary is asked, and there is nothing to keep a search by."""
    if not settings.BOOKING_FREE_TIMES_CACHE_SECONDS:
        return None
    keys = [version_key(free_times_key(p.id, r.id)) for p in practitioners for r in rooms]
    versions = cache.get_many(keys)
    if len(versions) != len(keys):
        return None
    # A refresh, a booking taking its time out or a forgotten pair gives a new
    # version (kept_free_times._keep): a few bytes each, not the 90 days' answers.
    return hash(tuple(versions[key] for key in keys))


# --- Whole pages -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    status: int
    content: bytes
    content_type: str

    def response(self) -> HttpResponse:
        return HttpResponse(self.content, status=self.status, content_type=self.content_type)


def times_page_key(
    request: HttpRequest,
    search: diary.Search,
    practitioners: Sequence[Practitioner],
    rooms: Sequence[Room],
) -> Hashable | None:
    """Everything a times page is made from, for `PAGES`; None for a search not kept above
    (a pair unchecked, or free times not cached), which the next page makes afresh.

    The page's templates see the request, but what they show of it is its
    address (the choice, the window, "passed", the language links, "Open in
    a new tab") and whether it is framed (`embedded`): docs/designers.md asks
    the same of a designer's times page. Everything else comes from the
    search, the console's configuration (the practice's words, notices,
    rules, rooms' notes), the lists and the day (Earlier, Later, the overview).
    """
    if not any(kept.search is search for kept in SEARCHES.values()):
        return None
    return (
        get_language(),
        get_script_prefix(),
        request.get_full_path(),
        embedded(request),
        Same(search),
        Same(configuration.current()),
        tuple(practitioners),
        tuple(rooms),
        clock.today(),
    )


def kept_page(key: Hashable) -> HttpResponse | None:
    """The page kept under `key`, as a new response, or None."""
    page = PAGES.get(key)
    return page.response() if page is not None else None


def keep_page(key: Hashable, response: HttpResponse) -> None:
    """Keep a page made from `key` for the next request with equal key."""
    PAGES.put(key, _Page(response.status_code, response.content, response["Content-Type"]))
