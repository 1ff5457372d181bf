"""The Physiodiary client: the only code of the site that speaks HTTP.

It implements the vendor's document (`../shared/physiodiary-api.txt`, read
closely in `../shared/API-NOTES.md`). Every call is a POST of a JSON object
with `action` and `apiKey` to one URL, so what may be retried is decided per
action, never per HTTP method: the three read actions are retried with
backoff, `book` never is.

Callers get frozen dataclasses with real types, or one of three exceptions:

- `Unavailable`: the diary could not be reached or answered nonsense (timeout,
  connection refused, 5xx, a body that is not JSON or not of the documented
  shape). Try later. Its subclass `UnknownOutcome` is raised by `book` when the
  request may have reached the diary but its answer was lost.
- `Rejected`: the diary answered with its `errors` list. Each `ApiError`
  keeps the code, the field at fault and the vendor's message.
- `NotAuthorised`: the bare 404 the vendor returns for a wrong key or a
  request from an IP address other than the registered one.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

logger = logging.getLogger(__name__)

#: The vendor's limit on `numDays` in one freeList request.
MAX_DAYS_PER_REQUEST = 90

#: Bounds of sense for what the diary says. Beyond them an answer is garbled,
#: and taking it would only overflow later (a calendar file, an end time).
MAX_MINUTES = 24 * 60
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


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


class Reason(enum.StrEnum):
    """Why a call failed, for logs, retries and `physiodiary_check`'s advice."""

    TIMEOUT = "timeout"  # connected, but no answer within the read timeout
    REFUSED = "refused"  # no connection: refused, timed out, or the name did not resolve
    DROPPED = "dropped"  # the connection broke before the answer was complete
    TLS = "tls"
    PROXY = "proxy"
    TRANSPORT = "transport"  # requests refused the call itself (a bad URL, say)
    STATUS = "status"  # an HTTP status other than 200 or 404
    NOT_JSON = "not-json"
    BAD_SHAPE = "bad-shape"  # JSON, but not of the documented shape
    REJECTED = "rejected"
    NOT_AUTHORISED = "not-authorised"
    CIRCUIT_OPEN = "circuit-open"  # not asked: it failed too often just now


# --- Results ------------------------------------------------------------------


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
class FreeTimes:
    """Free times for one practitioner in one room.

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


# --- Errors -------------------------------------------------------------------


class PhysiodiaryError(Exception):
    """Base of every error the client raises."""

    def __init__(
        self,
        message: str,
        *,
        action: str,
        reason: Reason,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.http_status = http_status
        self.reason = reason


class Unavailable(PhysiodiaryError):
    """The diary could not be reached or gave an answer we cannot read; try later."""


class UnknownOutcome(Unavailable):
    """A booking request may have reached the diary, but its answer was lost.

    Whether the appointment was made is unknown: it must not be retried
    blindly, since the API has no idempotency key and no booking look-up.
    """


class NotAuthorised(PhysiodiaryError):
    """The bare 404: the API key is wrong or this server's IP is not the registered one."""


@dataclass(frozen=True)
class ApiError:
    """One entry of the diary's `errors` list."""

    code: int
    field: str
    message: str

    @property
    def kind(self) -> ErrorCode | None:
        """The named code, or None for a number the document does not list."""
        try:
            return ErrorCode(self.code)
        except ValueError:
            return None


class Rejected(PhysiodiaryError):
    """The diary refused the request and said why, in one or more errors."""

    def __init__(self, errors: tuple[ApiError, ...], *, action: str, http_status: int) -> None:
        summary = "; ".join(f"{e.code} {e.field or '-'}: {e.message}" for e in errors)
        super().__init__(
            f"Physiodiary rejected {action}: {summary}",
            action=action,
            http_status=http_status,
            reason=Reason.REJECTED,
        )
        self.errors = errors

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(e.code for e in self.errors)


class _BadShape(ValueError):
    """An answer that is JSON but not of the documented shape."""


# --- Parsing (strict: anything unexpected is a _BadShape) ---------------------


def _field(data: Mapping[str, Any], key: str, kind: type) -> Any:
    value = data.get(key) if isinstance(data, Mapping) else None
    # bool is an int in Python, but never a valid id, count or name here.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _BadShape(f"{key!r} should be {kind.__name__}, got {type(value).__name__}")
    return value


def _ascii_digits(value: Any, length: int) -> bool:
    # Not str.isdigit(): it, int() and strptime all take other scripts' digits.
    return isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()


