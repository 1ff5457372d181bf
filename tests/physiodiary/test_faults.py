"""Faults of the network, the server and the answer: Unavailable, retried only for reads.

A read may be asked again; a booking may not (the API has no idempotency
key), so a booking whose answer was lost is an UnknownOutcome, and one that
certainly never left is a plain Unavailable.
"""

import datetime as dt
import logging
import traceback

import pytest
import requests
import responses
from requests.adapters import BaseAdapter

from physiodiary import Rejected, Unavailable, UnknownOutcome

from ..client.support import (
    ACTIONS,
    API_KEY,
    READ_ACTIONS,
    VENDOR_BOOKING,
    VENDOR_URL,
    answer,
    connection_refused,
    connection_reset,
    make_client,
    recorded,
)

HTML_PAGE = "<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>"

# Each fault as the fake HTTP boundary produces it; a fresh exception per use.
# The request reached the server, or may have: a booking's outcome is unknown.
AFTER_SENDING = {
    "read timeout": lambda: {"body": requests.ReadTimeout("Read timed out.")},
    "connection reset": lambda: {"body": connection_reset()},
    "answer cut off in transfer": lambda: {
        "body": requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")
    },
    "HTTP 500": lambda: {"status": 500, "body": ""},
    "HTTP 502": lambda: {"status": 502, "body": HTML_PAGE, "content_type": "text/html"},
    "HTTP 503": lambda: {"status": 503, "body": ""},
    "HTTP 504": lambda: {"status": 504, "body": ""},
    "HTTP 400": lambda: {"status": 400, "body": ""},
    "truncated JSON": lambda: {"body": recorded("book-confirmed.json")[:40]},
    "an HTML page": lambda: {"body": HTML_PAGE, "content_type": "text/html"},
    "an empty body": lambda: {"body": ""},
    # requests raises the same SSLError for a failed handshake and for a TLS
    # fault while the answer is read, so a booking's outcome is unknown.
    "TLS failure": lambda: {"body": requests.exceptions.SSLError("certificate verify failed")},
    "a JSON list": lambda: {"body": "[]"},
    "a JSON string": lambda: {"body": '"Confirmed"'},
    "JSON null": lambda: {"body": "null"},
    "an empty error list": lambda: {"json": {"errors": []}},
    "an error list that is not a list": lambda: {"json": {"errors": "12"}},
    "an error that is not an object": lambda: {"json": {"errors": [12]}},
    "an error code as text": lambda: {"json": {"errors": [{"error": "12"}]}},
    "an error code as a bool": lambda: {"json": {"errors": [{"error": True}]}},
}
# The request certainly never reached the server: nothing can have been booked.
BEFORE_SENDING = {
    "connect timeout": lambda: {"body": requests.ConnectTimeout("Connect timed out.")},
    "connection refused": lambda: {"body": connection_refused()},
    "proxy refused": lambda: {"body": requests.exceptions.ProxyError("Unable to connect to proxy")},
}
FAULTS = {**AFTER_SENDING, **BEFORE_SENDING}


def fake(mock, fault):
    mock.add(responses.POST, VENDOR_URL, **FAULTS[fault]())


def assert_key_kept_secret(error, caplog):
    for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
        assert API_KEY not in text
    assert API_KEY not in caplog.text


# A read timeout is the one fault a read is not retried after (see below).
RETRIED_FAULTS = [fault for fault in FAULTS if fault != "read timeout"]


@pytest.mark.parametrize("fault", RETRIED_FAULTS)
@pytest.mark.parametrize("action", READ_ACTIONS)
def test_it_retries_a_read_and_then_raises_unavailable(
    action, fault, mocked, client, sleeps, caplog
):
    caplog.set_level(logging.DEBUG)
    fake(mocked, fault)

    with pytest.raises(Unavailable) as raised:
        ACTIONS[action](client)

    assert type(raised.value) is Unavailable
    assert raised.value.action == action
    assert len(mocked.calls) == 3  # read_retries=2: three attempts
    assert sleeps == [0.3, 0.6]
    assert_key_kept_secret(raised.value, caplog)


