"""The circuit breaker: a diary that keeps failing is left alone for a while.

While it is open, calls fail at once (no patient waits for a timeout) and
nothing is sent, so even a booking is known not to have been made.
"""

import logging

import pytest

from physiodiary import (
    CircuitBreaker,
    NotAuthorised,
    Reason,
    Rejected,
    Unavailable,
    UnknownOutcome,
)

from ..client.support import VENDOR_BOOKING, VENDOR_URL, answer, make_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock):
    breaker = CircuitBreaker(failures=3, seconds=30, clock=clock)
    return make_client(breaker=breaker, read_retries=0, sleep=lambda seconds: None)


def fail(mocked, times: int = 1) -> None:
    for _ in range(times):
        mocked.post(VENDOR_URL, status=503, body="")


def failing_calls(client, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unavailable):
            client.practitioners()


def test_it_opens_after_the_set_number_of_failures_in_a_row(mocked, client):
    fail(mocked, 3)
    failing_calls(client, 3)
    assert client.breaker.is_open

    with pytest.raises(Unavailable) as caught:
        client.practitioners()

    assert caught.value.reason == Reason.CIRCUIT_OPEN
    assert len(mocked.calls) == 3  # the fourth call sent nothing


def test_a_success_between_failures_starts_the_count_again(mocked, client):
    fail(mocked, 2)
    answer(mocked, "staffList.json")
    fail(mocked, 2)

    failing_calls(client, 2)
    client.practitioners()
    failing_calls(client, 2)

    assert not client.breaker.is_open


def test_answers_with_errors_mean_the_diary_is_up(mocked, client):
    fail(mocked, 2)
    answer(mocked, "error-12.json")
    fail(mocked, 2)
    failing_calls(client, 2)
    with pytest.raises(Rejected):
        client.book(**VENDOR_BOOKING)
    failing_calls(client, 2)

    assert not client.breaker.is_open


def test_a_bare_404_does_not_open_it(mocked, client):
    for _ in range(4):
        mocked.post(VENDOR_URL, status=404, body="")
    for _ in range(4):
        with pytest.raises(NotAuthorised):
            client.practitioners()

    assert not client.breaker.is_open


def test_a_booking_while_open_is_known_not_to_be_made(mocked, client):
    fail(mocked, 3)
    failing_calls(client, 3)

    with pytest.raises(Unavailable) as caught:
        client.book(**VENDOR_BOOKING)

    assert not isinstance(caught.value, UnknownOutcome)
    assert len(mocked.calls) == 3


def test_it_lets_one_trial_call_through_after_the_pause(mocked, client, clock):
    fail(mocked, 3)
    failing_calls(client, 3)
    answer(mocked, "staffList.json")

    clock.now += 29.9
    with pytest.raises(Unavailable):
        client.practitioners()
    clock.now += 0.2
    assert client.practitioners()

    assert not client.breaker.is_open
    assert len(mocked.calls) == 4


def test_a_failed_trial_opens_it_again_at_once(mocked, client, clock):
    fail(mocked, 4)
    failing_calls(client, 3)
    clock.now += 31
    failing_calls(client, 1)  # the trial, sent and failed

    assert client.breaker.is_open
    with pytest.raises(Unavailable) as caught:
        client.practitioners()
    assert caught.value.reason == Reason.CIRCUIT_OPEN
    assert len(mocked.calls) == 4


def test_only_one_trial_goes_out_at_a_time(clock):
    breaker = CircuitBreaker(failures=1, seconds=5, clock=clock)
    breaker.failed(Reason.TIMEOUT)
    clock.now += 6

    assert breaker.allow()
    assert not breaker.allow()  # a second caller while the trial is out
    breaker.succeeded()
    assert breaker.allow()


def test_read_retries_stop_once_it_opens(mocked, clock):
    breaker = CircuitBreaker(failures=2, seconds=30, clock=clock)
    sleeps = []
    client = make_client(breaker=breaker, read_retries=5, sleep=sleeps.append)
    fail(mocked, 2)

    with pytest.raises(Unavailable) as caught:
        client.practitioners()

    # The failure that opened it is what the caller hears, with no pause
    # before a call that would never be made.
    assert caught.value.reason == Reason.STATUS  # the 503 it answered
    assert len(mocked.calls) == 2
    assert len(sleeps) == 1  # of 5 retries allowed: none once it opened


def test_zero_failures_never_opens_it(mocked):
    client = make_client(breaker=CircuitBreaker(failures=0, seconds=30), read_retries=0)
    fail(mocked, 10)
    failing_calls(client, 10)

    assert not client.breaker.is_open
    assert len(mocked.calls) == 10


def test_it_logs_opening_closing_and_each_call_it_refused(mocked, client, clock, caplog):
    caplog.set_level(logging.INFO, logger="physiodiary")
    fail(mocked, 3)
    failing_calls(client, 4)
    answer(mocked, "staffList.json")
    clock.now += 31
    client.practitioners()

    messages = [r.getMessage() for r in caplog.records]
    opened = [m for m in messages if "circuit open" in m]
    assert opened == [
        "physiodiary circuit open for 30s after 3 failed calls in a row (last: status)"
    ]
    assert any("outcome=circuit-open" in m for m in messages)
    assert "physiodiary circuit closed: the diary answered again" in messages
    assert [r.levelname for r in caplog.records if "circuit open" in r.getMessage()] == ["ERROR"]
