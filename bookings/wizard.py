"""The booking wizard's shape: its steps, their URLs, the window of days and the parameters.

The order of the steps lives here and only here. Everything a step needs
travels in its URL's query string (or its form), never in a session or a
cookie: the site is embedded in other sites' iframes, where browsers block
third-party cookies, and Back, Refresh and shared links must all work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from physiodiary import read_date, read_time

from . import clock, configuration
from .changes import LINK_PATTERN
from .slots import ID_PATTERN, Slot

#: The value of `staffId` or `sectionId` that means "whoever / wherever is free".
ANY = "any"


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    title: str | Promise  # lazy: each page reads it in its own language


STEPS = (
    # Translators: the names of the booking's four steps, in the list of steps at the top
    # of each page and in the pages' titles.
    Step(1, "choose", gettext_lazy("Practitioner and room")),
    Step(2, "times", gettext_lazy("Date and time")),
    Step(3, "details", gettext_lazy("Your details")),
    Step(4, "booked", pgettext_lazy("the step", "Booked")),
)


def step(name: str) -> Step:
    return next(s for s in STEPS if s.name == name)


def url(name: str, **query: object) -> str:
    """The URL of a step, with the choice made so far in its query string."""
    query = {key: value for key, value in query.items() if value not in (None, "")}
    path = reverse(f"bookings:{name}")
    return f"{path}?{urlencode(query)}" if query else path


@dataclass(frozen=True)
class Window:
    """The days of free times one page shows: `days` days from `start`."""

    start: dt.date
    days: int

    @classmethod
    def starting(cls, value: str | None) -> Window | None:
        """The window that starts on `value` (YYYYMMDD), or today.

        A day gone by (an old link) becomes today; a day after the last
        bookable one is None, since no link of ours leads there.
        """
        first, last = clock.today(), clock.last_bookable_day()
        start = max(read_date(value or "") or first, first)
        if start > last:
            return None
        days = configuration.rule("BOOKING_WINDOW_DAYS")
        return cls(start, min(days, (last - start).days + 1))

    @property
    def end(self) -> dt.date:
        """The last day shown."""
        return self.start + dt.timedelta(days=self.days - 1)

    @property
    def earlier(self) -> dt.date | None:
        if self.start <= clock.today():
            return None
        days = configuration.rule("BOOKING_WINDOW_DAYS")
        return max(clock.today(), self.start - dt.timedelta(days=days))

    @property
    def later(self) -> dt.date | None:
        following = self.end + dt.timedelta(days=1)
        return following if following <= clock.last_bookable_day() else None


# --- What a step's URL may hold -------------------------------------------------

_ID = rf"any|{ID_PATTERN}"

#: Each query parameter (and hidden field) of the wizard, and what it may hold.
#: Other parameters are ignored: a practice's own site may add some.
PARAMETERS: dict[str, Callable[[str], bool]] = {
    "staffId": lambda value: re.fullmatch(_ID, value) is not None,
    "sectionId": lambda value: re.fullmatch(_ID, value) is not None,
    "date": lambda value: read_date(value) is not None,
    "time": lambda value: read_time(value) is not None,
    "slot": lambda value: Slot.from_key(value) is not None,
    "via": lambda value: re.fullmatch(rf"({_ID})\.({_ID})", value) is not None,
    "next": lambda value: value == "1",
    "passed": lambda value: value == "1",
    # A move of a booked appointment: its change link's id, from times to details's POST.
    "change": lambda value: re.fullmatch(LINK_PATTERN, value) is not None,
}


def malformed(query: QueryDict) -> list[str]:
    """The wizard's parameters in `query` that no page of ours would have sent.

    Given twice, or not in their format: such a link was changed by hand or
    cut short, and is refused before any call to the diary. An empty value
    counts as absent.
    """
    bad = []
    for name, valid in PARAMETERS.items():
        values = [value for value in query.getlist(name) if value != ""]
        if len(values) > 1 or (values and not valid(values[0])):
            bad.append(name)
    return bad
