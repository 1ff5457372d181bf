"""What the reference diary's call log writes down: the action, when, and a freeList's ids only."""

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory

from sandbox.call_log import Call, logged

from .helpers import API, KEY, TODAY


@pytest.fixture
def logged_call(tmp_path: Path, anna: Any, now: Any) -> Callable[..., tuple[Call, str]]:
    """Sends a body through the logging wrapper, as gunicorn would: the call it wrote down,
    and everything in the log."""
    log = tmp_path / "calls.log"
    calls: list[Call] = []

    def line(call: Call) -> str:
        calls.append(call)
        return f"{call.action} {call.staff} {call.section} {call.started:.6f}\n"

    application = logged(str(log), line)

    def send(**fields: Any) -> tuple[Call, str]:
        body = json.dumps({"apiKey": KEY, **fields})
        request = RequestFactory().post(
            str(API), data=body, content_type="application/json", REMOTE_ADDR="127.0.0.1"
        )
        # As Django's test client does: a request's start and end would otherwise close the
        # test's database connection, inside its transaction, and the diary could not answer.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            answer = application(request.environ, lambda status, headers, exc_info=None: None)
            b"".join(answer)
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return calls[-1], log.read_text()

    return send


def test_a_free_lists_practitioner_and_room_are_written_down_with_when_it_came_in(logged_call):
    before = time.time()
    call, _ = logged_call(action="freeList", staffId=42230, sectionId=7323, date=TODAY, numDays=7)
    after = time.time()

    assert (call.action, call.staff, call.section) == ("freeList", "42230", "7323")
    assert before <= call.started <= after


def test_nothing_of_a_booking_but_its_action_is_written_down(logged_call):
    call, log = logged_call(
        action="book",
        staffId=42230,
        sectionId=7323,
        date=TODAY,
        time="0900",
        name="Ann Patient",
        phone="01632 960 001",
        email="ann@example.com",
        desc="Sore knee",
    )

    assert (call.action, call.staff, call.section) == ("book", "-", "-")
    # The whole log, not a search for the patient's words: when it came in is digits, and a
    # search for "960" would find them there one time in a few hundred.
    assert log == f"book - - {call.started:.6f}\n"


#: Full-width digits are digits to str.isdigit, but not an id.
FULL_WIDTH_42230 = "\uff14\uff12\uff12\uff13\uff10"


@pytest.mark.parametrize("staff_id", ["42230 extra", "-1", 4.5, True, None, FULL_WIDTH_42230, [1]])
def test_an_id_that_is_not_a_whole_number_is_not_written_down(logged_call, staff_id):
    call, log = logged_call(action="freeList", staffId=staff_id, sectionId=7323, date=TODAY)

    assert (call.staff, call.section) == ("-", "7323")
    assert "extra" not in log
