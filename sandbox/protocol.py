"""The Physiodiary wire format: reading requests and writing answers.

Everything here follows the vendor's document (docs/physiodiary-api.md).
The vendor does not publish its validation rules; where it is silent the
diary is lenient as a real server likely is (ids and numDays may come as
numbers or numeric strings), and strict where bad data would be stored.
"""

import hmac
import json
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

from .free_times import FreeDay, Patient
from .models import Booking, Practitioner, Room
from .refusals import ErrorCode, Problem, Refusal

MAX_NUM_DAYS = 90
NAME_MAX_LENGTH = 100
PHONE_MAX_LENGTH = 40
EMAIL_MAX_LENGTH = 254
DESC_MAX_LENGTH = 500
# Ids are 32-bit integers in the database; anything larger cannot exist and
# must not reach a query, where PostgreSQL would fail on it.
MAX_ID = 2_147_483_647

EMPTY = "Must not be empty"  # the vendor's wording, without a full stop
NOT_POSITIVE = "Is zero or negative."
NOT_FOUND = "Not found."
NOT_TEXT = "Must be text."

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_TIME = re.compile(r"([0-9]{2})([0-9]{2})")
_PHONE = re.compile(r"[0-9 +\-()]+")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

T = TypeVar("T")


@dataclass(frozen=True)
class FreeListRequest:
    practitioner: Practitioner
    room: Room
    first_day: date
    num_days: int


@dataclass(frozen=True)
class BookRequest:
    practitioner: Practitioner
    room: Room
    date: date
    time: time
    patient: Patient


# --- Formats ----------------------------------------------------------------


def format_date(day: date) -> str:
    return f"{day:%Y%m%d}"


def format_time(at: time) -> str:
    return f"{at.hour:02d}{at.minute:02d}"  # a few times faster than strftime, 90 days of them


def java_timestamp(now: datetime) -> str:
    """`now` as the vendor's Java server writes it: "Oct 7, 2017 3:25:07 PM"."""
    local = timezone.localtime(now)
    # Month names spelled out here, not by strftime, which follows the locale.
    hour = local.hour % 12 or 12
    noon = "AM" if local.hour < 12 else "PM"
    return f"{_MONTHS[local.month - 1]} {local.day}, {local.year} {hour}:{local:%M:%S} {noon}"


# --- Reading requests ---------------------------------------------------------


def read_body(body: bytes) -> dict[str, Any]:
    try:
        fields = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise Refusal(Problem(ErrorCode.UNKNOWN_ERROR, "", "Not a JSON object.")) from error
    if not isinstance(fields, dict):
        raise Refusal(Problem(ErrorCode.UNKNOWN_ERROR, "", "Not a JSON object."))
    return fields


def action_of(fields: dict[str, Any]) -> str:
    action = fields.get("action")
    return action if isinstance(action, str) else ""


def read_action(fields: dict[str, Any], known: Collection[str]) -> str:
    action = fields.get("action")
    if action is None or action == "":
        raise _fail(ErrorCode.INVALID_ACTION, "action", EMPTY)
    if not isinstance(action, str) or action not in known:
        raise _fail(ErrorCode.INVALID_ACTION, "action", "Unknown action.")
    return action


def key_matches(fields: dict[str, Any], api_key: str) -> bool:
    """Whether the request carries `api_key`; Refusal if it carries no key at all."""
    given = fields.get("apiKey")
    if given is None or given == "":
        raise Refusal(Problem(ErrorCode.INVALID_API_KEY, "apiKey", EMPTY))
    if not isinstance(given, str):
        raise Refusal(Problem(ErrorCode.INVALID_API_KEY, "apiKey", NOT_TEXT))
    # Bytes, because compare_digest refuses str holding anything but ASCII.
    return hmac.compare_digest(given.encode(), api_key.encode())


def read_free_list(fields: dict[str, Any]) -> FreeListRequest:
    problems = _Problems()
    first_day = problems.read(_date, fields.get("date"))
    num_days = problems.read(_num_days, fields.get("numDays"))
    room = problems.read(_room, fields.get("sectionId"))
    practitioner = problems.read(_practitioner, fields.get("staffId"))
    problems.raise_any()
    return FreeListRequest(practitioner, room, first_day, num_days)


def read_book(fields: dict[str, Any], today: date) -> BookRequest:
    problems = _Problems()
    day = problems.read(_booking_date, fields.get("date"), today)
    at = problems.read(_time, fields.get("time"))
    room = problems.read(_room, fields.get("sectionId"))
    practitioner = problems.read(_practitioner, fields.get("staffId"))
    name = problems.read(_name, fields.get("name"))
    phone = problems.read(_phone, fields.get("phone"))
    email = problems.read(_email, fields.get("email"))
    desc = problems.read(_desc, fields.get("desc"))
    problems.raise_any()
    return BookRequest(practitioner, room, day, at, Patient(name, phone, email, desc))


