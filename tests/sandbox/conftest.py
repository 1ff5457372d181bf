import json
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from sandbox.models import Practitioner, Room, Weekday, WorkingHours

from .helpers import API, KEY, NOW


@pytest.fixture(autouse=True)
def diary_settings(settings: Any) -> None:
    settings.SANDBOX_API_KEY = KEY
    settings.SANDBOX_ALLOWED_IPS = ["127.0.0.1"]
    settings.SANDBOX_LATENCY_MS = 0


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Freezes the diary's clock at helpers.NOW."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def room1(db: None) -> Room:
    return Room.objects.create(id=7322, name="Treatment Room 1")


@pytest.fixture
def room2(db: None) -> Room:
    return Room.objects.create(id=7323, name="Treatment Room 2")


@pytest.fixture
def anna(room2: Room) -> Practitioner:
    """Mondays 09:00-13:30 and Tuesdays 14:15-20:15, in room 2."""
    anna = Practitioner.objects.create(id=42230, name="Anna")
    WorkingHours.objects.create(
        practitioner=anna, room=room2, weekday=Weekday.MONDAY, start=time(9), end=time(13, 30)
    )
    WorkingHours.objects.create(
        practitioner=anna, room=room2, weekday=Weekday.TUESDAY, start=time(14, 15), end=time(20, 15)
    )
    return anna


@pytest.fixture
def john(room1: Room) -> Practitioner:
    """Mondays 09:00-12:00 in room 1."""
    john = Practitioner.objects.create(id=42228, name="John")
    WorkingHours.objects.create(
        practitioner=john, room=room1, weekday=Weekday.MONDAY, start=time(9), end=time(12)
    )
    return john


@pytest.fixture
def post(client: Client) -> Callable[..., HttpResponse]:
    """POSTs a body to the diary as the site would; a dict is sent as JSON."""

    def post(body: Any, ip: str = "127.0.0.1") -> HttpResponse:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return client.post(API, data=data, content_type="application/json", REMOTE_ADDR=ip)

    return post


@pytest.fixture
def call(post: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Calls an action with the right key, as the site would."""

    def call(action: str, **fields: Any) -> HttpResponse:
        return post({"action": action, "apiKey": KEY, **fields})

    return call
