"""The error codes of the Physiodiary API, and the refusal our diary raises to answer with them."""

from dataclasses import dataclass
from enum import IntEnum


class ErrorCode(IntEnum):
    """The vendor's "Normal error numbers", with the vendor's names.

    Kept apart from the client's own copy on purpose: the reference diary plays
    the vendor's server, and a server that borrowed the client's table would
    agree with any mistake in it.
    """

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
class Problem:
    """One entry of an error answer's `errors` list."""

    code: ErrorCode
    field: str
    message: str

    def as_json(self) -> dict[str, object]:
        return {"error": int(self.code), "fieldName": self.field, "message": self.message}


class Refusal(Exception):
    """A request the diary refuses; answered with all its problems at once."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(*problems)
        self.problems = list(problems)


ALREADY_BOOKED = Problem(ErrorCode.ALREADY_BOOKED, "booking", "Date/time/section is unavailable.")
