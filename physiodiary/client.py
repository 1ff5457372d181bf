"""The client: the only code that speaks HTTP to the diary.

It implements the vendor's document (docs/physiodiary-api.md). Every call is
a POST of a JSON object with `action` and `apiKey` to one URL, so what may be
retried is decided per action, never per HTTP method: the three read actions
are retried with backoff, `book` never is.

Callers get the frozen dataclasses of `results`, or one of the exceptions of
`errors`. One line is logged per call, never with its body: it holds the key
and the patient's details. The body is also kept out of every exception the
client raises; keeping it out of an error report's frame variables is the
caller's part (a Django site marks its calling functions
`sensitive_variables`, which hides every frame called from them).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from .breaker import Breaker, CircuitBreaker
from .errors import (
    NotAuthorised,
    PhysiodiaryError,
    Reason,
    Rejected,
    Unavailable,
    UnknownOutcome,
    describe,
)
from .parsing import (
    BadShape,
    parse_booking,
    parse_errors,
    parse_free_list,
    parse_section_list,
    parse_staff_list,
)
from .results import Confirmation, FreeDay, FreeList, Practitioner, Room
from .wire import format_date, format_time

#: The vendor's limit on `numDays` in one freeList request.
MAX_DAYS_PER_REQUEST = 90

T = TypeVar("T")
Parse = Callable[[Mapping[str, Any]], T]


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
        breaker: Breaker | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger | None = None,
    ) -> None:
        self.url = url
        self._logger = logger or logging.getLogger(__name__)
        self.breaker = breaker or CircuitBreaker(failures=0, seconds=0, logger=self._logger)
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
    def free_times(self, practitioner_id: int, room_id: int, start: dt.date, days: int) -> FreeList:
        """Free times from `start` for `days` days (the start day counts as one).

        A span longer than the vendor's 90-day limit is asked for in several
        requests and merged.
        """
        if days < 1:
            raise ValueError("days must be at least 1")
        parts = []
        for offset in range(0, days, MAX_DAYS_PER_REQUEST):
            fields = {
                "date": format_date(start + dt.timedelta(days=offset)),
                "numDays": min(MAX_DAYS_PER_REQUEST, days - offset),
                "sectionId": room_id,
                "staffId": practitioner_id,
            }
            parts.append(self._call("freeList", fields, parse_free_list, retries=self.read_retries))
        return _merge(parts, start, start + dt.timedelta(days=days))

    # "To book an appointment"
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
            "date": format_date(date),
            "time": format_time(time),
            "sectionId": room_id,
            "staffId": practitioner_id,
            "name": name,
            "phone": phone,
            "email": email,
            "desc": desc,
        }
        return self._call("book", fields, parse_booking, retries=0)

    def _call(self, action: str, fields: dict[str, Any], parse: Parse[T], *, retries: int) -> T:
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

    def _call_once(self, action: str, fields: dict[str, Any], parse: Parse[T], attempt: int) -> T:
        started = time.monotonic()
        status: int | None = None
        outcome, level = "unexpected", logging.INFO
        try:
            if not self.breaker.allow():
                # Certainly not sent, so even a booking is known not to be made.
                message = f"{action}: {describe(Reason.CIRCUIT_OPEN)}"
                raise Unavailable(message, action=action, reason=Reason.CIRCUIT_OPEN)
            try:
                response = self._post(action, fields)
                status = response.status_code
                result = read_answer(action, response, parse)
            except Exception as exc:
                self._count(exc)
                raise
            self.breaker.succeeded()
            outcome = "ok"
            return result
        except PhysiodiaryError as exc:
            outcome, level = _outcome(exc)
            raise
        finally:
            # One line per call, and never the body.
            self._logger.log(
                level,
                "physiodiary action=%s status=%s ms=%d attempt=%d outcome=%s",
                action,
                status if status is not None else "-",
                (time.monotonic() - started) * 1000,
                attempt + 1,
                outcome,
            )

    def _count(self, exc: Exception) -> None:
        """Tell the breaker how a call that raised `exc` went."""
        if isinstance(exc, Rejected | NotAuthorised):
            self.breaker.succeeded()  # it answered: it is up
        elif isinstance(exc, Unavailable):
            self.breaker.failed(exc.reason)
        else:
            self.breaker.failed(Reason.TRANSPORT)  # a bug must not leave a trial open

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
            self._logger.error("physiodiary action=%s unexpected %s", action, type(exc).__name__)
            reason, lost = Reason.TRANSPORT, action == "book"
        # Raised outside the except block on purpose: the caught exception holds
        # the prepared request, body and key included, and must not ride along
        # as this one's __context__ into tracebacks and error reports.
        error = UnknownOutcome if lost else Unavailable
        words = describe(reason, read_timeout=f"{self.timeout[1]:g}s")
        raise error(f"{action}: {words}", action=action, reason=reason)


def read_answer(action: str, response: requests.Response, parse: Parse[T]) -> T:
    """Turn the diary's HTTP answer into a result or the right exception."""
    status = response.status_code
    if status == 404:
        reason = Reason.NOT_AUTHORISED
        message = f"{action}: {describe(reason)}"
        raise NotAuthorised(message, action=action, http_status=status, reason=reason)
    # Once `book` has been sent, an answer we cannot read leaves the outcome unknown.
    failure = UnknownOutcome if action == "book" else Unavailable

    def garbled(reason: Reason, detail: str = "") -> Unavailable:
        message = f"{action}: {describe(reason)}" + (f" ({detail})" if detail else "")
        return failure(message, action=action, http_status=status, reason=reason)

    try:
        data = response.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        data = None
    try:
        # The document does not say which HTTP status comes with an error list,
        # so the diary's own errors are honoured whatever the status.
        if isinstance(data, dict) and "errors" in data:
            raise Rejected(parse_errors(data), action=action, http_status=status)
        if status != 200:
            raise garbled(Reason.STATUS, str(status))
        if data is None:
            raise garbled(Reason.NOT_JSON)
        if not isinstance(data, dict):
            raise BadShape("the answer should be a JSON object")
        return parse(data)
    except BadShape as exc:
        raise garbled(Reason.BAD_SHAPE, str(exc)) from None


def _outcome(exc: PhysiodiaryError) -> tuple[str, int]:
    """What a failed call's log line says, and at which level."""
    if isinstance(exc, Rejected):
        return "rejected codes=" + ",".join(str(code) for code in exc.codes), logging.INFO
    if isinstance(exc, NotAuthorised):
        # A configuration fault, not a passing one: operations must see it.
        return f"{exc.reason} (configuration error: {exc.message})", logging.ERROR
    if isinstance(exc, UnknownOutcome):
        return exc.reason, logging.ERROR
    if exc.reason == Reason.CIRCUIT_OPEN:
        return exc.reason, logging.INFO
    return exc.reason, logging.WARNING


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


def _merge(parts: Iterable[FreeList], start: dt.date, end: dt.date) -> FreeList:
    """Merge the answers for consecutive windows into one, within [start, end)."""
    parts = list(parts)
    by_date: dict[dt.date, set[dt.time]] = {}
    for part in parts:
        for day in part.days:
            if start <= day.date < end:
                by_date.setdefault(day.date, set()).update(day.times)
    first = parts[0]
    return FreeList(
        slot_minutes=first.slot_minutes,
        days=tuple(FreeDay(d, tuple(sorted(t))) for d, t in sorted(by_date.items())),
        practitioner=first.practitioner,
        room=first.room,
    )
