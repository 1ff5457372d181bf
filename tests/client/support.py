"""What the client tests share: the vendor's examples and ways to fake the HTTP boundary."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from physiodiary import PhysiodiaryClient

#: The example URL of the vendor's document, non-standard port included.
VENDOR_URL = "https://api456.physiodiary.co.uk:1234/api/request"
#: Distinctive, so that a leak into a message or log line cannot go unnoticed.
API_KEY = "pd-key-7Hq2xZ-must-never-leak"

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "physiodiary"

#: The vendor's example booking request, field for field.
VENDOR_BOOKING: dict[str, Any] = {
    "practitioner_id": 43987,
    "room_id": 1245,
    "date": dt.date(2017, 10, 7),
    "time": dt.time(9, 15),
    "name": "Fred Smith",
    "phone": "123456",
    "email": "fred@smith.co.uk",
    "desc": "Pain in back",
}

#: How each action is called with the vendor's example values.
ACTIONS = {
    "staffList": lambda client: client.practitioners(),
    "sectionList": lambda client: client.rooms(),
    "freeList": lambda client: client.free_times(43987, 1245, dt.date(2017, 10, 7), 2),
    "book": lambda client: client.book(**VENDOR_BOOKING),
}
READ_ACTIONS = ("staffList", "sectionList", "freeList")


def recorded(name: str) -> str:
    """A recorded answer, as the vendor's document prints it."""
    return (FIXTURES / name).read_text()


def recorded_json(name: str) -> Any:
    return json.loads(recorded(name))


def answer(mock: responses.RequestsMock, name: str, url: str = VENDOR_URL) -> None:
    """Make the fake diary answer the next request with a recorded answer."""
    mock.add(responses.POST, url, body=recorded(name), content_type="application/json")


def sent(call: Any) -> dict[str, Any]:
    """The JSON object a recorded call carried."""
    return json.loads(call.request.body)


def make_client(url: str = VENDOR_URL, key: str = API_KEY, **options: Any) -> PhysiodiaryClient:
    options.setdefault("sleep", lambda seconds: None)
    return PhysiodiaryClient(url, key, **options)


# --- Faults, built as requests raises them ------------------------------------


def connection_refused(url: str = VENDOR_URL) -> requests.ConnectionError:
    """What requests raises when nothing listens: the request never left."""
    reason = NewConnectionError(
        None,  # type: ignore[arg-type]
        "Failed to establish a new connection: [Errno 111] Connection refused",
    )
    return requests.ConnectionError(MaxRetryError(None, url, reason))  # type: ignore[arg-type]


def connection_reset() -> requests.ConnectionError:
    """What requests raises when the server drops the connection after the request was sent."""
    return requests.ConnectionError(
        ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    )


def closed_port() -> int:
    """A local port that nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Fixtures, imported by the conftests of tests/client and tests/physiodiary ---


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """The HTTP boundary, faked: every answer a test expects must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    """The backoff pauses the client asked for, instead of waiting them."""
    return []


@pytest.fixture
def client(sleeps: list[float]) -> PhysiodiaryClient:
    return make_client(sleep=sleeps.append)
