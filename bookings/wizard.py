"""The booking wizard's shape: its steps, the window of days and free-time keys.

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

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

#: The value of `staffId` or `sectionId` that means "whoever / wherever is free".
ANY = "any"


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    title: str


STEPS = (
    Step(1, "choose", "Practitioner and room"),
    Step(2, "times", "Date and time"),
    Step(3, "details", "Your details"),
    Step(4, "booked", "Booked"),
)


def step(name: str) -> Step:
    return next(s for s in STEPS if s.name == name)


def url(name: str, **query: object) -> str:
    """The URL of a step, with the choice made so far in its query string."""
    query = {key: value for key, value in query.items() if value not in (None, "")}
    path = reverse(f"bookings:{name}")
    return f"{path}?{urlencode(query)}" if query else path


# --- Dates and times ------------------------------------------------------------


def today() -> dt.date:
    """Today in the practice's time zone."""
    return timezone.localdate()


def earliest_bookable() -> dt.datetime:
    """Free times before this are not offered: the practice needs notice."""
    notice = dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)
    return timezone.localtime(timezone.now() + notice)  # added in UTC, then shown locally


def last_bookable_day() -> dt.date:
    """The last of BOOKING_HORIZON_DAYS days, today being the first: one freeList call's worth."""
    return today() + dt.timedelta(days=settings.BOOKING_HORIZON_DAYS - 1)


def time_zone_label() -> str:
    """How pages name the practice's time zone, which every time shown is in."""
    zone = settings.TIME_ZONE
    return "UK time" if zone == "Europe/London" else f"{zone} time"


def at(day: dt.date, moment: dt.time) -> dt.datetime:
    """A date and time of the practice's diary as an aware datetime."""
    return dt.datetime.combine(day, moment, tzinfo=timezone.get_current_timezone())


def exists(moment: dt.datetime) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (01:30 in March)."""
    return moment.astimezone(dt.UTC).astimezone(moment.tzinfo).replace(fold=0) == moment


def api_date(value: str | None) -> dt.date | None:
    """A date in the vendor's YYYYMMDD format, or None."""
    # [0-9], not \d, which takes other scripts' digits too.
    if not value or not re.fullmatch(r"[0-9]{8}", value):
        return None
    try:
        day = dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None
    # No link of ours names a day outside these; year 1 would not even format back.
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31) else None


def api_time(value: str | None) -> dt.time | None:
    """A time in the vendor's HHMM format, or None."""
    if not value or not re.fullmatch(r"[0-9]{4}", value):
        return None
    try:
        return dt.datetime.strptime(value, "%H%M").time()
    except ValueError:
        return None


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
        first, last = today(), last_bookable_day()
        start = max(api_date(value) or first, first)
        if start > last:
            return None
        return cls(start, min(settings.BOOKING_WINDOW_DAYS, (last - start).days + 1))

    @property
    def end(self) -> dt.date:
        """The last day shown."""
        return self.start + dt.timedelta(days=self.days - 1)

    @property
    def earlier(self) -> dt.date | None:
        if self.start <= today():
            return None
        return max(today(), self.start - dt.timedelta(days=settings.BOOKING_WINDOW_DAYS))

    @property
    def later(self) -> dt.date | None:
        following = self.end + dt.timedelta(days=1)
        return following if following <= last_bookable_day() else None


def slot_key(day: dt.date, moment: dt.time, practitioner_id: int, room_id: int) -> str:
    """The value of one free time's radio button: date, time, practitioner, room."""
    return f"{day:%Y%m%d}-{moment:%H%M}-{practitioner_id}-{room_id}"


@dataclass(frozen=True)
class SlotKey:
    date: dt.date
    time: dt.time
    practitioner_id: int
    room_id: int

    @classmethod
    def parse(cls, value: str | None) -> SlotKey | None:
        match = re.fullmatch(r"([0-9]{8})-([0-9]{4})-([0-9]{1,12})-([0-9]{1,12})", value or "")
        if not match:
            return None
        day, moment = api_date(match[1]), api_time(match[2])
        if day is None or moment is None:
            return None
        return cls(day, moment, int(match[3]), int(match[4]))

    def query(self) -> dict[str, object]:
        """The details step's query string for this free time, in the API's own names."""
        return {
            "staffId": self.practitioner_id,
            "sectionId": self.room_id,
            "date": f"{self.date:%Y%m%d}",
            "time": f"{self.time:%H%M}",
        }


# --- What a step's URL may hold -------------------------------------------------

_ID = r"any|[0-9]{1,12}"

#: Each query parameter (and hidden field) of the wizard, and what it may hold.
#: Other parameters are ignored: a practice's own site may add some.
PARAMETERS: dict[str, Callable[[str], bool]] = {
    "staffId": lambda value: re.fullmatch(_ID, value) is not None,
    "sectionId": lambda value: re.fullmatch(_ID, value) is not None,
    "date": lambda value: api_date(value) is not None,
    "time": lambda value: api_time(value) is not None,
    "slot": lambda value: SlotKey.parse(value) is not None,
    "via": lambda value: re.fullmatch(rf"({_ID})\.({_ID})", value) is not None,
    "next": lambda value: value == "1",
    "passed": lambda value: value == "1",
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