@pytest.mark.parametrize("fault", AFTER_SENDING)
def test_it_books_once_and_reports_an_unknown_outcome_when_the_answer_is_lost(
    fault, mocked, client, sleeps, caplog
):
    caplog.set_level(logging.DEBUG)
    fake(mocked, fault)

    with pytest.raises(UnknownOutcome) as raised:
        client.book(**VENDOR_BOOKING)

    assert raised.value.action == "book"
    assert len(mocked.calls) == 1
    assert sleeps == []
    assert_key_kept_secret(raised.value, caplog)


@pytest.mark.parametrize("fault", BEFORE_SENDING)
def test_it_books_once_and_raises_plain_unavailable_when_the_request_never_left(
    fault, mocked, client, sleeps, caplog
):
    caplog.set_level(logging.DEBUG)
    fake(mocked, fault)

    with pytest.raises(Unavailable) as raised:
        client.book(**VENDOR_BOOKING)

    assert not isinstance(raised.value, UnknownOutcome)
    assert len(mocked.calls) == 1
    assert sleeps == []
    assert_key_kept_secret(raised.value, caplog)


@pytest.mark.parametrize("action", READ_ACTIONS)
def test_it_does_not_retry_a_read_the_diary_was_too_slow_to_answer(action, mocked, client, sleeps):
    # A slow diary is not a flaky one: asking again only keeps the patient waiting.
    fake(mocked, "read timeout")

    with pytest.raises(Unavailable) as raised:
        ACTIONS[action](client)

    assert raised.value.reason == "timeout"
    assert len(mocked.calls) == 1
    assert sleeps == []


def test_it_retries_a_read_after_a_connect_timeout(mocked, client, sleeps):
    fake(mocked, "connect timeout")
    answer(mocked, "staffList.json")

    practitioners = client.practitioners()

    assert len(practitioners) == 5
    assert len(mocked.calls) == 2
    assert sleeps == [0.3]


def test_it_retries_a_read_after_a_server_error_and_a_garbled_answer(mocked, client, sleeps):
    fake(mocked, "HTTP 503")
    fake(mocked, "truncated JSON")
    answer(mocked, "freeList.json")

    free = client.free_times(43987, 1245, dt.date(2017, 10, 7), 2)

    assert free.slot_minutes == 45
    assert len(mocked.calls) == 3
    assert sleeps == [0.3, 0.6]


def test_it_does_not_retry_when_the_retry_after_a_fault_is_rejected(mocked, client, sleeps):
    fake(mocked, "connection reset")
    answer(mocked, "error-04.json")

    with pytest.raises(Rejected):
        client.rooms()

    assert len(mocked.calls) == 2
    assert sleeps == [0.3]


@pytest.mark.parametrize(
    ("retries", "backoff", "pauses"),
    [(0, 0.3, []), (1, 0.5, [0.5]), (4, 0.5, [0.5, 1.0, 2.0, 4.0])],
)
def test_it_makes_as_many_attempts_as_configured_with_doubling_pauses(
    retries, backoff, pauses, mocked
):
    sleeps = []
    client = make_client(read_retries=retries, retry_backoff=backoff, sleep=sleeps.append)
    fake(mocked, "HTTP 502")

    with pytest.raises(Unavailable):
        client.rooms()

    assert len(mocked.calls) == retries + 1
    assert sleeps == pauses


def test_it_never_retries_a_booking_whatever_the_read_retries(mocked):
    sleeps = []
    client = make_client(read_retries=5, sleep=sleeps.append)
    fake(mocked, "read timeout")

    with pytest.raises(UnknownOutcome):
        client.book(**VENDOR_BOOKING)

    assert len(mocked.calls) == 1
    assert sleeps == []


def test_it_logs_each_attempt_without_the_key(mocked, client, caplog):
    caplog.set_level(logging.INFO, logger="physiodiary")
    fake(mocked, "connection reset")

    with pytest.raises(Unavailable):
        client.practitioners()

    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    for attempt, line in enumerate(lines, start=1):
        assert "action=staffList status=- " in line
        assert f"attempt={attempt} outcome=dropped" in line
    # A failed call is worth a look; a lost booking is an error (see below).
    assert all(r.levelno == logging.WARNING for r in caplog.records)
    assert API_KEY not in caplog.text