def _parse_date(value: Any) -> dt.date:
    if not _ascii_digits(value, 8):
        raise _BadShape(f"date should be YYYYMMDD, got {value!r}")
    try:
        day = dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError as exc:
        raise _BadShape(f"date {value!r} is not a calendar date") from exc
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise _BadShape(f"date {value!r} is out of range")
    return day


def _parse_time(value: Any) -> dt.time:
    if not _ascii_digits(value, 4):
        raise _BadShape(f"time should be HHMM, got {value!r}")
    try:
        return dt.time(int(value[:2]), int(value[2:]))
    except ValueError as exc:
        raise _BadShape(f"time {value!r} is not a time of day") from exc


def _parse_errors(data: Mapping[str, Any]) -> tuple[ApiError, ...]:
    items = data["errors"]
    if not isinstance(items, list) or not items:
        raise _BadShape("'errors' should be a non-empty list")
    errors = []
    for item in items:
        if not isinstance(item, Mapping):
            raise _BadShape("each error should be an object")
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


def parse_staff_list(data: Mapping[str, Any]) -> tuple[Practitioner, ...]:
    """Parse a staffList answer."""
    staff = _field(data, "staff", list)
    return tuple(Practitioner(_field(s, "id", int), _field(s, "name", str)) for s in staff)


def parse_section_list(data: Mapping[str, Any]) -> tuple[Room, ...]:
    """Parse a sectionList answer."""
    sections = _field(data, "sections", list)
    return tuple(Room(_field(s, "id", int), _field(s, "name", str)) for s in sections)


def parse_free_list(data: Mapping[str, Any]) -> FreeTimes:
    """Parse a freeList answer, de-duplicating and sorting the times.

    The vendor's own example lists every time twice, so duplicates are
    expected, not an error.
    """
    slot_minutes = _field(data, "slotLength", int)
    if not 0 < slot_minutes <= MAX_MINUTES:
        raise _BadShape("slotLength should be from 1 to 1440 minutes")
    by_date: dict[dt.date, set[dt.time]] = {}
    for day in _field(data, "free", list):
        times = _field(day, "times", list)
        by_date.setdefault(_parse_date(_field(day, "date", str)), set()).update(
            _parse_time(t) for t in times
        )
    return FreeTimes(
        slot_minutes=slot_minutes,
        days=tuple(FreeDay(d, tuple(sorted(t))) for d, t in sorted(by_date.items()) if t),
        practitioner=Practitioner(_field(data, "staffId", int), _field(data, "staffName", str)),
        room=Room(_field(data, "sectionId", int), _field(data, "sectionName", str)),
    )


def parse_booking(data: Mapping[str, Any]) -> Confirmation:
    """Parse a book answer; anything but "Confirmed" is not a confirmation."""
    if _field(data, "result", str) != "Confirmed":
        raise _BadShape(f"result should be 'Confirmed', got {data['result']!r}")
    duration = _field(data, "duration", int)
    if not 0 < duration <= MAX_MINUTES:
        raise _BadShape("duration should be from 1 to 1440 minutes")
    return Confirmation(
        date=_parse_date(data.get("date")),
        time=_parse_time(data.get("time")),
        duration_minutes=duration,
        room_name=_field(data, "section", str),
        practitioner_name=_field(data, "staff", str),
    )


def _format_date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _format_time(moment: dt.time) -> str:
    return moment.strftime("%H%M")


