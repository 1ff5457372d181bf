"""What the diary answers, as frozen dataclasses with real types."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class ErrorCode(enum.IntEnum):
    """The vendor's error numbers ("Normal error numbers will be one of the following")."""

    NO_ERROR = 0
    INVALID_ACTION = 1
    INVALID_API_KEY = 2
    INVALID_SECTION_ID = 3
    INVALID_STAFF_ID = 4
    INVALID_NUM_DAYS = 5
    INVALID_DATE = 6
    INVALID_TIME = 7
    INVALID_NAME = 8
    INVALID_PHONE = 9
    INVALID_EMAIL = 10
    INVALID_DESCRIPTION = 11
    ALREADY_BOOKED = 12
    UNKNOWN_ERROR = 13


@dataclass(frozen=True)
class Practitioner:
    id: int
    name: str


@dataclass(frozen=True)
class Room:
    """A room; the vendor calls rooms "sections"."""

    id: int
    name: str


@dataclass(frozen=True)
class FreeDay:
    date: dt.date
    times: tuple[dt.time, ...]


@dataclass(frozen=True)
class FreeList:
    """The answer to freeList: free times for one practitioner in one room.

    `practitioner` and `room` are what the diary echoed, which the vendor's own
    example shows need not match the ids that were asked for.
    """

    slot_minutes: int
    days: tuple[FreeDay, ...]
    practitioner: Practitioner
    room: Room


@dataclass(frozen=True)
class Confirmation:
    """What the diary confirmed, which is what the patient must be shown.

    The vendor's example confirms 07:45 for a request of 09:15, so the time
    asked for is not assumed to be the time booked.
    """

    date: dt.date
    time: dt.time
    duration_minutes: int
    room_name: str
    practitioner_name: str
