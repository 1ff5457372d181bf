"""Strict reading of each answer: anything unexpected is a `BadShape`, never a half-read result.

Each parser takes the decoded JSON object of one action's answer. What the
client makes of a `BadShape` (an `Unavailable`, or for `book` an
`UnknownOutcome`) is up to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .errors import ApiError
from .results import Confirmation, FreeDay, FreeList, Practitioner, Room
from .wire import read_date, read_time

#: The longest slot or appointment that makes sense; beyond it an answer is garbled.
MAX_MINUTES = 24 * 60


class BadShape(ValueError):
    """An answer that is JSON but not of the documented shape."""


def parse_staff_list(data: Mapping[str, Any]) -> tuple[Practitioner, ...]:
    """Parse a staffList answer."""
    staff = _field(data, "staff", list)
    return tuple(Practitioner(_field(s, "id", int), _name(s, "name")) for s in staff)


def parse_section_list(data: Mapping[str, Any]) -> tuple[Room, ...]:
    """Parse a sectionList answer."""
    sections = _field(data, "sections", list)
    return tuple(Room(_field(s, "id", int), _name(s, "name")) for s in sections)


def parse_free_list(data: Mapping[str, Any]) -> FreeList:
    """Parse a freeList answer, de-duplicating and sorting the times.

    The vendor's own example lists every time twice, so duplicates are
    expected, not an error.
    """
    slot_minutes = _field(data, "slotLength", int)
    if not 0 < slot_minutes <= MAX_MINUTES:
        raise BadShape("slotLength should be from 1 to 1440 minutes")
    by_date: dict[dt.date, set[dt.time]] = {}
    for day in _field(data, "free", list):
        times = _field(day, "times", list)
        by_date.setdefault(_date(_field(day, "date", str)), set()).update(_time(t) for t in times)
    return FreeList(
        slot_minutes=slot_minutes,
        days=tuple(FreeDay(d, tuple(sorted(t))) for d, t in sorted(by_date.items()) if t),
        practitioner=Practitioner(_field(data, "staffId", int), _name(data, "staffName")),
        room=Room(_field(data, "sectionId", int), _name(data, "sectionName")),
    )


def parse_booking(data: Mapping[str, Any]) -> Confirmation:
    """Parse a book answer; anything but "Confirmed" is not a confirmation."""
    if _field(data, "result", str) != "Confirmed":
        raise BadShape(f"result should be 'Confirmed', got {data['result']!r}")
    duration = _field(data, "duration", int)
    if not 0 < duration <= MAX_MINUTES:
        raise BadShape("duration should be from 1 to 1440 minutes")
    return Confirmation(
        date=_date(data.get("date")),
        time=_time(data.get("time")),
        duration_minutes=duration,
        room_name=_name(data, "section"),
        practitioner_name=_name(data, "staff"),
    )


def parse_errors(data: Mapping[str, Any]) -> tuple[ApiError, ...]:
    """Parse the `errors` list any action may answer with instead."""
    items = data["errors"]
    if not isinstance(items, list) or not items:
        raise BadShape("'errors' should be a non-empty list")
    errors = []
    for item in items:
        if not isinstance(item, Mapping):
            raise BadShape("each error should be an object")
        field = item.get("fieldName", "")
        message = item.get("message", "")
        errors.append(
            ApiError(
                code=_field(item, "error", int),
                field=field if isinstance(field, str) else "",
                message=message if isinstance(message, str) else "",
            )
        )
    return tuple(errors)


def _field(data: Any, key: str, kind: type) -> Any:
    value = data.get(key) if isinstance(data, Mapping) else None
    # bool is an int in Python, but never a valid id, count or name here.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadShape(f"{key!r} should be {kind.__name__}, got {type(value).__name__}")
    return value


#: Control characters (C0 with TAB, CR and LF, DEL, C1 with NEL) and Unicode's
#: line and paragraph separators: none belongs in a name, and each could start
#: a new line wherever a name is printed.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _name(data: Any, key: str) -> str:
    """A practitioner's or room's name, each run of control characters made one space.

    Names go from the diary into pages, the confirmation email and its
    calendar file, and the logs. Cleaned here, where every answer is read,
    they are safe to print everywhere, whoever prints them; a space (not
    nothing) keeps a name broken over two lines two words.
    """
    return _CONTROLS.sub(" ", _field(data, key, str)).strip()


def _date(value: Any) -> dt.date:
    day = read_date(value)
    if day is None:
        raise BadShape(f"date should be a YYYYMMDD calendar date, got {value!r}")
    return day


def _time(value: Any) -> dt.time:
    moment = read_time(value)
    if moment is None:
        raise BadShape(f"time should be an HHMM time of day, got {value!r}")
    return moment
