"""The fault matrix: every step of the wizard against every way the diary can fail.

Steps: the choose page (its staffList, then its sectionList), the times page
for one practitioner and room and for "any practitioner, any room" (every pair
failing), the details page's GET (the lists, then the free times that must
list its time, when none are cached) and its POST (`book`). Each
step lets the calls before it answer normally and fails only its own call.

Whatever the fault, the patient gets a page, never a 500 or a traceback, with
the practice's phone and email; a failed booking keeps what was typed and says
whether the appointment may have been made; each call is logged once, never
with the key or the patient's details.

The slow answer is faulted twice: as `requests` raises it, and for real, by a
local HTTP server that answers after the client's read timeout.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from django.utils.html import escape
from urllib3.exceptions import ReadTimeoutError

from bookings import diary as site_diary
from bookings import tokens, wizard

from ..client.background import BackgroundServer
from ..client.support import connection_refused
from ..support import LIVE_KEY, LIVE_URL
from .wizard_support import (
    ANNA,
    PATIENT,
    ROOM_2,
    WHEN,
    Answer,
    FakeDiary,
    Raw,
    confirmed,
    details_url,
    free_time,
    html,
    open_details,
    valid_post,
    ymd,
)

# --- The faults ------------------------------------------------------------------------
#
# Each is made afresh for every call (an exception raised in several threads
# at once must not be one object), from the request the diary received.

TRACEBACK_BODY = 'Traceback (most recent call last):\n  File "diary.py", line 1\nKeyError: "x"\n'
BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
HTML_PAGE = "<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"


def _wrong_shape(payload: dict[str, Any]) -> Answer:
    """JSON of the right kind for the action, with a field that cannot be read."""
    action = payload["action"]
    if action == "staffList":
        return {"staff": "x"}
    if action == "sectionList":
        return {"sections": "x"}
    if action == "freeList":
        return {
            "slotLength": 45,
            "free": [{"date": "garbage", "times": ["0900"]}],
            "staffId": payload["staffId"],
            "staffName": "Anna",
            "sectionId": payload["sectionId"],
            "sectionName": "Treatment Room 2",
        }
    return {**confirmed(WHEN), "date": "garbage"}


def _slow(payload: dict[str, Any]) -> Exception:
    """What requests raises when the answer comes after the read timeout."""
    return requests.exceptions.ReadTimeout(
        ReadTimeoutError(None, LIVE_URL, "Read timed out. (read timeout=0.3)")  # type: ignore[arg-type]
    )


FAULTS: dict[str, Callable[[dict[str, Any]], Answer]] = {
    "read timeout": lambda payload: requests.exceptions.ReadTimeout("Read timed out."),
    "connection refused": lambda payload: connection_refused(LIVE_URL),
    "HTTP 500": lambda payload: Raw(500, TRACEBACK_BODY),
    "HTTP 502": lambda payload: Raw(502, BAD_GATEWAY),
    "HTTP 503": lambda payload: Raw(503, ""),
    "not JSON": lambda payload: Raw(200, HTML_PAGE),
    "JSON list": lambda payload: [],
    "wrong shape": _wrong_shape,
    "bare 404": lambda payload: Raw(404),
    "unknown error code": lambda payload: {
        "errors": [{"error": 99, "fieldName": "", "message": "?"}]
    },
    "slow answer": _slow,
}

#: On `book`, what each fault leaves the patient reading.
UNKNOWN = "We do not know whether your appointment was booked"
NOT_YET = "Your appointment has not been booked yet"
REJECTED = "Your appointment has not been booked"
BOOK_PROBLEM = {
    **{fault: UNKNOWN for fault in FAULTS},
    "connection refused": NOT_YET,
    "bare 404": NOT_YET,
    "unknown error code": REJECTED,
}
UNKNOWN_FAULTS = [fault for fault, problem in BOOK_PROBLEM.items() if problem == UNKNOWN]

# --- The steps -------------------------------------------------------------------------


def _get(url: str) -> Callable[[Any], Any]:
    return lambda client: client.get(url)


def _post_details(client: Any) -> Any:
    return client.post(details_url(WHEN), valid_post(open_details(client, WHEN), WHEN))


#: Step → (the action that fails, how the page is loaded).
STEPS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "choose:staffList": ("staffList", _get(wizard.url("choose"))),
    "choose:sectionList": ("sectionList", _get(wizard.url("choose"))),
    "times": ("freeList", _get(wizard.url("times", staffId=ANNA, sectionId=ROOM_2))),
    "times:any": ("freeList", _get(wizard.url("times", staffId=wizard.ANY, sectionId=wizard.ANY))),
    "details:GET": ("staffList", _get(details_url(WHEN))),
    "details:GET:freeList": ("freeList", _get(details_url(WHEN))),
    "details:POST": ("book", _post_details),
}

CELLS = [pytest.param(step, fault, id=f"{step}-{fault}") for step in STEPS for fault in FAULTS]


@pytest.fixture
def diary(diary):
    """The diary offers WHEN, the time the details steps are for."""
    diary.add_free(WHEN)
    return diary


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def load(client: Any, diary: FakeDiary, step: str, fault: str) -> Any:
    """Load the step's page with its own call failing with `fault`."""
    action, load_page = STEPS[step]
    diary.answer(action, FAULTS[fault])
    return load_page(client)