@pytest.mark.parametrize(
    ("fault", "reason", "status"),
    [
        ("read timeout", "timeout", None),
        ("connect timeout", "refused", None),
        ("connection refused", "refused", None),
        ("proxy refused", "proxy", None),
        ("TLS failure", "tls", None),
        ("HTTP 503", "status", 503),
        ("an HTML page", "not-json", 200),
        ("truncated JSON", "not-json", 200),
        ("a JSON list", "bad-shape", 200),
        ("an empty error list", "bad-shape", 200),
    ],
)
def test_it_names_the_cause_of_a_fault(fault, reason, status, mocked):
    fake(mocked, fault)

    with pytest.raises(Unavailable) as raised:
        make_client(read_retries=0).practitioners()

    assert raised.value.reason == reason
    assert raised.value.http_status == status
    assert str(raised.value).startswith("staffList: ")


def test_it_says_in_plain_words_that_the_diary_timed_out(mocked):
    fake(mocked, "read timeout")

    with pytest.raises(Unavailable, match=r"^staffList: no answer within 7\.5s$"):
        make_client(read_retries=0, read_timeout=7.5).practitioners()


ELSEWHERE = "https://collector.example/api/request"


def redirect_elsewhere(mock, status):
    """The diary's URL redirects to another host, which would answer if asked."""
    mock.add(responses.POST, VENDOR_URL, status=status, headers={"Location": ELSEWHERE})
    mock.add(responses.POST, ELSEWHERE, body=recorded("staffList.json"))
    mock.add(responses.GET, ELSEWHERE, body=recorded("staffList.json"))


@pytest.mark.parametrize("status", [301, 307])
def test_it_does_not_follow_a_redirect_away_from_the_diary(status, client):
    # The key travels in the body: a 307/308 would re-send it to the other
    # host, and any 3xx would make another host's answer pass for the diary's.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        redirect_elsewhere(mock, status)

        with pytest.raises(Unavailable):
            client.practitioners()

        assert {call.request.url for call in mock.calls} == {VENDOR_URL}


def test_it_does_not_follow_a_redirect_with_a_booking(client):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        redirect_elsewhere(mock, 307)

        with pytest.raises(UnknownOutcome):
            client.book(**VENDOR_BOOKING)

        assert [call.request.url for call in mock.calls] == [VENDOR_URL]


def test_it_raises_unavailable_for_a_url_it_cannot_use():
    # A misconfigured PHYSIODIARY_API_URL must read as "unavailable", not crash a page.
    client = make_client(url="ftp://diary.example/api/request", sleep=lambda seconds: None)

    with pytest.raises(Unavailable) as raised:
        client.book(**VENDOR_BOOKING)

    assert not isinstance(raised.value, UnknownOutcome)
    assert raised.value.reason == "transport"


class BrokenAdapter(BaseAdapter):
    """A transport with a bug of its own: the error escapes requests unhandled."""

    def send(self, request, **kwargs):
        raise RuntimeError("a bug below the client")

    def close(self):
        pass


def test_a_bug_below_the_client_becomes_an_unknown_outcome_not_a_500(caplog):
    client = make_client(sleep=lambda seconds: None)
    client.session.mount(VENDOR_URL, BrokenAdapter())

    with pytest.raises(UnknownOutcome) as raised:
        client.book(**VENDOR_BOOKING)

    assert raised.value.reason == "transport"
    assert raised.value.__context__ is None
    assert "unexpected RuntimeError" in caplog.text
    assert "a bug below the client" not in caplog.text


def test_a_failed_booking_carries_no_trace_of_the_request_it_wraps(mocked, client):
    mocked.post(VENDOR_URL, body=connection_reset())

    with pytest.raises(UnknownOutcome) as raised:
        client.book(**VENDOR_BOOKING)

    # requests' exception holds the prepared request, key and patient included.
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None