def _never_reached_server(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach the diary.

    Only then is a failed `book` known not to have booked anything.
    """
    # An SSLError may come after the body was sent, so it is not on this list.
    if isinstance(
        exc,
        requests.ConnectTimeout
        | requests.exceptions.ProxyError
        | requests.exceptions.InvalidURL
        | requests.exceptions.InvalidSchema
        | requests.exceptions.MissingSchema,
    ):
        return True
    if isinstance(exc, requests.ConnectionError) and not isinstance(
        exc, requests.exceptions.SSLError
    ):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, NewConnectionError | NameResolutionError)
    return False


# --- The circuit breaker --------------------------------------------------------


class CircuitBreaker:
    """Stops calls to a diary that keeps failing, for a while.

    After `failures` failed calls in a row the circuit opens: calls fail at
    once, without waiting for a timeout, for `seconds`. Then one call is let
    through as a trial; its success closes the circuit, its failure opens it
    again. `failures=0` never opens it. Only `Unavailable` counts as a
    failure: a diary that answers with errors is up.
    """

    def __init__(
        self, failures: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._open_until: float | None = None
        self._trial = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def allow(self) -> bool:
        """Whether a call may be made now."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._trial or self._clock() < self._open_until:
                return False
            self._trial = True  # one trial call; the others keep failing fast
            return True

    def succeeded(self) -> None:
        with self._lock:
            was_open = self._open_until is not None
            self._in_a_row, self._open_until, self._trial = 0, None, False
        if was_open:
            logger.warning("physiodiary circuit closed: the diary answered again")

    def failed(self, reason: Reason) -> None:
        with self._lock:
            self._in_a_row += 1
            trial, self._trial = self._trial, False
            if not self.failures or (self._in_a_row < self.failures and not trial):
                return
            self._open_until = self._clock() + self.seconds
        logger.error(
            "physiodiary circuit open for %gs after %d failed calls in a row (last: %s)",
            self.seconds,
            self._in_a_row,
            reason,
        )


# --- The client ---------------------------------------------------------------


class PhysiodiaryClient:
    """One client per process, holding one pooled HTTP session."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        proxy: str = "",
        read_retries: int = 2,
        retry_backoff: float = 0.3,
        breaker: CircuitBreaker | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url
        self.breaker = breaker or CircuitBreaker(failures=0, seconds=0)
        self._api_key = api_key
        self.timeout = (connect_timeout, read_timeout)
        self.read_retries = read_retries
        self.retry_backoff = retry_backoff
        self._sleep = sleep
        self.session = session or requests.Session()
        # Environment variables (HTTPS_PROXY, NO_PROXY, .netrc) must not
        # silently reroute calls: the key works only from the registered IP,
        # so the way out is this setting and nothing else.
        self.session.trust_env = False
        self.proxies = {"http": proxy, "https": proxy} if proxy else {}
        self.session.proxies = dict(self.proxies)
        # Room for the concurrent freeList calls of "any practitioner";
        # retries are ours, per action, so urllib3's own are off.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def __repr__(self) -> str:
        # The key is left out on purpose: reprs end up in logs and tracebacks.
        proxy = " via proxy" if self.proxies else ""
        return f"<PhysiodiaryClient {self.url}{proxy}>"

    # "To get a list of Members of Staff"
    def practitioners(self) -> tuple[Practitioner, ...]:
        return self._call("staffList", {}, parse_staff_list, retries=self.read_retries)

    # "To get a list of Sections (rooms)"
    def rooms(self) -> tuple[Room, ...]:
        return self._call("sectionList", {}, parse_section_list, retries=self.read_retries)

    # "To get a list of free appointments for a given future period"
    def free_times(
        self, practitioner_id: int, room_id: int, start: dt.date, days: int
    ) -> FreeTimes:
        """Free times from `start` for `days` days (the start day counts as one).

        A span longer than the vendor's 90-day limit is asked for in several
        requests and merged.
        """
        if days < 1:
            raise ValueError("days must be at least 1")
        parts = []
        for offset in range(0, days, MAX_DAYS_PER_REQUEST):
            fields = {
                "date": _format_date(start + dt.timedelta(days=offset)),
                "numDays": min(MAX_DAYS_PER_REQUEST, days - offset),
                "sectionId": room_id,
                "staffId": practitioner_id,
            }
            parts.append(self._call("freeList", fields, parse_free_list, retries=self.read_retries))
        return _merge(parts, start, start + dt.timedelta(days=days))

    # "To book an appointment"
    # Error reports (mail, Sentry) show each frame's local variables; in
    # these frames they hold the key and the patient's details.
    @sensitive_variables()
    def book(
        self,
        *,
        practitioner_id: int,
        room_id: int,
        date: dt.date,
        time: dt.time,
        name: str,
        phone: str,
        email: str,
        desc: str,
    ) -> Confirmation:
        """Book once. Never retried: the API has no way to tell a repeat apart."""
        fields = {
            "date": _format_date(date),
            "time": _format_time(time),
            "sectionId": room_id,
            "staffId": practitioner_id,
            "name": name,
            "phone": phone,
            "email": email,
            "desc": desc,
        }
        return self._call("book", fields, parse_booking, retries=0)

    @sensitive_variables()
    def _call(
        self,
        action: str,
        fields: dict[str, Any],
        parse: Callable[[Mapping[str, Any]], Any],
        *,
        retries: int,
    ) -> Any:
        attempt = 0
        while True:
            try:
                return self._call_once(action, fields, parse, attempt)
            except Unavailable as exc:
                # A diary that did not answer in time is slow, not flaky:
                # asking again would only keep the patient waiting longer.
                # Nor is there any point once the circuit is open, this
                # failure having opened it: no pause for a call never made.
                if (
                    attempt >= retries
                    or exc.reason in (Reason.TIMEOUT, Reason.CIRCUIT_OPEN)
                    or self.breaker.is_open
                ):
                    raise
            self._sleep(self.retry_backoff * 2**attempt)
            attempt += 1

    @sensitive_variables()
    def _call_once(
        self,
        action: str,
        fields: dict[str, Any],
        parse: Callable[[Mapping[str, Any]], Any],
        attempt: int,
    ) -> Any:
        started = time.monotonic()
        status: int | None = None
        outcome, level, advice = "unexpected", logging.INFO, ""
        try:
            if not self.breaker.allow():
                # Certainly not sent, so even a booking is known not to be made.
                raise Unavailable(
                    f"{action}: {_DESCRIPTIONS[Reason.CIRCUIT_OPEN]}",
                    action=action,
                    reason=Reason.CIRCUIT_OPEN,
                )
            try:
                response = self._post(action, fields)
                status = response.status_code
                result = _read(action, response, parse)
            except Unavailable as exc:
                self.breaker.failed(exc.reason)
                raise
            except (Rejected, NotAuthorised):
                self.breaker.succeeded()  # it answered: it is up
                raise
            except Exception:
                self.breaker.failed(Reason.TRANSPORT)  # a bug must not leave a trial open
                raise
            self.breaker.succeeded()
            outcome = "ok"
            return result
        except Rejected as exc:
            outcome = "rejected codes=" + ",".join(str(code) for code in exc.codes)
            raise
        except PhysiodiaryError as exc:
            outcome = exc.reason
            if isinstance(exc, NotAuthorised):
                # A configuration fault, not a passing one: operations must see it.
                level, advice = logging.ERROR, f" (configuration error: {exc.message})"
            elif isinstance(exc, UnknownOutcome):
                level = logging.ERROR
            elif exc.reason != Reason.CIRCUIT_OPEN:
                level = logging.WARNING
            raise
        finally:
            # One line per call, and never the body: it holds the key and the
            # patient's details.
            logger.log(
                level,
                "physiodiary action=%s status=%s ms=%d attempt=%d outcome=%s%s",
                action,
                status if status is not None else "-",
                (time.monotonic() - started) * 1000,
                attempt + 1,
                outcome,
                advice,
            )

    @sensitive_variables()
    def _post(self, action: str, fields: dict[str, Any]) -> requests.Response:
        payload = json.dumps({"action": action, "apiKey": self._api_key, **fields})
        try:
            return self.session.post(
                self.url,
                data=payload.encode(),
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                timeout=self.timeout,
                proxies=self.proxies,
                # A redirect would carry the key, in the body, to another host,
                # and an answer from elsewhere is not the diary's answer.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            reason = _reason(exc)
            lost = action == "book" and not _never_reached_server(exc)
        except Exception as exc:
            # Anything else below us (a bug in a transport, say) is contained
            # here too: its traceback's frames in requests hold the body, and
            # it must not become a 500. Its kind is logged, never its text.
            logger.error("physiodiary action=%s unexpected %s", action, type(exc).__name__)
            reason, lost = Reason.TRANSPORT, action == "book"
        # Raised outside the except block on purpose: the caught exception holds
        # the prepared request, body and key included, and must not ride along
        # as this one's __context__ into tracebacks and error reports.
        error = UnknownOutcome if lost else Unavailable
        raise error(f"{action}: {_DESCRIPTIONS[reason]}", action=action, reason=reason)


NOT_AUTHORISED = (
    "Physiodiary answered 404: the API key is wrong, or this server's IP address "
    "is not the one registered with Physiodiary."
)


def _read(
    action: str, response: requests.Response, parse: Callable[[Mapping[str, Any]], Any]
) -> Any:
    """Turn the diary's HTTP answer into a result or the right exception."""
    status = response.status_code
    if status == 404:
        raise NotAuthorised(
            NOT_AUTHORISED, action=action, http_status=status, reason=Reason.NOT_AUTHORISED
        )
    # Once `book` has been sent, an answer we cannot read leaves the outcome unknown.
    failure = UnknownOutcome if action == "book" else Unavailable
    try:
        data = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        data = None
    # The document does not say which HTTP status comes with an error list,
    # so the diary's own errors are honoured whatever the status.
    if isinstance(data, dict) and "errors" in data:
        try:
            errors = _parse_errors(data)
        except _BadShape as exc:
            raise failure(
                f"{action}: unreadable error list ({exc})",
                action=action,
                http_status=status,
                reason=Reason.BAD_SHAPE,
            ) from None
        raise Rejected(errors, action=action, http_status=status)
    if status != 200:
        raise failure(
            f"{action}: HTTP {status}", action=action, http_status=status, reason=Reason.STATUS
        )
    if data is None:
        raise failure(
            f"{action}: the answer is not JSON",
            action=action,
            http_status=status,
            reason=Reason.NOT_JSON,
        )
    try:
        if not isinstance(data, dict):
            raise _BadShape("the answer should be a JSON object")
        return parse(data)
    except _BadShape as exc:
        raise failure(
            f"{action}: unexpected answer ({exc})",
            action=action,
            http_status=status,
            reason=Reason.BAD_SHAPE,
        ) from None


_DESCRIPTIONS = {
    Reason.TIMEOUT: "no answer in time",
    Reason.PROXY: "the proxy refused or failed the connection",
    Reason.TLS: "the TLS connection failed",
    Reason.REFUSED: "the connection could not be made",
    Reason.DROPPED: "the connection dropped before the answer was complete",
    Reason.TRANSPORT: "the request failed",
    Reason.CIRCUIT_OPEN: "not asked, because it failed repeatedly just now",
}


def _reason(exc: requests.RequestException) -> Reason:
    # ConnectTimeout is a Timeout too, and ProxyError and SSLError are
    # ConnectionErrors: the narrower kinds come first.
    if isinstance(exc, requests.ConnectTimeout):
        return Reason.REFUSED
    if isinstance(exc, requests.Timeout):
        return Reason.TIMEOUT
    if isinstance(exc, requests.exceptions.ProxyError):
        return Reason.PROXY
    if isinstance(exc, requests.exceptions.SSLError):
        return Reason.TLS
    if isinstance(exc, requests.ConnectionError):
        return Reason.REFUSED if _never_reached_server(exc) else Reason.DROPPED
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return Reason.DROPPED
    return Reason.TRANSPORT


def _merge(parts: Iterable[FreeTimes], start: dt.date, end: dt.date) -> FreeTimes:
    """Merge the answers for consecutive windows into one, within [start, end)."""
    parts = list(parts)
    by_date: dict[dt.date, set[dt.time]] = {}
    for part in parts:
        for day in part.days:
            if start <= day.date < end:
                by_date.setdefault(day.date, set()).update(day.times)
    first = parts[0]
    return FreeTimes(
        slot_minutes=first.slot_minutes,
        days=tuple(FreeDay(d, tuple(sorted(t))) for d, t in sorted(by_date.items())),
        practitioner=first.practitioner,
        room=first.room,
    )


# --- The site's client --------------------------------------------------------

#: Where the in-process reference diary answers when no live server is set.
#: `.invalid` can never resolve, so nothing can leave the process by mistake.
REFERENCE_DIARY_ORIGIN = "http://reference-diary.invalid/"
REFERENCE_DIARY_URL = REFERENCE_DIARY_ORIGIN + "sandbox/api/request"

_client: PhysiodiaryClient | None = None
_client_lock = threading.Lock()


def get_client() -> PhysiodiaryClient:
    """The process's client, built from settings on first use."""
    global _client
    with _client_lock:
        if _client is None:
            _client = build_client()
        return _client


def reset_client() -> None:
    """Forget the client, so the next call builds one from current settings."""
    global _client
    with _client_lock:
        if _client is not None:
            _client.session.close()
        _client = None


def build_client() -> PhysiodiaryClient:
    """A new client built from the current settings."""
    from django.conf import settings

    url = settings.PHYSIODIARY_API_URL
    client = PhysiodiaryClient(
        url or REFERENCE_DIARY_URL,
        settings.PHYSIODIARY_API_KEY,
        connect_timeout=settings.PHYSIODIARY_CONNECT_TIMEOUT,
        read_timeout=settings.PHYSIODIARY_READ_TIMEOUT,
        proxy=settings.PHYSIODIARY_PROXY if url else "",
        read_retries=settings.PHYSIODIARY_READ_RETRIES,
        retry_backoff=settings.PHYSIODIARY_RETRY_BACKOFF,
        breaker=CircuitBreaker(
            settings.PHYSIODIARY_BREAKER_FAILURES, settings.PHYSIODIARY_BREAKER_SECONDS
        ),
    )
    if not url:
        from sandbox.transport import InProcessDiaryAdapter

        client.session.mount(REFERENCE_DIARY_ORIGIN, InProcessDiaryAdapter())
    return client