# --- What every cell must show ---------------------------------------------------------

CALL_LINE = re.compile(r"physiodiary action=(\w+) status=(\S+) ms=\d+ attempt=\d+ outcome=\S.*$")


def assert_practice_contacts(page: Any, settings: Any) -> None:
    body = html(page)
    phone, email = settings.PRACTICE_PHONE, settings.PRACTICE_EMAIL
    assert f'href="tel:{phone.replace(" ", "")}">{escape(phone)}</a>' in body
    assert f'href="mailto:{escape(email)}">{escape(email)}</a>' in body


def assert_a_page_not_a_crash(page: Any, settings: Any, status: int = 503) -> None:
    assert page.status_code == status
    assert "Traceback" not in html(page)
    assert_practice_contacts(page, settings)


def assert_typed_details_kept(page: Any) -> None:
    body = html(page)
    for name in ("name", "phone", "email"):
        control = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', body)
        assert control, f"no input named {name}"
        assert f'value="{escape(PATIENT[name])}"' in control[0]
    textarea = re.search(r'<textarea[^>]*\bname="desc"[^>]*>(.*?)</textarea>', body, re.S)
    assert textarea, "no textarea named desc"
    assert textarea[1].strip() == escape(PATIENT["desc"])


def problem_title(page: Any) -> str | None:
    found = re.search(
        r'<div class="problem".*?<h2 class="problem-title">(.*?)</h2>', html(page), re.S
    )
    return found[1] if found else None


def call_lines(records: list[logging.LogRecord]) -> list[re.Match[str]]:
    lines = (r.getMessage() for r in records if r.name == "bookings.physiodiary")
    return [m for line in lines if (m := CALL_LINE.match(line))]


def assert_one_line_per_call_and_no_secrets(records: list[logging.LogRecord], diary: Any) -> None:
    lines = call_lines(records)
    assert len(lines) == len(diary.sent)
    assert Counter(line[1] for line in lines) == Counter(sent["action"] for sent in diary.sent)
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        assert LIVE_KEY not in text, record.name
        for value in PATIENT.values():
            assert value not in text, record.name


