"""A real slow diary: the reference diary with SANDBOX_LATENCY_MS above the read timeout."""

import logging
import threading

import pytest
from django.core.signals import request_finished

from physiodiary import Rejected, Unavailable, UnknownOutcome
from sandbox.models import Booking

from .test_contract import book, first_free_time

LATENCY_MS = 300
READ_TIMEOUT = 0.05


@pytest.fixture
def server_requests_done(reference_diary):
    """Wait until the live server has finished `n` requests the client gave up on.

    The live server finishes a slow request after the client stopped
    waiting; the test must not end (and its database be emptied) before it.
    """
    finished = 0
    condition = threading.Condition()

    def count(**kwargs):
        nonlocal finished
        with condition:
            finished += 1
            condition.notify_all()

    request_finished.connect(count, weak=False)

    def wait(n):
        if reference_diary.kind != "reference":
            return  # in-process, the diary's view has returned already
        with condition:
            assert condition.wait_for(lambda: finished >= n, timeout=10)

    yield wait
    request_finished.disconnect(count)


def test_it_gives_up_on_a_slow_read_without_asking_again(
    reference_diary, settings, caplog, server_requests_done
):
    caplog.set_level(logging.INFO)
    client = reference_diary.client(read_timeout=READ_TIMEOUT, read_retries=2)
    settings.SANDBOX_LATENCY_MS = LATENCY_MS

    with pytest.raises(Unavailable) as raised:
        client.rooms()

    server_requests_done(1)
    assert type(raised.value) is Unavailable
    assert raised.value.reason == "timeout"
    # The site's client logs as bookings.physiodiary, one built by hand as physiodiary.client.
    messages = [r.getMessage() for r in caplog.records]
    attempts = [m for m in messages if m.startswith("physiodiary action=")]
    assert len(attempts) == 1
    assert "attempt=1 outcome=timeout" in attempts[0]


def test_it_reports_a_booking_answered_too_late_as_an_unknown_outcome_and_it_was_made(
    reference_diary, settings, caplog, server_requests_done
):
    caplog.set_level(logging.INFO)
    client = reference_diary.client(read_timeout=READ_TIMEOUT)
    day, at = first_free_time(client, reference_diary)
    settings.SANDBOX_LATENCY_MS = LATENCY_MS

    with pytest.raises(UnknownOutcome) as raised:
        book(client, reference_diary, date=day, time=at)

    server_requests_done(2)  # the freeList, then the book
    book_attempts = [r for r in caplog.records if "action=book" in r.getMessage()]
    assert len(book_attempts) == 1  # never retried
    assert raised.value.reason == "timeout"
    # Which is why it is "unknown", not "failed": the diary did book it.
    assert Booking.objects.filter(date=day, time=at).count() == 1
    settings.SANDBOX_LATENCY_MS = 0
    with pytest.raises(Rejected) as again:
        book(client, reference_diary, date=day, time=at)
    assert again.value.codes == (12,)
