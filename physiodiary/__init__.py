"""A client for the Physiodiary API, standing apart from any web framework.

It imports neither Django nor the booking site: the site's glue (settings,
one client per process, the reference diary) lives in `bookings/client.py`.

- `results`: what the diary answers, as frozen dataclasses.
- `errors`: the one error tree, and why a call failed in plain words.
- `wire`: the API's date and time formats.
- `parsing`: strict reading of each answer.
- `breaker`: the circuit breaker.
- `client`: the transport and `PhysiodiaryClient`.
"""

from .breaker import Breaker, CircuitBreaker
from .client import MAX_DAYS_PER_REQUEST, PhysiodiaryClient
from .errors import (
    REASONS,
    ApiError,
    NotAuthorised,
    PhysiodiaryError,
    Reason,
    Rejected,
    Unavailable,
    UnknownOutcome,
    describe,
)
from .parsing import parse_booking, parse_free_list, parse_section_list, parse_staff_list
from .results import Confirmation, ErrorCode, FreeDay, FreeList, Practitioner, Room
from .wire import format_date, format_time, read_date, read_time

__all__ = [
    "MAX_DAYS_PER_REQUEST",
    "REASONS",
    "ApiError",
    "Breaker",
    "CircuitBreaker",
    "Confirmation",
    "ErrorCode",
    "FreeDay",
    "FreeList",
    "NotAuthorised",
    "PhysiodiaryClient",
    "PhysiodiaryError",
    "Practitioner",
    "Reason",
    "Rejected",
    "Room",
    "Unavailable",
    "UnknownOutcome",
    "describe",
    "format_date",
    "format_time",
    "parse_booking",
    "parse_free_list",
    "parse_section_list",
    "parse_staff_list",
    "read_date",
    "read_time",
]