def unknown_outcome_records(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [
        r
        for r in records
        if r.name == "bookings.views.booking" and "booking outcome unknown" in r.getMessage()
    ]


def assert_unknown_outcome_logged_for_the_practice(records: list[logging.LogRecord]) -> None:
    (record,) = unknown_outcome_records(records)
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    for part in (f"staffId={ANNA}", f"sectionId={ROOM_2}", f"date={ymd(WHEN)}", "time=1415"):
        assert part in message
    for value in PATIENT.values():
        assert value not in message


# --- The matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "fault"), CELLS)
def test_a_failing_diary_gives_a_page_with_the_practices_phone_and_email(
    client, diary, settings, step, fault
):
    page = load(client, diary, step, fault)
    assert_a_page_not_a_crash(page, settings)


@pytest.mark.parametrize(("step", "fault"), CELLS)
def test_each_call_is_logged_once_without_the_key_or_the_patients_details(
    client, diary, logs, step, fault
):
    load(client, diary, step, fault)
    assert diary.calls(STEPS[step][0]), "the faulted call was never made"
    assert_one_line_per_call_and_no_secrets(logs.records, diary)


@pytest.mark.parametrize("step", STEPS)
def test_a_bare_404_is_logged_as_a_configuration_error(client, diary, logs, step):
    load(client, diary, step, "bare 404")
    assert [
        r
        for r in logs.records
        if r.name == "bookings.physiodiary"
        and r.levelno == logging.ERROR
        and "configuration error" in r.getMessage()
    ]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_booking_keeps_what_was_typed_and_says_what_became_of_it(
    client, diary, settings, logs, fault
):
    settings.PHYSIODIARY_READ_RETRIES = 2  # reads may be retried; `book` never
    page = load(client, diary, "details:POST", fault)
    assert_a_page_not_a_crash(page, settings)
    assert problem_title(page) == BOOK_PROBLEM[fault]
    assert_typed_details_kept(page)
    assert page["Cache-Control"] == "no-store"  # what was typed, on a shared computer
    assert len(diary.calls("book")) == 1
    if BOOK_PROBLEM[fault] != UNKNOWN:
        assert unknown_outcome_records(logs.records) == []


@pytest.mark.parametrize("fault", UNKNOWN_FAULTS)
def test_an_unknown_outcome_is_logged_with_the_selection_and_not_the_patient(
    client, diary, logs, fault
):
    load(client, diary, "details:POST", fault)
    assert_unknown_outcome_logged_for_the_practice(logs.records)


# --- A slow answer, over real HTTP -----------------------------------------------------

READ_TIMEOUT = 0.3
SLOW = 2.0  # seconds the slow diary takes, unless the test is over first


class _NoMock:
    """Stands in for the `responses` mock: the real server below calls the fake itself."""

    assert_all_requests_are_fired = False

    def add_callback(self, *args: Any, **kwargs: Any) -> None:
        pass


class _DiaryHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        answer = self.server.owner.diary._answer(SimpleNamespace(body=body))  # type: ignore[attr-defined]
        status, headers, text = answer
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(text.encode())))
            self.end_headers()
            self.wfile.write(text.encode())
        except OSError:
            pass  # the client gave up waiting, as it should

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def slow_diary(settings) -> Iterator[tuple[FakeDiary, threading.Event]]:
    """The FakeDiary behind a real HTTP server on loopback; `release` ends its waits."""
    release = threading.Event()
    server = BackgroundServer(_DiaryHandler)
    server.diary = FakeDiary(_NoMock())  # type: ignore[arg-type, attr-defined]
    server.diary.add_free(WHEN)  # type: ignore[attr-defined]
    server.start()
    settings.PHYSIODIARY_API_URL = f"http://{server.authority}/api/request"
    settings.PHYSIODIARY_API_KEY = LIVE_KEY
    settings.PHYSIODIARY_READ_RETRIES = 0
    settings.PHYSIODIARY_READ_TIMEOUT = READ_TIMEOUT
    try:
        yield server.diary, release  # type: ignore[attr-defined]
    finally:
        release.set()
        server.stop()


def slow(diary: FakeDiary, action: str, release: threading.Event) -> None:
    """Answer `action` as usual, but only after the client's read timeout."""
    usual = diary.answers[action][0]

    def answer(payload: dict[str, Any]) -> Answer:
        release.wait(SLOW)
        return usual(payload) if callable(usual) else usual

    diary.answer(action, answer)


@pytest.mark.parametrize("step", STEPS)
def test_a_diary_answering_after_the_read_timeout_over_real_http(
    client, slow_diary, settings, logs, step
):
    diary, release = slow_diary
    action, load_page = STEPS[step]
    slow(diary, action, release)
    page = load_page(client)
    assert_a_page_not_a_crash(page, settings)
    assert diary.calls(action)
    assert_one_line_per_call_and_no_secrets(logs.records, diary)
    outcomes = [line[0] for line in call_lines(logs.records) if line[1] == action]
    assert outcomes and all("outcome=timeout" in line for line in outcomes)
    if action == "book":
        assert problem_title(page) == UNKNOWN
        assert_typed_details_kept(page)
        assert len(diary.calls("book")) == 1
        assert_unknown_outcome_logged_for_the_practice(logs.records)


# --- The circuit breaker, through the site ---------------------------------------------

BREAKER_FAULTS = ["read timeout", "connection refused", "HTTP 503", "not JSON", "wrong shape"]


@pytest.mark.parametrize("step", ["choose:staffList", "times"])
@pytest.mark.parametrize("fault", BREAKER_FAULTS)
def test_an_open_circuit_spares_the_diary_and_books_nothing(
    client, diary, settings, logs, step, fault
):
    settings.PHYSIODIARY_BREAKER_FAILURES = 3
    token = tokens.issue(free_time(WHEN))
    action, load_page = STEPS[step]
    if action == "staffList":
        # The rooms were listed a moment ago (both lists are asked for at
        # once, and the rooms' answer would count as the diary being up).
        site_diary.rooms()
    diary.answer(action, FAULTS[fault])
    for _ in range(3):
        assert load_page(client).status_code == 503
    assert len(diary.calls(action)) == 3  # the circuit opens on the third failure
    sent = list(diary.sent)

    page = load_page(client)
    assert_a_page_not_a_crash(page, settings)
    assert diary.sent == sent

    posted = client.post(details_url(WHEN), valid_post(token, WHEN))
    assert_a_page_not_a_crash(posted, settings)
    assert problem_title(posted) == NOT_YET
    assert UNKNOWN not in html(posted)
    assert_typed_details_kept(posted)
    assert diary.sent == sent
    assert diary.calls("book") == []
    assert unknown_outcome_records(logs.records) == []