class _Problems:
    """Collects every field's problems, so one answer lists them all, as the vendor's does."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def read(self, reader: Callable[..., T], *args: Any) -> T:
        try:
            return reader(*args)
        except Refusal as error:
            self.found.extend(error.problems)
            return None  # type: ignore[return-value]  # never used: raise_any() raises

    def raise_any(self) -> None:
        if self.found:
            raise Refusal(*self.found)


def _fail(code: ErrorCode, field: str, message: str) -> Refusal:
    return Refusal(Problem(code, field, message))


def _integer(value: Any) -> int | None:
    # bool is an int in Python, but `true` is no id in JSON.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def _lookup(model: type[T], value: Any, code: ErrorCode, field: str) -> T:
    pk = _integer(value)
    if pk is None or pk <= 0:
        raise _fail(code, field, NOT_POSITIVE)
    # Unordered: one row at most, and an ORDER BY (the model's) cost more than the query.
    found = (
        next(iter(model.objects.filter(pk=pk).order_by()[:1]), None)  # type: ignore[attr-defined]
        if pk <= MAX_ID
        else None
    )
    if found is None:
        raise _fail(code, field, NOT_FOUND)
    return found


def _room(value: Any) -> Room:
    return _lookup(Room, value, ErrorCode.INVALID_SECTION_ID, "sectionId")


def _practitioner(value: Any) -> Practitioner:
    return _lookup(Practitioner, value, ErrorCode.INVALID_STAFF_ID, "staffId")


def _num_days(value: Any) -> int:
    num_days = _integer(value)
    if num_days is None or not 1 <= num_days <= MAX_NUM_DAYS:
        raise _fail(ErrorCode.INVALID_NUM_DAYS, "numDays", f"Must be from 1 to {MAX_NUM_DAYS}.")
    return num_days


def _date(value: Any) -> date:
    if value is None or value == "":
        raise _fail(ErrorCode.INVALID_DATE, "date", EMPTY)
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    try:
        if match:
            return date(*map(int, match.groups()))
    except ValueError:
        pass
    raise _fail(ErrorCode.INVALID_DATE, "date", "Not a valid date (YYYYMMDD).")


def _booking_date(value: Any, today: date) -> date:
    day = _date(value)
    if day < today:
        raise _fail(ErrorCode.INVALID_DATE, "date", "Is in the past.")
    return day


def _time(value: Any) -> time:
    if value is None or value == "":
        raise _fail(ErrorCode.INVALID_TIME, "time", EMPTY)
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    try:
        if match:
            return time(*map(int, match.groups()))
    except ValueError:
        pass
    raise _fail(ErrorCode.INVALID_TIME, "time", "Not a valid time (HHMM).")


def _text(
    value: Any,
    code: ErrorCode,
    field: str,
    max_length: int,
    *,
    required: bool = True,
    allowed_controls: str = "",
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(code, field, NOT_TEXT)
    value = value.strip()
    if required and not value:
        raise _fail(code, field, EMPTY)
    if len(value) > max_length:
        raise _fail(code, field, f"Must be at most {max_length} characters.")
    # PostgreSQL refuses NUL in text, and no patient types other controls.
    if any(unicodedata.category(c) == "Cc" and c not in allowed_controls for c in value):
        raise _fail(code, field, "Must not contain control characters.")
    return value


def _name(value: Any) -> str:
    return _text(value, ErrorCode.INVALID_NAME, "name", NAME_MAX_LENGTH)


def _phone(value: Any) -> str:
    phone = _text(value, ErrorCode.INVALID_PHONE, "phone", PHONE_MAX_LENGTH)
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE.fullmatch(phone) or not 6 <= digits <= 20:
        raise _fail(ErrorCode.INVALID_PHONE, "phone", "Not a valid phone number.")
    return phone


def _email(value: Any) -> str:
    email = _text(value, ErrorCode.INVALID_EMAIL, "email", EMAIL_MAX_LENGTH)
    try:
        EmailValidator()(email)
    except ValidationError as error:
        raise _fail(ErrorCode.INVALID_EMAIL, "email", "Not a valid email address.") from error
    return email


def _desc(value: Any) -> str:
    return _text(
        value,
        ErrorCode.INVALID_DESCRIPTION,
        "desc",
        DESC_MAX_LENGTH,
        required=False,
        allowed_controls="\t\n\r",
    )


# --- Writing answers ------------------------------------------------------------


def staff_answer(practitioners: Sequence[Practitioner]) -> dict[str, Any]:
    return {"staff": [{"id": p.id, "name": p.name} for p in practitioners]}


def sections_answer(rooms: Sequence[Room]) -> dict[str, Any]:
    return {"sections": [{"id": r.id, "name": r.name} for r in rooms]}


def free_list_answer(request: FreeListRequest, free: Sequence[FreeDay]) -> dict[str, Any]:
    return {
        "slotLength": request.practitioner.slot_minutes,
        "free": [
            {"date": format_date(day.date), "times": [format_time(t) for t in day.times]}
            for day in free
        ],
        "staffId": request.practitioner.id,
        "staffName": request.practitioner.name,
        "sectionId": request.room.id,
        "sectionName": request.room.name,
    }


def confirmation(booking: Booking) -> dict[str, Any]:
    return {
        "result": "Confirmed",
        "date": format_date(booking.date),
        "time": format_time(booking.time),
        "duration": booking.duration,
        "section": booking.room.name,
        "staff": booking.practitioner.name,
    }


def error_answer(problems: Sequence[Problem], action: str, now: datetime) -> dict[str, Any]:
    return {
        "errors": [problem.as_json() for problem in problems],
        "timestamp": java_timestamp(now),
        "numErrors": len(problems),
        "action": action,
    }
