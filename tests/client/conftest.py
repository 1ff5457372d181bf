"""Fixtures for the Physiodiary client's tests with Django: the site's client, the reference diary.

(Its tests that need no Django are in tests/physiodiary.)

`diary` runs one test three times: against the vendor's recorded answers
(`responses`), against the reference diary over real HTTP (`live_server`),
and against the reference diary in-process (no PHYSIODIARY_API_URL). The
same assertions must hold on all three, which is what proves that the
client, the vendor's examples and our reference diary agree.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings.client import get_client
from physiodiary import PhysiodiaryClient

from .proxy import RecordingProxy
from .support import API_KEY, VENDOR_URL, answer, client, make_client, mocked, sleeps  # noqa: F401  (fixtures)


@pytest.fixture
def recording_proxy() -> Iterator[RecordingProxy]:
    proxy = RecordingProxy().start()
    yield proxy
    proxy.stop()


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse, and record, any attempt to resolve a name or open a connection."""
    attempts: list[object] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("this test must not touch the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


# --- One diary, three ways ----------------------------------------------------


class RecordedDiary:
    """The vendor's example answers, replayed at the HTTP boundary."""

    kind = "recorded"
    # The ids and date of the vendor's freeList example.
    practitioner_id = 43987
    room_id = 1245
    start = dt.date(2017, 10, 7)

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock

    def answers(self, *names: str) -> None:
        """Queue recorded answers; "404" is the vendor's bare 404."""
        for name in names:
            if name == "404":
                self.mock.add(responses.POST, VENDOR_URL, status=404, body="")
            else:
                answer(self.mock, name)

    def client(self, key: str = API_KEY, **options: Any) -> PhysiodiaryClient:
        return make_client(VENDOR_URL, key, **options)


class ReferenceDiary:
    """Our reference diary, seeded with the vendor's example staff and rooms."""

    # Anna in Treatment Room 2, as in the vendor's freeList example.
    practitioner_id = 42230
    room_id = 7323

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        call_command("seed_demo_diary", stdout=io.StringIO())
        # Tomorrow: a reference diary offers no time in the past.
        self.start = timezone.localdate() + dt.timedelta(days=1)

    def answers(self, *names: str) -> None:
        """Nothing to queue: the reference diary answers for itself."""


class HttpReferenceDiary(ReferenceDiary):
    kind = "reference"

    def __init__(self, settings: Any, base_url: str) -> None:
        super().__init__(settings)
        self.url = base_url + reverse("sandbox:api-request")

    def client(self, key: str | None = None, **options: Any) -> PhysiodiaryClient:
        return make_client(
            self.url, django_settings.SANDBOX_API_KEY if key is None else key, **options
        )


class InProcessReferenceDiary(ReferenceDiary):
    kind = "in-process"

    def client(
        self,
        key: str | None = None,
        *,
        read_timeout: float | None = None,
        read_retries: int | None = None,
    ) -> PhysiodiaryClient:
        # The site's own client, built from settings with no live URL.
        self.settings.PHYSIODIARY_API_URL = ""
        self.settings.PHYSIODIARY_API_KEY = django_settings.SANDBOX_API_KEY if key is None else key
        self.settings.PHYSIODIARY_RETRY_BACKOFF = 0.0  # nothing to wait for in a test
        if read_timeout is not None:
            self.settings.PHYSIODIARY_READ_TIMEOUT = read_timeout
        if read_retries is not None:
            self.settings.PHYSIODIARY_READ_RETRIES = read_retries
        return get_client()


def _make_diary(kind: str, request: pytest.FixtureRequest) -> Any:
    if kind == "recorded":
        return RecordedDiary(request.getfixturevalue("mocked"))
    settings = request.getfixturevalue("settings")
    if kind == "reference":
        return HttpReferenceDiary(settings, request.getfixturevalue("live_server").url)
    return InProcessReferenceDiary(settings)


# The database comes with the param's mark: a database fixture asked for
# from inside a fixture comes too late for pytest-django to make it
# transactional, and the live server's threads would then wait on the
# test's open transaction. Real HTTP to the live server: the e2e tier too.
REFERENCE = pytest.param(
    "reference", marks=[pytest.mark.django_db(transaction=True), pytest.mark.e2e]
)
IN_PROCESS = pytest.param("in-process", marks=pytest.mark.django_db)


@pytest.fixture(params=["recorded", REFERENCE, IN_PROCESS])
def diary(request: pytest.FixtureRequest) -> Any:
    """The diary, three ways: the same test must pass on each."""
    return _make_diary(request.param, request)


@pytest.fixture(params=[REFERENCE, IN_PROCESS])
def reference_diary(request: pytest.FixtureRequest) -> Any:
    """Our reference diary, for what recorded answers cannot show (a real delay)."""
    return _make_diary(request.param, request)
