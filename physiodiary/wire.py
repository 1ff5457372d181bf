"""The API's formats for a day and a time of day, written and read strictly.

The vendor's document writes a date as `YYYYMMDD` ("20171007") and a time
as `HHMM` ("0915"), in requests and answers alike. The readers take ASCII
digits only (`str.isdigit`, `int` and `strptime` all take other scripts'
digits too), real calendar dates and times, and days from 2000 to 2999:
beyond them a date is garbled, and taking it would only overflow later (a
calendar file, an end time). They give None for anything else, never raise.
"""

from __future__ import annotations

import datetime as dt
import functools

#: The first and last day a date of the API may name.
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


def format_date(day: dt.date) -> str:
    """`day` as the API writes it: YYYYMMDD."""
    return day.strftime("%Y%m%d")


def format_time(moment: dt.time) -> str:
    """`moment` as the API writes it: HHMM."""
    return moment.strftime("%H%M")


def read_date(value: object) -> dt.date | None:
    """The date a YYYYMMDD string names, or None."""
    if not _ascii_digits(value, 8):
        return None
    text = str(value)
    try:
        # Not strptime, which costs ten times as much: a freeList answer has 90 dates.
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def read_time(value: object) -> dt.time | None:
    """The time of day an HHMM string names, or None."""
    if not isinstance(value, str):
        return None
    return _time_named(value)


# A freeList answer names a few hundred times, most of them many times over; a day has
# 1,440 that are valid, so those and a few hundred garbled ones are all it keeps.
@functools.lru_cache(maxsize=2048)
def _time_named(text: str) -> dt.time | None:
    if not _ascii_digits(text, 4):
        return None
    try:
        return dt.time(int(text[:2]), int(text[2:]))
    except ValueError:
        return None


def _ascii_digits(value: object, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()
